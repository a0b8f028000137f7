import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { EVENT_COLUMNS, toPathEvent } from './events.js';
import type { PathEventBatchHandler, PathEventHandler } from './ports.js';
import { settled } from '../db/commit-order.js';

export interface DispatcherOptions {
  readonly db: Kysely<Schema>;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** How long one instance may hold a subscriber before another may take over. */
  readonly leaseMs?: number;
  /** The clock of background subscribers' rests (ms). */
  readonly now?: () => number;
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
  readonly #now: () => number;
  readonly #handlers = new Map<string, { handler: PathEventHandler; concurrency: number } | { batch: PathEventBatchHandler; batchSize: number; background: boolean }>();
  /** Subscribers whose last delivery was a full batch: more events are probably waiting for them. */
  readonly #behind = new Set<string>();
  /** Background subscribers resting (while another is behind) until this time (ms since the epoch). */
  readonly #restUntil = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** A subscriber's delivery under way: never two at once for one subscriber in one instance. */
  readonly #busy = new Map<string, Promise<number>>();
  #stopped = true;

  constructor(options: DispatcherOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 100;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Registers a subscriber by a stable name (its cursor is kept under that name). With `concurrency`
   * above 1 the handler gets the events of different people at the same time, each person's in order
   * (a subscriber whose work is per person, such as documenting competence); after a failure, events
   * of other people already handled in that batch come again.
   */
  subscribe(name: string, handler: PathEventHandler, options: { concurrency?: number } = {}): void {
    this.#checkName(name);
    this.#handlers.set(name, { handler, concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)) });
  }

  /**
   * Registers a subscriber that gets each batch whole (in commit order, so each person's and each
   * enrolment's events in order): the cursor moves past the batch when the handler resolved, and a
   * handler that throws gets the same batch again on the next pass. `batchSize`: the most events in
   * one batch (else the dispatcher's). `background`: while another subscriber is behind (its last
   * batch was full), the subscriber rests after each batch as long as that batch took, so that work
   * nobody waits for at once (the xAPI statements) takes at most half the time from work that is
   * waited for (a completion becoming a holding), yet keeps up under a load that never lets the
   * others catch up; with nobody behind it goes on at once.
   */
  subscribeBatch(name: string, handler: PathEventBatchHandler, options: { batchSize?: number; background?: boolean } = {}): void {
    this.#checkName(name);
    this.#handlers.set(name, { batch: handler, batchSize: Math.max(1, Math.floor(options.batchSize ?? this.#batchSize)), background: options.background ?? false });
  }

  #checkName(name: string): void {
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(name)) throw new Error(`subscriber name ${name} must be lower-case letters, digits, . _ -`);
    if (this.#handlers.has(name)) throw new Error(`subscriber ${name} is already registered`);
  }

  /** One pass over every subscriber (side by side); returns how many events were delivered. */
  async runOnce(): Promise<number> {
    const delivered = await Promise.all([...this.#handlers.keys()].map((name) => this.#deliverTo(name)));
    return delivered.reduce((sum, n) => sum + n, 0);
  }

  /**
   * Each subscriber polls on its own: a slow one (an LMS far away, one lookup per event) does not
   * hold up the others, and one with events waiting goes on at once.
   */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    for (const name of this.#handlers.keys()) {
      const tick = async () => {
        let delivered = 0;
        try {
          delivered = await this.#deliverTo(name);
        } catch (error) {
          this.#logger.error({ err: error, subscriber: name }, 'path event dispatch failed');
        }
        if (!this.#stopped) this.#timers.set(name, setTimeout(() => void tick(), delivered > 0 ? 0 : Math.min(this.#pollIntervalMs, this.#resting(name) ?? Infinity)));
      };
      this.#timers.set(name, setTimeout(() => void tick(), 0));
    }
  }

  /** Stops polling and waits for deliveries under way to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all([...this.#busy.values()].map((run) => run.catch(() => undefined)));
  }

  #deliverTo(name: string): Promise<number> {
    const running = this.#busy.get(name);
    if (running) return running;
    const subscriber = this.#handlers.get(name)!;
    if (this.#resting(name) !== undefined) return Promise.resolve(0);
    const full = 'batch' in subscriber ? subscriber.batchSize : this.#batchSize;
    const started = this.#now();
    const run = ('batch' in subscriber ? this.#deliverBatch(name, subscriber.batch, subscriber.batchSize)
      : subscriber.concurrency > 1 ? this.#deliverConcurrently(name, subscriber.handler, subscriber.concurrency) : this.#deliver(name, subscriber.handler))
      .then((delivered) => {
        const background = 'batch' in subscriber && subscriber.background;
        if (delivered >= full && !background) this.#behind.add(name);
        else this.#behind.delete(name);
        if (background && delivered > 0) {
          const ended = this.#now();
          this.#restUntil.set(name, ended + (ended - started));
        }
        return delivered;
      }, (error: unknown) => {
        this.#behind.delete(name);
        throw error;
      })
      .finally(() => this.#busy.delete(name));
    this.#busy.set(name, run);
    return run;
  }

  /** How long a background subscriber still rests (ms), or undefined when it may go on. */
  #resting(name: string): number | undefined {
    const until = this.#restUntil.get(name);
    if (until === undefined || this.#behind.size === 0) return undefined;
    const left = until - this.#now();
    return left > 0 ? left : undefined;
  }

  #leaseEnd() {
    return sql<Date>`now() + ${`${this.#leaseMs} milliseconds`}::interval`;
  }

  /**
   * Per person at once: the batch's events grouped by person, `concurrency` groups in flight, each in
   * order; the cursor then moves past the longest run of handled events from the batch's start.
   */
  async #deliverConcurrently(name: string, handler: PathEventHandler, concurrency: number): Promise<number> {
    const cursor = await this.#lease(name);
    if (!cursor) return 0;
    const db = this.#db;
    let handledUpTo = -1;
    let delivered = 0;
    try {
      const events = await this.#read(cursor);
      const handled = new Array<boolean>(events.length).fill(false);
      const byPerson = new Map<string, number[]>();
      events.forEach((row, index) => byPerson.set(row.person_id, [...(byPerson.get(row.person_id) ?? []), index]));
      const groups = [...byPerson.values()];
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
        while (next < groups.length) {
          for (const index of groups[next++]!) {
            const row = events[index]!;
            try {
              await handler(toPathEvent(row));
            } catch (error) {
              this.#logger.warn({ err: error, subscriber: name, eventId: row.id }, 'path event handler failed; it will get the event again');
              break;
            }
            handled[index] = true;
            delivered += 1;
          }
        }
      }));
      while (handledUpTo + 1 < events.length && handled[handledUpTo + 1]) handledUpTo += 1;
      const last = events[handledUpTo];
      await db.updateTable('path_event_cursors')
        .set({ lease_owner: null, leased_until: null, ...(last ? { last_xid: last.xid, last_id: last.id, updated_at: new Date() } : {}) })
        .where('subscriber', '=', name).where('lease_owner', '=', this.#owner).execute();
    } catch (error) {
      await db.updateTable('path_event_cursors').set({ lease_owner: null, leased_until: null }).where('subscriber', '=', name).where('lease_owner', '=', this.#owner).execute();
      throw error;
    }
    return delivered;
  }

  async #deliverBatch(name: string, handler: PathEventBatchHandler, batchSize: number): Promise<number> {
    const cursor = await this.#lease(name);
    if (!cursor) return 0;
    let last: { xid: number; id: number } | undefined;
    let delivered = 0;
    try {
      const events = await this.#read(cursor, batchSize);
      if (events.length > 0) {
        try {
          await handler(events.map(toPathEvent));
          last = events[events.length - 1];
          delivered = events.length;
        } catch (error) {
          this.#logger.warn({ err: error, subscriber: name, eventId: events[0]!.id }, 'path event batch handler failed; it will get the batch again');
        }
      }
    } finally {
      await this.#db.updateTable('path_event_cursors')
        .set({ lease_owner: null, leased_until: null, ...(last ? { last_xid: last.xid, last_id: last.id, updated_at: new Date() } : {}) })
        .where('subscriber', '=', name).where('lease_owner', '=', this.#owner).execute();
    }
    return delivered;
  }

  async #lease(name: string) {
    const db = this.#db;
    await db.insertInto('path_event_cursors').values({ subscriber: name }).onConflict((oc) => oc.doNothing()).execute();
    return db
      .updateTable('path_event_cursors')
      .set({ lease_owner: this.#owner, leased_until: this.#leaseEnd(), updated_at: new Date() })
      .where('subscriber', '=', name)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.#owner), eb('leased_until', '<', sql<Date>`now()`)]))
      .returning(['last_xid', 'last_id'])
      .executeTakeFirst();
  }

  /** The next batch behind the cursor. Only transactions older than every running one: their events
   *  can no longer appear behind the cursor (see the migration's note on path_events.xid). */
  #read(cursor: { last_xid: number; last_id: number }, limit = this.#batchSize) {
    return this.#db
      .selectFrom('path_events')
      .select(EVENT_COLUMNS)
      .where(sql<boolean>`(xid, id) > (${cursor.last_xid}::bigint, ${cursor.last_id}::bigint)`)
      .where(settled())
      .orderBy('xid')
      .orderBy('id')
      .limit(limit)
      .execute();
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
    // The last handled event not yet written to the cursor: the cursor is written when the batch
    // ends (with the lease's release), at a handler's failure, and every third of a lease in between
    // (which renews the lease), not once per event.
    let pending: { xid: number; id: number } | undefined;
    let savedAt = Date.now();
    try {
      const events = await this.#read(cursor);
      for (const row of events) {
        try {
          await handler(toPathEvent(row));
        } catch (error) {
          this.#logger.warn({ err: error, subscriber: name, eventId: row.id }, 'path event handler failed; it will get the event again');
          break;
        }
        delivered += 1;
        pending = { xid: row.xid, id: row.id };
        if (Date.now() - savedAt < this.#leaseMs / 3) continue;
        const moved = await db.updateTable('path_event_cursors')
          .set({ last_xid: row.xid, last_id: row.id, leased_until: this.#leaseEnd(), updated_at: new Date() })
          .where('subscriber', '=', name).where('lease_owner', '=', this.#owner).executeTakeFirst();
        pending = undefined;
        savedAt = Date.now();
        // The lease ran out under a slow handler and another instance took over: leave it to it.
        if (moved.numUpdatedRows === 0n) break;
      }
    } finally {
      await db.updateTable('path_event_cursors')
        .set({ lease_owner: null, leased_until: null, ...(pending ? { last_xid: pending.xid, last_id: pending.id, updated_at: new Date() } : {}) })
        .where('subscriber', '=', name).where('lease_owner', '=', this.#owner).execute();
    }
    return delivered;
  }
}
