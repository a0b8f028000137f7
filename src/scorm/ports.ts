/** What the SCORM runtime tells the rest of the tool (the paths engine) about a learner's progress. */

export type CompletionStatus = 'completed' | 'incomplete' | 'not attempted' | 'unknown';
export type SuccessStatus = 'passed' | 'failed' | 'unknown';

/** What the runtime derives from a SCO's stored CMI (src/scorm/outcome.ts). */
export interface ComputedOutcome {
  completionStatus: CompletionStatus;
  successStatus: SuccessStatus;
  /** SCORM 1.2 cmi.core.lesson_status as stored (after the mastery-score rule), null for 2004. */
  lessonStatus: string | null;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  /** -1..1; for 1.2 computed from raw within min..max (0..100 when the SCO gives none). */
  scoreScaled: number | null;
}

export interface ScoOutcome extends ComputedOutcome {
  tenantId: string;
  personId: string;
  packageId: string;
  attemptId: string;
  scoId: string;
  /** Sum of the session times the SCO reported, each session counted once. */
  totalTimeSeconds: number;
  /** When the SCO first reported completion; stays set even if a later attempt starts over. */
  completedAt: Date | null;
}

/** How several SCOs' scores roll up into the package's score (the designer chooses). */
export type ScoreRollup = 'average' | 'last';

export interface AttemptOutcome {
  tenantId: string;
  personId: string;
  packageId: string;
  attemptId: string;
  /** Every SCO of the default organization has completed at least once. */
  completed: boolean;
  successStatus: SuccessStatus;
  scoreScaled: number | null;
  totalTimeSeconds: number;
  scos: ScoOutcome[];
}

/** Called after a commit that was stored; the paths engine subscribes here. */
export type OutcomeListener = (outcome: ScoOutcome) => void | Promise<void>;
