import { XapiError } from '../xapi/errors.js';
import { isPlainObject } from '../xapi/validation/primitives.js';
import type { LaunchMode } from './tables.js';
import { AU_VERBS, CMI5, LMS_VERBS } from './vocabulary.js';

type Json = Record<string, unknown>;

/** What the rules need to know of an AU session before the statements arrive. */
export interface SessionState {
  readonly sessionId: string;
  /** The activity id the tool made for the AU (the object of every cmi5 defined statement). */
  readonly activityId: string;
  /** The AU's id in cmi5.xml (the publisher id grouping activity). */
  readonly publisherId: string;
  readonly launchMode: LaunchMode;
  readonly masteryScore: number | null;
  readonly initialized: boolean;
  /** Whether the AU has read cmi5LearnerPreferences in this session (§11: before initialized). */
  readonly preferencesRead: boolean;
  readonly ended: boolean;
  /** cmi5 defined verbs sent in this session. */
  readonly definedVerbs: readonly string[];
  /** What the AU achieved in the registration before this session's statements. */
  readonly registration: { readonly completed: boolean; readonly passed: boolean };
}

/** What the statements, once stored, change. */
export interface SessionChange {
  initialized: boolean;
  terminated: boolean;
  definedVerbs: string[];
  completed: boolean;
  passed: { readonly score: number | null } | null;
  failed: { readonly score: number | null } | null;
}

// cmi5 §9 (e.g. 9.3.0.0-2): a statement that breaks the rules is rejected with 403 Forbidden.
function bad(index: number, why: string): never {
  throw new XapiError('forbidden', `Statement ${index + 1} breaks the cmi5 rules: ${why}.`);
}

/** §9.7: a timestamp in UTC (Z or a zero offset). */
const UTC_TIMESTAMP = /(?:Z|[+-]00:?00)$/i;

function categories(context: Json): string[] {
  const activities = isPlainObject(context['contextActivities']) ? context['contextActivities'] : {};
  const list = activities['category'];
  return (Array.isArray(list) ? list : list ? [list] : []).map((a) => (isPlainObject(a) ? String(a['id']) : ''));
}

function groupings(context: Json): string[] {
  const activities = isPlainObject(context['contextActivities']) ? context['contextActivities'] : {};
  const list = activities['grouping'];
  return (Array.isArray(list) ? list : list ? [list] : []).map((a) => (isPlainObject(a) ? String(a['id']) : ''));
}

function extensionsOf(context: Json): Json {
  return isPlainObject(context['extensions']) ? context['extensions'] : {};
}

function scaledOf(result: Json): number | null | 'absent' {
  if (!isPlainObject(result['score'])) return 'absent';
  const scaled = result['score']['scaled'];
  return typeof scaled === 'number' ? scaled : null;
}

/** §9.3, §9.5, §9.6: a cmi5 defined statement, checked against the session and the registration so far. */
function checkDefined(statement: Json, index: number, state: SessionState, change: SessionChange, passedOrFailed: { seen: boolean }): void {
  const verb = String((statement['verb'] as Json)['id']);
  if (LMS_VERBS.has(verb)) throw new XapiError('forbidden', `Statement ${index + 1}: "${verb}" is a verb the LMS uses; an AU cannot send it (cmi5 §9.3).`);
  if (!AU_VERBS.has(verb)) bad(index, `${verb} is not a cmi5 defined verb, so the statement cannot carry the cmi5 category (§7.1.3)`);
  const object = statement['object'] as Json;
  if (object['id'] !== state.activityId) bad(index, `the object of a cmi5 defined statement is the AU's activity id ${state.activityId} (§9.4)`);
  if (change.definedVerbs.includes(verb)) bad(index, `${verb} was already sent in this session (§9.3)`);
  const result = isPlainObject(statement['result']) ? statement['result'] : {};
  const context = statement['context'] as Json;
  const hasMoveOn = categories(context).includes(CMI5.categories.moveOn);
  const judged = verb === CMI5.verbs.passed || verb === CMI5.verbs.failed;
  if (verb !== CMI5.verbs.initialized && verb !== CMI5.verbs.terminated && state.launchMode !== 'Normal') {
    bad(index, `in ${state.launchMode} mode an AU sends only initialized and terminated (§10.2.2)`);
  }
  if (!judged && 'score' in result) bad(index, 'only passed and failed statements carry a score (§9.5.1)');
  if (isPlainObject(result['score']) && 'raw' in result['score'] && !('min' in result['score'] && 'max' in result['score'])) bad(index, 'a raw score comes with min and max (§9.5.1)');
  const masteryGiven = extensionsOf(context)[CMI5.extensions.masteryScore];
  if (judged && state.masteryScore !== null && ('score' in result || masteryGiven !== undefined) && masteryGiven !== state.masteryScore) {
    bad(index, `passed and failed judged by a score carry the masteryScore ${state.masteryScore} of the launch data in context.extensions (§9.6.3.2)`);
  }
  if (judged !== ('success' in result)) bad(index, judged ? 'passed and failed carry result.success (§9.5.2)' : 'only passed and failed carry result.success (§9.5.2)');
  if ((verb === CMI5.verbs.completed) !== ('completion' in result)) bad(index, verb === CMI5.verbs.completed ? 'completed carries result.completion true (§9.5.3)' : 'only completed carries result.completion (§9.5.3)');
  if (hasMoveOn !== ('success' in result || 'completion' in result)) bad(index, 'the moveOn category goes with result.success or result.completion, and only with them (§9.6.2.2)');
  if (verb !== CMI5.verbs.initialized && typeof result['duration'] !== 'string') bad(index, `${verb} carries result.duration (§9.5.4.1)`);
  const scaled = scaledOf(result);
  switch (verb) {
    case CMI5.verbs.completed:
      if (result['completion'] !== true) bad(index, 'completed carries result.completion true (§9.5.3)');
      if (state.registration.completed || change.completed) bad(index, 'the AU was already completed in this registration (§9.3.3)');
      change.completed = true;
      break;
    case CMI5.verbs.passed:
      if (result['success'] !== true) bad(index, 'passed carries result.success true (§9.5.2)');
      if (state.registration.passed) bad(index, 'the AU was already passed in this registration (§9.3.4)');
      if (passedOrFailed.seen) bad(index, 'a session has at most one of passed and failed (§9.3)');
      if (state.masteryScore !== null && typeof scaled === 'number' && scaled < state.masteryScore) bad(index, `passed with a scaled score below the masteryScore ${state.masteryScore} (§9.3.4)`);
      passedOrFailed.seen = true;
      change.passed = { score: typeof scaled === 'number' ? scaled : null };
      break;
    case CMI5.verbs.failed:
      if (result['success'] !== false) bad(index, 'failed carries result.success false (§9.5.2)');
      if (state.registration.passed) bad(index, 'failed cannot follow passed in a registration (§9.3)');
      if (passedOrFailed.seen) bad(index, 'a session has at most one of passed and failed (§9.3)');
      if (state.masteryScore !== null && typeof scaled === 'number' && scaled >= state.masteryScore) bad(index, `failed with a scaled score at or above the masteryScore ${state.masteryScore} (§9.3.5)`);
      passedOrFailed.seen = true;
      change.failed = { score: typeof scaled === 'number' ? scaled : null };
      break;
    default:
      break;
  }
  change.definedVerbs.push(verb);
}

/**
 * Checks what an AU sends in its session against the cmi5 statement rules, in order: the session
 * id and publisher id from the context template on every statement (§9.6.2.3, §9.6.3.1),
 * `initialized` first and once, nothing after `terminated`, and for "cmi5 defined" statements
 * (those with the cmi5 category) the verb, object, result and order rules of §9.3–§9.6. A
 * statement that breaks one is refused with 400 — the whole batch, as xAPI refuses a batch with
 * one invalid statement — and one with a verb only the LMS may use with 403. Returns what the
 * statements change once stored.
 */
export function checkSessionStatements(state: SessionState, statements: readonly unknown[]): SessionChange {
  const change: SessionChange = { initialized: state.initialized, terminated: false, definedVerbs: [...state.definedVerbs], completed: false, passed: null, failed: null };
  const passedOrFailed = { seen: state.definedVerbs.includes(CMI5.verbs.passed) || state.definedVerbs.includes(CMI5.verbs.failed) };
  statements.forEach((raw, index) => {
    if (state.ended || change.terminated) throw new XapiError('forbidden', 'This cmi5 session has ended (terminated or abandoned): it takes no more statements (cmi5 §9.3.8, §9.3.6).');
    const statement = raw as Json;
    // §9.1, §9.7, §9.6: the AU gives every statement its id, a UTC timestamp and the context.
    if (typeof statement['id'] !== 'string') bad(index, 'the AU gives every statement an id (§9.1)');
    if (typeof statement['timestamp'] !== 'string') bad(index, 'the AU gives every statement a timestamp (§9.7)');
    if (!UTC_TIMESTAMP.test(statement['timestamp'])) bad(index, 'the timestamp is in UTC (§9.7)');
    if (!isPlainObject(statement['context'])) bad(index, 'the statement carries the context template (§9.6)');
    const actor = isPlainObject(statement['actor']) ? statement['actor'] : {};
    if ((actor['objectType'] ?? 'Agent') !== 'Agent' || !isPlainObject(actor['account'])) bad(index, 'the actor is the launch\'s Agent, identified by its account (§9.2)');
    const context = statement['context'];
    const extensions = extensionsOf(context);
    if (extensions[CMI5.extensions.sessionId] !== state.sessionId) bad(index, `context.extensions carries the session id ${state.sessionId} of the context template (§9.6.3.1)`);
    if (!groupings(context).includes(state.publisherId)) bad(index, `context.contextActivities.grouping carries the publisher id ${state.publisherId} of the context template (§9.6.2.3)`);
    const verb = isPlainObject(statement['verb']) ? String(statement['verb']['id']) : '';
    const defined = categories(context).includes(CMI5.categories.cmi5);
    if (!defined && categories(context).includes(CMI5.categories.moveOn)) bad(index, 'only cmi5 defined statements carry the moveOn category (§9.6.2.2)');
    if (defined && LMS_VERBS.has(verb)) throw new XapiError('forbidden', `Statement ${index + 1}: "${verb}" is a verb the LMS uses; an AU cannot send it (cmi5 §9.3).`);
    if (!change.initialized) {
      if (!defined || verb !== CMI5.verbs.initialized) bad(index, 'the first statement of a session is a cmi5 defined initialized statement (§7.1.1)');
      if (!state.preferencesRead) bad(index, 'the AU reads cmi5LearnerPreferences before it sends initialized (§11)');
      change.initialized = true;
    } else if (verb === CMI5.verbs.initialized && defined) {
      bad(index, 'initialized was already sent in this session (§9.3.2)');
    }
    if (defined) checkDefined(statement, index, state, change, passedOrFailed);
    if (defined && verb === CMI5.verbs.terminated) change.terminated = true;
  });
  return change;
}
