import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { referringSql } from './statement-ref-chains.js';
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
  readonly statement: Json;
  readonly attachmentHashes: readonly string[];
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

/**
 * One page of a query, after the cursor (the seq of the last statement of the page before).
 *
 * A statement matches by its own content, or because its StatementRef chain leads to a matching
 * statement (`referringSql`; voiding statements included, whether or not the target is voided).
 * since/until and the page apply to the statement itself. The direct matches are one index walk on
 * the reader's tenant, limited to one page; when that page is full, a StatementRef statement can
 * only join it if it lies before the page's last direct match, so the chains of those few are all
 * that is walked.
 */
export async function queryStatements(
  db: Kysely<Schema>,
  reader: Reader,
  filters: StatementFilters,
  page: { after?: number; limit: number },
): Promise<{ statements: StoredStatement[]; last: number | undefined; more: boolean }> {
  const { ascending } = filters;
  const direction = ascending ? sql`asc` : sql`desc`;
  const common: RawBuilder<boolean>[] = [sql`s.voided = false`, visibleSql('s', reader)];
  if (filters.since) common.push(sql`s.stored > ${filters.since}`);
  if (filters.until) common.push(sql`s.stored <= ${filters.until}`);
  const take = page.limit + 1;
  const pageOf = async (condition: RawBuilder<boolean>, after: number | undefined, before?: number): Promise<number[]> => {
    const where = [...common, condition];
    if (after !== undefined) where.push(ascending ? sql`s.seq > ${after}` : sql`s.seq < ${after}`);
    if (before !== undefined) where.push(ascending ? sql`s.seq < ${before}` : sql`s.seq > ${before}`);
    const { rows } = await sql<{ seq: string }>`select s.seq from xapi_statements s
      where ${sql.join(where, sql` and `)} order by s.seq ${direction} limit ${take}`.execute(db);
    return rows.map((row) => Number(row.seq));
  };

  const tenants = readableTenants(reader);
  const match = matchSql('s', filters, tenants);
  let seqs: number[];
  if (!match) {
    seqs = await pageOf(sql`true`, page.after);
  } else {
    const direct = await pageOf(match, page.after);
    const pageEnd = direct.length === take ? direct.at(-1) : undefined;
    const chains = await referringSql(db, reader, match, matchSql('t', filters, tenants) as RawBuilder<boolean>, pageEnd !== undefined);
    const referring = chains ? await pageOf(chains, page.after, pageEnd) : [];
    seqs = [...new Set([...direct, ...referring])].sort((x, y) => (ascending ? x - y : y - x)).slice(0, take);
  }
  if (seqs.length === 0) return { statements: [], last: undefined, more: false };
  const { rows } = await sql<{ seq: string; statement: Json; attachment_hashes: string[] }>`
    select s.seq, s.statement, s.attachment_hashes from xapi_statements s
    where s.seq = any(${seqs}::bigint[]) order by s.seq ${direction}`.execute(db);
  const more = rows.length > page.limit;
  const statements = rows.slice(0, page.limit).map((row) => ({
    seq: Number(row.seq),
    statement: row.statement,
    attachmentHashes: row.attachment_hashes,
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
    .select(['s.seq', 's.statement', 's.attachment_hashes'])
    .where('s.statement_id', '=', id.toLowerCase())
    .where('s.voided', '=', voided)
    .where(visibleSql('s', reader))
    .orderBy(sql`s.tenant_id = ${reader.client.tenantId}`, 'desc')
    .orderBy('s.seq')
    .limit(1)
    .executeTakeFirst();
  return row && { seq: Number(row.seq), statement: row.statement as Json, attachmentHashes: row.attachment_hashes };
}

export async function loadAttachments(db: Kysely<Schema>, hashes: readonly string[]): Promise<{ sha2: string; contentType: string; content: Buffer }[]> {
  if (hashes.length === 0) return [];
  const rows = await db
    .selectFrom('xapi_attachments')
    .select(['sha2', 'content_type', 'content'])
    .where('sha2', 'in', [...new Set(hashes.map((h) => h.toLowerCase()))])
    .execute();
  return rows.map((row) => ({ sha2: row.sha2, contentType: row.content_type, content: Buffer.from(row.content) }));
}
