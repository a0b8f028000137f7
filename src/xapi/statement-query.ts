import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { visibleSql, type Reader } from './visibility.js';

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

/** The content filters (agent, verb, activity, registration) on the row under `alias`; undefined when there are none. */
function matchSql(alias: string, filters: StatementFilters): RawBuilder<boolean> | undefined {
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

/**
 * Part Three §2.1.3 "Filter Conditions for StatementRefs", applied recursively: the statements the
 * StatementRef object of `s` leads to, one after another (s targets b, b targets c, …), match when
 * one of them matches the filters. Only statements the reader can see are followed, so a chain never
 * reveals anything through a statement the reader could not read; voided ones are followed (the
 * statements targeting a voided statement are still returned). UNION drops ids already walked, so
 * a cycle of references (ids are the clients' choice) ends.
 */
function targetChainMatchesSql(targetMatch: RawBuilder<boolean>, reader: Reader): RawBuilder<boolean> {
  return sql<boolean>`s.object_statement_ref is not null and exists (
    with recursive chain(id) as (
      select s.object_statement_ref
      union
      select t.object_statement_ref from chain c join xapi_statements t on t.statement_id = c.id
      where t.object_statement_ref is not null and ${visibleSql('t', reader)}
    )
    select 1 from chain c join xapi_statements t on t.statement_id = c.id where ${targetMatch} and ${visibleSql('t', reader)})`;
}

/**
 * One page of a query, after the cursor (the seq of the last statement of the page before).
 *
 * A statement matches by its own content, or because its StatementRef chain leads to a matching
 * statement (`targetChainMatchesSql`; voiding statements included, whether or not the target is
 * voided). since/until and the page apply to the statement itself. Each branch is an index walk
 * limited to one page; the union is sorted.
 */
export async function queryStatements(
  db: Kysely<Schema>,
  reader: Reader,
  filters: StatementFilters,
  page: { after?: number; limit: number },
): Promise<{ statements: StoredStatement[]; last: number | undefined; more: boolean }> {
  const direction = filters.ascending ? sql`asc` : sql`desc`;
  const common: RawBuilder<boolean>[] = [sql`s.voided = false`, visibleSql('s', reader)];
  if (filters.since) common.push(sql`s.stored > ${filters.since}`);
  if (filters.until) common.push(sql`s.stored <= ${filters.until}`);
  if (page.after !== undefined) common.push(filters.ascending ? sql`s.seq > ${page.after}` : sql`s.seq < ${page.after}`);
  const take = page.limit + 1;
  const branch = (condition: RawBuilder<boolean>) =>
    sql`(select s.seq from xapi_statements s where ${sql.join([...common, condition], sql` and `)} order by s.seq ${direction} limit ${take})`;

  const match = matchSql('s', filters);
  const targetMatch = matchSql('t', filters);
  const seqs =
    match && targetMatch
      ? sql`${branch(match)} union ${branch(targetChainMatchesSql(targetMatch, reader))}`
      : branch(sql`true`);
  const { rows } = await sql<{ seq: number; tenant_id: string; statement: Json }>`
    select s.seq, s.tenant_id, s.statement from xapi_statements s
    where s.seq in (${seqs}) order by s.seq ${direction} limit ${take}`.execute(db);
  const more = rows.length > page.limit;
  const statements = rows.slice(0, page.limit).map((row) => ({
    seq: Number(row.seq),
    tenantId: row.tenant_id,
    statement: row.statement,
  }));
  return { statements, last: statements.at(-1)?.seq, more };
}

/** GET ?statementId / ?voidedStatementId (§2.1.3): one statement, when visible and voided-ness matches. */
export async function findStatement(db: Kysely<Schema>, reader: Reader, id: string, voided: boolean): Promise<StoredStatement | undefined> {
  const row = await db
    .selectFrom('xapi_statements as s')
    .select(['s.seq', 's.tenant_id', 's.statement'])
    .where('s.statement_id', '=', id.toLowerCase())
    .where('s.voided', '=', voided)
    .where(visibleSql('s', reader))
    .executeTakeFirst();
  return row && { seq: Number(row.seq), tenantId: row.tenant_id, statement: row.statement as Json };
}
