import { isStatementVersion, type XapiVersion } from '../version.js';
import { validateActivity } from './activity.js';
import { validateActor, validateAgent, validateGroup } from './agent.js';
import { fail } from './invalid.js';
import { isDuration, isLanguageTag, isMediaType, isPlainObject, isTimestamp, isUuid } from './primitives.js';
import {
  expectBoolean, expectExtensions, expectIri, expectLanguageMap, expectNumber, expectObject, expectString, optional, required,
} from './structure.js';

/** The rules that differ by the version of the request that carries the statement. */
interface Rules {
  readonly version: XapiVersion;
}

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';

const expectUuid = (value: unknown, path: string): string => {
  if (!isUuid(value)) fail(path, 'must be a UUID');
  return value;
};

/** xAPI 2.0 §4.5 (IEEE 9274.1.1): a timestamp shall include its time zone and may use RFC 3339's space. */
function timestampCheck(rules: Rules): (value: unknown, path: string) => void {
  if (rules.version === '2.0') {
    return (value, path) => {
      if (!isTimestamp(value, { requireZone: true, allowSpace: true })) {
        fail(path, 'must be an RFC 3339 / ISO 8601 timestamp with a time zone (Z or an offset, not -00:00)');
      }
    };
  }
  return (value, path) => {
    if (!isTimestamp(value)) fail(path, 'must be an ISO 8601 timestamp (and not the offset -00:00)');
  };
}

function validateVerb(value: unknown, path: string): void {
  const verb = expectObject(value, path, ['id', 'display']);
  required(verb, 'id', path, expectIri);
  optional(verb, 'display', path, expectLanguageMap);
}

function validateStatementRef(value: unknown, path: string): void {
  const ref = expectObject(value, path, ['objectType', 'id']);
  if (ref['objectType'] !== 'StatementRef') fail(`${path}.objectType`, 'must be "StatementRef"');
  required(ref, 'id', path, expectUuid);
}

/** §2.4.6 Result; score rules of §2.4.5.1. */
function validateResult(value: unknown, path: string): void {
  const result = expectObject(value, path, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
  optional(result, 'score', path, (scoreValue, at) => {
    const score = expectObject(scoreValue, at, ['scaled', 'raw', 'min', 'max']);
    const scaled = optional(score, 'scaled', at, expectNumber);
    if (scaled !== undefined && (scaled < -1 || scaled > 1)) fail(`${at}.scaled`, 'must be between -1 and 1');
    const raw = optional(score, 'raw', at, expectNumber);
    const min = optional(score, 'min', at, expectNumber);
    const max = optional(score, 'max', at, expectNumber);
    if (min !== undefined && max !== undefined && max <= min) fail(`${at}.max`, 'must be greater than min');
    if (raw !== undefined && min !== undefined && raw < min) fail(`${at}.raw`, 'must not be less than min');
    if (raw !== undefined && max !== undefined && raw > max) fail(`${at}.raw`, 'must not be greater than max');
  });
  optional(result, 'success', path, expectBoolean);
  optional(result, 'completion', path, expectBoolean);
  optional(result, 'response', path, expectString);
  optional(result, 'duration', path, (duration, at) => {
    if (!isDuration(duration)) fail(at, 'must be an ISO 8601 duration');
  });
  optional(result, 'extensions', path, expectExtensions);
}

/** §2.4.6.2 contextActivities: each a single Activity or an array of them. */
function validateContextActivities(value: unknown, path: string): void {
  const activities = expectObject(value, path, ['parent', 'grouping', 'category', 'other']);
  for (const [key, entry] of Object.entries(activities)) {
    if (Array.isArray(entry)) entry.forEach((activity, index) => validateActivity(activity, `${path}.${key}[${index}]`));
    else validateActivity(entry, `${path}.${key}`);
  }
}

/** xAPI 2.0 relevantTypes: a non-empty array of IRIs. */
function validateRelevantTypes(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length === 0) fail(path, 'must be a non-empty array of IRIs');
  value.forEach((type, index) => expectIri(type, `${path}[${index}]`));
}

/** xAPI 2.0 contextAgents: an array of {objectType "contextAgent", agent: an Agent, relevantTypes?}. */
function validateContextAgents(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'must be an array of contextAgent objects');
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const contextAgent = expectObject(item, at, ['objectType', 'agent', 'relevantTypes']);
    if (contextAgent['objectType'] !== 'contextAgent') fail(`${at}.objectType`, 'must be "contextAgent"');
    required(contextAgent, 'agent', at, (agent, agentAt) => validateAgent(agent, agentAt));
    optional(contextAgent, 'relevantTypes', at, validateRelevantTypes);
  });
}

/** xAPI 2.0 contextGroups: an array of {objectType "contextGroup", group: a Group, relevantTypes?}. */
function validateContextGroups(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'must be an array of contextGroup objects');
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const contextGroup = expectObject(item, at, ['objectType', 'group', 'relevantTypes']);
    if (contextGroup['objectType'] !== 'contextGroup') fail(`${at}.objectType`, 'must be "contextGroup"');
    required(contextGroup, 'group', at, validateGroup);
    optional(contextGroup, 'relevantTypes', at, validateRelevantTypes);
  });
}

const CONTEXT_PROPERTIES = ['registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions'];

function validateContext(value: unknown, path: string, objectIsActivity: boolean, rules: Rules): void {
  const context = expectObject(value, path, rules.version === '2.0' ? [...CONTEXT_PROPERTIES, 'contextAgents', 'contextGroups'] : CONTEXT_PROPERTIES);
  optional(context, 'registration', path, expectUuid);
  optional(context, 'instructor', path, validateActor);
  optional(context, 'team', path, validateGroup);
  optional(context, 'contextActivities', path, validateContextActivities);
  // §2.4.6: revision and platform only make sense for an Activity object.
  optional(context, 'revision', path, (revision, at) => {
    expectString(revision, at);
    if (!objectIsActivity) fail(at, 'is only allowed when the object is an Activity');
  });
  optional(context, 'platform', path, (platform, at) => {
    expectString(platform, at);
    if (!objectIsActivity) fail(at, 'is only allowed when the object is an Activity');
  });
  optional(context, 'language', path, (language, at) => {
    if (!isLanguageTag(language)) fail(at, 'must be an RFC 5646 language tag');
  });
  optional(context, 'statement', path, validateStatementRef);
  optional(context, 'extensions', path, expectExtensions);
  optional(context, 'contextAgents', path, validateContextAgents);
  optional(context, 'contextGroups', path, validateContextGroups);
}

/** §2.4.11 Attachments (the metadata; the content arrives in a multipart part or at fileUrl). */
function validateAttachments(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'must be an array of attachments');
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const attachment = expectObject(item, at, ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl']);
    required(attachment, 'usageType', at, expectIri);
    required(attachment, 'display', at, expectLanguageMap);
    optional(attachment, 'description', at, expectLanguageMap);
    required(attachment, 'contentType', at, (type, typeAt) => {
      if (!isMediaType(type)) fail(typeAt, 'must be an Internet media type');
    });
    required(attachment, 'length', at, (length, lengthAt) => {
      if (!Number.isInteger(length) || (length as number) < 0) fail(lengthAt, 'must be a whole number of octets');
    });
    required(attachment, 'sha2', at, (sha2, shaAt) => {
      if (typeof sha2 !== 'string' || !/^[0-9a-fA-F]{64,128}$/.test(sha2)) fail(shaAt, 'must be the hex SHA-2 of the content');
    });
    optional(attachment, 'fileUrl', at, expectIri);
  });
}

function objectTypeOf(value: unknown): unknown {
  return isPlainObject(value) ? (value['objectType'] ?? 'Activity') : undefined;
}

function validateObject(value: unknown, path: string, inSubStatement: boolean, rules: Rules): void {
  if (!isPlainObject(value)) fail(path, 'must be a JSON object');
  const type = objectTypeOf(value);
  switch (type) {
    case 'Activity':
      return validateActivity(value, path);
    case 'Agent':
      return validateAgent(value, path, true);
    case 'Group':
      return validateGroup(value, path);
    case 'StatementRef':
      return validateStatementRef(value, path);
    case 'SubStatement':
      if (inSubStatement) fail(path, 'a SubStatement cannot contain another SubStatement');
      return validateSubStatement(value, path, rules);
    default:
      fail(`${path}.objectType`, 'must be Activity, Agent, Group, StatementRef or SubStatement');
  }
}

function validateCore(statement: Record<string, unknown>, path: string, inSubStatement: boolean, rules: Rules): void {
  required(statement, 'actor', path, validateActor);
  required(statement, 'verb', path, validateVerb);
  required(statement, 'object', path, (object, at) => validateObject(object, at, inSubStatement, rules));
  optional(statement, 'result', path, validateResult);
  optional(statement, 'context', path, (context, at) => validateContext(context, at, objectTypeOf(statement['object']) === 'Activity', rules));
  optional(statement, 'timestamp', path, timestampCheck(rules));
  optional(statement, 'attachments', path, validateAttachments);
}

/** §2.4.9 authority: an Agent, or an anonymous Group of exactly two Agents (an OAuth consumer and user). */
function validateAuthority(value: unknown, path: string): void {
  validateActor(value, path);
  const group = value as { objectType?: unknown; member?: unknown[] };
  if (group.objectType !== 'Group') return;
  if (['mbox', 'mbox_sha1sum', 'openid', 'account'].some((ifi) => ifi in group)) {
    fail(path, 'a Group as authority must be anonymous (an OAuth consumer and user)');
  }
  if (group.member?.length !== 2) fail(`${path}.member`, 'a Group as authority has exactly two members');
}

/** §2.4.4.3 SubStatement: a statement without id, stored, version or authority, not nested. */
function validateSubStatement(value: unknown, path: string, rules: Rules): void {
  const sub = expectObject(value, path, ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments']);
  validateCore(sub, path, true, rules);
}

/**
 * xAPI 1.0.3 Part Two §2.2 / §2.4: every rule a statement must meet before it is stored. Throws
 * XapiInvalid naming the property (e.g. `statements[2].object.definition.name.x y`) and the rule.
 * A statement sent in an xAPI 2.0 request (`version` "2.0") follows the 2.0 rules where they differ:
 * context may carry contextAgents and contextGroups, `version` may be 2.0.x, timestamps need a zone.
 */
export function validateStatement(value: unknown, path = 'statement', version: XapiVersion = '1.0'): void {
  const rules: Rules = { version };
  const statement = expectObject(value, path, [
    'id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments',
  ]);
  optional(statement, 'id', path, expectUuid);
  validateCore(statement, path, false, rules);
  optional(statement, 'stored', path, timestampCheck(rules));
  optional(statement, 'authority', path, validateAuthority);
  optional(statement, 'version', path, (given, at) => {
    if (!isStatementVersion(given, version)) fail(at, version === '2.0' ? 'must be a 1.0.x or 2.0.x version' : 'must be a 1.0.x version');
  });
  // §2.2.1 Voiding: the voided verb needs a StatementRef object.
  const verb = statement['verb'] as { id?: unknown };
  if (verb.id === VOIDED_VERB && objectTypeOf(statement['object']) !== 'StatementRef') {
    fail(`${path}.object`, 'a voiding statement must have a StatementRef as its object');
  }
}

/** For tests and callers who only want a yes/no. */
export function isValidStatement(value: unknown): boolean {
  try {
    validateStatement(value);
    return true;
  } catch {
    return false;
  }
}

