import type { PathDefinition, ScormStep } from './definition.js';
import type { ScoOutcome } from './ports.js';

export interface StepState {
  readonly completed: boolean;
  /** Scaled 0..1, when the step has a score. */
  readonly score: number | null;
}

/** Whether a SCO outcome satisfies the step's rule. SCORM 2004 RTE §4.2.4/§4.2.22: completion and
 *  success are separate, and a score alone never implies completion (the rule must ask for it). */
export function scoSatisfies(rule: ScormStep['config']['completion'], outcome: ScoOutcome): boolean {
  switch (rule.rule) {
    case 'completed':
      return outcome.completionStatus === 'completed';
    case 'passed':
      return outcome.successStatus === 'passed';
    case 'score':
      return outcome.scoreScaled !== undefined && outcome.scoreScaled >= rule.minimumScaled;
  }
}

/** The path is complete when every required step is, and with N of M when at least N steps are. */
export function isPathComplete(definition: Pick<PathDefinition, 'steps' | 'completion'>, completed: ReadonlySet<string>): boolean {
  if (definition.steps.length === 0) return false;
  const inPath = definition.steps.filter((step) => completed.has(step.id));
  if (!definition.steps.every((step) => !step.required || completed.has(step.id))) return false;
  if (definition.completion.kind === 'n-of-m') return inPath.length >= definition.completion.count;
  return true;
}

/** Steps whose prerequisites are not all completed yet. */
export function missingPrerequisites(definition: Pick<PathDefinition, 'steps'>, stepId: string, completed: ReadonlySet<string>): string[] {
  const step = definition.steps.find((s) => s.id === stepId);
  return step ? step.requires.filter((id) => !completed.has(id)) : [];
}

/**
 * The path's score on 0..100 (two decimals), used in the completion record and for LMS grade
 * passback. `average-scored-required`: the mean of the scaled scores of the completed required
 * steps that have one, × 100; null when no required step gives a score (a score is never
 * invented: the completion goes to the LMS without one). `completion`: 100, the designer's
 * explicit choice. `step`: that step's scaled score × 100, or null without one.
 */
export function pathScore(definition: Pick<PathDefinition, 'steps' | 'score'>, states: ReadonlyMap<string, StepState>): number | null {
  const rule = definition.score;
  const round = (value: number) => Math.round(value * 10_000) / 100;
  if (rule.kind === 'completion') return 100;
  if (rule.kind === 'step') {
    const score = states.get(rule.stepId)?.score;
    return score === undefined || score === null ? null : round(score);
  }
  const scores = definition.steps
    .filter((step) => step.required)
    .map((step) => states.get(step.id))
    .filter((state): state is StepState & { score: number } => state !== undefined && state.completed && state.score !== null)
    .map((state) => state.score);
  if (scores.length === 0) return null;
  return round(scores.reduce((sum, s) => sum + s, 0) / scores.length);
}
