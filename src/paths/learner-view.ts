import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { pathScore, type StepState } from './completion.js';
import { PathError } from './errors.js';
import { loadPublishedVersion } from './paths.js';

export interface OwnEnrolment {
  readonly id: string;
  readonly pathId: string;
  readonly versionId: string;
  readonly status: 'in_progress' | 'completed';
  /** Set when a newer attempt took over: the learner's pages lead to the current one. */
  readonly supersededAt: Date | null;
}

/**
 * An enrolment of `tenantId` that belongs to `personId`. Another person's enrolment, or another
 * tenant's, is refused exactly like one that does not exist: its existence is not revealed.
 */
export async function findOwnEnrolment(db: Kysely<Schema>, tenantId: string, personId: string, enrolmentId: string): Promise<OwnEnrolment> {
  const row = /^[0-9a-f-]{36}$/i.test(enrolmentId)
    ? await db
      .selectFrom('path_enrolments')
      .select(['id', 'path_id', 'version_id', 'status', 'superseded_at'])
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('id', '=', enrolmentId)
      .executeTakeFirst()
    : undefined;
  if (!row) throw new PathError('enrolment-not-found', 'no such enrolment of this person');
  return { id: row.id, pathId: row.path_id, versionId: row.version_id, status: row.status, supersededAt: row.superseded_at };
}

/** Seats taken in a physical session (all tenants' learners share them) and whether this enrolment has one. */
export async function sessionSeats(db: Kysely<Schema>, tenantId: string, enrolmentId: string, pathId: string, stepId: string): Promise<{ taken: number; signedUp: boolean }> {
  const row = await db
    .selectFrom('path_session_signups')
    .select((eb) => [
      eb.fn.countAll<number>().as('taken'),
      eb.fn.countAll<number>().filterWhere((w) => w.and([w('enrolment_id', '=', enrolmentId), w('tenant_id', '=', tenantId)])).as('mine'),
    ])
    .where('path_id', '=', pathId)
    .where('step_id', '=', stepId)
    .executeTakeFirstOrThrow();
  return { taken: Number(row.taken), signedUp: Number(row.mine) > 0 };
}

/**
 * The path score of an enrolment that is not completed yet, by the version's score rule over the
 * steps completed so far — or null when nothing completed so far counts towards the score (the
 * rule `completion`, no completed scored required step, or the named step not done).
 */
export async function scoreSoFar(db: Kysely<Schema>, tenantId: string, enrolmentId: string): Promise<number | null> {
  const enrolment = await db.selectFrom('path_enrolments').select(['version_id']).where('tenant_id', '=', tenantId).where('id', '=', enrolmentId).executeTakeFirst();
  if (!enrolment) throw new PathError('enrolment-not-found', 'no such enrolment for this tenant');
  const { definition } = await loadPublishedVersion(db, enrolment.version_id);
  if (definition.score.kind === 'completion') return null;
  const rows = await db.selectFrom('path_step_progress').select(['step_id', 'status', 'score']).where('tenant_id', '=', tenantId).where('enrolment_id', '=', enrolmentId).execute();
  const states = new Map<string, StepState>(rows.map((r) => [r.step_id, { completed: r.status === 'completed', score: r.score }]));
  const counted = definition.score.kind === 'step'
    ? [definition.score.stepId]
    : definition.steps.filter((s) => s.required).map((s) => s.id);
  if (!counted.some((id) => states.get(id)?.completed && states.get(id)?.score !== null)) return null;
  return pathScore(definition, states);
}

/** The success status a SCORM step's SCO last reported (`passed`, `failed`, `unknown`), or null. */
export async function reportedSuccess(db: Kysely<Schema>, tenantId: string, enrolmentId: string, stepId: string): Promise<string | null> {
  const row = await db
    .selectFrom('path_step_progress')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('enrolment_id', '=', enrolmentId)
    .where('step_id', '=', stepId)
    .executeTakeFirst();
  const status = (row?.data as { successStatus?: unknown } | undefined)?.successStatus;
  return typeof status === 'string' ? status : null;
}
