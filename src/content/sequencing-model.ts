/**
 * The part of IMS Simple Sequencing (SCORM 2004 4th edition SN) read from imsmanifest.xml: what the
 * runtime enforces (src/scorm/sequencing/) and the names of what it only records.
 */

/** SN 3.2.1 sequencing control modes, with the defaults the SN gives when the manifest says nothing. */
export interface ControlMode {
  choice: boolean;
  choiceExit: boolean;
  flow: boolean;
  forwardOnly: boolean;
}

export const DEFAULT_CONTROL_MODE: ControlMode = { choice: true, choiceExit: true, flow: false, forwardOnly: false };

export const RULE_CONDITIONS = [
  'satisfied',
  'objectiveStatusKnown',
  'objectiveMeasureKnown',
  'objectiveMeasureGreaterThan',
  'objectiveMeasureLessThan',
  'completed',
  'activityProgressKnown',
  'attempted',
  'attemptLimitExceeded',
  'timeLimitExceeded',
  'outsideAvailableTimeRange',
  'always',
] as const;
export type RuleConditionType = (typeof RULE_CONDITIONS)[number];

export const PRECONDITION_ACTIONS = ['skip', 'disabled', 'hiddenFromChoice', 'stopForwardTraversal'] as const;
export type PreConditionAction = (typeof PRECONDITION_ACTIONS)[number];

export interface RuleCondition {
  condition: RuleConditionType;
  /** operator="not" (the default is noOp). */
  not: boolean;
  /** An objective of the activity; null means its primary objective. */
  referencedObjective: string | null;
  measureThreshold: number;
}

export interface PreConditionRule {
  combination: 'all' | 'any';
  conditions: RuleCondition[];
  action: PreConditionAction;
}

export interface Sequencing {
  controlMode: ControlMode;
  preConditionRules: PreConditionRule[];
  /** limitConditions attemptLimit; null (or 0) means no limit. */
  attemptLimit: number | null;
  /** The primary objective's objectiveID, which rule conditions may name. */
  primaryObjectiveId: string | null;
  /** SN elements the manifest gives for this activity that the runtime does not enforce. */
  notEnforced: string[];
}

export const DEFAULT_SEQUENCING: Sequencing = { controlMode: DEFAULT_CONTROL_MODE, preConditionRules: [], attemptLimit: null, primaryObjectiveId: null, notEnforced: [] };
