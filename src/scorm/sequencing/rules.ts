import type { PreConditionAction, RuleCondition } from '../../content/sequencing-model.js';
import type { Activity } from './activity-tree.js';

/**
 * SN UP.2.1 (Sequencing Rule Check Subprocess) for one condition. A condition about a status that
 * is not known is false: "not satisfied" holds for an activity nobody has reported on, which is
 * what the usual "disabled until satisfied" rule needs. Conditions on objectives other than the
 * primary one, time limits and availability windows are not tracked and are false.
 */
export function conditionHolds(activity: Activity, c: RuleCondition): boolean {
  const s = activity.status;
  const seq = activity.sequencing;
  const otherObjective = c.referencedObjective !== null && c.referencedObjective !== seq.primaryObjectiveId;
  switch (c.condition) {
    case 'satisfied':
      return !otherObjective && s.satisfied === true;
    case 'objectiveStatusKnown':
      return !otherObjective && s.satisfied !== null;
    case 'objectiveMeasureKnown':
      return !otherObjective && s.measure !== null;
    case 'objectiveMeasureGreaterThan':
      return !otherObjective && s.measure !== null && s.measure > c.measureThreshold;
    case 'objectiveMeasureLessThan':
      return !otherObjective && s.measure !== null && s.measure < c.measureThreshold;
    case 'completed':
      return s.completed === true;
    case 'activityProgressKnown':
      return s.attemptCount > 0 && s.completed !== null;
    case 'attempted':
      return s.attemptCount > 0;
    case 'attemptLimitExceeded':
      return seq.attemptLimit !== null && s.attemptCount >= seq.attemptLimit;
    case 'always':
      return true;
    case 'timeLimitExceeded':
    case 'outsideAvailableTimeRange':
      return false;
  }
}

/** SN UP.2: the first precondition rule with this action whose conditions combine to true. */
export function preConditionHolds(activity: Activity, action: PreConditionAction): boolean {
  return activity.sequencing.preConditionRules.some((rule) => {
    if (rule.action !== action || rule.conditions.length === 0) return false;
    const values = rule.conditions.map((c) => conditionHolds(activity, c) !== c.not);
    return rule.combination === 'all' ? values.every(Boolean) : values.some(Boolean);
  });
}

/**
 * SN UP.1 Limit Conditions Check: an activity whose attempt is open (active or suspended) may go
 * on; otherwise the attempt limit is reached when that many attempts have begun.
 */
export function limitViolated(activity: Activity): boolean {
  const limit = activity.sequencing.attemptLimit;
  if (limit === null || !activity.leaf || activity.status.attemptOpen) return false;
  return activity.status.attemptCount >= limit;
}

export type Refusal =
  | 'prerequisites'
  | 'disabled'
  | 'attempt-limit'
  | 'hidden-from-choice'
  | 'choice-not-allowed'
  | 'choice-exit'
  | 'forward-only'
  | 'stop-forward-traversal';

/** SN UP.5 Check Activity Process, over the activity and every ancestor (DB.1.1 checks the path). */
export function checkActivity(activity: Activity): Refusal | null {
  for (let a: Activity | null = activity; a && a.parent; a = a.parent) {
    if (preConditionHolds(a, 'disabled')) return 'disabled';
    if (limitViolated(a)) return 'attempt-limit';
  }
  return null;
}
