type Json = Record<string, unknown>;

export interface ProfileRule {
  readonly location: string;
  readonly presence?: 'included' | 'excluded' | 'recommended';
  readonly any?: readonly string[];
}

export interface ProfileTemplate {
  readonly id: string;
  readonly verb: string;
  readonly objectActivityType: string;
  readonly contextParentActivityType?: readonly string[];
  readonly contextGroupingActivityType?: readonly string[];
  readonly rules: readonly ProfileRule[];
}

/** The parts of an xAPI Profile (JSON-LD, xAPI Profiles 1.0) a statement is checked against. */
export interface XapiProfile {
  readonly id: string;
  readonly templates: readonly ProfileTemplate[];
}

/**
 * The values at a rule's location: `$.a.b['iri']`, where `[*]` takes every member of an array
 * (the subset of JSONPath the profile's rules use).
 */
export function valuesAt(statement: unknown, location: string): unknown[] {
  const parts = [...location.slice(1).matchAll(/\.([A-Za-z]+)|\['([^']+)'\]|(\[\*\])/g)].map((m) => m[3] ? '*' : m[1] ?? m[2]!);
  let values: unknown[] = [statement];
  for (const part of parts) {
    values = values.flatMap((value) => {
      if (part === '*') return Array.isArray(value) ? value : [];
      return value && typeof value === 'object' && part in value ? [(value as Json)[part]] : [];
    });
  }
  return values;
}

const activityTypes = (activities: unknown): string[] =>
  (Array.isArray(activities) ? activities : []).map((a) => ((a as Json)['definition'] as Json | undefined)?.['type']).filter((t): t is string => typeof t === 'string');

/**
 * What a statement breaks of the profile (xAPI Profiles 1.0 §7.1.1, statement template validation):
 * it must match exactly one template by verb and object type, and meet that template's determining
 * properties and rules. An empty list: the statement is as the profile says.
 */
/** The one template a statement matches by its determining properties (xAPI Profiles §7.1.1): the
 *  verb, the object's activity type and the parent activities' types. */
export function templateFor(profile: XapiProfile, statement: Json): ProfileTemplate | undefined {
  const contextActivities = ((statement['context'] as Json | undefined)?.['contextActivities'] ?? {}) as Json;
  const parents = activityTypes(contextActivities['parent']);
  const verb = (statement['verb'] as Json | undefined)?.['id'];
  const objectType = ((statement['object'] as Json | undefined)?.['definition'] as Json | undefined)?.['type'];
  const matching = profile.templates.filter((t) => t.verb === verb && t.objectActivityType === objectType
    && (t.contextParentActivityType ?? []).every((type) => parents.includes(type)));
  return matching.length === 1 ? matching[0] : undefined;
}

export function templateViolations(profile: XapiProfile, statement: Json): string[] {
  const verb = (statement['verb'] as Json | undefined)?.['id'];
  const objectType = ((statement['object'] as Json | undefined)?.['definition'] as Json | undefined)?.['type'];
  const contextActivities = ((statement['context'] as Json | undefined)?.['contextActivities'] ?? {}) as Json;
  const template = templateFor(profile, statement);
  if (!template) return [`not exactly one template for ${String(verb)} ${String(objectType)}`];
  const problems: string[] = [];
  for (const [key, property] of [['parent', 'contextParentActivityType'], ['grouping', 'contextGroupingActivityType']] as const) {
    const wanted = template[property];
    const present = activityTypes(contextActivities[key]);
    for (const type of wanted ?? []) if (!present.includes(type)) problems.push(`${template.id}: no ${key} activity of type ${type}`);
  }
  for (const rule of template.rules) {
    const values = valuesAt(statement, rule.location);
    if (rule.presence === 'included' && values.length === 0) problems.push(`${template.id}: ${rule.location} missing`);
    if (rule.presence === 'excluded' && values.length > 0) problems.push(`${template.id}: ${rule.location} present`);
    // Stricter than xAPI Profiles' `any` (one value among them): every value must be one of them.
    if (rule.any && !values.every((v) => rule.any!.includes(v as string))) problems.push(`${template.id}: ${rule.location} outside ${rule.any.join(', ')}`);
  }
  return problems;
}
