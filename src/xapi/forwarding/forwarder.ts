import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { SecretBox } from '../../lti/secret-box.js';
import type { Logger } from '../../logger.js';
import { completionVerbs, forwards } from './filter.js';
import { StatementSender, type Outgoing, type SendOutcome } from './sender.js';
import { openCredentials } from './targets.js';
import type { XapiForwardingTargetsTable } from './tables.js';
import { settled } from '../../db/commit-order.js';
import { PollingLoop } from '../../background/polling-loop.js';

type Target = Selectable<XapiForwardingTargetsTable>;
type Behind = { seq: number; xid: number; statement_id: string; json: string; verb_id: string }[];

/** The statement as forwarded, as JSON text: `stored` and `authority` are the receiving LRS's to set. */
const FORWARDED_JSON = sql<string>`(statement - 'stored' - 'authority')::text`;

export interface ForwarderOptions {
  readonly db: Kysely<Schema>;
  readonly logger: Logger;
  /** forwardingBox(config.keyEncryptionSecret): opens the targets' credentials. */
  readonly box: SecretBox;
  /** The tool's PUBLIC_URL: its own verbs (a holding granted, revoked, expired) count as completions. */
  readonly publicUrl: string;
  /** Statements per POST. */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** How long one instance may hold a tenant before another may take over. */
  readonly leaseMs?: number;
  /** How long the target may take to answer one request. */
  readonly timeoutMs?: number;
  /** The first wait after a failure; it doubles with each failure in a row, up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Tenants forwarded side by side (each tenant's statements always one batch after the other). */
  readonly concurrency?: number;
  readonly fetch?: typeof fetch;
}

/**
 * Forwards each tenant's statements to the tenant's own LRS (xapi_forwarding_targets): in commit
 * order per tenant, in batches, at least once, and idempotently by statement id, so that every
 * statement is stored there once. The queue is a cursor per tenant over the tenant's statements in
 * (xid, seq) order; it moves only after the target answered for the batch (stored, or parked with
 * the target's reason), so a crash or a restart sends the unanswered batch again and the target
 * takes a statement it holds already as the same one. A 5xx, a timeout or no connection waits
 * (doubling) and tries again; a refusal of the target itself (401, 403, 404…) pauses the tenant until
 * an administrator re-drives it.
 */
export class StatementForwarder {
  readonly #db: Kysely<Schema>;
  readonly #logger: Logger;
  readonly #box: SecretBox;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #timeoutMs: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #concurrency: number;
  readonly #fetch: typeof fetch | undefined;
  readonly #completionVerbs: ReadonlySet<string>;
  readonly #owner = randomUUID();
  readonly #loop: PollingLoop<number>;

  constructor(options: ForwarderOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#box = options.box;
    this.#completionVerbs = new Set(completionVerbs(options.publicUrl));
    this.#batchSize = options.batchSize ?? 500;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#backoffMs = options.backoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.#concurrency = options.concurrency ?? 4;
    this.#fetch = options.fetch;
    this.#loop = new PollingLoop({
      pass: () => this.#pass(),
      intervalMs: options.pollIntervalMs ?? 500,
      moreWaiting: (forwarded) => forwarded > 0,
      failure: { logger: this.#logger, message: 'statement forwarding failed' },
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops polling and waits for the batches under way to be answered and recorded. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One pass over the tenants with something due; returns how many statements were settled. */
  runOnce(): Promise<number> {
    return this.#loop.runOnce();
  }

  /** Batches go on only while the loop runs: a stop ends the tenant's turn after the batch under way. */
  get #stopped(): boolean {
    return this.#loop.state !== 'started';
  }

  async #pass(): Promise<number> {
    const due = await this.#db.selectFrom('xapi_forwarding_targets').select('tenant_id')
      .where('paused_reason', 'is', null)
      .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', sql<Date>`now()`)]))
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.#owner), eb('leased_until', '<', sql<Date>`now()`)]))
      .orderBy('updated_at')
      .execute();
    let next = 0;
    let settled = 0;
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, due.length) }, async () => {
      while (next < due.length) {
        const { tenant_id } = due[next++]!;
        try {
          settled += await this.#forwardTenant(tenant_id);
        } catch (error) {
          this.#logger.error({ err: error, tenant: tenant_id }, 'statement forwarding failed for a tenant; it is tried again');
          await this.#release(tenant_id).catch(() => undefined);
        }
      }
    }));
    return settled;
  }

  #leaseEnd() {
    return sql<Date>`now() + ${`${this.#leaseMs} milliseconds`}::interval`;
  }

  async #lease(tenantId: string): Promise<Target | undefined> {
    return this.#db.updateTable('xapi_forwarding_targets')
      .set({ lease_owner: this.#owner, leased_until: this.#leaseEnd() })
      .where('tenant_id', '=', tenantId)
      .where('paused_reason', 'is', null)
      .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', sql<Date>`now()`)]))
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', this.#owner), eb('leased_until', '<', sql<Date>`now()`)]))
      .returningAll()
      .executeTakeFirst();
  }

  async #release(tenantId: string): Promise<void> {
    await this.#db.updateTable('xapi_forwarding_targets').set({ lease_owner: null, leased_until: null })
      .where('tenant_id', '=', tenantId).where('lease_owner', '=', this.#owner).execute();
  }

  /** The tenant's re-driven statements first, then the new ones, batch after batch while the lease lasts. */
  async #forwardTenant(tenantId: string): Promise<number> {
    const target = await this.#lease(tenantId);
    if (!target) return 0; // another instance forwards it, or it was paused or is waiting meanwhile
    let sender: StatementSender;
    try {
      sender = new StatementSender({ endpoint: target.endpoint, credentials: openCredentials(this.#box, target.credentials_sealed), timeoutMs: this.#timeoutMs, ...(this.#fetch ? { fetch: this.#fetch } : {}) });
    } catch {
      await this.#pause(tenantId, 'the stored credentials cannot be opened (has KEY_ENCRYPTION_SECRET changed?): enter them again');
      return 0;
    }
    const cursor = { xid: Number(target.last_xid), seq: Number(target.last_seq) };
    const began = Date.now();
    let settled = 0;
    let failedBefore = target.attempts > 0;
    // The batch behind the one being sent, read while the target works on that one.
    let next: Promise<Behind> | undefined;
    const discard = () => {
      next?.catch(() => undefined);
      next = undefined;
    };
    try {
      // Re-driven statements go ahead of new ones (an administrator asked for them now).
      while (!this.#stopped && Date.now() - began < this.#leaseMs / 3) {
        const rows = await this.#redriven(tenantId);
        if (rows.length === 0) break;
        const outgoing = rows.map(toOutgoing);
        const outcome = await sender.send(outgoing);
        if (failedBefore && outcome.settled > 0) failedBefore = false;
        if (!(await this.#recordRedrive(tenantId, outgoing, outcome))) return settled; // the lease went to another instance
        settled += outcome.settled;
        if (outcome.stop) {
          await this.#stopFor(tenantId, outcome.stop);
          return settled;
        }
      }
      // A batch the target took whole is recorded while the next one is sent: the cursor still moves
      // only past answered batches, one after the other; a crash before the record sends both again.
      let recording: Promise<boolean> | undefined;
      const recorded = async () => {
        const held = await (recording ?? true);
        recording = undefined;
        return held;
      };
      while (!this.#stopped && Date.now() - began < this.#leaseMs / 3) {
        const rows = await (next ?? this.#behind(tenantId, cursor));
        next = undefined;
        if (rows.length === 0) break;
        const last = rows.at(-1)!;
        if (rows.length === this.#batchSize) next = this.#behind(tenantId, { xid: last.xid, seq: last.seq });
        const outgoing = rows.filter((row) => forwards(target.filter, row.verb_id, this.#completionVerbs)).map(toOutgoing);
        const outcome = await sender.send(outgoing);
        if (failedBefore && outcome.settled > 0) failedBefore = false;
        if (!(await recorded())) {
          discard();
          return settled;
        }
        const record = this.#recordNew(tenantId, rows, outgoing, outcome, cursor);
        if (outcome.stop || outcome.parked.length > 0 || !next) {
          if (!(await record)) {
            discard();
            return settled;
          }
        } else {
          recording = record;
          record.catch(() => undefined);
        }
        settled += outcome.settled;
        if (outcome.stop) {
          discard();
          await this.#stopFor(tenantId, outcome.stop);
          return settled;
        }
      }
      if (!(await recorded())) {
        discard();
        return settled;
      }
      discard();
      await this.#db.updateTable('xapi_forwarding_targets')
        .set({ lease_owner: null, leased_until: null, ...(failedBefore ? {} : { attempts: 0, retry_at: null, last_error: null }) })
        .where('tenant_id', '=', tenantId).where('lease_owner', '=', this.#owner).execute();
      return settled;
    } catch (error) {
      discard();
      await this.#release(tenantId);
      throw error;
    }
  }

  async #stopFor(tenantId: string, stop: NonNullable<SendOutcome['stop']>): Promise<void> {
    if (stop.kind === 'pause') await this.#pause(tenantId, stop.reason);
    else await this.#retryLater(tenantId, stop.reason, stop.retryAfterMs);
  }

  /** Statements behind the cursor whose transactions are older than every running one, in commit order. */
  async #behind(tenantId: string, cursor: { xid: number; seq: number }): Promise<Behind> {
    return this.#db.selectFrom('xapi_statements')
      .select(['seq', 'xid', 'statement_id', 'verb_id', FORWARDED_JSON.as('json')])
      .where('tenant_id', '=', tenantId)
      .where(sql<boolean>`(xid, seq) > (${cursor.xid}::bigint, ${cursor.seq}::bigint)`)
      .where(settled())
      .orderBy('xid').orderBy('seq')
      .limit(this.#batchSize)
      .execute();
  }

  async #redriven(tenantId: string) {
    return this.#db.selectFrom('xapi_forwarding_parked as p')
      .innerJoin('xapi_statements as s', 's.seq', 'p.seq')
      .select(['s.seq', 's.xid', 's.statement_id', 's.verb_id', sql<string>`(s.statement - 'stored' - 'authority')::text`.as('json')])
      .where('p.tenant_id', '=', tenantId).where('p.redrive', '=', true)
      .orderBy('p.seq')
      .limit(this.#batchSize)
      .execute();
  }

  /**
   * The cursor moves past every statement read up to the first one not settled (those the filter
   * passes over included), parked ones are set aside, in one transaction that holds only while this
   * instance still holds the lease.
   */
  async #recordNew(tenantId: string, rows: readonly { seq: number; xid: number }[], outgoing: readonly Outgoing[], outcome: SendOutcome, cursor: { xid: number; seq: number }): Promise<boolean> {
    const firstUnsettled = outgoing[outcome.settled];
    const passed = firstUnsettled ? rows.slice(0, rows.findIndex((row) => row.seq === firstUnsettled.seq)) : rows;
    const last = passed.at(-1);
    return this.#db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('xapi_forwarding_targets')
        .set({
          leased_until: this.#leaseEnd(),
          ...(last ? { last_xid: last.xid, last_seq: last.seq } : {}),
          ...(outcome.delivered > 0 ? { delivered: sql<number>`delivered + ${outcome.delivered}`, delivered_at: new Date() } : {}),
        })
        .where('tenant_id', '=', tenantId).where('lease_owner', '=', this.#owner)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return false;
      if (outcome.parked.length > 0) {
        await trx.insertInto('xapi_forwarding_parked')
          .values(outcome.parked.map(({ item, reason }) => ({ tenant_id: tenantId, seq: item.seq, statement_id: item.statementId, reason })))
          .onConflict((oc) => oc.columns(['tenant_id', 'seq']).doUpdateSet({ reason: (eb) => eb.ref('excluded.reason'), parked_at: new Date(), redrive: false }))
          .execute();
        this.#logger.warn({ tenant: tenantId, parked: outcome.parked.length, reason: outcome.parked[0]!.reason }, 'the forwarding target refused statements; they are parked');
      }
      if (last) Object.assign(cursor, { xid: last.xid, seq: last.seq });
      return true;
    });
  }

  async #recordRedrive(tenantId: string, outgoing: readonly Outgoing[], outcome: SendOutcome): Promise<boolean> {
    const parkedAgain = new Set(outcome.parked.map((p) => p.item.seq));
    const delivered = outgoing.slice(0, outcome.settled).filter((item) => !parkedAgain.has(item.seq)).map((item) => item.seq);
    return this.#db.transaction().execute(async (trx) => {
      const held = await trx.updateTable('xapi_forwarding_targets')
        .set({
          leased_until: this.#leaseEnd(),
          ...(outcome.delivered > 0 ? { delivered: sql<number>`delivered + ${outcome.delivered}`, delivered_at: new Date() } : {}),
        })
        .where('tenant_id', '=', tenantId).where('lease_owner', '=', this.#owner)
        .executeTakeFirst();
      if (held.numUpdatedRows === 0n) return false;
      if (delivered.length > 0) await trx.deleteFrom('xapi_forwarding_parked').where('tenant_id', '=', tenantId).where('seq', 'in', delivered).execute();
      for (const { item, reason } of outcome.parked) {
        await trx.updateTable('xapi_forwarding_parked').set({ reason, parked_at: new Date(), redrive: false })
          .where('tenant_id', '=', tenantId).where('seq', '=', item.seq).execute();
      }
      return true;
    });
  }

  async #pause(tenantId: string, reason: string): Promise<void> {
    await this.#db.updateTable('xapi_forwarding_targets')
      .set({ paused_reason: reason, paused_at: new Date(), lease_owner: null, leased_until: null, updated_at: new Date() })
      .where('tenant_id', '=', tenantId).where('lease_owner', '=', this.#owner).execute();
    this.#logger.warn({ tenant: tenantId, reason }, 'the forwarding target refused the tool itself; forwarding is paused until re-driven');
  }

  async #retryLater(tenantId: string, reason: string, retryAfterMs?: number): Promise<void> {
    const row = await this.#db.updateTable('xapi_forwarding_targets')
      .set({ attempts: sql<number>`attempts + 1`, last_error: reason, lease_owner: null, leased_until: null })
      .where('tenant_id', '=', tenantId).where('lease_owner', '=', this.#owner)
      .returning('attempts').executeTakeFirst();
    if (!row) return;
    const doubling = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** Math.min(row.attempts - 1, 30));
    // A spread of ±25 %, so that tenants of one target that failed together do not return together.
    const waitMs = Math.max(retryAfterMs ?? 0, Math.round(doubling * (0.75 + Math.random() * 0.5)));
    await this.#db.updateTable('xapi_forwarding_targets')
      .set({ retry_at: sql<Date>`now() + ${`${waitMs} milliseconds`}::interval` })
      .where('tenant_id', '=', tenantId).execute();
    this.#logger.warn({ tenant: tenantId, attempts: row.attempts, waitMs, reason }, 'the forwarding target did not take the statements; trying again later');
  }
}

function toOutgoing(row: { seq: number; statement_id: string; json: string }): Outgoing {
  return { seq: Number(row.seq), statementId: row.statement_id, json: row.json };
}
