import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { downwardSql, referringSeqs, UPWARD_LIMIT, type RefTarget } from './statement-ref-chains.js';
import { readableTenants, readsOnlyOwn, visibleSql, type Reader } from './visibility.js';

type Json = Record<string, unknown>;

/** The filters of xAPI 1.0.3 Part Three §2.1.3, already parsed and validated. */
export interface StatementFilters {
  agentKey?: string;
  verb?: string;
  activity?: string;
  registration?: string;
  relatedActivities: boolean;
  relatedAgents: boolean;
  since?: Date;
  until?: Date;
  ascending: boolean;
}

/** A statement as read: its JSON text as PostgreSQL prints it, parsed only when something looks inside. */
export class StoredStatement {
  #parsed: Json | undefined;

  constructor(
    readonly seq: number,
    /** The tenant of the client that wrote it (its attachments are that tenant's). */
    readonly tenantId: string,
    /** The stored statement as JSON text: what format=exact sends, unparsed. */
    readonly text: string,
  ) {}

  get statement(): Json {
    this.#parsed ??= JSON.parse(this.text) as Json;
    return this.#parsed;
  }
}

/** The content filters (agent, verb, activity, registration) on the row under `alias`; undefined when there are none. */
export function matchSql(alias: string, filters: StatementFilters): RawBuilder<boolean> | undefined {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const parts: RawBuilder<boolean>[] = [];
  const { agentKey, verb, activity, registration } = filters;
  if (agentKey !== undefined) {
    parts.push(
      filters.relatedAgents
        ? sql`${col('related_agent_keys')} @> array[${agentKey}]::text[]`
        : sql`(${col('actor_key')} = ${agentKey} or ${col('object_agent_key')} = ${agentKey})`,
    );
  }
  if (verb !== undefined) parts.push(sql`${col('verb_id')} = ${verb}`);
  if (activity !== undefined) {
    parts.push(
      filters.relatedActivities
        ? sql`${col('related_activity_ids')} @> array[${activity}]::text[]`
        : sql`${col('object_activity_id')} = ${activity}`,
    );
  }
  if (registration !== undefined) parts.push(sql`${col('registration')} = ${registration.toLowerCase()}`);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` and `)})` : undefined;
}

/** The tokens of migration 0305 a statement of `tenant` matching the content filters holds, every one. */
function filterTokens(filters: StatementFilters, tenant: string): string[] {
  const tokens: string[] = [];
  const { agentKey, verb, activity, registration } = filters;
  if (agentKey !== undefined) tokens.push(`${tenant} ${filters.relatedAgents ? 'related-agent' : 'agent'} ${agentKey}`);
  if (verb !== undefined) tokens.push(`${tenant} verb ${verb}`);
  if (activity !== undefined) tokens.push(`${tenant} ${filters.relatedActivities ? 'related-activity' : 'activity'} ${activity}`);
  if (registration !== undefined) tokens.push(`${tenant} registration ${registration.toLowerCase()}`);
  return tokens;
}

/** What the filters' index tells of the statements matching the content filters. */
type Matches =
  /** All of them, whatever their `stored` and voided or not (at most the upward limit). */
  | { readonly kind: 'few'; readonly matches: (RefTarget & { seq: number })[] }
  /** More, but at most the sort limit: the seqs of the first page of them in the window, in page order. */
  | { readonly kind: 'sorted'; readonly seqs: number[] }
  | { readonly kind: 'many' };

/**
 * How many statements match the content filters, up to a limit, and which. One filter alone is read
 * from its own btree; walking that btree finds a page of many matches in order, so only `few` is told
 * apart from `many`. A combination (or a related_* filter) is one GIN scan intersecting the filters'
 * tokens (migration 0305), so a combination matching nothing costs as little as one matching a few,
 * however many statements each filter alone matches; its condition is the token containment alone
 * (the tokens name the tenant), so the planner has no btree to prefer. No btree orders such matches
 * by `stored` (a walk looks through every statement of the window for them, the whole table when
 * they are 1 %), so up to the sort limit their places (seq, `stored`) are read from that one scan
 * and sorted, and only the page is read whole afterwards.
 */
async function matchesOf(
  db: Kysely<Schema>,
  reader: Reader,
  filters: StatementFilters,
  window: { readonly inside: RawBuilder<boolean>; readonly direction: RawBuilder<unknown>; readonly take: number },
  tuning: QueryTuning,
): Promise<Matches> {
  const { upwardLimit } = tuning;
  if (onOneIndex(filters)) {
    const match = matchSql('s', filters) as RawBuilder<boolean>;
    const { rows } = await sql<{ seq: number; tenant_id: string; statement_id: string }>`
      select s.seq, s.tenant_id, s.statement_id from xapi_statements s
      where ${visibleSql('s', reader)} and ${match} limit ${upwardLimit + 1}`.execute(db);
    if (rows.length > upwardLimit) return { kind: 'many' };
    return { kind: 'few', matches: rows.map((row) => ({ seq: Number(row.seq), tenantId: row.tenant_id, statementId: row.statement_id })) };
  }
  const sortLimit = Math.max(tuning.sortLimit, upwardLimit);
  // One row carries the count alone (seq null); then either every match or the first page of the window.
  const { rows } = await sql<{ seq: string | null; tenant_id: string; statement_id: string; n: number }>`
    with m as materialized (
      select s.seq, s.tenant_id, s.statement_id, s.stored, ${window.inside} as inside
      from xapi_statements s where ${tokenSql(reader, filters)} limit ${sortLimit + 1}),
    counted as (select count(*)::int as n from m)
    select null::bigint as seq, null::uuid as tenant_id, null::uuid as statement_id, counted.n from counted
    union all
    select m.seq, m.tenant_id, m.statement_id, counted.n from m, counted where counted.n <= ${upwardLimit}
    union all
    (select m.seq, m.tenant_id, m.statement_id, counted.n from m, counted
     where counted.n > ${upwardLimit} and counted.n <= ${sortLimit} and m.inside
     order by m.stored ${window.direction}, m.seq ${window.direction} limit ${window.take})`.execute(db);
  const n = Number(rows[0]?.n ?? 0);
  const found = rows.filter((row) => row.seq !== null);
  if (n <= upwardLimit) {
    return { kind: 'few', matches: found.map((row) => ({ seq: Number(row.seq), tenantId: row.tenant_id, statementId: row.statement_id })) };
  }
  return n <= sortLimit ? { kind: 'sorted', seqs: found.map((row) => Number(row.seq)) } : { kind: 'many' };
}

/**
 * One filter with a btree of its own (agent, verb, activity, registration; not related_*): reading
 * up to the limit from that index costs at most the limit, where the tokens' posting list would be
 * read whole, and walking it finds a page in order.
 */
function onOneIndex(filters: StatementFilters): boolean {
  const { agentKey, verb, activity, registration } = filters;
  const given = [agentKey, verb, activity, registration].filter((value) => value !== undefined).length;
  return given === 1 && !(agentKey !== undefined && filters.relatedAgents) && !(activity !== undefined && filters.relatedActivities);
}

function tokenSql(reader: Reader, filters: StatementFilters): RawBuilder<boolean> {
  const keys = sql`xapi_filter_keys(s.tenant_id, s.actor_key, s.object_agent_key, s.verb_id, s.object_activity_id, s.registration, s.related_agent_keys, s.related_activity_ids)`;
  const anyTenant = sql.join(
    readableTenants(reader).map((tenant) => sql`${keys} @> ${filterTokens(filters, tenant)}::text[]`),
    sql` or `,
  );
  return readsOnlyOwn(reader.client) ? sql<boolean>`(${anyTenant}) and s.client_id = ${reader.client.id}` : sql<boolean>`(${anyTenant})`;
}

/**
 * How many statements of the window, in page order, are looked through for a page of dense matches
 * before anything else (a page needs more than a quarter of them to match).
 */
const NEAR_ROWS = 2_000;

/** Up to how many statements a walk is expected to look through, judged from the matches near, before the tokens are asked instead. */
const WALK_ROWS = 50_000;

/**
 * Up to how many matches of a combination or related_* filter are sorted rather than walked for.
 * Finding that there are more costs reading this many of them (18 ms at 5,000,000 statements), so
 * it is asked only when the table can hold so few.
 */
const SORT_LIMIT = 3_000;

/** How many statements a walk may look through per match that would be sorted instead. */
const SORTED_WALK_ROWS = 5;

export interface QueryTuning {
  /** Up to how many matches StatementRef chains are walked up from them. */
  readonly upwardLimit: number;
  /** How many statements are looked through for a page of dense matches first. */
  readonly nearRows: number;
  /** Up to how many statements a walk is expected to look through, judged from the matches near, before the tokens are asked instead. */
  readonly walkRows: number;
  /** Up to how many matches found by the filters' tokens are sorted by `stored` rather than walked. */
  readonly sortLimit: number;
}

/** Where a statement stands in the order pages follow: `stored`, then seq (insertion order) for ties. */
interface Position {
  readonly seq: number;
  /** `stored` as PostgreSQL prints it, microseconds included. */
  readonly stored: string;
  /** `stored` in microseconds since 1970, for ordering here. */
  readonly at: bigint;
}

/** A statement of a page: where it stands, whose it is and its JSON text. */
interface Found extends Position {
  readonly tenantId: string;
  readonly text: string;
}

type FoundRow = { seq: string; stored: string; at: string; tenant_id: string; text: string };

const found = (row: FoundRow): Found => ({ seq: Number(row.seq), stored: row.stored, at: BigInt(row.at), tenantId: row.tenant_id, text: row.text });

/** How many statements the table holds by its statistics (ANALYZE, which the LRS runs as it grows); 0 when never counted. */
async function tableRows(db: Kysely<Schema>): Promise<number> {
  const { rows } = await sql<{ rows: number }>`select greatest(reltuples, 0)::float8 as rows from pg_class where oid = 'xapi_statements'::regclass`.execute(db);
  return Number(rows[0]?.rows ?? 0);
}

async function positionOf(db: Kysely<Schema>, seq: number): Promise<Position | undefined> {
  const { rows } = await sql<{ stored: string; at: string }>`
    select s.stored::text as stored, (extract(epoch from s.stored) * 1000000)::bigint::text as at
    from xapi_statements s where s.seq = ${seq}`.execute(db);
  const row = rows[0];
  return row && { seq, stored: row.stored, at: BigInt(row.at) };
}

/**
 * One page of a query, after the cursor (the seq of the last statement of the page before), in
 * `stored` order (§2.1.3; newest first unless ascending).
 *
 * A statement matches by its own content, or because its StatementRef chain leads to a matching
 * statement (statement-ref-chains.ts; voiding statements included, whether or not the target is
 * voided). since/until and the page apply to the statement itself. First the filters' tokens tell
 * whether few statements match (at most `upwardLimit`, at any time): then those and the chains up
 * from them are all there is, read by seq. Otherwise the direct matches of the page are the first of
 * the sorted matches (at most `sortLimit`, combinations and related_* only) or one index range walk
 * on the reader's tenant, limited to one page; when that page is full, a StatementRef statement can
 * only join it if it lies before the page's last direct match, so the chains of those few are all
 * that is walked.
 */
export async function queryStatements(
  db: Kysely<Schema>,
  reader: Reader,
  filters: StatementFilters,
  page: { after?: number; limit: number },
  /** Tests set these to try every way. */
  tuning: QueryTuning = { upwardLimit: UPWARD_LIMIT, nearRows: NEAR_ROWS, walkRows: WALK_ROWS, sortLimit: SORT_LIMIT },
): Promise<{ statements: StoredStatement[]; last: number | undefined; more: boolean }> {
  const { ascending } = filters;
  const direction = ascending ? sql`asc` : sql`desc`;
  const common: RawBuilder<boolean>[] = [sql`s.voided = false`, visibleSql('s', reader)];
  if (filters.since) common.push(sql`s.stored > ${filters.since}`);
  if (filters.until) common.push(sql`s.stored <= ${filters.until}`);
  const take = page.limit + 1;
  const past = (p: Position, beyond: boolean) =>
    ascending === beyond
      ? sql<boolean>`(s.stored, s.seq) > (${p.stored}::timestamptz, ${p.seq}::bigint)`
      : sql<boolean>`(s.stored, s.seq) < (${p.stored}::timestamptz, ${p.seq}::bigint)`;
  const cursor = page.after === undefined ? undefined : await positionOf(db, page.after);
  if (cursor) common.push(past(cursor, true));
  const pageOf = async (condition: RawBuilder<boolean>, end?: Position): Promise<Found[]> => {
    const where = end ? [...common, condition, past(end, false)] : [...common, condition];
    const { rows } = await sql<FoundRow>`
      select s.seq, s.stored::text as stored, (extract(epoch from s.stored) * 1000000)::bigint::text as at, s.tenant_id, s.statement::text as text
      from xapi_statements s where ${sql.join(where, sql` and `)}
      order by s.stored ${direction}, s.seq ${direction} limit ${take}`.execute(db);
    return rows.map(found);
  };

  /** The first page of matches among the next `rows` statements of the window in page order (dense matches fill it). */
  const nearPageOf = async (condition: RawBuilder<boolean>, rows: number): Promise<Found[]> => {
    // The statement is printed for the matches only (outside the subquery).
    const { rows: near } = await sql<FoundRow>`
      select w.seq, w.stored::text as stored, (extract(epoch from w.stored) * 1000000)::bigint::text as at, w.tenant_id, w.statement::text as text from (
        select s.seq, s.stored, s.tenant_id, s.statement, ${condition} as hit from xapi_statements s where ${sql.join(common, sql` and `)}
        order by s.stored ${direction}, s.seq ${direction} limit ${rows}) w
      where w.hit order by w.stored ${direction}, w.seq ${direction} limit ${take}`.execute(db);
    return near.map(found);
  };

  const match = matchSql('s', filters);
  let positions: Found[];
  if (!match) {
    positions = await pageOf(sql`true`);
  } else {
    // Dense matches fill a page within the next few statements; otherwise the tokens tell whether the
    // matches are few (read exactly those) or many (walk the best index for them).
    const nearRows = Math.max(tuning.nearRows, 4 * take);
    const near = await nearPageOf(match, nearRows);
    // Matches found near but too few for a page: a walk of the expected length fills it.
    const walkRows = near.length > 0 ? (take / near.length) * nearRows : Infinity;
    let walk = near.length === take || walkRows <= tuning.walkRows;
    // Sorting n matches found by the tokens reads about n table pages where a walk reads one per few
    // statements (about five). Whether they can be few enough to sort is judged from the density near
    // and the whole table: if so, the tokens are asked before a long walk; if not, they are asked
    // only whether the matches are few (counting up to the sort limit would cost as much as sorting).
    let { sortLimit } = tuning;
    if (near.length > 0 && near.length < take && !onOneIndex(filters) && walkRows > SORTED_WALK_ROWS * sortLimit) {
      if ((near.length / nearRows) * (await tableRows(db)) <= sortLimit) walk = false;
      else sortLimit = 0;
    }
    const matches: Matches = walk
      ? { kind: 'many' }
      : await matchesOf(db, reader, filters, { inside: sql.join(common, sql` and `), direction, take }, { ...tuning, sortLimit });
    if (matches.kind === 'few' && matches.matches.length === 0) return { statements: [], last: undefined, more: false };
    if (matches.kind === 'few') {
      const seqs = [...matches.matches.map((m) => m.seq), ...(await referringSeqs(db, reader, matches.matches))];
      positions = await pageOf(sql`s.seq = any(${seqs}::bigint[])`);
    } else {
      const direct =
        matches.kind === 'sorted' ? await pageOf(sql`s.seq = any(${matches.seqs}::bigint[])`) : near.length === take ? near : await pageOf(match);
      const pageEnd = direct.length === take ? direct.at(-1) : undefined;
      const referring = await pageOf(downwardSql(reader, matchSql('t', filters) as RawBuilder<boolean>), pageEnd);
      const bySeq = new Map([...direct, ...referring].map((p) => [p.seq, p]));
      const order = (x: Found, y: Found) => (x.at === y.at ? x.seq - y.seq : x.at < y.at ? -1 : 1);
      positions = [...bySeq.values()].sort((x, y) => (ascending ? order(x, y) : order(y, x))).slice(0, take);
    }
  }
  const statements = positions.slice(0, page.limit).map((p) => new StoredStatement(p.seq, p.tenantId, p.text));
  return { statements, last: statements.at(-1)?.seq, more: positions.length > page.limit };
}

/**
 * GET ?statementId / ?voidedStatementId (§2.1.3): one statement, when visible and voided-ness
 * matches. A region reading its members can see one id in several tenants: its own comes first,
 * then the first stored.
 */
export async function findStatement(db: Kysely<Schema>, reader: Reader, id: string, voided: boolean): Promise<StoredStatement | undefined> {
  const row = await db
    .selectFrom('xapi_statements as s')
    .select(['s.seq', 's.tenant_id', sql<string>`s.statement::text`.as('text')])
    .where('s.statement_id', '=', id.toLowerCase())
    .where('s.voided', '=', voided)
    .where(visibleSql('s', reader))
    .orderBy(sql`s.tenant_id = ${reader.client.tenantId}`, 'desc')
    .orderBy('s.seq')
    .limit(1)
    .executeTakeFirst();
  return row && new StoredStatement(Number(row.seq), row.tenant_id, row.text);
}
