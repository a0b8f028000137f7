import { ContentImportError } from './import-errors.js';

/** An element as fast-xml-parser gives it: attributes as '@name', children by local name. */
export type XmlNode = Record<string, unknown>;

export function invalid(detail: string): ContentImportError {
  return new ContentImportError('manifest-invalid', { detail });
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
  if (!Number.isFinite(n)) throw invalid(`${what} '${value}' is not a number`);
  return n;
}
