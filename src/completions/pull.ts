import { sql, type Kysely } from 'kysely';
import { findCompetencesForGrants, type GrantedCompetenceRef } from '../competence/catalogue.js';
import { grantExpiry } from '../competence/holdings.js';
import type { PulledPerson } from '../competence/pull.js';
import type { Schema } from '../db/schema.js';
import { horizon, pageAfter, streamAfter, upTo, type CommitOrderReader, type PullPosition } from './commit-order-pull.js';

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
export type CompletionPosition = PullPosition;

/** The position before every row. */
export const START: CompletionPosition = { xid: '0', id: '00000000-0000-0000-0000-000000000000' };
/** No uuid sorts after it: a position with it covers its whole transaction. */
const LAST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * A competence the completed version grants, as the municipality's catalogue knows it, with its
 * expiry by the rule the completion's holding is written with (grantExpiry).
 */
export interface GrantedCompetence {
  /** The catalogue's code, or the grant's own reference when the catalogue lacks it. */
  readonly code: string;
  /** The catalogue's name in bokmål; null when the catalogue lacks the competence (then no holding documents it). */
  readonly name: string | null;
  /** First day no longer valid (Europe/Oslo): the grant's validity, else the competence's default; null: does not expire. */
  readonly expiresOn: string | null;
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
  version_id: string;
  completed_at: string;
  completed_on: string;
  score: number | null;
  /** evidence.grants as JSON text: parsed once per distinct text, not once per row. */
  grants: string | null;
}

type Grant = { competence: string; validMonths: number | null };

/** What rows of one version completed on one day share: the competences granted and the earliest expiry. */
interface Granted {
  readonly competences: readonly GrantedCompetence[];
  readonly expiresOn: string | null;
}

/**
 * Reads batches of one tenant's completions: one statement a batch, the completions with their
 * people, and the titles and numbers of paths and versions and the catalogue's competences the
 * grants name, looked up once a pull (a municipality has few) rather than joined to every row.
 */
class CompletionReader implements CommitOrderReader<Row, PulledCompletion> {
  /** Shared by every row of the path (the CSV writer keeps its cell by the object). */
  readonly #paths = new Map<string, { readonly id: string; readonly title: string }>();
  readonly #versions = new Map<string, number | null>();
  /** By the grant's reference, trimmed and lower-cased; null: not in the catalogue. */
  readonly #catalogue = new Map<string, GrantedCompetenceRef | null>();
  /** By the grants' JSON text: a pull has as many as the versions it covers. */
  readonly #grants = new Map<string, { readonly n: number; readonly grants: Grant[] }>();
  /**
   * The grants of the version's last row: its records normally all hold the same text, so a row costs
   * one string comparison, not hashing its grants' text.
   */
  readonly #byVersion = new Map<string, { readonly text: string; readonly n: number; readonly grants: Grant[] }>();
  /** By grants and completion day: 100,000 rows of a year share a few thousand. */
  readonly #granted = new Map<string, Granted>();

  constructor(private readonly tenantId: string, private readonly range: CompletedRange, private readonly below: bigint) {}

  /** The rows after `after`, in order; at most `limit` (null: all, for a cursor). */
  select(after: CompletionPosition, limit: number | null) {
    const range = this.range;
    return sql<Row>`
      select c.id, c.xid::text as xid, c.person_id, p.name, p.email, e.employee_number, c.path_id, c.version_id,
        to_char(c.completed_at at time zone 'UTC', ${MICROSECONDS}) as completed_at,
        to_char(c.completed_at at time zone 'Europe/Oslo', 'YYYY-MM-DD') as completed_on,
        c.score, (c.evidence -> 'grants')::text as grants
      from path_completions c
      join people p on p.id = c.person_id
      left join employees e on e.person_id = c.person_id and e.tenant_id = c.tenant_id
      where c.tenant_id = ${this.tenantId}
        and (c.xid, c.id) > (${after.xid}::bigint, ${after.id}::uuid)
        and c.xid < ${this.below.toString()}::bigint
        ${range.since !== null ? sql`and c.completed_at >= ${range.since}::timestamptz` : sql``}
        ${range.until !== null ? sql`and c.completed_at < ${range.until}::timestamptz` : sql``}
      order by c.xid, c.id
      ${limit !== null ? sql`limit ${limit}` : sql``}`;
  }

  /** The rows as completions, their paths, versions and competences looked up on `executor` (the stream's transaction, or the pool). */
  async complete(executor: Kysely<Schema>, rows: readonly Row[]): Promise<PulledCompletion[]> {
    if (rows.length === 0) return [];
    await this.#learn(executor, rows);
    let granted: Granted;
    return rows.map((row) => ({
      id: row.id,
      person: { id: row.person_id, employeeNumber: row.employee_number, name: row.name, email: row.email },
      path: this.#paths.get(row.path_id) ?? { id: row.path_id, title: '' },
      version: this.#versions.get(row.version_id) ?? null,
      completedAt: row.completed_at,
      score: row.score,
      competences: (granted = this.#grantedBy(row)).competences,
      expiresOn: granted.expiresOn,
      position: { xid: row.xid, id: row.id },
    }));
  }

  /** The row's grants, parsed, and a number for their text. */
  #grantsOf(row: Row): { readonly n: number; readonly grants: Grant[] } {
    const text = row.grants ?? 'null';
    const last = this.#byVersion.get(row.version_id);
    if (last?.text === text) return last;
    let known = this.#grants.get(text);
    if (!known) {
      known = { n: this.#grants.size, grants: parseGrants(JSON.parse(text)) };
      this.#grants.set(text, known);
    }
    this.#byVersion.set(row.version_id, { text, ...known });
    return known;
  }

  #grantedBy(row: Row): Granted {
    const { n, grants } = this.#grantsOf(row);
    const key = `${n} ${row.completed_on}`;
    let granted = this.#granted.get(key);
    if (!granted) {
      const competences = competencesOf(grants, row.completed_on, this.#catalogue);
      const expiries = competences.flatMap((c) => (c.expiresOn === null ? [] : [c.expiresOn])).sort();
      granted = { competences, expiresOn: expiries[0] ?? null };
      this.#granted.set(key, granted);
    }
    return granted;
  }

  async #learn(db: Kysely<Schema>, rows: readonly Row[]): Promise<void> {
    const paths = [...new Set(rows.map((r) => r.path_id))].filter((id) => !this.#paths.has(id));
    const versions = [...new Set(rows.map((r) => r.version_id))].filter((id) => !this.#versions.has(id));
    const grantsSeen = this.#grants.size;
    for (const row of rows) this.#grantsOf(row);
    const newGrants = [...this.#grants.values()].slice(grantsSeen);
    const references = [...new Set(newGrants.flatMap(({ grants }) => grants.map((g) => g.competence.trim().toLowerCase())))].filter((ref) => !this.#catalogue.has(ref));
    if (paths.length > 0) for (const p of await db.selectFrom('paths').select(['id', 'title']).where('id', 'in', paths).execute()) this.#paths.set(p.id, { id: p.id, title: p.title });
    if (versions.length > 0) for (const v of await db.selectFrom('path_versions').select(['id', 'number']).where('id', 'in', versions).execute()) this.#versions.set(v.id, v.number);
    if (references.length > 0) {
      const found = await findCompetencesForGrants(db, this.tenantId, references);
      for (const ref of references) this.#catalogue.set(ref, found.get(ref) ?? null);
    }
  }
}

/** The version's grants as the completion record keeps them (evidence.grants, src/paths/engine.ts). */
function parseGrants(grants: unknown): Grant[] {
  if (!Array.isArray(grants)) return [];
  return (grants as unknown[])
    .filter((g): g is { competence: string; validMonths?: unknown } => typeof (g as { competence?: unknown } | null)?.competence === 'string')
    .map((g) => ({ competence: g.competence, validMonths: typeof g.validMonths === 'number' ? g.validMonths : null }));
}

/** What the version granted, each competence once (the first grant naming it), as grantFromCompletion documents it. */
function competencesOf(grants: readonly Grant[], completedOn: string, catalogue: ReadonlyMap<string, GrantedCompetenceRef | null>): GrantedCompetence[] {
  const result: GrantedCompetence[] = [];
  const seen = new Set<string>();
  for (const grant of grants) {
    const known = catalogue.get(grant.competence.trim().toLowerCase()) ?? null;
    const key = known?.id ?? grant.competence.trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({
      code: known?.code ?? grant.competence,
      name: known?.name ?? null,
      expiresOn: grantExpiry(completedOn, grant.validMonths, known?.defaultValidityMonths ?? null),
    });
  }
  return result;
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
  return pageAfter(db, new CompletionReader(tenantId, options.range, xmin), xmin, { after: options.after, limit: options.limit, lastId: LAST_ID });
}

/**
 * Every row after `after` that is final now, in batches of `batchSize` (memory stays flat whatever
 * the number of rows; see streamAfter for the two ways it reads), and the position past them, known
 * before the first batch.
 */
export async function completionsStream(
  db: Kysely<Schema>,
  tenantId: string,
  options: { range: CompletedRange; after: CompletionPosition; batchSize: number; serverCursor: boolean },
): Promise<{ resume: CompletionPosition; batches: AsyncGenerator<PulledCompletion[]> }> {
  const xmin = await horizon(db);
  const reader = new CompletionReader(tenantId, options.range, xmin);
  return {
    resume: upTo(xmin, options.after, LAST_ID),
    batches: streamAfter(db, reader, { after: options.after, batchSize: options.batchSize, serverCursor: options.serverCursor, cursorName: 'completions_pull' }),
  };
}
