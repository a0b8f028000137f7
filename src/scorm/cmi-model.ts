import type { ScormStandard } from '../content/manifest-model.js';
import { parseDuration } from './scorm-time.js';

/**
 * The CMI data models of SCORM 1.2 (RTE 3.4) and SCORM 2004 (RTE 4.2) as the server checks a
 * commit: which elements content may write, their types and vocabularies, and the error code the
 * content expects for a bad value. Elements the LMS owns (ids, entry, credit, totals, _count…)
 * arrive in every full commit from scorm-again; they are ignored, and the LMS's value stands.
 */

/** Error codes of the two runtimes (1.2 RTE 3.3.2, 2004 RTE 3.1.7). */
export const SCORM12_ERRORS = { general: 101, notImplemented: 401, readOnly: 403, incorrectType: 405 } as const;
export const SCORM2004_ERRORS = { general: 101, commitFailed: 391, undefinedElement: 401, readOnly: 404, typeMismatch: 406, outOfRange: 407 } as const;

/** Largest suspend_data we store: 1.2 says 4,096 and 2004 2nd ed. 4,000, but real content writes more. */
export const SUSPEND_DATA_LIMIT = 64_000;
/** Interaction responses and descriptions longer than the spec's lengths are common in real content. */
export const LONG_TEXT_LIMIT = 64_000;

/**
 * The free-text elements stored up to LONG_TEXT_LIMIT characters, any characters (line breaks
 * included): SCORM's lengths for them are smallest permitted maximums (1.2 RTE 3.4.2, 2004 RTE
 * 4.1.3), and iSpring, Storyline and others write more. The player accepts the same in the
 * browser (docs/content.md, "Limits").
 */
export const LONG_TEXT_ELEMENTS: Readonly<Record<ScormStandard, readonly string[]>> = {
  scorm12: ['cmi.comments', 'cmi.interactions.n.correct_responses.n.pattern', 'cmi.interactions.n.student_response'],
  scorm2004: [
    'cmi.comments_from_learner.n.comment',
    'cmi.objectives.n.description',
    'cmi.interactions.n.correct_responses.n.pattern',
    'cmi.interactions.n.learner_response',
    'cmi.interactions.n.description',
  ],
};

type Problem = 'type' | 'range';
type Check = (value: string) => Problem | undefined;

const text = (max: number): Check => (v) => (v.length > max ? 'type' : undefined);
const vocab = (...words: string[]): Check => (v) => (words.includes(v) ? undefined : 'type');
const DECIMAL = /^-?\d+(\.\d+)?$/;
const decimal = (min?: number, max?: number): Check => (v) => {
  if (!DECIMAL.test(v)) return 'type';
  const n = Number(v);
  return (min !== undefined && n < min) || (max !== undefined && n > max) ? 'range' : undefined;
};
const real = (min?: number, max?: number): Check => (v) => {
  if (v.trim() === '' || !Number.isFinite(Number(v))) return 'type';
  const n = Number(v);
  return (min !== undefined && n < min) || (max !== undefined && n > max) ? 'range' : undefined;
};
const integer = (min: number, max: number): Check => (v) => {
  if (!/^-?\d+$/.test(v)) return 'type';
  const n = Number(v);
  return n < min || n > max ? 'range' : undefined;
};
const duration: Check = (v) => (parseDuration(v) === undefined ? 'type' : undefined);
const clock: Check = (v) => (/^\d{2}:\d{2}:\d{2}(\.\d{1,2})?$/.test(v) ? undefined : 'type');
const timestamp: Check = (v) =>
  /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$/.test(v) ? undefined : 'type';
const identifier = (max: number): Check => (v) => (v.trim() === '' || v.length > max ? 'type' : undefined);
const either = (a: Check, b: Check): Check => (v) => (a(v) === undefined || b(v) === undefined ? undefined : 'type');

type Model = [RegExp, Check][];

/** `cmi.interactions.n.id`: each `n` segment is a collection index. */
const rule = (pattern: string, check: Check): [RegExp, Check] => [
  new RegExp(`^${pattern.split('.').map((part) => (part === 'n' ? '\\d+' : part)).join('\\.')}$`),
  check,
];

const STATUS_12 = vocab('passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted');

const WRITABLE_12: Model = [
  rule('cmi.core.lesson_location', text(255)),
  rule('cmi.core.lesson_status', STATUS_12),
  rule('cmi.core.score.raw', decimal(0, 100)),
  rule('cmi.core.score.min', decimal(0, 100)),
  rule('cmi.core.score.max', decimal(0, 100)),
  rule('cmi.core.exit', vocab('time-out', 'suspend', 'logout', '')),
  rule('cmi.core.session_time', duration),
  rule('cmi.suspend_data', text(SUSPEND_DATA_LIMIT)),
  rule('cmi.objectives.n.id', identifier(255)),
  rule('cmi.objectives.n.score.raw', decimal(0, 100)),
  rule('cmi.objectives.n.score.min', decimal(0, 100)),
  rule('cmi.objectives.n.score.max', decimal(0, 100)),
  rule('cmi.objectives.n.status', STATUS_12),
  rule('cmi.student_preference.audio', integer(-1, 100)),
  rule('cmi.student_preference.language', text(255)),
  rule('cmi.student_preference.speed', integer(-100, 100)),
  rule('cmi.student_preference.text', integer(-1, 1)),
  rule('cmi.interactions.n.id', identifier(255)),
  rule('cmi.interactions.n.objectives.n.id', identifier(255)),
  rule('cmi.interactions.n.time', clock),
  rule('cmi.interactions.n.type', vocab('true-false', 'choice', 'fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric')),
  rule('cmi.interactions.n.weighting', decimal()),
  rule('cmi.interactions.n.result', either(vocab('correct', 'wrong', 'unanticipated', 'neutral'), decimal())),
  rule('cmi.interactions.n.latency', duration),
  ...LONG_TEXT_ELEMENTS.scorm12.map((element) => rule(element, text(LONG_TEXT_LIMIT))),
];

const READ_ONLY_12: RegExp[] = [
  /^cmi\.core\.(student_id|student_name|credit|entry|total_time|lesson_mode)$/,
  /^cmi\.(launch_data|comments_from_lms)$/,
  /^cmi\.student_data\.(mastery_score|max_time_allowed|time_limit_action)$/,
  /(^|\.)_(children|count|version)$/,
];

const COMPLETION = vocab('completed', 'incomplete', 'not attempted', 'unknown');
const SUCCESS = vocab('passed', 'failed', 'unknown');

const WRITABLE_2004: Model = [
  rule('cmi.completion_status', COMPLETION),
  rule('cmi.success_status', SUCCESS),
  rule('cmi.exit', vocab('time-out', 'suspend', 'logout', 'normal', '')),
  rule('cmi.location', text(1000)),
  rule('cmi.progress_measure', real(0, 1)),
  rule('cmi.score.scaled', real(-1, 1)),
  rule('cmi.score.raw', real()),
  rule('cmi.score.min', real()),
  rule('cmi.score.max', real()),
  rule('cmi.session_time', duration),
  rule('cmi.suspend_data', text(SUSPEND_DATA_LIMIT)),
  rule('cmi.comments_from_learner.n.location', text(250)),
  rule('cmi.comments_from_learner.n.timestamp', timestamp),
  rule('cmi.learner_preference.audio_level', real(0)),
  rule('cmi.learner_preference.language', text(250)),
  rule('cmi.learner_preference.delivery_speed', real(0)),
  rule('cmi.learner_preference.audio_captioning', vocab('-1', '0', '1')),
  rule('cmi.objectives.n.id', identifier(4000)),
  rule('cmi.objectives.n.score.scaled', real(-1, 1)),
  rule('cmi.objectives.n.score.raw', real()),
  rule('cmi.objectives.n.score.min', real()),
  rule('cmi.objectives.n.score.max', real()),
  rule('cmi.objectives.n.success_status', SUCCESS),
  rule('cmi.objectives.n.completion_status', COMPLETION),
  rule('cmi.objectives.n.progress_measure', real(0, 1)),
  rule('cmi.interactions.n.id', identifier(4000)),
  rule('cmi.interactions.n.type', vocab('true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other')),
  rule('cmi.interactions.n.objectives.n.id', identifier(4000)),
  rule('cmi.interactions.n.timestamp', timestamp),
  rule('cmi.interactions.n.weighting', real()),
  rule('cmi.interactions.n.result', either(vocab('correct', 'incorrect', 'unanticipated', 'neutral'), real())),
  rule('cmi.interactions.n.latency', duration),
  ...LONG_TEXT_ELEMENTS.scorm2004.map((element) => rule(element, text(LONG_TEXT_LIMIT))),
];

const READ_ONLY_2004: RegExp[] = [
  /^cmi\.(learner_id|learner_name|credit|entry|mode|launch_data|completion_threshold|scaled_passing_score|max_time_allowed|time_limit_action|total_time)$/,
  /^cmi\.comments_from_lms\.\d+\.(comment|location|timestamp)$/,
  /^cmi\.learner_preference$/,
  /^adl\.nav\./,
  /(^|\.)_(children|count|version)$/,
];

export type ElementCheck =
  | { kind: 'writable' }
  | { kind: 'ignored' }
  | { kind: 'error'; errorCode: number; message: string };

/** Checks one element and value of a commit against the package's data model. */
export function checkElement(standard: ScormStandard, element: string, value: string): ElementCheck {
  const writable = standard === 'scorm12' ? WRITABLE_12 : WRITABLE_2004;
  const readOnly = standard === 'scorm12' ? READ_ONLY_12 : READ_ONLY_2004;
  const match = writable.find(([pattern]) => pattern.test(element));
  if (!match) {
    if (readOnly.some((pattern) => pattern.test(element))) return { kind: 'ignored' };
    const errorCode = standard === 'scorm12' ? SCORM12_ERRORS.notImplemented : SCORM2004_ERRORS.undefinedElement;
    return { kind: 'error', errorCode, message: `${element} is not an element of the data model` };
  }
  // An element the content never set is sent as "" in a full commit: nothing to store.
  if (value === '') return { kind: 'writable' };
  const problem = match[1](value);
  if (!problem) return { kind: 'writable' };
  if (standard === 'scorm12') return { kind: 'error', errorCode: SCORM12_ERRORS.incorrectType, message: `${element}: '${value.slice(0, 80)}' is not a valid value` };
  return problem === 'range'
    ? { kind: 'error', errorCode: SCORM2004_ERRORS.outOfRange, message: `${element}: ${value.slice(0, 80)} is out of range` }
    : { kind: 'error', errorCode: SCORM2004_ERRORS.typeMismatch, message: `${element}: '${value.slice(0, 80)}' does not have the element's type` };
}
