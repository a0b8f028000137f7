/**
 * What other capabilities hand to the paths engine, and what it hands back. The SCORM runtime, the
 * pages and the LTI passback depend on these types, never on the paths tables.
 */

/** A SCO's tracking state as the SCORM runtime last committed it (SCORM 1.2 lesson_status is
 *  split into these two by the runtime; SCORM 2004 has them separately). */
export interface ScoOutcome {
  readonly kind: 'sco';
  readonly packageId: string;
  readonly scoId?: string;
  readonly completionStatus: 'completed' | 'incomplete' | 'not attempted' | 'unknown';
  readonly successStatus: 'passed' | 'failed' | 'unknown';
  /** cmi.score.scaled, -1..1 (1.2: raw / max). */
  readonly scoreScaled?: number;
}

/** A statement an xAPI course sent about its course activity with one of the verbs that decide
 *  a step (`completed`, `passed`, `failed`), with the score it carried (scaled 0..1). */
export interface XapiOutcome {
  readonly kind: 'xapi';
  readonly packageId: string;
  readonly verb: 'completed' | 'passed' | 'failed';
  readonly scoreScaled?: number;
}

/** A cmi5 step's AUs, as the LMS side judged them (src/cmi5/): `satisfied` when every AU the step
 *  covers met its moveOn; the score is the mean of the AUs' scaled scores, when any gave one. */
export interface Cmi5Outcome {
  readonly kind: 'cmi5';
  readonly packageId: string;
  readonly satisfied: boolean;
  readonly scoreScaled?: number;
}

/** A web resource: opened (starts the clock for a minimum time), then done. */
export interface WebOutcome {
  readonly kind: 'web';
  readonly event: 'opened' | 'done';
}

/** A designer or manager registered whether the learner attended a physical session. */
export interface AttendanceOutcome {
  readonly kind: 'attendance';
  readonly attended: boolean;
}

/** Self-assessment: statement id → level 1–4. */
export interface SelfAssessmentOutcome {
  readonly kind: 'self-assessment';
  readonly ratings: Readonly<Record<string, number>>;
}

/** Evaluation: question id → scale value or free text. */
export interface EvaluationOutcome {
  readonly kind: 'evaluation';
  readonly answers: Readonly<Record<string, number | string>>;
}

export type StepOutcome = ScoOutcome | XapiOutcome | Cmi5Outcome | WebOutcome | AttendanceOutcome | SelfAssessmentOutcome | EvaluationOutcome;

/** One delivery to the engine. The key makes a delivery idempotent: the SCORM runtime uses its
 *  attempt id and commit sequence, a page its request id. */
export interface OutcomeDelivery {
  readonly enrolmentId: string;
  readonly stepId: string;
  readonly idempotencyKey: string;
  readonly outcome: StepOutcome;
}

export type PathEventType = 'path-started' | 'step-completed' | 'path-completed' | 'path-launched' | 'session-registered' | 'session-cancelled';

/** An event from the outbox, delivered at least once to every subscriber (the event id is the
 *  subscriber's deduplication key). */
export interface PathEvent {
  readonly id: number;
  readonly type: PathEventType;
  readonly tenantId: string;
  readonly enrolmentId: string;
  readonly personId: string;
  readonly pathId: string;
  readonly versionId: string;
  readonly stepId: string | null;
  /** path-completed: { completionId, score (0..100 or null), completedAt };
   *  step-completed: { score (scaled 0..1 or null), completionStatus and successStatus as the
   *  step's outcome last said them (SCORM and xAPI steps; else absent) }; path-started: { dueAt };
   *  path-launched: { resourceLinkId } (the tool's id of the LMS link);
   *  session-registered and session-cancelled: {} (the step is the session). */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
}

export type PathEventHandler = (event: PathEvent) => Promise<void>;

/** A subscriber that takes a batch at once (in commit order): all of it is handled, or all of it
 *  comes again. For work that gains from doing many events in one round trip. */
export type PathEventBatchHandler = (events: readonly PathEvent[]) => Promise<void>;

/** Seals evaluation answers while they wait for a release, so that the database alone cannot
 *  read them next to the submission that wrote them (the LTI SecretBox is one). */
export interface AnswerSeal {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
