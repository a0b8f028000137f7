import { sql, type Kysely } from 'kysely';
import { addMonths } from '../competence/calendar.js';
import type { PulledPerson } from '../competence/pull.js';
import type { Schema } from '../db/schema.js';

/**
 * What HR systems pull from GET /api/completions (docs/completions.md): a municipality's path
 * completion records, one row each, in the order their transactions became final.
 *
 * The position is (xid, id): the writing transaction's id (migration 0710) and the record's id. A
 * read returns only rows whose transaction is older than every transaction running at that moment
 * (the snapshot's xmin, "the horizon"), so no row can later appear behind a position a client
 * already has: a position never skips or repeats a row, however transactions interleave. A keyset
 * on completed_at could not promise that (a slow transaction commits an earlier timestamp later).
 */

/** A page position: everything up to and including (xid, id) was read. */
export interface CompletionPosition {
  /** The transaction id as decimal digits (a bigint). */
  readonly xid: string;
  readonly id: string;
}

/** The position before every row. */
export const START: CompletionPosition = { xid: '0', id: '00000000-0000-0000-0000-000000000000' };
/** No uuid sorts after it: a position with it covers its whole transaction. */
const LAST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** A competence the completed version grants, with its expiry: the holding's once it is written. */
export interface GrantedCompetence {
  readonly code: string;
  /** The catalogue's name in bokmål; null until the holding is written (or when the catalogue lacks the code). */
  readonly name: string | null;
  /** First day no longer valid (Europe/Oslo); null: does not expire, or its validity is not known yet. */
  readonly expiresOn: string | null;
  /** The holding that documents it (written by the competence subscriber within a second or so); null until then. */
  readonly holdingId: string | null;
}

export interface PulledCompletion {
  readonly id: string;
  readonly person: PulledPerson;
  readonly path: { readonly id: string; readonly title: string };
  readonly version: number | null;
  /** RFC 3339 with microseconds, UTC. */
  readonly completedAt: string;
  readonly score: number | null;
  readonly competences: readonly GrantedCompetence[];
  /** The earliest expiry among the competences; null when none expires. */
  readonly expiresOn: string | null;
  readonly position: CompletionPosition;
}

/** Completed at or after `since`, before `until` (RFC 3339 timestamps as given; null: unbounded). */
export interface CompletedRange {
  readonly since: string | null;
  readonly until: string | null;
}

/** PostgreSQL keeps microseconds; a JavaScript Date would lose them. */
const MICROSECONDS = `YYYY-MM-DD"T"HH24:MI:SS.US"Z"`;

interface Row {
  id: string;
  xid: string;
  person_id: string;
  name: string | null;
  email: string | null;
  employee_number: string | null;
  path_id: string;
  path_title: string;
  version_number: number | null;
  completed_at: string;
  completed_on: string;
  score: number | null;
  grants: unknown;
  holdings: { code: string; name: string; expiresOn: string | null; holdingId: string }[];
}

/**
 * The horizon: every transaction with a smaller id has ended, so every row it wrote is visible now
 * and no further row with a smaller xid can appear. (It moves only forward.)
 */
async function horizon(db: Kysely<Schema>): Promise<bigint> {
  const { rows } = await sql<{ xmin: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(db);
  return BigInt(rows[0]!.xmin);
}

/** The position that covers every row below the horizon, or `after` when that is further. */
function upTo(xmin: bigint, after: CompletionPosition): CompletionPosition {
  const below = xmin - 1n;
  return BigInt(after.xid) > below ? after : { xid: below.toString(), id: LAST_ID };
}

async function readRows(db: Kysely<Schema>, tenantId: string, range: CompletedRange, after: CompletionPosition, below: bigint, limit: number): Promise<Row[]> {
  const { rows } = await sql<Row>`
    select c.id, c.xid::text as xid, c.person_id, p.name, p.email, e.employee_number, c.path_id, pa.title as path_title, v.number as version_number,
      to_char(c.completed_at at time zone 'UTC', ${MICROSECONDS}) as completed_at,
      to_char(c.completed_at at time zone 'Europe/Oslo', 'YYYY-MM-DD') as completed_on,
      c.score, c.evidence -> 'grants' as grants,
      coalesce((
        select jsonb_agg(jsonb_build_object('code', k.code, 'name', k.name_nb, 'expiresOn', h.expires_on, 'holdingId', h.id) order by k.code)
          from competence_holdings h join competences k on k.id = h.competence_id
         where h.path_completion_id = c.id), '[]'::jsonb) as holdings
    from path_completions c
    join people p on p.id = c.person_id
    left join employees e on e.person_id = c.person_id and e.tenant_id = c.tenant_id
    join paths pa on pa.id = c.path_id
    join path_versions v on v.id = c.version_id
    where c.tenant_id = ${tenantId}
      and (c.xid, c.id) > (${after.xid}::bigint, ${after.id}::uuid)
      and c.xid < ${below.toString()}::bigint
      ${range.since !== null ? sql`and c.completed_at >= ${range.since}::timestamptz` : sql``}
      ${range.until !== null ? sql`and c.completed_at < ${range.until}::timestamptz` : sql``}
    order by c.xid, c.id
    limit ${limit}`.execute(db);
  return rows;
}

/** The version's grants as the completion record keeps them (evidence.grants), joined with the holdings written for them. */
function competencesOf(row: Row): GrantedCompetence[] {
  const grants = Array.isArray(row.grants)
    ? (row.grants as unknown[]).filter((g): g is { competence: string; validMonths?: unknown } => typeof (g as { competence?: unknown } | null)?.competence === 'string')
    : [];
  const holdings = new Map(row.holdings.map((h) => [h.code.trim().toLowerCase(), h]));
  const result: GrantedCompetence[] = [];
  const seen = new Set<string>();
  for (const grant of grants) {
    const key = grant.competence.trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const held = holdings.get(key);
    if (held) {
      result.push({ code: held.code, name: held.name, expiresOn: held.expiresOn, holdingId: held.holdingId });
    } else {
      const months = typeof grant.validMonths === 'number' ? grant.validMonths : null;
      result.push({ code: grant.competence, name: null, expiresOn: months === null ? null : addMonths(row.completed_on, months), holdingId: null });
    }
  }
  // A holding of the completion the grants do not name (a catalogue code spelt differently): still granted.
  for (const [key, held] of holdings) if (!seen.has(key)) result.push({ code: held.code, name: held.name, expiresOn: held.expiresOn, holdingId: held.holdingId });
  return result;
}

function toCompletion(row: Row): PulledCompletion {
  const competences = competencesOf(row);
  const expiries = competences.flatMap((c) => (c.expiresOn === null ? [] : [c.expiresOn])).sort();
  return {
    id: row.id,
    person: { id: row.person_id, employeeNumber: row.employee_number, name: row.name, email: row.email },
    path: { id: row.path_id, title: row.path_title },
    version: row.version_number,
    completedAt: row.completed_at,
    score: row.score,
    competences,
    expiresOn: expiries[0] ?? null,
    position: { xid: row.xid, id: row.id },
  };
}

/**
 * One page after `after`: up to `limit` rows, whether more are there now, and the position to go on
 * from: the last row's when there are more, else past everything final now (so a later pull starts
 * there and gets exactly what became final since).
 */
export async function completionsPage(
  db: Kysely<Schema>,
  tenantId: string,
  options: { range: CompletedRange; after: CompletionPosition; limit: number },
): Promise<{ rows: PulledCompletion[]; more: boolean; resume: CompletionPosition }> {
  const xmin = await horizon(db);
  const rows = await readRows(db, tenantId, options.range, options.after, xmin, options.limit + 1);
  const more = rows.length > options.limit;
  const page = rows.slice(0, options.limit).map(toCompletion);
  return { rows: page, more, resume: more ? page.at(-1)!.position : upTo(xmin, options.after) };
}

/**
 * Every row after `after` that is final now, read in batches of `batchSize` (memory stays flat
 * whatever the number of rows), and the position past them, known before the first batch.
 */
export async function completionsStream(
  db: Kysely<Schema>,
  tenantId: string,
  options: { range: CompletedRange; after: CompletionPosition; batchSize: number },
): Promise<{ resume: CompletionPosition; batches: AsyncGenerator<PulledCompletion[]> }> {
  const xmin = await horizon(db);
  async function* batches(): AsyncGenerator<PulledCompletion[]> {
    let after = options.after;
    for (;;) {
      const rows = await readRows(db, tenantId, options.range, after, xmin, options.batchSize);
      if (rows.length === 0) return;
      const batch = rows.map(toCompletion);
      yield batch;
      if (rows.length < options.batchSize) return;
      after = batch.at(-1)!.position;
    }
  }
  return { resume: upTo(xmin, options.after), batches: batches() };
}
