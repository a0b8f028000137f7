import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { AuthThrottle } from './auth-throttle.js';
import { XapiError } from './errors.js';

/**
 * The scopes of xAPI 1.0.3 Part Three §4.2 (OAuth scope names, used here for Basic clients too), and
 * `competence/read`: pulling the municipality's competence holdings and gaps (/api/competence/…),
 * and `completions/read`: pulling its path completions and holding records (/api/completions), which
 * no xAPI scope (not even `all`) gives.
 */
export const XAPI_SCOPES = ['statements/write', 'statements/read', 'statements/read/mine', 'state', 'profile', 'all/read', 'all', 'competence/read', 'completions/read'] as const;
export type XapiScope = (typeof XAPI_SCOPES)[number];

export function isXapiScope(value: string): value is XapiScope {
  return (XAPI_SCOPES as readonly string[]).includes(value);
}

export interface XapiClient {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly key: string;
  readonly scopes: readonly XapiScope[];
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  /** A region's client an admin let read its member municipalities' statements (`xapi-client grant-member-read`). */
  readonly readsMemberStatements: boolean;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

type ClientRow = {
  id: string; tenant_id: string; name: string; key: string; scopes: string[]; created_at: Date; revoked_at: Date | null; reads_member_statements: boolean;
};

function toClient(row: ClientRow): XapiClient {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    key: row.key,
    scopes: row.scopes.filter(isXapiScope),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    readsMemberStatements: row.reads_member_statements,
  };
}

const COLUMNS = ['id', 'tenant_id', 'name', 'key', 'scopes', 'created_at', 'revoked_at', 'reads_member_statements'] as const;

/** Creates a client; the secret is returned here once and only its scrypt hash is kept. */
export async function createXapiClient(
  db: Kysely<Schema>,
  input: { tenantId: string; name: string; scopes: readonly XapiScope[] },
): Promise<{ client: XapiClient; secret: string }> {
  // Hex, so a key never starts with '-' (which a command line would read as an option).
  const key = randomBytes(12).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const row = await db
    .insertInto('xapi_clients')
    .values({ tenant_id: input.tenantId, name: input.name, key, secret_hash: await hashSecret(secret), scopes: [...input.scopes] })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return { client: toClient(row), secret };
}

export async function listXapiClients(db: Kysely<Schema>, tenantId?: string): Promise<XapiClient[]> {
  // The tenants' content-launch and emitter clients are the tool's own (launch-credentials.ts, own-statements.ts), not the operator's.
  let query = db.selectFrom('xapi_clients').select(COLUMNS).where('key', 'not like', 'launch:%').where('key', 'not like', 'emitter:%').orderBy('created_at');
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  return (await query.execute()).map(toClient);
}

/** Clients by id, revoked ones included (their statements keep acting, e.g. a voiding statement). */
export async function findXapiClientsById(db: Kysely<Schema>, ids: readonly string[]): Promise<Map<string, XapiClient>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('xapi_clients').select(COLUMNS).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((row) => [row.id, toClient(row)]));
}

/** Revokes by key; true when a live client was revoked. Its statements stay, signed by it. */
export async function revokeXapiClient(db: Kysely<Schema>, key: string): Promise<boolean> {
  const result = await db
    .updateTable('xapi_clients')
    .set({ revoked_at: new Date() })
    .where('key', '=', key)
    .where('key', 'not like', 'launch:%').where('key', 'not like', 'emitter:%')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

function throttled(waitMs: number): XapiError {
  const seconds = Math.ceil(waitMs / 1000);
  return new XapiError('too-many-requests', `Too many failed authentications: try again in ${seconds} s.`, seconds);
}

/** How long a verified client is trusted without reading its row again: the bound on revocation. */
export const CLIENT_CACHE_MS = 5_000;
/** Credentials verified once are not checked with scrypt again while they keep being used this often. */
export const VERIFIED_IDLE_MS = 10 * 60_000;

/**
 * Checks Basic credentials. scrypt costs tens of milliseconds by design, so a verified (key, secret)
 * pair is remembered by its SHA-256 while it is in use (`VERIFIED_IDLE_MS` since its last use, and
 * only for the secret hash it was checked against). The client itself is remembered for
 * `CLIENT_CACHE_MS`, so a busy client costs one row read per few seconds instead of one per
 * request; a revocation takes effect within those seconds.
 *
 * Remembered credentials pass without throttling; every other attempt goes through `AuthThrottle`
 * before its secret is checked, and a refused one is an XapiError 'too-many-requests'.
 */
export class XapiAuthenticator {
  readonly #verified = new Map<string, { until: number; secretHash: string }>();
  readonly #clients = new Map<string, { until: number; client: Promise<XapiClient | undefined> }>();
  readonly #throttle: AuthThrottle;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {
    this.#throttle = new AuthThrottle(now);
  }

  /** `address` is the client's network address, for the brake on guessing secrets. */
  authenticate(key: string, secret: string, address: string): Promise<XapiClient | undefined> {
    const credentials = createHash('sha256').update(`${key}\0${secret}`).digest('base64');
    const cached = this.#clients.get(credentials);
    if (cached && cached.until > this.now()) return cached.client;
    const verified = this.#verifiedEntry(credentials);
    if (!verified) {
      const wait = this.#throttle.takeAddress(address);
      if (wait > 0) return Promise.reject(throttled(wait));
    }
    // Concurrent requests with the same credentials share one lookup; a refusal or an error is not kept.
    const client = this.#lookUp(credentials, key, secret, address, verified);
    if (this.#clients.size > 10_000) this.#clients.clear();
    this.#clients.set(credentials, { until: this.now() + CLIENT_CACHE_MS, client });
    const forget = () => {
      if (this.#clients.get(credentials)?.client === client) this.#clients.delete(credentials);
    };
    void client.then((found) => {
      if (!found) forget();
    }, forget);
    return client;
  }

  #verifiedEntry(credentials: string): { until: number; secretHash: string } | undefined {
    const entry = this.#verified.get(credentials);
    if (entry && entry.until < this.now()) this.#verified.delete(credentials);
    return entry && entry.until >= this.now() ? entry : undefined;
  }

  #brake(waitMs: number): void {
    if (waitMs > 0) throw throttled(waitMs);
  }

  async #lookUp(
    credentials: string,
    key: string,
    secret: string,
    address: string,
    verified: { until: number; secretHash: string } | undefined,
  ): Promise<XapiClient | undefined> {
    const row = await this.db
      .selectFrom('xapi_clients')
      .select([...COLUMNS, 'secret_hash'])
      .where('key', '=', key)
      .where('key', 'not like', 'launch:%').where('key', 'not like', 'emitter:%')
      .executeTakeFirst();
    if (!row || row.revoked_at) return undefined;
    if (verified?.secretHash === row.secret_hash) {
      verified.until = this.now() + VERIFIED_IDLE_MS;
      return toClient(row);
    }
    // Verified against a secret hash that has since changed: this attempt is an unknown one.
    if (verified) this.#brake(this.#throttle.takeAddress(address));
    this.#brake(this.#throttle.takeKey(key, address));
    if (!(await verifySecret(secret, row.secret_hash))) return undefined;
    this.#throttle.succeeded(key, address);
    if (this.#verified.size > 10_000) this.#verified.clear();
    this.#verified.set(credentials, { until: this.now() + VERIFIED_IDLE_MS, secretHash: row.secret_hash });
    return toClient(row);
  }
}
