import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { launchClientKey } from './launch-credentials.js';

/** The ADL verbs that decide an xAPI course's outcome (ADL vocabulary, as the authoring tools send them). */
export const OUTCOME_VERBS = {
  'http://adlnet.gov/expapi/verbs/completed': 'completed',
  'http://adlnet.gov/expapi/verbs/passed': 'passed',
  'http://adlnet.gov/expapi/verbs/failed': 'failed',
} as const;

export type OutcomeVerb = (typeof OUTCOME_VERBS)[keyof typeof OUTCOME_VERBS];

/** One statement about the course activity that can decide the outcome. */
export interface OutcomeStatement {
  readonly statementId: string;
  readonly verb: OutcomeVerb;
  /** Scaled 0..1: result.score.scaled, else raw on min..max (min 0 when only max is given). */
  readonly scoreScaled?: number;
  readonly stored: Date;
}

/** result.score as a scaled score (xAPI Part Two §4.1.5.1), or undefined when it gives none. */
export function scaledScore(result: unknown): number | undefined {
  const score = (result as { score?: Record<string, unknown> } | null | undefined)?.score;
  if (!score) return undefined;
  const { scaled, raw, min, max } = score;
  if (typeof scaled === 'number') return Math.min(1, Math.max(0, scaled));
  if (typeof raw === 'number' && typeof max === 'number') {
    const low = typeof min === 'number' ? min : 0;
    if (max > low) return Math.min(1, Math.max(0, (raw - low) / (max - low)));
  }
  return undefined;
}

/**
 * The statements that decide a launched course's outcome: sent with a launch credential of the
 * tenant (never another client's), by the learner, in the registration, about the course activity,
 * with completed, passed or failed, not voided; oldest first.
 */
export async function launchOutcomeStatements(
  db: Kysely<Schema>,
  input: { tenantId: string; registration: string; actorKey: string; courseActivityId: string },
): Promise<OutcomeStatement[]> {
  const rows = await db
    .selectFrom('xapi_statements as s')
    .innerJoin('xapi_clients as c', 'c.id', 's.client_id')
    .select(['s.statement_id', 's.verb_id', 's.stored', sql<unknown>`s.statement -> 'result'`.as('result')])
    .where('s.tenant_id', '=', input.tenantId)
    .where('s.registration', '=', input.registration)
    .where('s.object_activity_id', '=', input.courseActivityId)
    .where('s.actor_key', '=', input.actorKey)
    .where('s.verb_id', 'in', Object.keys(OUTCOME_VERBS))
    .where('s.voided', '=', false)
    .where('c.key', '=', launchClientKey(input.tenantId))
    .orderBy('s.seq')
    .execute();
  return rows.map((row) => {
    const score = scaledScore(row.result);
    return {
      statementId: row.statement_id,
      verb: OUTCOME_VERBS[row.verb_id as keyof typeof OUTCOME_VERBS],
      ...(score !== undefined ? { scoreScaled: score } : {}),
      stored: row.stored,
    };
  });
}
