import { sql, type RawBuilder } from 'kysely';
import { scoSatisfies } from './completion.js';
import type { EvaluationStep, SelfAssessmentStep, Step, XapiStep } from './definition.js';
import { PathError } from './errors.js';
import type { AnswerSeal, EvaluationOutcome, SelfAssessmentOutcome, StepOutcome } from './ports.js';

export interface StepRow {
  status: 'in_progress' | 'completed';
  score: number | null;
  data: Record<string, unknown>;
}

/** A write an outcome needs besides the step's progress, made by the engine's write statement. */
export interface OutcomeWrite {
  /** Common table expressions (`name as (…)`, names unique to this write). */
  readonly ctes: RawBuilder<unknown>;
  /** Whether the write took effect, as an expression over those CTEs; when false the delivery is
   *  refused with `refusal` and its transaction rolled back. */
  readonly accepted?: { readonly expression: RawBuilder<unknown>; readonly refusal: PathError };
}

export interface OutcomeContext {
  /** Where the outcome puts its writes. */
  readonly writes: OutcomeWrite[];
  readonly now: Date;
  readonly personId: string;
  readonly personTenantId: string;
  readonly pathId: string;
  readonly versionId: string;
  readonly ownerTenantId: string;
  /** Seals evaluation answers for the pending pool; without it an evaluation is not taken. */
  readonly seal?: AnswerSeal | undefined;
}

/** Which verbs complete an xAPI step under each choice (definition.ts, XAPI_COUNTED_VERBS). */
const XAPI_COUNTING: Record<XapiStep['config']['countedVerbs'], readonly string[]> = {
  'completed-or-passed': ['completed', 'passed'],
  passed: ['passed'],
  completed: ['completed'],
};

function mismatch(step: Step, outcome: StepOutcome): PathError {
  return new PathError('step-type-mismatch', `a ${outcome.kind} outcome does not fit a ${step.type} step`);
}

/**
 * The step's next state after an outcome. Progress only moves forward: a completed step stays
 * completed and a score only rises, so outcomes applied in any order end in the same state.
 */
export function applyOutcome(step: Step, outcome: StepOutcome, current: StepRow | undefined, ctx: OutcomeContext): StepRow {
  const wasCompleted = current?.status === 'completed';
  const data = { ...(current?.data ?? {}) };
  switch (step.type) {
    case 'scorm': {
      if (outcome.kind !== 'sco') throw mismatch(step, outcome);
      if (outcome.packageId !== step.config.packageId || (step.config.scoId !== undefined && outcome.scoId !== step.config.scoId)) {
        throw new PathError('invalid-outcome', 'the outcome is for another package or SCO than the step names');
      }
      const delivered = outcome.scoreScaled === undefined ? null : Math.min(1, Math.max(0, outcome.scoreScaled));
      const score = delivered === null ? (current?.score ?? null) : Math.max(delivered, current?.score ?? 0);
      const done = wasCompleted || scoSatisfies(step.config.completion, score === null ? outcome : { ...outcome, scoreScaled: score });
      data['completionStatus'] = outcome.completionStatus;
      data['successStatus'] = outcome.successStatus;
      return { status: done ? 'completed' : 'in_progress', score, data };
    }
    case 'xapi': {
      if (outcome.kind !== 'xapi') throw mismatch(step, outcome);
      if (outcome.packageId !== step.config.packageId) throw new PathError('invalid-outcome', 'the outcome is for another package than the step names');
      const delivered = outcome.scoreScaled === undefined ? null : Math.min(1, Math.max(0, outcome.scoreScaled));
      const score = delivered === null ? (current?.score ?? null) : Math.max(delivered, current?.score ?? 0);
      const counted = XAPI_COUNTING[step.config.countedVerbs].includes(outcome.verb);
      data['lastVerb'] = outcome.verb;
      if (outcome.verb !== 'completed' && data['successStatus'] !== 'passed') data['successStatus'] = outcome.verb;
      if (outcome.verb === 'completed') data['completionStatus'] = 'completed';
      return { status: wasCompleted || counted ? 'completed' : 'in_progress', score, data };
    }
    case 'cmi5': {
      if (outcome.kind !== 'cmi5') throw mismatch(step, outcome);
      if (outcome.packageId !== step.config.packageId) throw new PathError('invalid-outcome', 'the outcome is for another package than the step names');
      const delivered = outcome.scoreScaled === undefined ? null : Math.min(1, Math.max(0, outcome.scoreScaled));
      const score = delivered === null ? (current?.score ?? null) : Math.max(delivered, current?.score ?? 0);
      if (outcome.satisfied) data['successStatus'] = 'satisfied';
      return { status: wasCompleted || outcome.satisfied ? 'completed' : 'in_progress', score, data };
    }
    case 'web': {
      if (outcome.kind !== 'web') throw mismatch(step, outcome);
      const openedAt = typeof data['openedAt'] === 'string' ? data['openedAt'] : undefined;
      if (outcome.event === 'opened') {
        if (!openedAt) data['openedAt'] = ctx.now.toISOString();
        return { status: current?.status ?? 'in_progress', score: null, data };
      }
      if (!wasCompleted && step.config.done.by === 'minimum-time') {
        const elapsed = openedAt ? (ctx.now.getTime() - Date.parse(openedAt)) / 1000 : 0;
        if (!openedAt || elapsed < step.config.done.seconds) {
          throw new PathError('too-early', `the resource must be open for ${step.config.done.seconds} s before it is done`);
        }
      }
      return { status: 'completed', score: null, data };
    }
    case 'session': {
      if (outcome.kind !== 'attendance') throw mismatch(step, outcome);
      data['attended'] = outcome.attended || wasCompleted;
      return { status: wasCompleted || outcome.attended ? 'completed' : 'in_progress', score: null, data };
    }
    case 'self-assessment': {
      if (outcome.kind !== 'self-assessment') throw mismatch(step, outcome);
      const result = declareCompetence(step, outcome, ctx);
      return { status: 'completed', score: null, data: { ...data, ...result } };
    }
    case 'evaluation': {
      if (outcome.kind !== 'evaluation') throw mismatch(step, outcome);
      recordEvaluation(step, outcome, ctx);
      return { status: 'completed', score: null, data };
    }
  }
}

/** Levels per competence (the rounded-down mean of its statements), stored as declared
 *  competence, and the later steps the result recommends. */
function declareCompetence(step: SelfAssessmentStep, outcome: SelfAssessmentOutcome, ctx: OutcomeContext) {
  const statements = step.config.statements;
  const ratings = outcome.ratings;
  const known = new Set(statements.map((s) => s.id));
  const unknown = Object.keys(ratings).filter((id) => !known.has(id));
  if (unknown.length > 0) throw new PathError('invalid-outcome', `unknown statements: ${unknown.join(', ')}`);
  const sums = new Map<string, { sum: number; count: number }>();
  for (const statement of statements) {
    const level = ratings[statement.id];
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 4) {
      throw new PathError('invalid-outcome', `statement ${statement.id} needs a level from 1 to 4`);
    }
    const entry = sums.get(statement.competence) ?? { sum: 0, count: 0 };
    sums.set(statement.competence, { sum: entry.sum + level, count: entry.count + 1 });
  }
  const levels: Record<string, number> = {};
  for (const [competence, { sum, count }] of sums) levels[competence] = Math.floor(sum / count);
  const rows = Object.entries(levels).map(([competence, level]) => sql`(${ctx.personTenantId}::uuid, ${ctx.personId}::uuid, ${competence},
    ${level}::smallint, ${ctx.pathId}::uuid, ${ctx.versionId}::uuid, ${step.id}::uuid, ${ctx.now}::timestamptz)`);
  if (rows.length > 0) {
    ctx.writes.push({ ctes: sql`declared_competences as (
      insert into path_declared_competences (tenant_id, person_id, competence, level, path_id, version_id, step_id, declared_at)
      values ${sql.join(rows)}
    )` });
  }
  const recommended = new Set<string>();
  for (const rule of step.config.recommendations) {
    const level = levels[rule.competence];
    if (level !== undefined && level < rule.belowLevel) rule.stepIds.forEach((id) => recommended.add(id));
  }
  return { levels, recommendedStepIds: [...recommended] };
}

/** Answers go in without the person; the respondents table only says who has answered (once). */
function recordEvaluation(step: EvaluationStep, outcome: EvaluationOutcome, ctx: OutcomeContext): void {
  const answers: Record<string, number | string> = {};
  const known = new Set(step.config.questions.map((q) => q.id));
  const unknown = Object.keys(outcome.answers).filter((id) => !known.has(id));
  if (unknown.length > 0) throw new PathError('invalid-outcome', `unknown questions: ${unknown.join(', ')}`);
  for (const question of step.config.questions) {
    const answer = outcome.answers[question.id];
    if (question.kind === 'scale') {
      if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < question.min || answer > question.max) {
        throw new PathError('invalid-outcome', `question ${question.id} needs a whole number from ${question.min} to ${question.max}`);
      }
      answers[question.id] = answer;
    } else if (answer !== undefined) {
      if (typeof answer !== 'string' || answer.length > question.maxLength) {
        throw new PathError('invalid-outcome', `question ${question.id} takes text of at most ${question.maxLength} characters`);
      }
      const text = normalisedText(answer);
      if (text) answers[question.id] = text;
    }
  }
  if (!ctx.seal) throw new Error('evaluation answers are taken only with the pending pool\'s seal (EvaluationPool.answer)');
  // The answers wait sealed in the pending pool, in this transaction (so they exist exactly when
  // the respondent row does), and reach the report only in a release (evaluation-pool.ts).
  const sealed = ctx.seal.seal(padded(JSON.stringify(sealedAnswer(ctx.pathId, step.id, answers)), sealedSize(step)));
  ctx.writes.push({
    ctes: sql`evaluation_respondent as (
      insert into path_evaluation_respondents (path_id, step_id, person_id, tenant_id)
      values (${ctx.pathId}, ${step.id}, ${ctx.personId}, ${ctx.personTenantId})
      on conflict do nothing
      returning person_id
    ),
    evaluation_pending as (
      insert into path_evaluation_pending (tenant_id, path_id, step_id, sealed)
      select ${ctx.ownerTenantId}::uuid, ${ctx.pathId}::uuid, ${step.id}::uuid, ${sealed}
      from evaluation_respondent
    )`,
    accepted: {
      expression: sql`exists (select 1 from evaluation_respondent)`,
      refusal: new PathError('already-answered', 'this person has already answered the evaluation'),
    },
  });
}

/** Free text as stored: trimmed, well-formed, line breaks as \n and no other control characters,
 *  so that one character takes at most three bytes in the sealed JSON (see sealedSize). */
function normalisedText(answer: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return answer.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
}

/**
 * The UTF-8 size every sealed answer of this step is padded to: AES-GCM keeps the plaintext's
 * length, so without padding a pending row's length (next to its respondent row) would match the
 * released answer of that length. An upper bound: ids at most 6 bytes a character escaped, text
 * at most 3 (normalisedText), a scale value at most 2 digits.
 */
function sealedSize(step: EvaluationStep): number {
  let size = 128; // {"pathId":"<uuid>","stepId":"<uuid>","answers":{}}
  for (const q of step.config.questions) size += 6 * q.id.length + 8 + (q.kind === 'scale' ? 2 : 3 * q.maxLength + 2);
  return size;
}

/** JSON padded with trailing spaces (still the same JSON) to `size` bytes of UTF-8. */
function padded(json: string, size: number): string {
  const bytes = Buffer.byteLength(json);
  if (bytes > size) throw new Error(`a sealed evaluation answer of ${bytes} bytes exceeds its step's bound of ${size}`);
  return json + ' '.repeat(size - bytes);
}

/** What a pending row seals: the answers, bound to their step so a row moved to another step in
 *  the database does not open there. */
export interface SealedAnswer {
  readonly pathId: string;
  readonly stepId: string;
  readonly answers: Record<string, number | string>;
}

function sealedAnswer(pathId: string, stepId: string, answers: Record<string, number | string>): SealedAnswer {
  return { pathId, stepId, answers };
}
