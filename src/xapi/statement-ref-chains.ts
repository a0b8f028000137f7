import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { visibleSql, type Reader } from './visibility.js';

/**
 * Up to this many statements matching the filters, chains are followed from them to the statements
 * referring to them; with more, from each StatementRef statement to what it refers to.
 */
export const UPWARD_LIMIT = 1_000;

/** A statement the filters match, as a StatementRef names it: its tenant (its LRS) and its id. */
export interface RefTarget {
  readonly tenantId: string;
  readonly statementId: string;
}

/*
 * Part Three §2.1.3 "Filter Conditions for StatementRefs", applied recursively: a StatementRef
 * statement is returned when its chain (s targets b, b targets c, …) leads to a statement matching
 * the filters.
 *
 * Only statements the reader can see are followed, so a chain never reveals anything through a
 * statement the reader could not read; voided ones are followed (the statements targeting a voided
 * statement are still returned). Ids name statements of the referring statement's own tenant (each
 * tenant is its own LRS), also for a region reading its members. UNION drops what was already
 * walked, so a cycle of references (ids are the clients' choice) ends.
 *
 * Which way to walk is the caller's choice, made from the data (how many statements match), not
 * left to the planner: its estimates for a recursive query are guesses, and on a young table
 * without statistics they once made it scan every matching statement for each StatementRef (1.2 s
 * at 1,400 statements).
 */

/**
 * Up from known matches (few): the seqs of every visible statement whose chain leads to one of
 * them, one index probe per step.
 */
export async function referringSeqs(db: Kysely<Schema>, reader: Reader, targets: readonly RefTarget[]): Promise<number[]> {
  if (targets.length === 0) return [];
  const { rows } = await sql<{ seq: number }>`
    with recursive up(tenant_id, id, seq) as (
      select t.tenant_id, t.id, null::bigint from unnest(${targets.map((t) => t.tenantId)}::uuid[], ${targets.map((t) => t.statementId)}::uuid[]) as t (tenant_id, id)
      union
      select r.tenant_id, r.statement_id, r.seq from up u join xapi_statements r on r.tenant_id = u.tenant_id and r.object_statement_ref = u.id
      where ${visibleSql('r', reader)}
    )
    select distinct seq from up where seq is not null`.execute(db);
  return rows.map((row) => Number(row.seq));
}

/**
 * Down from each StatementRef statement (many matches), as a condition on the statements row `s`:
 * s is a StatementRef statement whose chain leads to a statement matching `targetMatch` (on the row
 * `t`). Used with the page's bounds, so only the StatementRef statements that can still join the
 * page are walked.
 */
export function downwardSql(reader: Reader, targetMatch: RawBuilder<boolean>): RawBuilder<boolean> {
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
