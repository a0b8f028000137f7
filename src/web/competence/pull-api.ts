import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { osloDate } from '../../competence/calendar.js';
import type { RequirementStatus } from '../../competence/gaps.js';
import { databaseTimeAgo, gapPeoplePage, gapRowsFor, holdingsPage, type PulledHolding, type PulledPerson } from '../../competence/pull.js';
import { listRequirements } from '../../competence/requirements.js';
import type { Schema } from '../../db/schema.js';
import { XapiAuthenticator, type XapiClient, type XapiScope } from '../../xapi/credentials.js';
import { XapiError } from '../../xapi/errors.js';
import { basicCredentials } from '../../xapi/lrs/lrs.js';
import { csvLine } from '../audit/csv.js';
import { ProblemError } from '../problem.js';
import { openApiDocument } from './openapi.js';

export const HOLDINGS_API = '/api/competence/holdings';
export const GAPS_API = '/api/competence/gaps';
export const OPENAPI_DOCUMENT = '/api/openapi.json';
/** The scope a client needs for these pulls; no xAPI scope gives it. */
export const COMPETENCE_READ: XapiScope = 'competence/read';

/** A pull's nextSince lies this far behind the moment it was read: a row whose transaction was still open then is pulled again next time. */
export const SINCE_OVERLAP_SECONDS = 300;
export const HOLDINGS_LIMIT = { default: 500, max: 5000 };
export const GAPS_LIMIT = { default: 100, max: 1000 };
export const EXPIRING_DAYS = { default: 90, max: 365 };

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function invalid(parameter: string, detail: string): ProblemError {
  return new ProblemError('validation-failed', `${parameter}: ${detail}`, { parameter });
}

function realDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An RFC 3339 timestamp with its offset (2027-03-01T08:00:00Z, …+01:00), kept as given so its microseconds survive. */
export function timestampParam(value: string, name: string): string {
  const m = TIMESTAMP.exec(value);
  const ok = m && realDay(Number(m[1]), Number(m[2]), Number(m[3])) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 60 && (m[8]!.toUpperCase() === 'Z' || (Number(m[8]!.slice(1, 3)) < 24 && Number(m[8]!.slice(4, 6)) < 60));
  if (!ok) throw invalid(name, 'must be an RFC 3339 timestamp with its offset, e.g. 2027-03-01T08:00:00Z (the nextSince of your last pull)');
  return value.toUpperCase();
}

function dayParam(value: string, name: string): string {
  const m = DAY.exec(value);
  if (!m || !realDay(Number(m[1]), Number(m[2]), Number(m[3]))) throw invalid(name, 'must be a calendar day as YYYY-MM-DD');
  return value;
}

export function wholeParam(value: string | undefined, name: string, range: { default: number; max: number }, min: number): number {
  if (value === undefined) return range.default;
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > range.max) throw invalid(name, `must be a whole number from ${min} to ${range.max}`);
  return Number(value);
}

/** The query's parameters: each known one at most once, no others. */
export function queryParams(req: Request, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  const search = new URL(req.originalUrl, 'http://api.invalid').searchParams;
  for (const [name, value] of search) {
    if (!allowed.includes(name)) throw invalid(name, `unknown parameter (known: ${allowed.join(', ')})`);
    if (params.has(name)) throw invalid(name, 'given more than once');
    params.set(name, value);
  }
  return params;
}

export type Format = 'json' | 'csv';

export function formatOf(req: Request, params: Map<string, string>): Format {
  const format = params.get('format');
  if (format !== undefined) {
    if (format !== 'json' && format !== 'csv') throw invalid('format', 'must be json or csv');
    return format;
  }
  return req.accepts(['application/json', 'text/csv']) === 'text/csv' ? 'csv' : 'json';
}

/** The cursor: where the last page ended and what it was a page of, opaque to clients (base64url JSON). */
interface Cursor {
  readonly kind: 'holdings' | 'gaps';
  /** The parameters the pages are of: a cursor is refused with others. */
  readonly query: Readonly<Record<string, string | null>>;
  readonly nextSince: string;
  readonly after: { readonly changedAt?: string; readonly id: string };
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(value: string, kind: Cursor['kind'], query: Record<string, string | null>): Cursor {
  const refused = () => invalid('cursor', 'is not a cursor of this API: pass the one from the previous page’s next link unchanged');
  if (value.length > 2000 || !/^[A-Za-z0-9_-]+$/.test(value)) throw refused();
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw refused();
  }
  if (typeof cursor !== 'object' || cursor === null || cursor.kind !== kind || typeof cursor.nextSince !== 'string' || !TIMESTAMP.test(cursor.nextSince)) throw refused();
  if (typeof cursor.after !== 'object' || cursor.after === null || typeof cursor.after.id !== 'string' || !UUID.test(cursor.after.id)) throw refused();
  if (kind === 'holdings' && (typeof cursor.after.changedAt !== 'string' || !TIMESTAMP.test(cursor.after.changedAt))) throw refused();
  if (typeof cursor.query !== 'object' || cursor.query === null) throw refused();
  for (const [name, given] of Object.entries(query)) {
    if ((cursor.query[name] ?? null) !== given) throw invalid('cursor', `belongs to other parameters (${name}): page with the next link as it is`);
  }
  return cursor;
}

/** `<public url><path>?<params>`, the parameters in a fixed order. */
export function pageUrl(publicUrl: string, path: string, params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined) search.set(name, value);
  return `${publicUrl.replace(/\/+$/, '')}${path}?${search.toString()}`;
}

function personCells(person: PulledPerson): string[] {
  return [person.id, person.employeeNumber ?? '', person.name ?? '', person.email ?? ''];
}

export const HOLDINGS_CSV_COLUMNS = [
  'holding_id', 'person_id', 'employee_number', 'name', 'email', 'competence_code', 'competence_name', 'level', 'source', 'achieved_on', 'expires_on',
  'revoked_at', 'revocation_reason', 'recorded_at', 'renews_id', 'changed_at', 'evidence',
] as const;

function holdingCells(h: PulledHolding): string[] {
  return [
    h.id, ...personCells(h.person), h.competence.code, h.competence.name, h.level === null ? '' : String(h.level), h.source, h.achievedOn, h.expiresOn ?? '',
    h.revoked?.at ?? '', h.revoked?.reason ?? '', h.recordedAt, h.renewsId ?? '', h.changedAt, JSON.stringify(h.evidence),
  ];
}

export const GAPS_CSV_COLUMNS = [
  'person_id', 'employee_number', 'name', 'email', 'requirement_id', 'competence_code', 'competence_name', 'job_title', 'unit_code', 'mandatory', 'min_level',
  'status', 'valid_until', 'grace_ends', 'holding_id',
] as const;

/** A person's status for one requirement, or `none` when no requirement applies to them on the day. */
export type GapStatus = RequirementStatus | 'none';

export interface PullDependencies {
  readonly db: Kysely<Schema>;
  readonly publicUrl: string;
  /** The clock for `on`'s default (today in Europe/Oslo); tests set it. */
  readonly now?: () => Date;
}

/** The municipality's API client of a pull: Basic credentials, the scope, and a municipality (not a region). */
export async function authenticatePullClient(
  db: Kysely<Schema>,
  authenticator: XapiAuthenticator,
  req: Request,
  res: Response,
  scope: XapiScope,
  realm: string,
  regionRefusal: string,
): Promise<{ client: XapiClient; kommunenummer: string; name: string }> {
  res.set('Cache-Control', 'no-store');
  const credentials = basicCredentials(req.get('authorization'));
  const unauthorized = (detail: string) => {
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    return new ProblemError('xapi-unauthorized', detail);
  };
  if (!credentials) throw unauthorized('Send the API client’s key and secret with HTTP Basic authentication.');
  let found: XapiClient | undefined;
  try {
    found = await authenticator.authenticate(credentials.key, credentials.secret, req.ip ?? req.socket.remoteAddress ?? '');
  } catch (error) {
    if (error instanceof XapiError && error.kind === 'too-many-requests') {
      if (error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
      throw new ProblemError('xapi-too-many-requests', error.message);
    }
    throw error;
  }
  if (!found) throw unauthorized('The client key or secret is wrong, or the client is revoked.');
  if (!found.scopes.includes(scope)) {
    throw new ProblemError('xapi-forbidden', `This client lacks the scope ${scope}: a municipality administrator gives it at /admin/xapi-clients (a new client).`);
  }
  const tenant = await db.selectFrom('tenants').select(['kind', 'kommunenummer', 'name']).where('id', '=', found.tenantId).executeTakeFirstOrThrow();
  if (tenant.kind !== 'municipality' || tenant.kommunenummer === null) throw new ProblemError('xapi-forbidden', regionRefusal);
  return { client: found, kommunenummer: tenant.kommunenummer, name: tenant.name };
}

/**
 * GET /api/competence/holdings and /gaps for HR systems, with a municipality's API client (Basic,
 * scope competence/read), and the OpenAPI document that describes them (GET /api/openapi.json).
 */
export function competencePullRouter(deps: PullDependencies): Router {
  const { db, publicUrl } = deps;
  const now = deps.now ?? (() => new Date());
  const authenticator = new XapiAuthenticator(db);
  const router = express.Router();

  const client = (req: Request, res: Response) => authenticatePullClient(db, authenticator, req, res, COMPETENCE_READ, 'competence', 'Competence is pulled per municipality: use a client of the municipality, not of its region.');

  function send(res: Response, format: Format, next: string | null, nextSince: string, json: () => unknown, csv: () => string, filename: string): void {
    res.set('X-Next-Since', nextSince);
    if (next) res.set('Link', `<${next}>; rel="next"`);
    res.vary('Accept');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8; header=present');
      res.set('Content-Disposition', `attachment; filename="${filename}"`);
      res.send(csv());
    } else {
      res.type('application/json; charset=utf-8');
      res.send(JSON.stringify(json()));
    }
  }

  const handle = (work: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, nextHandler: NextFunction) => {
    work(req, res).catch(nextHandler);
  };

  router.get(HOLDINGS_API, handle(async (req, res) => {
    const pulling = await client(req, res);
    const tenantId = pulling.client.tenantId;
    const params = queryParams(req, ['since', 'limit', 'cursor', 'format']);
    const format = formatOf(req, params);
    const since = params.has('since') ? timestampParam(params.get('since')!, 'since') : null;
    const limit = wholeParam(params.get('limit'), 'limit', HOLDINGS_LIMIT, 1);
    const cursor = params.has('cursor') ? decodeCursor(params.get('cursor')!, 'holdings', { since }) : null;
    const nextSince = cursor?.nextSince ?? (await databaseTimeAgo(db, SINCE_OVERLAP_SECONDS));
    const page = await holdingsPage(db, tenantId, {
      since,
      after: cursor ? { changedAt: cursor.after.changedAt!, id: cursor.after.id } : null,
      limit,
    });
    const last = page.rows.at(-1);
    const next = page.more && last
      ? pageUrl(publicUrl, HOLDINGS_API, { since, limit: params.get('limit'), format: params.get('format'), cursor: encodeCursor({ kind: 'holdings', query: { since }, nextSince, after: { changedAt: last.changedAt, id: last.id } }) })
      : null;
    await recordAudit(db, {
      tenantId,
      actor: { kind: 'api-client', id: pulling.client.key },
      action: 'competence.holdings.pulled',
      details: { rows: page.rows.length, since, page: cursor ? 'next' : 'first', format },
    });
    send(res, format, next, nextSince,
      () => ({ municipality: { kommunenummer: pulling.kommunenummer, name: pulling.name }, since, nextSince, next, data: page.rows }),
      () => csvLine([...HOLDINGS_CSV_COLUMNS]) + page.rows.map((row) => csvLine(holdingCells(row))).join(''),
      `kompetanse-${pulling.kommunenummer}.csv`);
  }));

  router.get(GAPS_API, handle(async (req, res) => {
    const pulling = await client(req, res);
    const tenantId = pulling.client.tenantId;
    const params = queryParams(req, ['on', 'since', 'expiringDays', 'limit', 'cursor', 'format']);
    const format = formatOf(req, params);
    const since = params.has('since') ? timestampParam(params.get('since')!, 'since') : null;
    const expiringDays = wholeParam(params.get('expiringDays'), 'expiringDays', EXPIRING_DAYS, 0);
    const limit = wholeParam(params.get('limit'), 'limit', GAPS_LIMIT, 1);
    const givenOn = params.has('on') ? dayParam(params.get('on')!, 'on') : null;
    const rawCursor = params.get('cursor');
    // Paging past midnight keeps the first page's day: the cursor carries it when `on` was not given.
    const peek = rawCursor !== undefined ? decodeCursor(rawCursor, 'gaps', {}) : null;
    const onDate = givenOn ?? (typeof peek?.query['on'] === 'string' ? peek.query['on'] : osloDate(now()));
    const query = { on: onDate, since, expiringDays: String(expiringDays) };
    const cursor = rawCursor !== undefined ? decodeCursor(rawCursor, 'gaps', query) : null;
    const nextSince = cursor?.nextSince ?? (await databaseTimeAgo(db, SINCE_OVERLAP_SECONDS));
    const page = await gapPeoplePage(db, tenantId, { onDate, since, expiringDays, afterPersonId: cursor?.after.id ?? null, limit });
    const requirements = await listRequirements(db, tenantId, onDate);
    const rows = await gapRowsFor(db, tenantId, page.people.map((p) => p.id), onDate, expiringDays, requirements);
    const last = page.people.at(-1);
    const next = page.more && last
      ? pageUrl(publicUrl, GAPS_API, { on: givenOn, since, expiringDays: params.get('expiringDays'), limit: params.get('limit'), format: params.get('format'), cursor: encodeCursor({ kind: 'gaps', query, nextSince, after: { id: last.id } }) })
      : null;
    const people = page.people.map((person) => ({ person, requirements: rows.get(person.id) ?? [] }));
    await recordAudit(db, {
      tenantId,
      actor: { kind: 'api-client', id: pulling.client.key },
      action: 'competence.gaps.pulled',
      details: { people: people.length, rows: people.reduce((n, p) => n + p.requirements.length, 0), on: onDate, since, page: cursor ? 'next' : 'first', format },
    });
    const json = () => ({
      municipality: { kommunenummer: pulling.kommunenummer, name: pulling.name },
      on: onDate,
      since,
      expiringDays,
      nextSince,
      next,
      data: people.map(({ person, requirements: list }) => ({
        person,
        requirements: list.map((r) => ({
          requirement: {
            id: r.requirement.id,
            competence: { code: r.requirement.competence.code, name: r.requirement.competence.name.nb },
            jobTitle: r.requirement.jobTitle,
            unit: r.requirement.orgUnit ? { code: r.requirement.orgUnit.code, name: r.requirement.orgUnit.name } : null,
            mandatory: r.requirement.mandatory,
            minLevel: r.requirement.minLevel,
          },
          status: r.status,
          validUntil: r.validUntil,
          graceEnds: r.graceEnds,
          holdingId: r.holding?.id ?? null,
        })),
      })),
    });
    const csv = () => csvLine([...GAPS_CSV_COLUMNS]) + people.map(({ person, requirements: list }) => list.length === 0
      ? csvLine([...personCells(person), '', '', '', '', '', '', '', 'none', '', '', ''])
      : list.map((r) => csvLine([
        ...personCells(person), r.requirement.id, r.requirement.competence.code, r.requirement.competence.name.nb, r.requirement.jobTitle ?? '', r.requirement.orgUnit?.code ?? '',
        r.requirement.mandatory ? 'true' : 'false', r.requirement.minLevel === null ? '' : String(r.requirement.minLevel), r.status, r.validUntil ?? '', r.graceEnds ?? '', r.holding?.id ?? '',
      ])).join('')).join('');
    send(res, format, next, nextSince, json, csv, `kompetansebehov-${pulling.kommunenummer}-${onDate}.csv`);
  }));

  router.get(OPENAPI_DOCUMENT, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.type('application/json; charset=utf-8');
    res.send(JSON.stringify(openApiDocument(publicUrl), null, 2));
  });
  return router;
}
