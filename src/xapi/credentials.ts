import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/** The scopes of xAPI 1.0.3 Part Three §4.2 (OAuth scope names, used here for Basic clients too). */
export const XAPI_SCOPES = ['statements/write', 'statements/read', 'statements/read/mine', 'state', 'profile', 'all/read', 'all'] as const;
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
  let query = db.selectFrom('xapi_clients').select(COLUMNS).orderBy('created_at');
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
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** How long a verified client is trusted without reading its row again: the bound on revocation. */
export const CLIENT_CACHE_MS = 5_000;

/**
 * Checks Basic credentials. scrypt costs tens of milliseconds by design, so a verified
 * (key, secret) pair is remembered by its SHA-256 for a minute. The client itself is remembered for
 * `CLIENT_CACHE_MS` under the SHA-256 of the credentials, so a busy client costs one row read per
 * few seconds instead of one per request; a revocation takes effect within those seconds.
 */
export class XapiAuthenticator {
  readonly #verified = new Map<string, number>();
  readonly #clients = new Map<string, { until: number; client: Promise<XapiClient | undefined> }>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(key: string, secret: string): Promise<XapiClient | undefined> {
    const credentials = createHash('sha256').update(`${key}\0${secret}`).digest('base64');
    const cached = this.#clients.get(credentials);
    if (cached && cached.until > this.now()) return cached.client;
    // Concurrent requests with the same credentials share one lookup; a refusal or an error is not kept.
    const client = this.#lookUp(key, secret);
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

  async #lookUp(key: string, secret: string): Promise<XapiClient | undefined> {
    const row = await this.db
      .selectFrom('xapi_clients')
      .select([...COLUMNS, 'secret_hash'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row || row.revoked_at) return undefined;
    const fingerprint = createHash('sha256').update(`${row.id}\0${row.secret_hash}\0${secret}`).digest('base64');
    const until = this.#verified.get(fingerprint);
    if (until === undefined || until < this.now()) {
      if (!(await verifySecret(secret, row.secret_hash))) return undefined;
      if (this.#verified.size > 10_000) this.#verified.clear();
      this.#verified.set(fingerprint, this.now() + 60_000);
    }
    return toClient(row);
  }
}
