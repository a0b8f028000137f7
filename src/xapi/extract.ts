import { randomUUID } from 'node:crypto';
import { agentAndMemberKeys, agentKey } from './agents.js';
import { isPlainObject } from './validation/primitives.js';
import { VOIDED_VERB } from './validation/statement.js';

type Json = Record<string, unknown>;

/** What the statements table keeps beside the JSON so that every filter is an indexed lookup. */
export interface ExtractedColumns {
  actor_key: string | null;
  verb_id: string;
  object_activity_id: string | null;
  object_agent_key: string | null;
  object_statement_ref: string | null;
  is_voiding: boolean;
  registration: string | null;
  related_agent_keys: string[];
  related_activity_ids: string[];
  attachment_hashes: string[];
}

/** §2.4.6.2: "An LRS MUST return single Activity Objects as an array of length one". */
function normaliseContextActivities(statement: Json): Json {
  const context = statement['context'];
  if (!isPlainObject(context) || !isPlainObject(context['contextActivities'])) return statement;
  const activities = Object.fromEntries(
    Object.entries(context['contextActivities']).map(([key, value]) => [key, Array.isArray(value) ? value : [value]]),
  );
  return { ...statement, context: { ...context, contextActivities: activities } };
}

export interface LrsSetProperties {
  stored: string;
  authority: unknown;
  /** The `version` set when the statement has none: "1.0.0", or "2.0.0" for an xAPI 2.0 request. */
  version: string;
}

/**
 * The statement as it is stored: as received, plus what the LRS sets (§2.4.7–2.4.10): the id when
 * absent, timestamp = stored when absent, stored, authority (always the client), version.
 */
export function completeStatement(received: Json, set: LrsSetProperties): Json {
  let statement = normaliseContextActivities(received);
  const object = statement['object'];
  if (isPlainObject(object) && object['objectType'] === 'SubStatement') {
    statement = { ...statement, object: normaliseContextActivities(object) };
  }
  return {
    ...statement,
    id: typeof received['id'] === 'string' ? received['id'].toLowerCase() : randomUUID(),
    timestamp: received['timestamp'] ?? set.stored,
    stored: set.stored,
    authority: set.authority,
    version: received['version'] ?? set.version,
  };
}

function activityIds(statement: Json, into: Set<string>, activities: Json[]): void {
  const object = statement['object'];
  if (isPlainObject(object) && (object['objectType'] ?? 'Activity') === 'Activity' && typeof object['id'] === 'string') {
    into.add(object['id']);
    activities.push(object);
  }
  const context = statement['context'];
  if (isPlainObject(context) && isPlainObject(context['contextActivities'])) {
    for (const list of Object.values(context['contextActivities'])) {
      for (const activity of Array.isArray(list) ? list : [list]) {
        if (isPlainObject(activity) && typeof activity['id'] === 'string') {
          into.add(activity['id']);
          activities.push(activity);
        }
      }
    }
  }
}

function agentKeys(statement: Json, into: Set<string>): void {
  for (const key of agentAndMemberKeys(statement['actor'])) into.add(key);
  const object = statement['object'];
  if (isPlainObject(object) && (object['objectType'] === 'Agent' || object['objectType'] === 'Group')) {
    for (const key of agentAndMemberKeys(object)) into.add(key);
  }
  const context = statement['context'];
  if (isPlainObject(context)) {
    for (const key of agentAndMemberKeys(context['instructor'])) into.add(key);
    for (const key of agentAndMemberKeys(context['team'])) into.add(key);
    // xAPI 2.0: the agents and groups of contextAgents / contextGroups are related agents too.
    for (const entry of Array.isArray(context['contextAgents']) ? context['contextAgents'] : []) {
      if (isPlainObject(entry)) for (const key of agentAndMemberKeys(entry['agent'])) into.add(key);
    }
    for (const entry of Array.isArray(context['contextGroups']) ? context['contextGroups'] : []) {
      if (isPlainObject(entry)) for (const key of agentAndMemberKeys(entry['group'])) into.add(key);
    }
  }
  for (const key of agentAndMemberKeys(statement['authority'])) into.add(key);
}

/** The columns of a completed statement, and the activities it carries (for the Activities resource). */
export function extractColumns(statement: Json): { columns: ExtractedColumns; activities: Json[] } {
  const object = statement['object'] as Json;
  const objectType = object['objectType'] ?? 'Activity';
  const context = isPlainObject(statement['context']) ? statement['context'] : {};
  const agents = new Set<string>();
  const activityIdSet = new Set<string>();
  const activities: Json[] = [];
  agentKeys(statement, agents);
  activityIds(statement, activityIdSet, activities);
  // §2.1.3 related_*: "…or any of these properties in a contained SubStatement".
  if (objectType === 'SubStatement') {
    agentKeys(object, agents);
    activityIds(object, activityIdSet, activities);
  }
  const verbId = (statement['verb'] as Json)['id'] as string;
  const attachments = Array.isArray(statement['attachments']) ? (statement['attachments'] as Json[]) : [];
  return {
    columns: {
      actor_key: agentKey(statement['actor']),
      verb_id: verbId,
      object_activity_id: objectType === 'Activity' ? (object['id'] as string) : null,
      object_agent_key: objectType === 'Agent' || objectType === 'Group' ? agentKey(object) : null,
      object_statement_ref: objectType === 'StatementRef' ? String(object['id']).toLowerCase() : null,
      is_voiding: verbId === VOIDED_VERB,
      registration: typeof context['registration'] === 'string' ? context['registration'].toLowerCase() : null,
      related_agent_keys: [...agents],
      related_activity_ids: [...activityIdSet],
      attachment_hashes: attachments.map((a) => String(a['sha2']).toLowerCase()),
    },
    activities: activities.filter((activity) => isPlainObject(activity['definition'])),
  };
}
