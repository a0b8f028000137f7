import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { SCOPE } from './claims.js';
import { findPlatformById } from './platforms.js';
import { appendPath, PlatformServiceError, type ServiceClient } from './service-client.js';

/**
 * A result as AGS 2.0 §3.4 defines a score (the user id is added from the person's LTI subject).
 * `scoreGiven` is optional (§3.4.3): a completion without a score sends the progress alone, and
 * `scoreMaximum` goes with a `scoreGiven` only.
 */
export interface ResultReport {
  scoreGiven?: number;
  scoreMaximum?: number;
  activityProgress: 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
  gradingProgress: 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';
  timestamp: string;
  comment?: string;
}

/**
 * Queues a result for the LMS gradebook in the caller's transaction (pass `trx`): it is sent by the
 * outbox worker, retried while the platform is down, and sent once however often it is reported.
 * `resourceLinkId` is lti_resource_links.id, as in the launch session.
 */
export async function reportResult(
  db: Kysely<Schema>,
  resourceLinkId: string,
  personId: string,
  result: ResultReport,
): Promise<{ queued: boolean }> {
  const scored = result.scoreGiven !== undefined || result.scoreMaximum !== undefined;
  if ((scored && !(result.scoreGiven! >= 0 && result.scoreMaximum! > 0)) || Number.isNaN(Date.parse(result.timestamp))) {
    throw new RangeError('a score needs scoreGiven ≥ 0 with a positive scoreMaximum, and timestamp ISO 8601');
  }
  const link = await db.selectFrom('lti_resource_links').select(['tenant_id']).where('id', '=', resourceLinkId).executeTakeFirst();
  if (!link) throw new RangeError(`no resource link ${resourceLinkId}`);
  const resultKey = createHash('sha256').update(JSON.stringify([resourceLinkId, personId, result.timestamp, result.scoreGiven ?? null, result.activityProgress, result.gradingProgress])).digest('hex');
  const row = await db
    .insertInto('lti_ags_outbox')
    .values({ tenant_id: link.tenant_id, resource_link_id: resourceLinkId, person_id: personId, result_key: resultKey, score: JSON.stringify(result) })
    .onConflict((oc) => oc.column('result_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return { queued: row !== undefined };
}

export interface OutboxEntry {
  id: string;
  resourceLinkId: string;
  personId: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** Entries for operators: by default those not yet delivered, oldest first. */
export async function listOutbox(db: Kysely<Schema>, options: { includeDelivered?: boolean } = {}): Promise<OutboxEntry[]> {
  let query = db
    .selectFrom('lti_ags_outbox')
    .select(['id', 'resource_link_id', 'person_id', 'attempts', 'next_attempt_at', 'last_error', 'delivered_at', 'created_at'])
    .orderBy('created_at');
  if (!options.includeDelivered) query = query.where('delivered_at', 'is', null);
  return (await query.execute()).map((r) => ({
    id: r.id,
    resourceLinkId: r.resource_link_id,
    personId: r.person_id,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
  }));
}

export interface OutboxOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a claimed entry is held before another worker may try it (a crashed worker). */
  leaseMs?: number;
  batchSize?: number;
}

const FAILING_AFTER_ATTEMPTS = 10;

/** Exponential back-off with a cap: 5 s, 10 s, 20 s … up to an hour. */
export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers queued scores. Entries are claimed with a lease (FOR UPDATE SKIP LOCKED, so several
 * processes can work side by side), posted, and marked delivered; a failure schedules the next
 * attempt. A delivered entry is never sent again.
 */
export class AgsOutbox {
  readonly #base: number;
  readonly #max: number;
  readonly #lease: number;
  readonly #batch: number;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly client: ServiceClient,
    private readonly logger: Logger,
    options: OutboxOptions = {},
  ) {
    this.#base = options.baseDelayMs ?? 5000;
    this.#max = options.maxDelayMs ?? 3600_000;
    this.#lease = options.leaseMs ?? 60_000;
    this.#batch = options.batchSize ?? 20;
  }

  /** One pass over due entries; returns how many were delivered. */
  async runOnce(): Promise<number> {
    const now = new Date();
    const claimed = await this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('lti_ags_outbox')
        .select(['id'])
        .where('delivered_at', 'is', null)
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(this.#batch)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable('lti_ags_outbox')
        .set({ locked_until: new Date(now.getTime() + this.#lease), attempts: sql<number>`attempts + 1` })
        .where('id', 'in', due.map((d) => d.id))
        .returning(['id', 'resource_link_id', 'person_id', 'score', 'attempts'])
        .execute();
    });
    let delivered = 0;
    for (const entry of claimed) {
      try {
        await this.#deliver(entry.resource_link_id, entry.person_id, entry.score);
        await this.db.updateTable('lti_ags_outbox').set({ delivered_at: new Date(), locked_until: null, last_error: null }).where('id', '=', entry.id).execute();
        delivered += 1;
      } catch (error) {
        const retryable = !(error instanceof PlatformServiceError) || error.retryable;
        const delay = retryable ? backoffMs(entry.attempts, this.#base, this.#max) : this.#max;
        const message = (error as Error).message.slice(0, 500);
        await this.db
          .updateTable('lti_ags_outbox')
          .set({ last_error: message, locked_until: null, next_attempt_at: new Date(Date.now() + delay) })
          .where('id', '=', entry.id)
          .execute();
        const fields = { outbox: entry.id, attempts: entry.attempts, retryInMs: delay, err: message };
        // After a day of attempts at the capped delay an operator must look (npm run cli -- lti-outbox).
        if (entry.attempts >= FAILING_AFTER_ATTEMPTS) this.logger.error(fields, 'AGS score keeps failing; see npm run cli -- lti-outbox');
        else this.logger.warn(fields, 'AGS score not delivered; will retry');
      }
    }
    return delivered;
  }

  async #deliver(resourceLinkId: string, personId: string, score: Record<string, unknown>): Promise<void> {
    const link = await this.db.selectFrom('lti_resource_links').selectAll().where('id', '=', resourceLinkId).executeTakeFirstOrThrow();
    const user = await this.db
      .selectFrom('lti_users as u')
      .innerJoin('lti_platforms as p', 'p.issuer', 'u.issuer')
      .select('u.subject')
      .where('p.id', '=', link.platform_id)
      .where('u.person_id', '=', personId)
      .executeTakeFirst();
    if (!user) throw new PlatformServiceError(`person ${personId} has no account on the link's platform`, false);
    const platform = await findPlatformById(this.db, link.platform_id);
    if (!platform) throw new PlatformServiceError('the platform was removed', false);
    const lineItemUrl = link.lineitem_url ?? (await this.#createLineItem(platform, link));
    await this.client.request(platform, [SCOPE.score], appendPath(lineItemUrl, '/scores'), {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.ims.lis.v1.score+json' },
      body: JSON.stringify({ ...score, userId: user.subject }),
    });
  }

  /** AGS 2.0 §3.2: the link had no line item, so the tool makes one in the course's container. */
  async #createLineItem(platform: NonNullable<Awaited<ReturnType<typeof findPlatformById>>>, link: { id: string; lineitems_url: string | null; resource_link_id: string; title: string | null; custom: Record<string, string> }): Promise<string> {
    if (!link.lineitems_url) throw new PlatformServiceError('the platform offers no line items for this link', false);
    const response = await this.client.request(platform, [SCOPE.lineItem], link.lineitems_url, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.ims.lis.v2.lineitem+json', accept: 'application/vnd.ims.lis.v2.lineitem+json' },
      body: JSON.stringify({
        scoreMaximum: 100,
        label: link.title ?? 'Læringsløp',
        resourceLinkId: link.resource_link_id,
        resourceId: link.custom['laeringslop_path'] ?? link.resource_link_id,
        tag: 'laeringslop-path',
      }),
    });
    const created = (await response.json()) as { id?: string };
    if (!created.id) throw new PlatformServiceError('the platform created a line item without an id', true);
    await this.db.updateTable('lti_resource_links').set({ lineitem_url: created.id }).where('id', '=', link.id).execute();
    return created.id;
  }
}
