import { randomBytes } from 'node:crypto';
import { XapiError } from '../errors.js';
import { formatStatement, preferredLanguages, type StatementFormat } from '../format.js';
import { buildMultipart, type MimePart } from '../multipart.js';
import { attachmentsOf } from '../attachment-store.js';
import { findStatement, queryStatements, type StatementFilters, type StoredStatement } from '../statement-query.js';
import { XapiInvalid } from '../validation/invalid.js';
import { parseJsonBytes } from '../text-input.js';
import { isIri, isPlainObject } from '../validation/primitives.js';
import type { AuthorisedRequest } from './context.js';
import {
  agentParam, booleanParam, checkParams, header, timestampParam, uuidParam, type XapiRequest, type XapiResponse,
} from './request.js';

const SINGLE_PARAMS = ['statementId', 'voidedStatementId', 'format', 'attachments'];
const QUERY_PARAMS = [
  'agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'format', 'attachments', 'ascending',
];

function formatParam(request: XapiRequest): StatementFormat {
  const format = request.params.get('format') ?? 'exact';
  if (format !== 'exact' && format !== 'ids' && format !== 'canonical') throw new XapiInvalid('format', 'must be ids, exact or canonical');
  return format;
}

function iriParam(request: XapiRequest, name: string): string | undefined {
  const value = request.params.get(name);
  if (value !== undefined && !isIri(value)) throw new XapiInvalid(name, 'must be an absolute IRI');
  return value;
}

function filtersOf(request: XapiRequest): StatementFilters {
  const agent = agentParam(request, 'agent');
  const verb = iriParam(request, 'verb');
  const activity = iriParam(request, 'activity');
  const registration = uuidParam(request, 'registration');
  const since = timestampParam(request, 'since');
  const until = timestampParam(request, 'until');
  return {
    ...(agent ? { agentKey: agent.key } : {}),
    ...(verb !== undefined ? { verb } : {}),
    ...(activity !== undefined ? { activity } : {}),
    ...(registration !== undefined ? { registration } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    relatedActivities: booleanParam(request, 'related_activities'),
    relatedAgents: booleanParam(request, 'related_agents'),
    ascending: booleanParam(request, 'ascending'),
  };
}

function limitOf(request: XapiRequest, max: number): number {
  const value = request.params.get('limit');
  if (value === undefined) return max;
  if (!/^\d+$/.test(value)) throw new XapiInvalid('limit', 'must be a whole number (0 means the server maximum)');
  const limit = Number(value);
  return limit === 0 ? max : Math.min(limit, max);
}

/** The `more` cursor: the query's own parameters and where the next page starts, in a URL-safe token. */
interface MoreToken {
  p: [string, string][];
  a: number;
}

function encodeMore(params: ReadonlyMap<string, string>, after: number): string {
  const token: MoreToken = { p: [...params].filter(([name]) => name !== 'more'), a: after };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

const isPair = (entry: unknown): entry is [string, string] =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'string';

/** A token is the client's to alter: every part is checked before it reaches a query (a forged `a` of 1e300 is no seq). */
function decodeMore(value: string): MoreToken {
  let token: unknown;
  try {
    token = parseJsonBytes(Buffer.from(value, 'base64url'), 'The more token', 'more');
  } catch {
    throw new XapiInvalid('more', 'is not a more link this LRS gave out');
  }
  const { p, a } = (isPlainObject(token) ? token : {}) as Partial<Record<keyof MoreToken, unknown>>;
  if (Array.isArray(p) && p.every(isPair) && Number.isSafeInteger(a) && (a as number) >= 0) return { p, a: a as number };
  throw new XapiInvalid('more', 'is not a more link this LRS gave out');
}

/**
 * The answer: `wrap` places the statements' JSON texts in the body. format=exact sends each as
 * stored without parsing it; ids and canonical reshape the parsed statement.
 */
async function respond(
  auth: AuthorisedRequest,
  request: XapiRequest,
  statements: StoredStatement[],
  wrap: (texts: string[]) => string,
  extraHeaders: Record<string, string>,
): Promise<XapiResponse> {
  const languages = preferredLanguages(header(request, 'accept-language'));
  const format = formatParam(request);
  const texts = statements.map((s) => (format === 'exact' ? s.text : JSON.stringify(formatStatement(s.statement, format, languages))));
  const headers = {
    'X-Experience-API-Consistent-Through': extraHeaders['X-Experience-API-Consistent-Through'] ?? new Date().toISOString(),
    ...extraHeaders,
  };
  if (!booleanParam(request, 'attachments')) {
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: wrap(texts) };
  }
  // Part Three §2.1.3 attachments=true: multipart/mixed, the JSON first, then each attachment once.
  const attachments = await attachmentsOf(auth.context.db, statements);
  const boundary = randomBytes(16).toString('hex');
  const parts: MimePart[] = [
    { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(wrap(texts)) },
    ...attachments.map((a) => ({
      headers: { 'Content-Type': a.contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': a.sha2 },
      body: a.content,
    })),
  ];
  return {
    status: 200,
    headers: {
      ...headers,
      'Content-Type': `multipart/mixed; boundary=${boundary}`,
      // Attachments are any client's bytes (HTML too): a browser saves them, never renders them here.
      'Content-Disposition': 'attachment',
      'Content-Security-Policy': "sandbox; default-src 'none'",
    },
    body: buildMultipart(boundary, parts),
  };
}

/** GET /xapi/statements (Part Three §2.1.3): one statement by id, or a filtered page with a `more` link. */
export async function getStatements(auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
  const consistentThrough = auth.context.tracker.consistentThrough().toISOString();
  const statementId = request.params.get('statementId');
  const voidedId = request.params.get('voidedStatementId');
  if (statementId !== undefined || voidedId !== undefined) {
    checkParams(request, SINGLE_PARAMS);
    if (statementId !== undefined && voidedId !== undefined) throw new XapiInvalid('statementId', 'cannot be combined with voidedStatementId');
    const id = statementId !== undefined ? uuidParam(request, 'statementId') : uuidParam(request, 'voidedStatementId');
    const found = await findStatement(auth.context.db, auth.reader, id as string, voidedId !== undefined);
    if (!found) throw new XapiError('not-found', 'No such statement.');
    const stored = String(found.statement['stored']);
    return respond(auth, request, [found], (texts) => texts[0] as string, {
      'X-Experience-API-Consistent-Through': consistentThrough,
      'Last-Modified': new Date(stored).toUTCString(),
    });
  }

  let effective = request;
  let after: number | undefined;
  const more = request.params.get('more');
  if (more !== undefined) {
    checkParams(request, ['more']);
    const token = decodeMore(more);
    effective = { ...request, params: new Map(token.p) };
    after = token.a;
  }
  checkParams(effective, QUERY_PARAMS);
  const filters = filtersOf(effective);
  const limit = limitOf(effective, auth.context.maxPageSize);
  const page = await queryStatements(auth.context.db, auth.reader, filters, { ...(after !== undefined ? { after } : {}), limit });
  const moreUrl = page.more && page.last !== undefined ? `${auth.context.basePath}/xapi/statements?more=${encodeMore(effective.params, page.last)}` : '';
  return respond(auth, effective, page.statements, (texts) => `{"statements":[${texts.join(',')}],"more":${JSON.stringify(moreUrl)}}`, {
    'X-Experience-API-Consistent-Through': consistentThrough,
  });
}
