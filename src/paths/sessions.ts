import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { lockEnrolment } from './engine.js';
import { PathError } from './errors.js';
import { emitPathEvent } from './events.js';
import { loadPublishedVersion } from './paths.js';

export interface SignUpResult {
  /** False when the learner was already signed up. */
  readonly created: boolean;
  readonly seatsTaken: number;
  readonly capacity: number;
}

async function sessionStep(trx: Kysely<Schema>, tenantId: string, enrolmentId: string, stepId: string) {
  const enrolment = await lockEnrolment(trx, enrolmentId, { learnerTenantId: tenantId });
  const version = await loadPublishedVersion(trx, enrolment.version_id);
  const step = version.definition.steps.find((s) => s.id === stepId);
  if (!step) throw new PathError('step-not-found', 'the step is not in the version this learner follows');
  if (step.type !== 'session') throw new PathError('step-type-mismatch', 'only a physical session takes sign-ups');
  return { enrolment, step, ownerTenantId: version.ownerTenantId };
}

/**
 * Signs a learner up for a physical session. The session's seat row is locked while seats are
 * counted, so concurrent sign-ups never exceed the capacity of the learner's version.
 */
export async function signUpForSession(db: Kysely<Schema>, tenantId: string, enrolmentId: string, stepId: string): Promise<SignUpResult> {
  return db.transaction().execute(async (trx) => {
    const { enrolment, step, ownerTenantId } = await sessionStep(trx, tenantId, enrolmentId, stepId);
    await trx.insertInto('path_session_seats').values({ path_id: enrolment.path_id, step_id: step.id, tenant_id: ownerTenantId })
      .onConflict((oc) => oc.doNothing()).execute();
    await trx.selectFrom('path_session_seats').select('step_id').where('path_id', '=', enrolment.path_id).where('step_id', '=', step.id).forUpdate().execute();
    const signups = trx.selectFrom('path_session_signups').where('path_id', '=', enrolment.path_id).where('step_id', '=', step.id);
    const mine = await signups.select('enrolment_id').where('enrolment_id', '=', enrolment.id).executeTakeFirst();
    const taken = Number((await signups.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (mine) return { created: false, seatsTaken: taken, capacity: step.config.capacity };
    if (taken >= step.config.capacity) throw new PathError('session-full', 'the session is full');
    await trx.insertInto('path_session_signups').values({ path_id: enrolment.path_id, step_id: step.id, enrolment_id: enrolment.id, tenant_id: enrolment.tenant_id }).execute();
    await emitPathEvent(trx, 'session-registered', enrolment, step.id, {});
    return { created: true, seatsTaken: taken + 1, capacity: step.config.capacity };
  });
}

/** Gives the seat back (a session-cancelled event, in the same transaction). */
export async function cancelSignUp(db: Kysely<Schema>, tenantId: string, enrolmentId: string, stepId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { enrolment, step } = await sessionStep(trx, tenantId, enrolmentId, stepId);
    const result = await trx.deleteFrom('path_session_signups')
      .where('path_id', '=', enrolment.path_id).where('step_id', '=', step.id).where('enrolment_id', '=', enrolment.id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new PathError('not-signed-up', 'the learner is not signed up for this session');
    await emitPathEvent(trx, 'session-cancelled', enrolment, step.id, {});
  });
}

/** The sign-up list of a session, for the owning tenant's designers (attendance registration). */
export async function listSignUps(db: Kysely<Schema>, ownerTenantId: string, pathId: string, stepId: string): Promise<{ enrolmentId: string; personId: string; signedUpAt: Date }[]> {
  const rows = await db
    .selectFrom('path_session_signups as s')
    .innerJoin('paths as p', 'p.id', 's.path_id')
    .innerJoin('path_enrolments as e', 'e.id', 's.enrolment_id')
    .select(['s.enrolment_id', 'e.person_id', 's.signed_up_at'])
    .where('p.tenant_id', '=', ownerTenantId)
    .where('s.path_id', '=', pathId)
    .where('s.step_id', '=', stepId)
    .orderBy('s.signed_up_at')
    .execute();
  return rows.map((r) => ({ enrolmentId: r.enrolment_id, personId: r.person_id, signedUpAt: r.signed_up_at }));
}
