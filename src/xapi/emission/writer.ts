import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import type { OwnStatements } from '../own-statements.js';
import { XapiInvalid } from '../validation/invalid.js';
import { validateStatement } from '../validation/statement.js';

type Json = Record<string, unknown>;

/** A statement to store and the event it was made from: a path event, or a holding event (migration 0740). */
export interface EmittedStatement {
  readonly from: EmissionSource;
  readonly statement: Json;
}

export interface EmissionSource {
  readonly kind: 'path' | 'holding';
  readonly id: number;
}

/**
 * The most statements written in one transaction. Every transaction that has a transaction id
 * holds back the commit-order horizon (src/db/commit-order.ts) that every path-events subscriber
 * reads behind, so emission writes in short transactions, one after another, rather than a batch's
 * hundreds of statements in one: an event committed meanwhile waits for one short write at most.
 */
export const STATEMENTS_PER_WRITE = 50;

/** SQLSTATE classes that say a statement's content is refused (22 data, 23 integrity, 54 limits): trying again fails again. */
const REFUSED_FOR_CONTENT = /^(22|23|54)/;

function refusedForContent(error: unknown): boolean {
  if (error instanceof XapiInvalid) return true;
  const code = (error as { code?: unknown }).code;
  // A unique violation is a write racing this one for the same id: the next pass finds it held.
  return typeof code === 'string' && code !== '23505' && REFUSED_FOR_CONTENT.test(code);
}

/**
 * Stores one tenant's statements in order, in short writes. A statement that can never be stored
 * (the LRS's validator refuses it, or the database refuses its content) is parked with the reason
 * and the rest go on; any other failure (the database unreachable, a timeout) is thrown, and the
 * dispatcher gives the batch again: what was stored already stores nothing the second time (the ids
 * are derived from the events), and a statement parked already is parked again, not twice.
 */
export async function storeEmitted(
  db: Kysely<Schema>,
  own: OwnStatements,
  tenantId: string,
  items: readonly EmittedStatement[],
  logger?: Logger,
): Promise<{ stored: number; parked: number }> {
  let stored = 0;
  const parked: { item: EmittedStatement; reason: string }[] = [];
  const valid: EmittedStatement[] = [];
  for (const item of items) {
    try {
      validateStatement(item.statement);
      valid.push(item);
    } catch (error) {
      if (!(error instanceof XapiInvalid)) throw error;
      parked.push({ item, reason: `xAPI: ${error.message}` });
    }
  }
  for (let start = 0; start < valid.length; start += STATEMENTS_PER_WRITE) {
    const chunk = valid.slice(start, start + STATEMENTS_PER_WRITE);
    try {
      stored += (await own.store(tenantId, chunk.map((c) => c.statement))).length;
      continue;
    } catch (error) {
      if (!refusedForContent(error)) throw error;
    }
    // One of them is refused: each alone, in order, to find it.
    for (const item of chunk) {
      try {
        stored += (await own.store(tenantId, [item.statement])).length;
      } catch (error) {
        if (!refusedForContent(error)) throw error;
        parked.push({ item, reason: `database: ${(error as Error).message}` });
      }
    }
  }
  if (parked.length > 0) {
    await db.insertInto('xapi_emission_parked')
      .values(parked.map(({ item, reason }) => ({
        tenant_id: tenantId, statement_id: String(item.statement['id']).toLowerCase(), reason: reason.slice(0, 2000),
        event_id: item.from.kind === 'path' ? item.from.id : null, holding_event_id: item.from.kind === 'holding' ? item.from.id : null,
      })))
      .onConflict((oc) => oc.columns(['tenant_id', 'statement_id']).doUpdateSet({ reason: (eb) => eb.ref('excluded.reason'), parked_at: new Date() }))
      .execute();
    logger?.warn({ tenant: tenantId, parked: parked.length, reason: parked[0]!.reason }, 'statements of the tool that can never be stored are parked');
  }
  return { stored, parked: parked.length };
}

/**
 * Stores statements of several tenants, each tenant's in the order given (src/xapi/emission: path
 * events and holding events alike), and adds up what was stored and parked.
 */
export async function storeByTenant(
  db: Kysely<Schema>,
  own: OwnStatements,
  byTenant: ReadonlyMap<string, readonly EmittedStatement[]>,
  logger?: Logger,
): Promise<{ stored: number; parked: number }> {
  const total = { stored: 0, parked: 0 };
  for (const [tenantId, list] of byTenant) {
    const result = await storeEmitted(db, own, tenantId, list, logger);
    total.stored += result.stored;
    total.parked += result.parked;
  }
  return total;
}

/** What an administrator sees of the tool's parked statements. */
export interface ParkedEmission {
  readonly statementId: string;
  /** The kind of event it was made from: a path event, or a holding event. */
  readonly source: EmissionSource['kind'];
  readonly eventId: number;
  readonly reason: string;
  readonly parkedAt: Date;
}

/** The tenant's parked statements, newest first, and how many there are. */
export async function parkedEmissions(db: Kysely<Schema>, tenantId: string, limit = 100): Promise<{ count: number; parked: ParkedEmission[] }> {
  const count = await db.selectFrom('xapi_emission_parked').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const rows = await db.selectFrom('xapi_emission_parked').select(['statement_id', 'event_id', 'holding_event_id', 'reason', 'parked_at'])
    .where('tenant_id', '=', tenantId).orderBy('parked_at', 'desc').orderBy('statement_id').limit(limit).execute();
  return {
    count: Number(count.n),
    parked: rows.map((r) => ({
      statementId: r.statement_id,
      source: r.event_id === null ? 'holding' as const : 'path' as const,
      eventId: Number(r.event_id ?? r.holding_event_id),
      reason: r.reason,
      parkedAt: r.parked_at,
    })),
  };
}
