import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { EVENT_COLUMNS, toPathEvent } from './events.js';
import type { PathEventHandler } from './ports.js';

export interface DispatcherOptions {
  readonly db: Kysely<Schema>;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** How long one instance may hold a subscriber before another may take over. */
  readonly leaseMs?: number;
}

/**
 * THE interface through which path events leave the engine (LTI grade passback, xAPI statements,
 * competence records). Each subscriber has its own cursor in the database and gets every event
 * at least once, in commit order: the cursor moves only after its handler resolved, and a handler
 * that throws gets the same event again on the next pass. Handlers deduplicate by event id.
 */
export class PathEventDispatcher {
  readonly #db: Kysely<Schema>;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #owner = randomUUID();
  readonly #handlers = new Map<string, PathEventHandler>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;

  constructor(options: DispatcherOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 100;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#leaseMs = options.leaseMs ?? 30_000;
  }

  /** Registers a subscriber by a stable name (its cursor is kept under that name). */
  subscribe(name: string, handler: PathEventHandler): void {
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(name)) throw new Error(`subscriber name ${name} must be lower-case letters, digits, . _ -`);
    if (this.#handlers.has(name)) throw new Error(`subscriber ${name} is already registered`);
    this.#handlers.set(name, handler);
  }

  /** One pass over every subscriber; returns how many events were delivered. */
  runOnce(): Promise<number> {
    this.#running ??= this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = async () => {
      try {
        const delivered = await this.runOnce();
        if (!this.#stopped) this.#timer = setTimeout(() => void tick(), delivered > 0 ? 0 : this.#pollIntervalMs);
      } catch (error) {
        this.#logger.error({ err: error }, 'path event dispatch failed');
        if (!this.#stopped) this.#timer = setTimeout(() => void tick(), this.#pollIntervalMs);
      }
    };
    this.#timer = setTimeout(() => void tick(), 0);
  }

  /** Stops polling and waits for a pass under way to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #pass(): Promise<number> {
    let delivered = 0;
    for (const [name, handler] of this.#handlers) {
      delivered += await this.#deliver(name, handler);
    }
    return delivered;
  }

  #leaseEnd() {
    return sql<Date>`now() + ${`${this.#leaseMs} milliseconds`}::interval`;
  }

  async #deliver(name: string, handler: PathEventHandler): Promise<number> {
    const db = this.#db;
    await db.insertInto('path_event_cursors').values({ subscriber: name }).onConflict((oc) => oc.doNothing()).execute();
    const cursor = await db
      .updateTable('path_event_cursors')
      .set({ lease_owner: this.#owner, leased_until: this.#leaseEnd(), updated_at: new Date() })
      .where('subscriber', '=', name)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.#owner), eb('leased_until', '<', sql<Date>`now()`)]))
      .returning(['last_xid', 'last_id'])
      .executeTakeFirst();
    if (!cursor) return 0; // another instance holds this subscriber
    let delivered = 0;
    try {
      // Only transactions older than every running one: their events can no longer appear
      // behind the cursor (see the migration's note on path_events.xid).
      const events = await db
        .selectFrom('path_events')
        .select(EVENT_COLUMNS)
        .where(sql<boolean>`(xid, id) > (${cursor.last_xid}::bigint, ${cursor.last_id}::bigint)`)
        .where(sql<boolean>`xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`)
        .orderBy('xid')
        .orderBy('id')
        .limit(this.#batchSize)
        .execute();
      for (const row of events) {
        try {
          await handler(toPathEvent(row));
        } catch (error) {
          this.#logger.warn({ err: error, subscriber: name, eventId: row.id }, 'path event handler failed; it will get the event again');
          break;
        }
        const moved = await db.updateTable('path_event_cursors')
          .set({ last_xid: row.xid, last_id: row.id, leased_until: this.#leaseEnd(), updated_at: new Date() })
          .where('subscriber', '=', name).where('lease_owner', '=', this.#owner).executeTakeFirst();
        delivered += 1;
        // The lease ran out under a slow handler and another instance took over: leave it to it.
        if (moved.numUpdatedRows === 0n) break;
      }
    } finally {
      await db.updateTable('path_event_cursors').set({ lease_owner: null, leased_until: null }).where('subscriber', '=', name).where('lease_owner', '=', this.#owner).execute();
    }
    return delivered;
  }
}
