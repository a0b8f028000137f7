import { fail } from './invalid.js';
import { isIri, isLanguageTag, isPlainObject } from './primitives.js';

/** Properties are case-sensitive and closed (xAPI 1.0.3 Part Two §2.2): anything else is refused. */
export function expectObject(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) fail(path, 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(path ? `${path}.${key}` : key, 'is not a property of this object');
  }
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
}

export function expectNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'must be a number');
  return value;
}

export function expectIri(value: unknown, path: string): string {
  if (!isIri(value)) fail(path, 'must be an absolute IRI');
  return value;
}

/** §4.2 Language Map: keys are RFC 5646 tags, values strings. */
export function expectLanguageMap(value: unknown, path: string): void {
  if (!isPlainObject(value)) fail(path, 'must be a language map (an object of language tag to string)');
  for (const [tag, text] of Object.entries(value)) {
    if (!isLanguageTag(tag)) fail(`${path}.${tag}`, 'is not an RFC 5646 language tag');
    if (typeof text !== 'string') fail(`${path}.${tag}`, 'must be a string');
  }
}

/** §4.1.4.6 (and others) Extensions: keys are IRIs; values are any JSON. */
export function expectExtensions(value: unknown, path: string): void {
  if (!isPlainObject(value)) fail(path, 'must be an object whose keys are IRIs');
  for (const key of Object.keys(value)) {
    if (!isIri(key)) fail(`${path}[${JSON.stringify(key)}]`, 'extension keys must be absolute IRIs');
  }
}

export function optional<T>(object: Record<string, unknown>, key: string, path: string, check: (value: unknown, path: string) => T): T | undefined {
  if (!(key in object)) return undefined;
  return check(object[key], `${path}.${key}`);
}

export function required<T>(object: Record<string, unknown>, key: string, path: string, check: (value: unknown, path: string) => T): T {
  if (!(key in object)) fail(`${path}.${key}`, 'is required');
  return check(object[key], `${path}.${key}`);
}
