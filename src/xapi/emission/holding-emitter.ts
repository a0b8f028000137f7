import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { settled } from '../../db/commit-order.js';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import { PollingLoop } from '../../background/polling-loop.js';
import { osloDate } from '../../oslo-date.js';
import type { OwnStatements } from '../own-statements.js';
import { loadHoldingFacts, statementForHoldingEvent, type HoldingEvent } from './holding-statements.js';
import { storeByTenant, type EmittedStatement } from './writer.js';

/** The cursor's name in competence_holding_event_cursors. */
export const HOLDING_STATEMENTS_SUBSCRIBER = 'xapi-holding-statements';

export interface HoldingEmitterOptions {
  readonly db: Kysely<Schema>;
  readonly statements: OwnStatements;
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** How often the expiry sweep runs (it also runs at start). */
  readonly sweepIntervalMs?: number;
  readonly leaseMs?: number;
  /** Today in Europe/Oslo (tests move it). */
  readonly today?: () => string;
}

/**
 * Holdings granted, revoked and expired become the tool's own xAPI statements in the person's
 * municipality's LRS (docs/xapi-profile.md). The events are written by the database's triggers in
 * the transaction that records the holding or its revocation, and by the expiry sweep (migration
 * 0740); this worker reads them in commit order behind a leased cursor, as the path-events
 * dispatcher does, and stores their statements through the same writer as the path events' (short
 * writes, parking what can never be stored). A batch that fails comes again; statement ids derived
 * from the holding and the event type make a second delivery store nothing.
 */
export class HoldingStatementEmitter {
  readonly #db: Kysely<Schema>;
  readonly #statements: OwnStatements;
  readonly #publicUrl: string;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #sweepIntervalMs: number;
  readonly #leaseMs: number;
  readonly #today: () => string;
  readonly #owner = randomUUID();
  readonly #loop: PollingLoop<number>;
  #sweptAt = 0;

  constructor(options: HoldingEmitterOptions) {
    this.#db = options.db;
    this.#statements = options.statements;
    this.#publicUrl = options.publicUrl;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 200;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#today = options.today ?? (() => osloDate());
    this.#loop = new PollingLoop({
      pass: () => this.#pass(),
      intervalMs: options.pollIntervalMs ?? 1000,
      // A batch short of full was the last one behind the cursor.
      moreWaiting: (delivered) => delivered >= this.#batchSize,
      unref: true,
      failure: { logger: this.#logger, level: 'warn', message: 'holding statements: a pass failed; it is tried again' },
    });
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  async #pass(): Promise<number> {
    if (Date.now() - this.#sweptAt >= this.#sweepIntervalMs) {
      await this.sweepExpired();
      this.#sweptAt = Date.now();
    }
    return this.runOnce();
  }

  /**
   * Announces the holdings whose expiry day has come (Europe/Oslo) and that were not revoked: their
   * pending rows go and their 'expired' events come in one statement, so each is announced exactly
   * once, whatever sweeps run at once or stop half-way. Returns how many.
   */
  async sweepExpired(): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      with due as (
        delete from competence_holding_expiries where expires_on <= ${this.#today()}::date returning holding_id, tenant_id, expires_on
      ),
      written as (
        insert into competence_holding_events (tenant_id, holding_id, type)
        select tenant_id, holding_id, 'expired' from due order by expires_on, holding_id
        on conflict (holding_id, type) do nothing
        returning 1
      )
      select count(*)::int as n from written`.execute(this.#db);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) this.#logger.info({ expired: n }, 'holdings past their expiry announced');
    return n;
  }

  /** One batch behind the cursor, if this instance holds the lease; returns how many events were handled. */
  async runOnce(): Promise<number> {
    const db = this.#db;
    await db.insertInto('competence_holding_event_cursors').values({ subscriber: HOLDING_STATEMENTS_SUBSCRIBER }).onConflict((oc) => oc.doNothing()).execute();
    const cursor = await db.updateTable('competence_holding_event_cursors')
      .set({ lease_owner: this.#owner, leased_until: new Date(Date.now() + this.#leaseMs), updated_at: new Date() })
      .where('subscriber', '=', HOLDING_STATEMENTS_SUBSCRIBER)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.#owner), eb('leased_until', '<', sql<Date>`now()`)]))
      .returning(['last_xid', 'last_id'])
      .executeTakeFirst();
    if (!cursor) return 0; // another instance holds it
    let moved: { xid: number; id: number } | undefined;
    try {
      const rows = await db.selectFrom('competence_holding_events')
        .select(['id', 'xid', 'type', 'tenant_id', 'holding_id'])
        .where(sql<boolean>`(xid, id) > (${cursor.last_xid}::bigint, ${cursor.last_id}::bigint)`)
        .where(settled())
        .orderBy('xid').orderBy('id')
        .limit(this.#batchSize)
        .execute();
      if (rows.length === 0) return 0;
      const events: HoldingEvent[] = rows.map((r) => ({ id: Number(r.id), type: r.type, tenantId: r.tenant_id, holdingId: r.holding_id }));
      await this.emit(events);
      const last = rows.at(-1)!;
      moved = { xid: Number(last.xid), id: Number(last.id) };
      return rows.length;
    } finally {
      await db.updateTable('competence_holding_event_cursors')
        .set({ lease_owner: null, leased_until: null, ...(moved ? { last_xid: moved.xid, last_id: moved.id, updated_at: new Date() } : {}) })
        .where('subscriber', '=', HOLDING_STATEMENTS_SUBSCRIBER).where('lease_owner', '=', this.#owner).execute();
    }
  }

  async emit(events: readonly HoldingEvent[]): Promise<{ stored: number; parked: number }> {
    return storeHoldingStatements(this.#db, this.#statements, this.#publicUrl, events, this.#logger);
  }
}

/** Makes and stores the statements of holding events, each tenant's in event order (also a re-drive of parked ones). */
export async function storeHoldingStatements(
  db: Kysely<Schema>,
  statements: OwnStatements,
  publicUrl: string,
  events: readonly HoldingEvent[],
  logger?: Logger,
): Promise<{ stored: number; parked: number }> {
  const facts = await loadHoldingFacts(db, events, publicUrl);
  const byTenant = new Map<string, EmittedStatement[]>();
  events.forEach((event, i) => {
    const known = facts[i];
    const statement = known && statementForHoldingEvent(event, known, publicUrl);
    if (!statement || !known) return;
    // The holding's municipality: the person's when it was recorded.
    const tenantId = known.municipality.id;
    const list = byTenant.get(tenantId) ?? [];
    list.push({ from: { kind: 'holding', id: event.id }, statement });
    byTenant.set(tenantId, list);
  });
  return storeByTenant(db, statements, byTenant, logger);
}
