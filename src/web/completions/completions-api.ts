import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import { recordAudit } from '../../audit/audit-log.js';
import { completionsPage, completionsStream, START, type CompletedRange, type CompletionPosition, type PulledCompletion } from '../../completions/pull.js';
import type { DatabaseKind } from '../../db/database.js';
import type { Schema } from '../../db/schema.js';
import { XapiAuthenticator, type XapiScope } from '../../xapi/credentials.js';
import { BOM, csvCell, csvLine } from '../audit/csv.js';
import { authenticatePullClient, formatOf, invalid, pageUrl, queryParams, timestampParam, UUID, wholeParam } from '../competence/pull-api.js';

export const COMPLETIONS_API = '/api/completions';
/** The scope a client needs to pull completions; no xAPI scope gives it. */
export const COMPLETIONS_READ: XapiScope = 'completions/read';
export const COMPLETIONS_LIMIT = { default: 500, max: 5000 };
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
 * The cursor: a position in the municipality's completions and the parameters it is a position
 * for, opaque to clients (base64url JSON). It names the municipality, so another one's client
 * cannot use it.
 */
interface Cursor {
  readonly kind: 'completions';
  readonly query: { readonly municipality: string; readonly since: string | null; readonly until: string | null };
  readonly after: CompletionPosition;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(value: string, query: Cursor['query']): CompletionPosition {
  const refused = () => invalid('cursor', 'is not a cursor of this API: pass the cursor of your last pull, or the next link of the last page, unchanged');
  if (value.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(value)) throw refused();
  let cursor: Cursor;
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw refused();
  }
  if (typeof cursor !== 'object' || cursor === null || cursor.kind !== 'completions') throw refused();
  const after = cursor.after as Partial<CompletionPosition> | null;
  if (typeof after !== 'object' || after === null || typeof after.xid !== 'string' || !/^\d{1,19}$/.test(after.xid) || BigInt(after.xid) > 2n ** 63n - 1n) throw refused();
  if (typeof after.id !== 'string' || !UUID.test(after.id)) throw refused();
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

export interface CompletionsDependencies {
  readonly db: Kysely<Schema>;
  readonly publicUrl: string;
  /** Server PostgreSQL streams CSV through a database cursor; PGlite in keyset batches (see completionsStream). */
  readonly databaseKind: DatabaseKind;
  /** Rows per batch of a CSV stream (default 5,000); tests make it small to cross batch edges. */
  readonly csvBatchRows?: number;
}

/**
 * GET /api/completions for HR systems, with a municipality's API client (Basic, scope
 * completions/read): one row per completed path, as JSON pages or one streamed CSV file.
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
    const params = queryParams(req, ['since', 'until', 'limit', 'cursor', 'format']);
    const format = formatOf(req, params);
    const range: CompletedRange = {
      since: params.has('since') ? timestampParam(params.get('since')!, 'since') : null,
      until: params.has('until') ? timestampParam(params.get('until')!, 'until') : null,
    };
    if (range.since !== null && range.until !== null && Date.parse(range.until) <= Date.parse(range.since)) throw invalid('until', 'must be after since');
    const query = { municipality: pulling.kommunenummer, ...range };
    const after = params.has('cursor') ? decodeCursor(params.get('cursor')!, query) : START;
    if (format === 'csv' && params.has('limit')) throw invalid('limit', 'pages JSON only: CSV answers every row in one streamed file');
    const limit = wholeParam(params.get('limit'), 'limit', COMPLETIONS_LIMIT, 1);
    const audit = (rows: number, complete: boolean) => recordAudit(db, {
      tenantId,
      actor: { kind: 'api-client', id: pulling.client.key },
      action: 'completions.pulled',
      details: { rows, since: range.since, until: range.until, page: after === START ? 'first' : 'next', format, ...(complete ? {} : { complete: false }) },
    });
    res.vary('Accept');

    if (format === 'json') {
      const page = await completionsPage(db, tenantId, { range, after, limit });
      const cursor = encodeCursor({ kind: 'completions', query, after: page.resume });
      const nextPage = page.more ? pageUrl(publicUrl, COMPLETIONS_API, { since: range.since, until: range.until, limit: params.get('limit'), format: params.get('format'), cursor }) : null;
      await audit(page.rows.length, true);
      res.set('X-Cursor', cursor);
      if (nextPage) res.set('Link', `<${nextPage}>; rel="next"`);
      res.type('application/json; charset=utf-8');
      res.send(JSON.stringify({
        municipality: { kommunenummer: pulling.kommunenummer, name: pulling.name },
        since: range.since,
        until: range.until,
        cursor,
        next: nextPage,
        data: page.rows.map(completionJson),
      }));
      return;
    }

    const stream = await completionsStream(db, tenantId, { range, after, batchSize, serverCursor: deps.databaseKind === 'postgres' });
    res.set('X-Cursor', encodeCursor({ kind: 'completions', query, after: stream.resume }));
    res.type('text/csv; charset=utf-8; header=present');
    res.set('Content-Disposition', `attachment; filename="fullforte-lop-${pulling.kommunenummer}.csv"`);
    res.write(BOM + csvLine([...COMPLETIONS_CSV_COLUMNS]));
    let rows = 0;
    let gone = false;
    res.once('close', () => void (gone = !res.writableFinished));
    for await (const batch of stream.batches) {
      if (gone) break;
      rows += batch.length;
      // Waits for the client to take what was written: a slow reader does not make the rows pile up here.
      if (!res.write(batch.map(completionLine).join(''))) await drained(res);
      // A turn of the event loop between batches, even while the socket takes everything: other
      // requests go on, and a client that left is noticed (PGlite answers without one).
      else await new Promise((resolve) => setImmediate(resolve));
    }
    await audit(rows, !gone);
    if (!gone) res.end();
  }

  return router;
}
