import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { isPathComplete, missingPrerequisites, pathScore, type StepState } from './completion.js';
import { PathError } from './errors.js';
import { emitPathEvent, type EnrolmentRef } from './events.js';
import { loadPublishedVersion, type PublishedVersion } from './paths.js';
import { systemClock, type AttendanceOutcome, type Clock, type OutcomeDelivery } from './ports.js';
import { applyOutcome, type StepRow } from './step-outcomes.js';

export interface DeliveryResult {
  /** The idempotency key was seen before: nothing changed. */
  readonly duplicate: boolean;
  readonly stepStatus: 'in_progress' | 'completed';
  readonly stepCompleted: boolean;
  readonly pathCompleted: boolean;
  /** Set when this delivery completed the path. */
  readonly completionId: string | null;
}

type LockedEnrolment = EnrolmentRef & { status: 'in_progress' | 'completed' };
type ProgressRow = StepRow & { step_id: string; completed_at: Date | null };

/** Who may act on an enrolment: its learner's tenant, and for some acts the path's owner. */
export interface EnrolmentScope {
  readonly learnerTenantId: string;
  readonly ownerTenantId?: string;
}

/** Locks the enrolment row: every change to one enrolment's progress queues behind this lock,
 *  so concurrent deliveries never overwrite each other's progress. The tenant scope is part of
 *  the query, so another tenant's enrolment is neither read nor locked. */
export async function lockEnrolment(trx: Kysely<Schema>, enrolmentId: string, scope: EnrolmentScope): Promise<LockedEnrolment> {
  const row = await trx
    .selectFrom('path_enrolments as e')
    .innerJoin('paths as p', 'p.id', 'e.path_id')
    .select(['e.id', 'e.tenant_id', 'e.person_id', 'e.path_id', 'e.version_id', 'e.status'])
    .where('e.id', '=', enrolmentId)
    .where((eb) => eb.or([
      eb('e.tenant_id', '=', scope.learnerTenantId),
      ...(scope.ownerTenantId ? [eb('p.tenant_id', '=', scope.ownerTenantId)] : []),
    ]))
    .forUpdate('e')
    .executeTakeFirst();
  if (!row) throw new PathError('enrolment-not-found', 'no such enrolment for this tenant');
  return row;
}

async function progressRows(trx: Kysely<Schema>, enrolmentId: string): Promise<ProgressRow[]> {
  return trx
    .selectFrom('path_step_progress')
    .select(['step_id', 'status', 'score', 'data', 'completed_at'])
    .where('enrolment_id', '=', enrolmentId)
    .execute() as Promise<ProgressRow[]>;
}

/**
 * Writes the completion record and the path-completed event when the version's rule is met and
 * the enrolment is not completed yet. The unique enrolment_id of the record is the last guard
 * against a second completion.
 */
export async function completeIfDone(trx: Kysely<Schema>, enrolment: LockedEnrolment, version: PublishedVersion, rows: readonly ProgressRow[], now: Date): Promise<string | null> {
  if (enrolment.status === 'completed') return null;
  const states = new Map<string, StepState>(rows.map((r) => [r.step_id, { completed: r.status === 'completed', score: r.score }]));
  const completed = new Set(rows.filter((r) => r.status === 'completed').map((r) => r.step_id));
  if (!isPathComplete(version.definition, completed)) return null;
  const score = pathScore(version.definition, states);
  const evidence = {
    versionNumber: version.number,
    completionRule: version.definition.completion,
    scoreRule: version.definition.score,
    steps: version.definition.steps
      .filter((step) => completed.has(step.id))
      .map((step) => {
        const row = rows.find((r) => r.step_id === step.id)!;
        return { stepId: step.id, type: step.type, title: step.title, completedAt: row.completed_at ?? now, score: row.score };
      }),
    grants: version.definition.grants,
  };
  const record = await trx
    .insertInto('path_completions')
    .values({ tenant_id: enrolment.tenant_id, enrolment_id: enrolment.id, person_id: enrolment.person_id, path_id: enrolment.path_id,
      version_id: enrolment.version_id, completed_at: now, score, evidence: JSON.stringify(evidence) })
    .onConflict((oc) => oc.column('enrolment_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!record) return null;
  await trx.updateTable('path_enrolments').set({ status: 'completed', completed_at: now, updated_at: now }).where('id', '=', enrolment.id).execute();
  await emitPathEvent(trx, 'path-completed', enrolment, null, { completionId: record.id, score, completedAt: now.toISOString() });
  return record.id;
}

async function deliver(
  db: Kysely<Schema>,
  delivery: OutcomeDelivery,
  scope: EnrolmentScope,
  clock: Clock,
): Promise<DeliveryResult> {
  if (!delivery.idempotencyKey || delivery.idempotencyKey.length > 200) throw new PathError('invalid-outcome', 'an idempotency key of 1–200 characters is required');
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const enrolment = await lockEnrolment(trx, delivery.enrolmentId, scope);
    const version = await loadPublishedVersion(trx, enrolment.version_id);
    const step = version.definition.steps.find((s) => s.id === delivery.stepId);
    if (!step) throw new PathError('step-not-found', 'the step is not in the version this learner follows');
    const receipt = await trx
      .insertInto('path_outcome_receipts')
      .values({ enrolment_id: enrolment.id, idempotency_key: delivery.idempotencyKey, tenant_id: enrolment.tenant_id, step_id: step.id, received_at: now })
      .onConflict((oc) => oc.columns(['enrolment_id', 'idempotency_key']).doNothing())
      .returning('enrolment_id')
      .executeTakeFirst();
    const rows = await progressRows(trx, enrolment.id);
    const current = rows.find((r) => r.step_id === step.id);
    if (!receipt) {
      return { duplicate: true, stepStatus: current?.status ?? 'in_progress', stepCompleted: false, pathCompleted: false, completionId: null };
    }
    const completed = new Set(rows.filter((r) => r.status === 'completed').map((r) => r.step_id));
    const missing = missingPrerequisites(version.definition, step.id, completed);
    if (missing.length > 0) throw new PathError('prerequisites-not-met', `complete these steps first: ${missing.join(', ')}`);

    const next = await applyOutcome(step, delivery.outcome, current, {
      trx, now, personId: enrolment.person_id, personTenantId: enrolment.tenant_id, pathId: enrolment.path_id,
      versionId: enrolment.version_id, ownerTenantId: version.ownerTenantId,
    });
    const newlyCompleted = next.status === 'completed' && current?.status !== 'completed';
    const completedAt = newlyCompleted ? now : (current?.completed_at ?? null);
    await trx
      .insertInto('path_step_progress')
      .values({ enrolment_id: enrolment.id, step_id: step.id, tenant_id: enrolment.tenant_id, status: next.status, score: next.score,
        data: JSON.stringify(next.data), started_at: now, completed_at: completedAt, updated_at: now })
      .onConflict((oc) => oc.columns(['enrolment_id', 'step_id']).doUpdateSet({
        status: next.status, score: next.score, data: JSON.stringify(next.data), completed_at: completedAt, updated_at: now,
      }))
      .execute();
    let completionId: string | null = null;
    if (newlyCompleted) {
      await emitPathEvent(trx, 'step-completed', enrolment, step.id, { score: next.score });
      const after = [...rows.filter((r) => r.step_id !== step.id), { ...next, step_id: step.id, completed_at: completedAt }];
      completionId = await completeIfDone(trx, enrolment, version, after, now);
    }
    return { duplicate: false, stepStatus: next.status, stepCompleted: newlyCompleted, pathCompleted: completionId !== null, completionId };
  });
}

/**
 * Takes one outcome from the learner's side (a SCO commit, "mark as done", a self-assessment, an
 * evaluation) for an enrolment of `tenantId`, and updates step and path progress in one
 * transaction. Attendance is not taken here: see registerAttendance.
 */
export async function deliverOutcome(db: Kysely<Schema>, tenantId: string, delivery: OutcomeDelivery, clock: Clock = systemClock): Promise<DeliveryResult> {
  if (delivery.outcome.kind === 'attendance') throw new PathError('invalid-outcome', 'attendance is registered by a designer or manager');
  return deliver(db, delivery, { learnerTenantId: tenantId }, clock);
}

/**
 * Attendance at a physical session, registered by a designer of the owning tenant or a manager
 * of the learner's tenant.
 */
export async function registerAttendance(
  db: Kysely<Schema>,
  actorTenantId: string,
  input: { enrolmentId: string; stepId: string; attended: boolean; idempotencyKey: string },
  clock: Clock = systemClock,
): Promise<DeliveryResult> {
  const outcome: AttendanceOutcome = { kind: 'attendance', attended: input.attended };
  return deliver(db, { enrolmentId: input.enrolmentId, stepId: input.stepId, idempotencyKey: input.idempotencyKey, outcome },
    { learnerTenantId: actorTenantId, ownerTenantId: actorTenantId }, clock);
}
