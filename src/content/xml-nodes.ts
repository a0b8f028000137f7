import { ContentImportError } from './import-errors.js';

/** An element as fast-xml-parser gives it: attributes as '@name', children by local name. */
export type XmlNode = Record<string, unknown>;

export type ManifestProblem = 'manifest-missing-element' | 'manifest-missing-identifier' | 'manifest-bad-value' | 'manifest-unknown-reference';

/**
 * A manifest refused for what is wrong with one element: `element` names it as it stands in the XML
 * (the same in every language); `detail` says why in English, for the log.
 */
export function invalid(problem: ManifestProblem, element: string, detail: string): ContentImportError {
  return new ContentImportError(problem, { element }, detail);
}

/** An element as it would be written, with the attributes that identify it: `<item identifier="a">`. */
export function tag(name: string, attributes: Record<string, string | null> = {}): string {
  const shown = Object.entries(attributes).filter(([, v]) => v !== null).map(([k, v]) => ` ${k}="${v}"`).join('');
  return `<${name}${shown}>`;
}

export function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && '#text' in (node as XmlNode)) return String((node as XmlNode)['#text']);
  if (typeof node === 'object') return '';
  return String(node);
}

export function attr(node: XmlNode, name: string): string | null {
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : null;
}

export function list(node: unknown): XmlNode[] {
  if (Array.isArray(node)) return node.filter((n): n is XmlNode => typeof n === 'object' && n !== null);
  return typeof node === 'object' && node !== null ? [node as XmlNode] : [];
}

export function number(value: string | null, what: string): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalid('manifest-bad-value', `${what}="${value}"`, `${what} '${value}' is not a number`);
  return n;
}
