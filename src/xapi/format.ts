import { agentIds } from './agents.js';
import { isPlainObject } from './validation/primitives.js';

type Json = Record<string, unknown>;

export type StatementFormat = 'exact' | 'ids' | 'canonical';

function activityIds(activity: unknown): unknown {
  if (!isPlainObject(activity)) return activity;
  return { id: activity['id'] };
}

function objectIds(object: unknown): unknown {
  if (!isPlainObject(object)) return object;
  switch (object['objectType'] ?? 'Activity') {
    case 'Activity':
      return activityIds(object);
    case 'Agent':
    case 'Group':
      return agentIds(object);
    case 'SubStatement':
      return statementIds(object);
    default:
      return object;
  }
}

function contextIds(context: unknown): unknown {
  if (!isPlainObject(context)) return context;
  const out: Json = { ...context };
  if (context['instructor']) out['instructor'] = agentIds(context['instructor']);
  if (context['team']) out['team'] = agentIds(context['team']);
  // xAPI 2.0 contextAgents / contextGroups: their agent and group by identifiers too.
  if (Array.isArray(context['contextAgents'])) {
    out['contextAgents'] = context['contextAgents'].map((entry: unknown) => (isPlainObject(entry) ? { ...entry, agent: agentIds(entry['agent']) } : entry));
  }
  if (Array.isArray(context['contextGroups'])) {
    out['contextGroups'] = context['contextGroups'].map((entry: unknown) => (isPlainObject(entry) ? { ...entry, group: agentIds(entry['group']) } : entry));
  }
  if (isPlainObject(context['contextActivities'])) {
    out['contextActivities'] = Object.fromEntries(
      Object.entries(context['contextActivities']).map(([key, list]) => [key, Array.isArray(list) ? list.map(activityIds) : list]),
    );
  }
  return out;
}

/** format=ids (§2.1.3): agents and groups by their identifiers only, activities and verbs by id. */
function statementIds(statement: Json): Json {
  const out: Json = { ...statement, actor: agentIds(statement['actor']), object: objectIds(statement['object']) };
  if (isPlainObject(statement['verb'])) out['verb'] = { id: statement['verb']['id'] };
  if (statement['context']) out['context'] = contextIds(statement['context']);
  if (statement['authority']) out['authority'] = agentIds(statement['authority']);
  return out;
}

/** The languages the caller prefers, best first, from Accept-Language. */
export function preferredLanguages(acceptLanguage: string | undefined): string[] {
  if (!acceptLanguage) return [];
  return acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: (tag ?? '').trim().toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((entry) => entry.tag);
}

function pickLanguage(map: Json, languages: readonly string[]): Json {
  const tags = Object.keys(map);
  for (const wanted of languages) {
    if (wanted === '*') break;
    const exact = tags.find((tag) => tag.toLowerCase() === wanted);
    if (exact) return { [exact]: map[exact] };
    const prefix = tags.find((tag) => tag.toLowerCase().split('-')[0] === wanted.split('-')[0]);
    if (prefix) return { [prefix]: map[prefix] };
  }
  const first = tags[0];
  return first === undefined ? {} : { [first]: map[first] };
}

const LANGUAGE_MAPS = new Set(['display', 'name', 'description']);

/** format=canonical (§2.1.3): every language map reduced to the one language the caller prefers. */
function canonical(value: unknown, languages: readonly string[], key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, languages));
  if (!isPlainObject(value)) return value;
  if (LANGUAGE_MAPS.has(key) && Object.values(value).every((v) => typeof v === 'string')) return pickLanguage(value, languages);
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'extensions' ? v : canonical(v, languages, k)]),
  );
}

export function formatStatement(statement: Json, format: StatementFormat, languages: readonly string[]): Json {
  if (format === 'ids') return statementIds(statement);
  if (format === 'canonical') return canonical(statement, languages) as Json;
  return statement;
}
