/**
 * Checks a real response body against a schema of the served OpenAPI document: the JSON Schema
 * keywords the document uses (type with null, required, properties, items, enum, format, minimum,
 * maximum, pattern, $ref to #/components/…, oneOf: exactly one alternative matches), and, stricter than JSON Schema, that every property
 * of an object is described (an undocumented field is a mistake in the document). Returns the
 * problems found, each with the path into the body; none when the body matches.
 */
type Schema = Record<string, unknown>;

const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  uri: /^https?:\/\/[^\s]+$/,
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function schemaProblems(document: Schema, schema: Schema, value: unknown, at = '$'): string[] {
  if (typeof schema['$ref'] === 'string') {
    const target = (schema['$ref'] as string).replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Schema)[key], document);
    if (!target) return [`${at}: unresolved ${String(schema['$ref'])}`];
    return schemaProblems(document, target as Schema, value, at);
  }
  if (Array.isArray(schema['oneOf'])) {
    // Each alternative is read with the schema's own keywords (its properties describe the fields).
    const { oneOf, ...common } = schema;
    const alternatives = (oneOf as Schema[]).map((alternative) => schemaProblems(document, { ...common, ...alternative }, value, at));
    const matching = alternatives.filter((problems) => problems.length === 0).length;
    if (matching > 1) return [`${at}: matches ${matching} alternatives of oneOf`];
    // None: the problems of the closest alternative.
    if (matching === 0) return alternatives.reduce((closest, problems) => (problems.length < closest.length ? problems : closest));
    return [];
  }
  const problems: string[] = [];
  const types = schema['type'] === undefined ? [] : ([] as string[]).concat(schema['type'] as string | string[]);
  const actual = typeOf(value);
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${at}: ${actual} where ${types.join(' or ')}`];
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema['enum'])}`);
  if (typeof value === 'string') {
    const format = FORMATS[schema['format'] as string];
    if (format && !format.test(value)) problems.push(`${at}: ${JSON.stringify(value)} is not a ${String(schema['format'])}`);
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern']).test(value)) problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema['pattern']}`);
  }
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) problems.push(`${at}: ${value} below ${schema['minimum']}`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) problems.push(`${at}: ${value} above ${schema['maximum']}`);
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const name of (schema['required'] ?? []) as string[]) if (!(name in object)) problems.push(`${at}.${name}: required, missing`);
    for (const [name, item] of Object.entries(object)) {
      const described = properties[name];
      if (!described) problems.push(`${at}.${name}: not described`);
      else problems.push(...schemaProblems(document, described, item, `${at}.${name}`));
    }
  }
  if (actual === 'array' && schema['items']) (value as unknown[]).forEach((item, i) => problems.push(...schemaProblems(document, schema['items'] as Schema, item, `${at}[${i}]`)));
  return problems;
}
