import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { getProgress, listCompletions } from './enrolments.js';
import { loadPublishedVersion } from './paths.js';

/** One of a learner's paths, as their list of paths shows it. */
export interface OwnPath {
  readonly enrolmentId: string;
  readonly pathId: string;
  /** The title of the version the learner follows. */
  readonly title: string;
  /** `not-started`: enrolled (by a launch of the path's link), nothing done yet. */
  readonly state: 'not-started' | 'in-progress' | 'completed';
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly startedAt: Date;
  readonly dueAt: Date | null;
  readonly completedAt: Date | null;
  /** The completion's path score (0–100), when the path gives one. */
  readonly score: number | null;
  /** 1 for the first attempt, 2 and on when the path is taken again. */
  readonly attempt: number;
}

/**
 * The paths `personId` of `tenantId` is enrolled in (the current attempt at each), newest first.
 * Only the person's own enrolments in their own tenant: nothing else is reachable from here.
 */
export async function listOwnPaths(db: Kysely<Schema>, tenantId: string, personId: string): Promise<OwnPath[]> {
  const rows = await db
    .selectFrom('path_enrolments')
    .select(['id', 'started_at'])
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .where('superseded_at', 'is', null)
    .orderBy('started_at', 'desc')
    .orderBy('id')
    .execute();
  const completions = new Map((await listCompletions(db, tenantId, { personId })).map((c) => [c.enrolmentId, c]));
  const paths: OwnPath[] = [];
  for (const row of rows) {
    const progress = await getProgress(db, tenantId, row.id);
    const version = await loadPublishedVersion(db, progress.versionId);
    const completion = completions.get(row.id);
    const stepsDone = progress.steps.filter((s) => s.status === 'completed').length;
    const begun = progress.steps.some((s) => s.status === 'completed' || s.status === 'in-progress');
    paths.push({
      enrolmentId: row.id,
      pathId: progress.pathId,
      title: version.definition.title,
      state: progress.status === 'completed' ? 'completed' : begun ? 'in-progress' : 'not-started',
      stepsDone,
      stepsTotal: progress.steps.length,
      startedAt: progress.startedAt,
      dueAt: progress.dueAt,
      completedAt: completion?.completedAt ?? progress.completedAt,
      score: completion?.score ?? null,
      attempt: progress.attempt,
    });
  }
  return paths;
}
