import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { PathError } from './errors.js';
import { loadPublishedVersion } from './paths.js';

/** Below this many answers nothing is reported: a small group could be re-identified. */
export const ANONYMITY_THRESHOLD = 5;

export type EvaluationReport =
  | { readonly status: 'too-few-answers'; readonly minimum: number; readonly releasedOn: string | null }
  | {
      readonly status: 'ready';
      /** The newest release's date (YYYY-MM-DD): the report changes only in releases. */
      readonly releasedOn: string;
      readonly respondents: number;
      readonly questions: readonly (
        | { readonly id: string; readonly kind: 'scale'; readonly text: string; readonly answers: number; readonly mean: number; readonly distribution: Readonly<Record<number, number>> }
        | { readonly id: string; readonly kind: 'text'; readonly text: string; readonly answers: readonly string[] }
      )[];
    };

/**
 * The anonymous report of an evaluation step over all versions of the owner's path, from released
 * answers only (evaluation-pool.ts): answers still pending are not counted. Text answers are
 * sorted so their order says nothing about who wrote them; with fewer than five answers there is
 * no report at all (not even the count).
 */
export async function evaluationReport(db: Kysely<Schema>, ownerTenantId: string, pathId: string, stepId: string): Promise<EvaluationReport> {
  const latest = await db
    .selectFrom('path_versions')
    .select('id')
    .where('tenant_id', '=', ownerTenantId)
    .where('path_id', '=', pathId)
    .where('status', '=', 'published')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest) throw new PathError('path-not-found', 'no such published path of this tenant');
  const step = (await loadPublishedVersion(db, latest.id)).definition.steps.find((s) => s.id === stepId);
  if (!step || step.type !== 'evaluation') throw new PathError('step-not-found', 'no such evaluation step in the newest version');
  const rows = await db
    .selectFrom('path_evaluation_answers')
    .select(['answers', sql<string>`released_on::text`.as('released_on')])
    .where('tenant_id', '=', ownerTenantId)
    .where('path_id', '=', pathId)
    .where('step_id', '=', stepId)
    .execute();
  const releasedOn = rows.map((r) => r.released_on).reduce<string | null>((newest, d) => (newest === null || d > newest ? d : newest), null);
  if (rows.length < ANONYMITY_THRESHOLD || releasedOn === null) return { status: 'too-few-answers', minimum: ANONYMITY_THRESHOLD, releasedOn };
  const all = rows.map((r) => r.answers as Record<string, number | string>);
  const questions = step.config.questions.map((question) => {
    if (question.kind === 'scale') {
      const values = all.map((a) => a[question.id]).filter((v): v is number => typeof v === 'number');
      const distribution: Record<number, number> = {};
      for (let level = question.min; level <= question.max; level += 1) distribution[level] = values.filter((v) => v === level).length;
      const mean = values.length === 0 ? 0 : Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 100) / 100;
      return { id: question.id, kind: 'scale' as const, text: question.text, answers: values.length, mean, distribution };
    }
    const texts = all.map((a) => a[question.id]).filter((v): v is string => typeof v === 'string').sort((a, b) => a.localeCompare(b, 'nb'));
    return { id: question.id, kind: 'text' as const, text: question.text, answers: texts };
  });
  return { status: 'ready', releasedOn, respondents: rows.length, questions };
}

