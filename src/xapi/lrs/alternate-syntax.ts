import { XapiError } from '../errors.js';
import { decodeForm, decodeUtf8 } from '../text-input.js';
import type { XapiMethod } from './request.js';

/** Form fields of the alternate request syntax that stand for headers (Part Three §1.3). */
const HEADER_FIELDS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match'];
const METHODS: readonly XapiMethod[] = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];

export interface Unfolded {
  method: XapiMethod;
  params: Map<string, string>;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/**
 * The X-Experience-API-Version a raw request names: its header, or for the alternate request syntax
 * the form field that stands for it. Read before anything else, so that every answer (errors
 * included) names the version the request was made in.
 */
export function requestedVersionHeader(method: string, query: URLSearchParams, headers: Record<string, string | undefined>, body: Buffer): string | undefined {
  if (method.toUpperCase() === 'POST' && query.has('method') && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(headers['content-type'] ?? '')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
      if (name.toLowerCase() === 'x-experience-api-version') return value;
    }
  }
  return headers['x-experience-api-version'];
}

/**
 * POST ?method=PUT with a form body: the form carries the headers, the parameters and `content`
 * (the real body). Any other query parameter is a 400.
 */
export function unfoldAlternateSyntax(query: URLSearchParams, headers: Record<string, string | undefined>, body: Buffer): Unfolded {
  const names = [...query.keys()];
  if (names.some((name) => name !== 'method') || query.getAll('method').length !== 1) {
    throw new XapiError('bad-request', 'With the alternate request syntax, method is the only query parameter; the rest goes in the form body.');
  }
  const method = (query.get('method') ?? '').toUpperCase() as XapiMethod;
  if (!METHODS.includes(method)) throw new XapiError('bad-request', 'method must be GET, HEAD, PUT, POST or DELETE.');
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(headers['content-type'] ?? '')) {
    throw new XapiError('bad-request', 'The alternate request syntax needs an application/x-www-form-urlencoded body.');
  }
  const form = decodeForm(decodeUtf8(body, 'The form body'), 'The form body');
  const unfoldedHeaders: Record<string, string | undefined> = { ...headers, 'content-type': undefined, 'content-length': undefined };
  const params = new Map<string, string>();
  let content = Buffer.alloc(0);
  for (const [name, value] of form) {
    const lower = name.toLowerCase();
    if (HEADER_FIELDS.includes(lower)) unfoldedHeaders[lower] = value;
    else if (name === 'content') content = Buffer.from(value, 'utf8');
    else if (params.has(name)) throw new XapiError('bad-request', `The parameter ${name} is given twice.`);
    else params.set(name, value);
  }
  // Content without a Content-Type field is taken as JSON, what every statement and most documents are.
  if (content.length > 0 && unfoldedHeaders['content-type'] === undefined) unfoldedHeaders['content-type'] = 'application/json';
  return { method, params, headers: unfoldedHeaders, body: content };
}
