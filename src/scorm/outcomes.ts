import type { Kysely } from 'kysely';
import { launchableItems, type PackageManifest } from '../content/manifest-model.js';
import type { Schema } from '../db/schema.js';
import type { AttemptOutcome, CompletionStatus, ScoOutcome, ScoreRollup, SuccessStatus } from './ports.js';

/** Outcomes of every SCO of an attempt that has been launched. Tenant-scoped. */
export async function scoOutcomes(db: Kysely<Schema>, tenantId: string, attemptId: string): Promise<ScoOutcome[]> {
  const rows = await db
    .selectFrom('scorm_sco_states as s')
    .innerJoin('scorm_attempts as a', 'a.id', 's.attempt_id')
    .select([
      'a.tenant_id', 'a.person_id', 'a.package_id', 's.attempt_id', 's.sco_id', 's.completion_status', 's.success_status', 's.lesson_status',
      's.score_raw', 's.score_min', 's.score_max', 's.score_scaled', 's.closed_sessions_seconds', 's.open_session_seconds', 's.completed_at', 's.updated_at',
    ])
    .where('a.tenant_id', '=', tenantId)
    .where('s.attempt_id', '=', attemptId)
    .orderBy('s.updated_at', 'asc')
    .execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    personId: r.person_id,
    packageId: r.package_id,
    attemptId: r.attempt_id,
    scoId: r.sco_id,
    completionStatus: r.completion_status as CompletionStatus,
    successStatus: r.success_status as SuccessStatus,
    lessonStatus: r.lesson_status,
    scoreRaw: r.score_raw,
    scoreMin: r.score_min,
    scoreMax: r.score_max,
    scoreScaled: r.score_scaled,
    totalTimeSeconds: r.closed_sessions_seconds + r.open_session_seconds,
    completedAt: r.completed_at,
  }));
}

/**
 * The package's outcome for the paths engine. Roll-up rule (the same for 1.2 and 2004, where the
 * LMS chooses it): completed when every SCO of the default organization has completed; failed if
 * any SCO failed, passed if every SCO passed; score the average of the SCOs' scaled scores, or the
 * most recently updated one with rollup 'last'.
 */
export async function attemptOutcome(
  db: Kysely<Schema>,
  tenantId: string,
  attemptId: string,
  manifest: PackageManifest,
  rollup: ScoreRollup = 'average',
): Promise<AttemptOutcome | undefined> {
  const attempt = await db.selectFrom('scorm_attempts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', attemptId).executeTakeFirst();
  if (!attempt) return undefined;
  const outcomes = await scoOutcomes(db, tenantId, attemptId);
  const scoIds = launchableItems(manifest).filter((i) => i.scormType === 'sco').map((i) => i.id);
  const byId = new Map(outcomes.map((o) => [o.scoId, o]));
  const relevant = scoIds.map((id) => byId.get(id));
  const completed = relevant.length > 0 && relevant.every((o) => o?.completedAt);
  const successStatus: SuccessStatus = relevant.some((o) => o?.successStatus === 'failed')
    ? 'failed'
    : relevant.length > 0 && relevant.every((o) => o?.successStatus === 'passed')
      ? 'passed'
      : 'unknown';
  const scored = outcomes.filter((o) => o.scoreScaled !== null && scoIds.includes(o.scoId));
  const scoreScaled =
    scored.length === 0 ? null : rollup === 'last' ? scored[scored.length - 1]!.scoreScaled : scored.reduce((sum, o) => sum + o.scoreScaled!, 0) / scored.length;
  return {
    tenantId,
    personId: attempt.person_id,
    packageId: attempt.package_id,
    attemptId,
    completed: Boolean(completed),
    successStatus,
    scoreScaled,
    totalTimeSeconds: outcomes.reduce((sum, o) => sum + o.totalTimeSeconds, 0),
    scos: outcomes,
  };
}

export interface CommitRecord {
  id: number;
  scoId: string;
  session: number;
  seq: number;
  terminate: boolean;
  accepted: boolean;
  errorCode: number;
  receivedAt: Date;
  body: Record<string, unknown>;
}

/** Every commit the content sent for an attempt, oldest first: for support. */
export async function commitHistory(db: Kysely<Schema>, tenantId: string, attemptId: string): Promise<CommitRecord[]> {
  const rows = await db.selectFrom('scorm_commits').selectAll().where('tenant_id', '=', tenantId).where('attempt_id', '=', attemptId).orderBy('id', 'asc').execute();
  return rows.map((r) => ({
    id: r.id,
    scoId: r.sco_id,
    session: r.session,
    seq: r.seq,
    terminate: r.terminate,
    accepted: r.accepted,
    errorCode: r.error_code,
    receivedAt: r.received_at,
    body: r.body,
  }));
}
