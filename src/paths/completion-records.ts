import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/** A path completion as the competence capability and certificates read it. */
export interface CompletionRecordView {
  readonly id: string;
  readonly personId: string;
  readonly pathId: string;
  readonly versionId: string;
  readonly versionNumber: number | null;
  readonly completedAt: Date;
  readonly score: number | null;
  /** What the version granted at completion (kept in the record's evidence). */
  readonly grants: readonly { competence: string; validMonths: number | null }[];
}

export async function findCompletionRecord(db: Kysely<Schema>, completionId: string): Promise<CompletionRecordView | undefined> {
  const row = await db
    .selectFrom('path_completions')
    .select(['id', 'person_id', 'path_id', 'version_id', 'completed_at', 'score', 'evidence'])
    .where('id', '=', completionId)
    .executeTakeFirst();
  if (!row) return undefined;
  const evidence = (row.evidence ?? {}) as { versionNumber?: unknown; grants?: unknown };
  const grants = Array.isArray(evidence.grants)
    ? evidence.grants.filter((g): g is { competence: string; validMonths: number | null } => typeof g?.competence === 'string')
    : [];
  return {
    id: row.id,
    personId: row.person_id,
    pathId: row.path_id,
    versionId: row.version_id,
    versionNumber: typeof evidence.versionNumber === 'number' ? evidence.versionNumber : null,
    completedAt: row.completed_at,
    score: row.score,
    grants: grants.map((g) => ({ competence: g.competence, validMonths: typeof g.validMonths === 'number' ? g.validMonths : null })),
  };
}
