import { z } from 'zod';

/** Competence codes are opaque to paths (the competence capability owns them). */
const competenceCode = z.string().trim().min(1).max(100);
const text = (max: number) => z.string().trim().min(1).max(max);

/** SCORM step: the content capability owns packages, so ids are opaque strings here. */
export const scormStepConfig = z.strictObject({
  packageId: text(200),
  scoId: text(200).optional(),
  completion: z.discriminatedUnion('rule', [
    z.strictObject({ rule: z.literal('completed') }),
    z.strictObject({ rule: z.literal('passed') }),
    // SCORM 2004 cmi.score.scaled (-1..1); only 0..1 is a sensible pass mark.
    z.strictObject({ rule: z.literal('score'), minimumScaled: z.number().min(0).max(1) }),
  ]),
});

/**
 * xAPI course step (a tincan.xml package): which of the verbs the content sends about its course
 * activity complete the step. `completed-or-passed` is the default: Storyline and iSpring send
 * `passed`/`failed` for a quiz and `completed` otherwise; tools that send only one of them can be
 * held to it. `failed` never completes a step.
 */
export const XAPI_COUNTED_VERBS = ['completed-or-passed', 'passed', 'completed'] as const;
export const xapiStepConfig = z.strictObject({
  packageId: text(200),
  countedVerbs: z.enum(XAPI_COUNTED_VERBS).default('completed-or-passed'),
});

/**
 * cmi5 course step: the whole course of a cmi5 package, or one block or AU of it (`nodeId`, the
 * publisher id from cmi5.xml). It is completed when every AU it covers is satisfied by its own
 * moveOn (cmi5 §13.1.4). AUs outside the package are launched only from the origins listed here.
 */
export const cmi5StepConfig = z.strictObject({
  packageId: text(200),
  nodeId: text(2000).optional(),
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)).max(20).default([]),
});

export const webStepConfig = z.strictObject({
  resource: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('link'), url: z.url({ protocol: /^https?$/ }) }),
    z.strictObject({ kind: z.literal('video'), url: z.url({ protocol: /^https$/ }) }),
  ]),
  done: z.discriminatedUnion('by', [
    z.strictObject({ by: z.literal('mark-as-done') }),
    z.strictObject({ by: z.literal('minimum-time'), seconds: z.number().int().min(1).max(24 * 3600) }),
  ]),
});

export const sessionStepConfig = z.strictObject({
  date: z.iso.date(),
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
  endTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM').optional(),
  place: text(500),
  capacity: z.number().int().min(1).max(10_000),
});

export const selfAssessmentStepConfig = z.strictObject({
  statements: z
    .array(z.strictObject({ id: text(50), competence: competenceCode, text: text(1000) }))
    .min(1)
    .max(200),
  /** A declared level below `belowLevel` for `competence` recommends the listed later steps. */
  recommendations: z
    .array(z.strictObject({ competence: competenceCode, belowLevel: z.number().int().min(2).max(4), stepIds: z.array(z.uuid()).min(1) }))
    .default([]),
});

export const evaluationStepConfig = z.strictObject({
  questions: z
    .array(
      z.discriminatedUnion('kind', [
        z.strictObject({ id: text(50), kind: z.literal('scale'), text: text(1000), min: z.literal(1), max: z.number().int().min(2).max(10) }),
        z.strictObject({ id: text(50), kind: z.literal('text'), text: text(1000), maxLength: z.number().int().min(1).max(5000).default(2000) }),
      ]),
    )
    .min(1)
    .max(50),
});

const stepBase = {
  id: z.uuid(),
  title: text(300),
  required: z.boolean(),
  /** Steps that must be completed before this one takes outcomes: earlier steps only. */
  requires: z.array(z.uuid()).default([]),
  estimatedMinutes: z.number().int().min(1).max(10_000).optional(),
};

export const stepSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...stepBase, type: z.literal('scorm'), config: scormStepConfig }),
  z.strictObject({ ...stepBase, type: z.literal('xapi'), config: xapiStepConfig }),
  z.strictObject({ ...stepBase, type: z.literal('cmi5'), config: cmi5StepConfig }),
  z.strictObject({ ...stepBase, type: z.literal('web'), config: webStepConfig }),
  z.strictObject({ ...stepBase, type: z.literal('session'), config: sessionStepConfig }),
  z.strictObject({ ...stepBase, type: z.literal('self-assessment'), config: selfAssessmentStepConfig }),
  z.strictObject({ ...stepBase, type: z.literal('evaluation'), config: evaluationStepConfig }),
]);

export const completionRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all-required') }),
  /** All required steps, and at least `count` steps in all (N of M). */
  z.strictObject({ kind: z.literal('n-of-m'), count: z.number().int().min(1) }),
]);

/** How the path's 0–100 score (LMS grade passback, completion record) is computed. */
export const scoreRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('average-scored-required') }),
  z.strictObject({ kind: z.literal('completion') }),
  z.strictObject({ kind: z.literal('step'), stepId: z.uuid() }),
]);

export const definitionSchema = z.strictObject({
  title: text(300),
  description: z.string().max(10_000),
  language: z.enum(['nb', 'nn', 'en']),
  steps: z.array(stepSchema).max(100),
  completion: completionRuleSchema,
  score: scoreRuleSchema,
  dueAfterDays: z.number().int().min(1).max(3650).nullable(),
  grants: z.array(z.strictObject({ competence: competenceCode, validMonths: z.number().int().min(1).max(600).nullable() })).max(50),
});

export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export type StepInput = z.input<typeof stepSchema>;
export type CompletionRule = z.infer<typeof completionRuleSchema>;
export type ScoreRule = z.infer<typeof scoreRuleSchema>;
export type PathDefinition = z.infer<typeof definitionSchema>;
export type ScormStep = Extract<Step, { type: 'scorm' }>;
export type XapiStep = Extract<Step, { type: 'xapi' }>;
export type Cmi5Step = Extract<Step, { type: 'cmi5' }>;
export type WebStep = Extract<Step, { type: 'web' }>;
export type SessionStep = Extract<Step, { type: 'session' }>;
export type SelfAssessmentStep = Extract<Step, { type: 'self-assessment' }>;
export type EvaluationStep = Extract<Step, { type: 'evaluation' }>;

export interface DefinitionProblem {
  readonly path: string;
  readonly message: string;
}

/** Rules zod cannot see one field at a time: references between steps and counts. */
export function crossCheck(definition: PathDefinition, forPublishing: boolean): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const position = new Map<string, number>();
  definition.steps.forEach((step, index) => {
    if (position.has(step.id)) problems.push({ path: `steps.${index}.id`, message: `step id ${step.id} appears twice` });
    position.set(step.id, index);
  });
  definition.steps.forEach((step, index) => {
    for (const required of step.requires) {
      const at = position.get(required);
      if (at === undefined || at >= index) {
        problems.push({ path: `steps.${index}.requires`, message: `step ${required} is not an earlier step of this path` });
      }
    }
    if (step.type === 'self-assessment') {
      const ids = new Set<string>();
      for (const statement of step.config.statements) {
        if (ids.has(statement.id)) problems.push({ path: `steps.${index}.config.statements`, message: `statement id ${statement.id} appears twice` });
        ids.add(statement.id);
      }
      for (const recommendation of step.config.recommendations) {
        for (const later of recommendation.stepIds) {
          const at = position.get(later);
          if (at === undefined || at <= index) {
            problems.push({ path: `steps.${index}.config.recommendations`, message: `step ${later} is not a later step of this path` });
          }
        }
      }
    }
    if (step.type === 'evaluation') {
      const ids = new Set(step.config.questions.map((q) => q.id));
      if (ids.size !== step.config.questions.length) problems.push({ path: `steps.${index}.config.questions`, message: 'question ids must differ' });
    }
  });
  const { completion, score } = definition;
  if (completion.kind === 'n-of-m') {
    const required = definition.steps.filter((s) => s.required).length;
    if (completion.count > definition.steps.length) problems.push({ path: 'completion.count', message: `the path has only ${definition.steps.length} steps` });
    if (completion.count < required) problems.push({ path: 'completion.count', message: `${required} steps are required, so N cannot be less` });
  }
  if (score.kind === 'step' && !position.has(score.stepId)) problems.push({ path: 'score.stepId', message: 'the score step is not in this path' });
  if (forPublishing && definition.steps.length === 0) problems.push({ path: 'steps', message: 'a path needs at least one step to be published' });
  if (forPublishing && completion.kind === 'all-required' && !definition.steps.some((s) => s.required)) {
    problems.push({ path: 'completion', message: 'with no required step the path would be complete at once; mark a step required or use N of M' });
  }
  return problems;
}
