import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { referringSql, UPWARD_LIMIT } from './statement-ref-chains.js';
import { readableTenants, visibleSql, type Reader } from './visibility.js';

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

export interface StoredStatement {
  readonly seq: number;
  /** The tenant of the client that wrote it (its attachments are that tenant's). */
  readonly tenantId: string;
  readonly statement: Json;
}

/**
 * `related_agents` / `related_activities`: the array holds the key, matched through the GIN index
 * over the tenant-prefixed array (migration 0303), so only the readable tenants' rows are found.
 */
function relatedSql(alias: string, column: string, key: string, tenants: readonly string[]): RawBuilder<boolean> {
  const keys = tenants.map((tenant) => `${tenant} ${key}`);
  return sql<boolean>`xapi_tenant_keys(${sql.ref(`${alias}.tenant_id`)}, ${sql.ref(`${alias}.${column}`)}) && ${keys}::text[]`;
}

/** The content filters (agent, verb, activity, registration) on the row under `alias`; undefined when there are none. */
export function matchSql(alias: string, filters: StatementFilters, tenants: readonly string[]): RawBuilder<boolean> | undefined {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const parts: RawBuilder<boolean>[] = [];
  const { agentKey, verb, activity, registration } = filters;
  if (agentKey !== undefined) {
    parts.push(
      filters.relatedAgents
        ? relatedSql(alias, 'related_agent_keys', agentKey, tenants)
        : sql`(${col('actor_key')} = ${agentKey} or ${col('object_agent_key')} = ${agentKey})`,
    );
  }
  if (verb !== undefined) parts.push(sql`${col('verb_id')} = ${verb}`);
  if (activity !== undefined) {
    parts.push(
      filters.relatedActivities
        ? relatedSql(alias, 'related_activity_ids', activity, tenants)
        : sql`${col('object_activity_id')} = ${activity}`,
    );
  }
  if (registration !== undefined) parts.push(sql`${col('registration')} = ${registration.toLowerCase()}`);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` and `)})` : undefined;
}

/** Where a statement stands in the order pages follow: `stored`, then seq (insertion order) for ties. */
interface Position {
  readonly seq: number;
  /** `stored` as PostgreSQL prints it, microseconds included. */
  readonly stored: string;
  /** `stored` in microseconds since 1970, for ordering here. */
  readonly at: bigint;
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
 * statement (`referringSql`; voiding statements included, whether or not the target is voided).
 * since/until and the page apply to the statement itself. The direct matches are one index range
 * walk on the reader's tenant, limited to one page; when that page is full, a StatementRef
 * statement can only join it if it lies before the page's last direct match, so the chains of those
 * few are all that is walked.
 */
export async function queryStatements(
  db: Kysely<Schema>,
  reader: Reader,
  filters: StatementFilters,
  page: { after?: number; limit: number },
  /** Up to how many matches StatementRef chains are walked up from them (tests set it to try both ways). */
  upwardLimit: number = UPWARD_LIMIT,
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
  const pageOf = async (condition: RawBuilder<boolean>, end?: Position): Promise<Position[]> => {
    const where = end ? [...common, condition, past(end, false)] : [...common, condition];
    const { rows } = await sql<{ seq: string; stored: string; at: string }>`
      select s.seq, s.stored::text as stored, (extract(epoch from s.stored) * 1000000)::bigint::text as at
      from xapi_statements s where ${sql.join(where, sql` and `)}
      order by s.stored ${direction}, s.seq ${direction} limit ${take}`.execute(db);
    return rows.map((row) => ({ seq: Number(row.seq), stored: row.stored, at: BigInt(row.at) }));
  };

  const tenants = readableTenants(reader);
  const match = matchSql('s', filters, tenants);
  let positions: Position[];
  if (!match) {
    positions = await pageOf(sql`true`);
  } else {
    const direct = await pageOf(match);
    const pageEnd = direct.length === take ? direct.at(-1) : undefined;
    const chains = await referringSql(db, reader, match, matchSql('t', filters, tenants) as RawBuilder<boolean>, pageEnd !== undefined, upwardLimit);
    const referring = chains ? await pageOf(chains, pageEnd) : [];
    const bySeq = new Map([...direct, ...referring].map((p) => [p.seq, p]));
    const order = (x: Position, y: Position) => (x.at === y.at ? x.seq - y.seq : x.at < y.at ? -1 : 1);
    positions = [...bySeq.values()].sort((x, y) => (ascending ? order(x, y) : order(y, x))).slice(0, take);
  }
  if (positions.length === 0) return { statements: [], last: undefined, more: false };
  const { rows } = await sql<{ seq: string; tenant_id: string; statement: Json }>`
    select s.seq, s.tenant_id, s.statement from xapi_statements s
    where s.seq = any(${positions.map((p) => p.seq)}::bigint[]) order by s.stored ${direction}, s.seq ${direction}`.execute(db);
  const more = rows.length > page.limit;
  const statements = rows.slice(0, page.limit).map((row) => ({
    seq: Number(row.seq),
    tenantId: row.tenant_id,
    statement: row.statement,
  }));
  return { statements, last: statements.at(-1)?.seq, more };
}

/**
 * GET ?statementId / ?voidedStatementId (§2.1.3): one statement, when visible and voided-ness
 * matches. A region reading its members can see one id in several tenants: its own comes first,
 * then the first stored.
 */
export async function findStatement(db: Kysely<Schema>, reader: Reader, id: string, voided: boolean): Promise<StoredStatement | undefined> {
  const row = await db
    .selectFrom('xapi_statements as s')
    .select(['s.seq', 's.tenant_id', 's.statement'])
    .where('s.statement_id', '=', id.toLowerCase())
    .where('s.voided', '=', voided)
    .where(visibleSql('s', reader))
    .orderBy(sql`s.tenant_id = ${reader.client.tenantId}`, 'desc')
    .orderBy('s.seq')
    .limit(1)
    .executeTakeFirst();
  return row && { seq: Number(row.seq), tenantId: row.tenant_id, statement: row.statement as Json };
}
