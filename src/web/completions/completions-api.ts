import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import type { PullPosition } from '../../completions/commit-order-pull.js';
import { HOLDINGS_START, holdingRowsPage, holdingRowsStream, type PulledHoldingRow } from '../../completions/holding-rows.js';
import { completionsPage, completionsStream, START, type CompletedRange, type PulledCompletion } from '../../completions/pull.js';
import type { DatabaseKind } from '../../db/database.js';
import type { Schema } from '../../db/schema.js';
import { XapiAuthenticator, type XapiScope } from '../../xapi/credentials.js';
import { BOM, csvCell, csvLine } from '../audit/csv.js';
import { HOLDING_ROWS_CSV_COLUMNS, holdingRowJson, holdingRowLine } from './holding-rows-format.js';
import { authenticatePullClient, formatOf, invalid, pageUrl, queryParams, timestampParam, UUID, wholeParam } from '../competence/pull-api.js';

export const COMPLETIONS_API = '/api/completions';
/** The scope a client needs to pull completions; no xAPI scope gives it. */
export const COMPLETIONS_READ: XapiScope = 'completions/read';
export const COMPLETIONS_LIMIT = { default: 500, max: 5000 };
/** What a row is: a completed path (the default, and all there was before holdings), or a holding record. */
export type CompletionsKind = 'paths' | 'holdings';
const KINDS: readonly CompletionsKind[] = ['paths', 'holdings'];
/** Rows per query (or cursor fetch) of a CSV stream: memory holds two batches, whatever the number of rows. */
const STREAM_BATCH = 5000;

export const COMPLETIONS_CSV_COLUMNS = [
  'completion_id', 'person_id', 'employee_number', 'name', 'email', 'path_id', 'path_title', 'version', 'completed_at', 'score', 'competences', 'expires_on',
] as const;

/** Norwegian Excel reads 87,5 as a number and 87.5 as text. */
const decimalComma = (n: number) => String(n).replace('.', ',');

/** Cells that many rows share (the reader hands them the same objects): escaped once a pull, not once a row. */
const titleCells = new WeakMap<PulledCompletion['path'], string>();
const competenceCells = new WeakMap<PulledCompletion['competences'], string>();

function sharedCell<K extends object>(cells: WeakMap<K, string>, key: K, text: () => string): string {
  let cell = cells.get(key);
  if (cell === undefined) {
    cell = csvCell(text());
    cells.set(key, cell);
  }
  return cell;
}

/**
 * One CSV line. Ids, times, days and numbers are written as they are (they never hold `;`, quotes,
 * line breaks or a leading formula character); the text cells go through csvCell.
 */
function completionLine(c: PulledCompletion): string {
  return [
    c.id, c.person.id, csvCell(c.person.employeeNumber ?? ''), csvCell(c.person.name ?? ''), csvCell(c.person.email ?? ''), c.path.id, sharedCell(titleCells, c.path, () => c.path.title),
    c.version === null ? '' : String(c.version), c.completedAt, c.score === null ? '' : decimalComma(c.score), sharedCell(competenceCells, c.competences, () => c.competences.map((g) => g.code).join(', ')), c.expiresOn ?? '',
  ].join(';') + '\r\n';
}

/** The JSON shape of a row: the position stays inside the cursor. */
function completionJson(c: PulledCompletion) {
  const { position: _position, ...row } = c;
  return row;
}

/**
 * The cursor: a position in the municipality's rows of one kind and the parameters it is a position
 * for, opaque to clients (base64url JSON). It names the municipality, so another one's client
 * cannot use it. Path rows' cursors say 'completions', as they did before holding rows came.
 */
interface Cursor {
  readonly kind: 'completions' | 'holdings';
  readonly query: { readonly municipality: string; readonly since: string | null; readonly until: string | null };
  readonly after: PullPosition;
}

const CURSOR_KIND: Record<CompletionsKind, Cursor['kind']> = { paths: 'completions', holdings: 'holdings' };
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
const BIGINT_MAX = 2n ** 63n - 1n;
const isBigint = (value: unknown): value is string => typeof value === 'string' && /^\d{1,19}$/.test(value) && BigInt(value) <= BIGINT_MAX;

function decodeCursor(value: string, kind: CompletionsKind, query: Cursor['query']): PullPosition {
  const refused = () => invalid('cursor', 'is not a cursor of this API: pass the cursor of your last pull, or the next link of the last page, unchanged');
  if (value.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(value)) throw refused();
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw refused();
  }
  if (typeof cursor !== 'object' || cursor === null) throw refused();
  const cursorOf = KINDS.find((k) => CURSOR_KIND[k] === cursor.kind);
  if (cursorOf === undefined) throw refused();
  if (cursorOf !== kind) throw invalid('cursor', `is a cursor of kind=${cursorOf}: pass it with kind=${cursorOf}, or start kind=${kind} without a cursor`);
  const after = cursor.after as Partial<PullPosition> | null;
  if (typeof after !== 'object' || after === null || !isBigint(after.xid)) throw refused();
  // A path row's position ends in its completion's uuid, a holding row's in its event's number.
  if (typeof after.id !== 'string' || !(kind === 'paths' ? UUID.test(after.id) : isBigint(after.id))) throw refused();
  if (typeof cursor.query !== 'object' || cursor.query === null) throw refused();
  if (cursor.query.municipality !== query.municipality) throw invalid('cursor', 'belongs to another municipality’s pull');
  for (const name of ['since', 'until'] as const) {
    if ((cursor.query[name] ?? null) !== query[name]) throw invalid('cursor', `belongs to other parameters (${name}): pass the same since and until as the pull it came from`);
  }
  return { xid: after.xid, id: after.id };
}

/** Until the client took what was written (or went away). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** A JSON page with its cursor and next link also as headers. */
function sendPage(res: Response, nextPage: string | null, cursor: string, body: Record<string, unknown>): void {
  res.set('X-Cursor', cursor);
  if (nextPage) res.set('Link', `<${nextPage}>; rel="next"`);
  res.type('application/json; charset=utf-8');
  res.send(JSON.stringify(body));
}

/**
 * Streams the rows as one CSV file, its cursor sent first; the number of rows written and whether
 * the client took them all (the caller ends the response after auditing).
 */
async function sendCsv<T>(res: Response, cursor: string, fileName: string, columns: readonly string[], batches: AsyncGenerator<T[]>, line: (row: T) => string): Promise<{ rows: number; complete: boolean }> {
  res.set('X-Cursor', cursor);
  res.type('text/csv; charset=utf-8; header=present');
  res.set('Content-Disposition', `attachment; filename="${fileName}"`);
  res.write(BOM + csvLine(columns));
  let rows = 0;
  let gone = false;
  res.once('close', () => void (gone = !res.writableFinished));
  for await (const batch of batches) {
    if (gone) break;
    rows += batch.length;
    // Waits for the client to take what was written: a slow reader does not make the rows pile up here.
    if (!res.write(batch.map(line).join(''))) await drained(res);
    // A turn of the event loop between batches, even while the socket takes everything: other
    // requests go on, and a client that left is noticed (PGlite answers without one).
    else await new Promise((resolve) => setImmediate(resolve));
  }
  return { rows, complete: !gone };
}

export interface CompletionsDependencies {
  readonly db: Kysely<Schema>;
  readonly publicUrl: string;
  /** Server PostgreSQL streams CSV through a database cursor; PGlite in keyset batches (see completionsStream). */
  readonly databaseKind: DatabaseKind;
  /** Rows per batch of a CSV stream (default 5,000); tests make it small to cross batch edges. */
  readonly csvBatchRows?: number;
}

/** How one kind of row is read and written out: the reads of src/completions, the JSON and the CSV. */
interface PullRows<T> {
  /** The position before every row. */
  readonly start: PullPosition;
  readonly page: (db: Kysely<Schema>, tenantId: string, options: { range: CompletedRange; after: PullPosition; limit: number }) => Promise<{ rows: T[]; more: boolean; resume: PullPosition }>;
  readonly stream: (db: Kysely<Schema>, tenantId: string, options: { range: CompletedRange; after: PullPosition; batchSize: number; serverCursor: boolean }) => Promise<{ resume: PullPosition; batches: AsyncGenerator<T[]> }>;
  readonly json: (row: T) => unknown;
  readonly fileName: string;
  readonly columns: readonly string[];
  readonly line: (row: T) => string;
}

const ROWS: { readonly paths: PullRows<PulledCompletion>; readonly holdings: PullRows<PulledHoldingRow> } = {
  paths: { start: START, page: completionsPage, stream: completionsStream, json: completionJson, fileName: 'fullforte-lop', columns: COMPLETIONS_CSV_COLUMNS, line: completionLine },
  holdings: { start: HOLDINGS_START, page: holdingRowsPage, stream: holdingRowsStream, json: holdingRowJson, fileName: 'kompetanse', columns: HOLDING_ROWS_CSV_COLUMNS, line: holdingRowLine },
};

/**
 * GET /api/completions for HR systems, with a municipality's API client (Basic, scope
 * completions/read): one row per completed path, or with kind=holdings one row per holding record
 * (and again when revoked), as JSON pages or one streamed CSV file.
 */
export function completionsPullRouter(deps: CompletionsDependencies): Router {
  const { db, publicUrl } = deps;
  const batchSize = deps.csvBatchRows ?? STREAM_BATCH;
  const authenticator = new XapiAuthenticator(db);
  const router = express.Router();

  router.get(COMPLETIONS_API, (req: Request, res: Response, next: NextFunction) => {
    pull(req, res).catch((error: unknown) => {
      // A CSV stream that fails midway must not end like a whole file.
      if (res.headersSent) res.destroy(error instanceof Error ? error : new Error(String(error)));
      next(error);
    });
  });

  async function pull(req: Request, res: Response): Promise<void> {
    const pulling = await authenticatePullClient(db, authenticator, req, res, COMPLETIONS_READ, 'completions',
      'Completions are pulled per municipality: use a client of the municipality, not of its region.');
    const tenantId = pulling.client.tenantId;
    const params = queryParams(req, ['kind', 'since', 'until', 'limit', 'cursor', 'format']);
    const kind = (params.get('kind') ?? 'paths') as CompletionsKind;
    if (!KINDS.includes(kind)) throw invalid('kind', 'must be paths (one row per completed path, the default) or holdings (one row per holding record, again when revoked)');
    const format = formatOf(req, params);
    const range: CompletedRange = {
      since: params.has('since') ? timestampParam(params.get('since')!, 'since') : null,
      until: params.has('until') ? timestampParam(params.get('until')!, 'until') : null,
    };
    if (range.since !== null && range.until !== null && Date.parse(range.until) <= Date.parse(range.since)) throw invalid('until', 'must be after since');
    const query = { municipality: pulling.kommunenummer, ...range };
    const first = ROWS[kind].start;
    const after = params.has('cursor') ? decodeCursor(params.get('cursor')!, kind, query) : first;
    if (format === 'csv' && params.has('limit')) throw invalid('limit', 'pages JSON only: CSV answers every row in one streamed file');
    const limit = wholeParam(params.get('limit'), 'limit', COMPLETIONS_LIMIT, 1);
    const audit = (rows: number, complete: boolean) => recordAudit(db, {
      tenantId,
      actor: { kind: 'api-client', id: pulling.client.key },
      action: 'completions.pulled',
      details: { kind, rows, since: range.since, until: range.until, page: after === first ? 'first' : 'next', format, ...(complete ? {} : { complete: false }) },
    });
    res.vary('Accept');
    const nextUrl = (cursor: string) => pageUrl(publicUrl, COMPLETIONS_API, { kind: params.get('kind'), since: range.since, until: range.until, limit: params.get('limit'), format: params.get('format'), cursor });

    if (kind === 'holdings') await answer(ROWS.holdings);
    else await answer(ROWS.paths);

    /** A JSON page or the CSV file of the kind's rows after the cursor, and its audit event. */
    async function answer<T>(rows: PullRows<T>): Promise<void> {
      const cursorAt = (position: PullPosition) => encodeCursor({ kind: CURSOR_KIND[kind], query, after: position });
      if (format === 'json') {
        const page = await rows.page(db, tenantId, { range, after, limit });
        const cursor = cursorAt(page.resume);
        const nextPage = page.more ? nextUrl(cursor) : null;
        await audit(page.rows.length, true);
        sendPage(res, nextPage, cursor, {
          municipality: { kommunenummer: pulling.kommunenummer, name: pulling.name },
          // Path pages stay as they were before holding rows came: only holding pages name their kind.
          ...(kind === 'holdings' ? { kind } : {}),
          since: range.since,
          until: range.until,
          cursor,
          next: nextPage,
          data: page.rows.map(rows.json),
        });
        return;
      }
      const stream = await rows.stream(db, tenantId, { range, after, batchSize, serverCursor: deps.databaseKind === 'postgres' });
      const sent = await sendCsv(res, cursorAt(stream.resume), `${rows.fileName}-${pulling.kommunenummer}.csv`, rows.columns, stream.batches, rows.line);
      await audit(sent.rows, sent.complete);
      if (sent.complete) res.end();
    }
  }

  return router;
}
