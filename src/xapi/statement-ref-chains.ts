import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { visibleSql, type Reader } from './visibility.js';

/**
 * Up to this many statements matching the filters, chains are followed from them to the statements
 * referring to them; with more, from each StatementRef statement to what it refers to.
 */
export const UPWARD_LIMIT = 1_000;

/**
 * Part Three §2.1.3 "Filter Conditions for StatementRefs", applied recursively, as a condition on
 * the statements row `s`: s is a StatementRef statement whose chain (s targets b, b targets c, …)
 * leads to a statement matching the filters (`targetMatch`, on the row `t`).
 *
 * Only statements the reader can see are followed, so a chain never reveals anything through a
 * statement the reader could not read; voided ones are followed (the statements targeting a voided
 * statement are still returned). Ids name statements of the referring statement's own tenant (each
 * tenant is its own LRS), also for a region reading its members. UNION drops what was already
 * walked, so a cycle of references (ids are the clients' choice) ends.
 *
 * Which way to walk is decided here, from the data, not left to the planner: its estimates for a
 * recursive query are guesses, and on a young table without statistics they once made it scan every
 * matching statement for each StatementRef (1.2 s at 1,400 statements). `bounded`: the caller
 * only looks at the StatementRef statements after the last direct match of a full page (few), so
 * walk down from each of them. Otherwise few matches (an agent, a registration): walk up from them,
 * one index probe per step; many: walk down from each StatementRef statement in page order.
 * Undefined when no statement matches at all: no chain can lead anywhere.
 */
export async function referringSql(
  db: Kysely<Schema>,
  reader: Reader,
  match: RawBuilder<boolean>,
  targetMatch: RawBuilder<boolean>,
  bounded: boolean,
  upwardLimit: number = UPWARD_LIMIT,
): Promise<RawBuilder<boolean> | undefined> {
  if (bounded) return downwardSql(reader, targetMatch);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (
    select 1 from xapi_statements s where ${visibleSql('s', reader)} and ${match} limit ${upwardLimit + 1}) m`.execute(db);
  const matching = rows[0]?.n ?? 0;
  if (matching === 0) return undefined;
  return matching <= upwardLimit ? upwardSql(reader, targetMatch) : downwardSql(reader, targetMatch);
}

function upwardSql(reader: Reader, targetMatch: RawBuilder<boolean>): RawBuilder<boolean> {
  return sql<boolean>`s.object_statement_ref is not null and (s.tenant_id, s.statement_id) in (
    with recursive up(tenant_id, id) as (
      select t.tenant_id, t.statement_id from xapi_statements t where ${visibleSql('t', reader)} and ${targetMatch}
      union
      select r.tenant_id, r.statement_id from up u join xapi_statements r on r.tenant_id = u.tenant_id and r.object_statement_ref = u.id
      where ${visibleSql('r', reader)}
    )
    select tenant_id, id from up)`;
}

function downwardSql(reader: Reader, targetMatch: RawBuilder<boolean>): RawBuilder<boolean> {
  return sql<boolean>`s.object_statement_ref is not null and exists (
    with recursive chain(id, hit) as (
      select s.object_statement_ref, false
      union
      select t.object_statement_ref, coalesce(${targetMatch}, false)
      from chain c join xapi_statements t on t.tenant_id = s.tenant_id and t.statement_id = c.id
      where not c.hit and ${visibleSql('t', reader)}
    )
    select 1 from chain where hit)`;
}
