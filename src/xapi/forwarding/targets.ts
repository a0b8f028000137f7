import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { SecretBox } from '../../lti/secret-box.js';
import { COMPLETION_VERBS, completionVerbs, type ForwardingFilter } from './filter.js';
import { OLDEST_RUNNING_XID } from '../../db/commit-order.js';

/** The purpose the forwarding credentials are sealed under (its own derived key). */
export function forwardingBox(keyEncryptionSecret: string): SecretBox {
  return new SecretBox(keyEncryptionSecret, 'xapi-forwarding');
}

export interface ForwardingCredentials {
  readonly key: string;
  readonly secret: string;
}

export function sealCredentials(box: SecretBox, credentials: ForwardingCredentials): string {
  return box.seal(JSON.stringify({ key: credentials.key, secret: credentials.secret }));
}

export function openCredentials(box: SecretBox, sealed: string): ForwardingCredentials {
  const parsed = JSON.parse(box.open(sealed)) as Partial<ForwardingCredentials>;
  if (typeof parsed.key !== 'string' || typeof parsed.secret !== 'string') throw new Error('not forwarding credentials');
  return { key: parsed.key, secret: parsed.secret };
}

export type ForwardingSettingsField = 'endpoint' | 'key' | 'secret' | 'filter';

/** Settings that cannot be saved; `problem` is a stable code the pages and the CLI word themselves. */
export class ForwardingSettingsError extends Error {
  constructor(readonly field: ForwardingSettingsField, readonly problem: 'endpoint-invalid' | 'endpoint-credentials' | 'key-missing' | 'secret-missing' | 'filter-invalid') {
    super(`${field}: ${problem}`);
  }
}

/**
 * The target's base address as stored: http(s), no user name or password in it (credentials go in
 * their own sealed field, never in an address that pages and logs show), ending in '/'. An address
 * ending in /statements is taken as the statements resource of that base.
 */
export function normaliseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ForwardingSettingsError('endpoint', 'endpoint-invalid');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ForwardingSettingsError('endpoint', 'endpoint-invalid');
  if (url.username || url.password) throw new ForwardingSettingsError('endpoint', 'endpoint-credentials');
  if (url.search || url.hash) throw new ForwardingSettingsError('endpoint', 'endpoint-invalid');
  let pathname = url.pathname.replace(/\/statements\/?$/, '/');
  if (!pathname.endsWith('/')) pathname += '/';
  return `${url.protocol}//${url.host}${pathname}`;
}

export interface ForwardingSettingsInput {
  readonly endpoint: string;
  /** Blank when changing a target: the key already stored stays. */
  readonly key: string;
  /** Left out (or blank) when changing a target: the secret already stored stays. */
  readonly secret?: string | undefined;
  readonly filter: ForwardingFilter;
  /** For a new target: forward the statements already stored too (otherwise from now on). */
  readonly history?: boolean;
}

/**
 * Creates or changes the tenant's target. A change keeps the queue's place and its parked
 * statements, and lifts a pause and a wait for a retry: new settings are the usual answer to them.
 */
export async function saveForwardingTarget(db: Kysely<Schema>, box: SecretBox, tenantId: string, input: ForwardingSettingsInput): Promise<'created' | 'updated'> {
  const endpoint = normaliseEndpoint(input.endpoint);
  const given = input.key.trim();
  if (given.length > 500 || given.includes(':')) throw new ForwardingSettingsError('key', 'key-missing');
  if (input.filter !== 'all' && input.filter !== 'completions') throw new ForwardingSettingsError('filter', 'filter-invalid');
  return db.transaction().execute(async (trx) => {
    const held = await trx.selectFrom('xapi_forwarding_targets').select('credentials_sealed').where('tenant_id', '=', tenantId).forUpdate().executeTakeFirst();
    const stored = held && (!given || !input.secret) ? openCredentials(box, held.credentials_sealed) : undefined;
    const key = given || stored?.key || '';
    if (!key) throw new ForwardingSettingsError('key', 'key-missing');
    const secret = input.secret ? input.secret : stored?.secret ?? '';
    if (!secret || secret.length > 1000) throw new ForwardingSettingsError('secret', 'secret-missing');
    const credentials_sealed = sealCredentials(box, { key, secret });
    if (held) {
      await trx.updateTable('xapi_forwarding_targets')
        .set({ endpoint, credentials_sealed, filter: input.filter, paused_reason: null, paused_at: null, retry_at: null, attempts: 0, last_error: null, updated_at: new Date() })
        .where('tenant_id', '=', tenantId).execute();
      return 'updated';
    }
    // From now on: past every transaction that has ended; statements of those still running follow.
    const start = input.history
      ? { last_xid: 0, last_seq: 0 }
      : (await sql<{ last_xid: number }>`select ${OLDEST_RUNNING_XID} - 1 as last_xid`.execute(trx)).rows.map((r) => ({ last_xid: Number(r.last_xid), last_seq: Number.MAX_SAFE_INTEGER }))[0]!;
    await trx.insertInto('xapi_forwarding_targets').values({ tenant_id: tenantId, endpoint, credentials_sealed, filter: input.filter, ...start }).execute();
    return 'created';
  });
}

/** Stops forwarding for the tenant: the target, its place in the queue and its parked statements go. */
export async function removeForwardingTarget(db: Kysely<Schema>, tenantId: string): Promise<boolean> {
  const removed = await db.deleteFrom('xapi_forwarding_targets').where('tenant_id', '=', tenantId).executeTakeFirst();
  return removed.numDeletedRows > 0n;
}

/** Re-drive: parked statements are sent again (ahead of new ones) and a paused target resumes. */
export async function redriveForwarding(db: Kysely<Schema>, tenantId: string): Promise<{ redriven: number; resumed: boolean } | undefined> {
  return db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('xapi_forwarding_targets').select('paused_reason').where('tenant_id', '=', tenantId).forUpdate().executeTakeFirst();
    if (!target) return undefined;
    await trx.updateTable('xapi_forwarding_targets')
      .set({ paused_reason: null, paused_at: null, retry_at: null, attempts: 0, updated_at: new Date() })
      .where('tenant_id', '=', tenantId).execute();
    const redriven = await trx.updateTable('xapi_forwarding_parked').set({ redrive: true }).where('tenant_id', '=', tenantId).where('redrive', '=', false).executeTakeFirst();
    return { redriven: Number(redriven.numUpdatedRows), resumed: target.paused_reason !== null };
  });
}

/** Counting stops here: a longer queue shows as "at least". */
export const PENDING_COUNT_LIMIT = 100_000;

export interface ParkedStatement {
  readonly statementId: string;
  readonly reason: string;
  readonly parkedAt: Date;
  readonly redrive: boolean;
}

/** What the admin page and the CLI show: never the credentials, only that they are set. */
export interface ForwardingStatus {
  readonly endpoint: string;
  readonly filter: ForwardingFilter;
  /** Statements behind the queue's place that the filter forwards (at most PENDING_COUNT_LIMIT). */
  readonly pending: number;
  readonly pendingAtLeast: boolean;
  readonly parkedCount: number;
  /** The first parked statements, oldest first. */
  readonly parked: readonly ParkedStatement[];
  readonly delivered: number;
  readonly deliveredAt: Date | null;
  readonly attempts: number;
  readonly retryAt: Date | null;
  readonly lastError: string | null;
  readonly pausedReason: string | null;
  readonly pausedAt: Date | null;
}

/** `publicUrl`: the tool's, so that its own verbs of holdings count as completions in the waiting count (completionVerbs). */
export async function forwardingStatus(db: Kysely<Schema>, tenantId: string, options: { parkedLimit?: number; publicUrl?: string } = {}): Promise<ForwardingStatus | undefined> {
  const target = await db.selectFrom('xapi_forwarding_targets').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!target) return undefined;
  const completions = options.publicUrl ? completionVerbs(options.publicUrl) : [...COMPLETION_VERBS];
  const verbs = target.filter === 'completions' ? sql`and verb_id = any(${completions}::text[])` : sql``;
  const pending = await sql<{ n: number }>`select count(*)::int as n from (
      select 1 from xapi_statements
      where tenant_id = ${tenantId}::uuid and (xid, seq) > (${target.last_xid}::bigint, ${target.last_seq}::bigint) ${verbs}
      limit ${PENDING_COUNT_LIMIT + 1}) as behind`.execute(db);
  const counted = Number(pending.rows[0]?.n ?? 0);
  const parkedCount = await db.selectFrom('xapi_forwarding_parked').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const parked = await db.selectFrom('xapi_forwarding_parked').select(['statement_id', 'reason', 'parked_at', 'redrive'])
    .where('tenant_id', '=', tenantId).orderBy('seq').limit(options.parkedLimit ?? 100).execute();
  return {
    endpoint: target.endpoint,
    filter: target.filter,
    pending: Math.min(counted, PENDING_COUNT_LIMIT),
    pendingAtLeast: counted > PENDING_COUNT_LIMIT,
    parkedCount: Number(parkedCount.n),
    parked: parked.map((p) => ({ statementId: p.statement_id, reason: p.reason, parkedAt: p.parked_at, redrive: p.redrive })),
    delivered: Number(target.delivered),
    deliveredAt: target.delivered_at,
    attempts: target.attempts,
    retryAt: target.retry_at,
    lastError: target.last_error,
    pausedReason: target.paused_reason,
    pausedAt: target.paused_at,
  };
}
