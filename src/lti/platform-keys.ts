import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { JwsError, rsaPublicKey } from './compact-jws.js';
import type { Platform } from './platforms.js';
import { LtiRefusal } from './refusal.js';
import { SharedCalls } from './shared-calls.js';

interface CachedJwks {
  keys: JWK[];
  fetchedAt: number;
  /** Parsed verification keys of this key set, by JWK (parsed once, not per launch). */
  parsed: WeakMap<JWK, KeyObject>;
}

export interface PlatformKeysOptions {
  /** Keys older than this are refetched when next needed (the cached ones stay if that fails). */
  maxAgeMs?: number;
  /** An unknown kid triggers a refetch at most this often, so forged kids cannot flood the LMS. */
  refetchIntervalMs?: number;
  fetchTimeoutMs?: number;
  now?: () => number;
}

/**
 * The platforms' public keys: fetched from each JWKS URL, kept in memory and in the database, and
 * refetched when a token names a kid we have not seen (the platform rotated) and when they are
 * older than maxAgeMs (a key the platform withdrew stops verifying then). When the JWKS URL is
 * down, the cached keys keep working. Concurrent launches share one database read and one fetch.
 */
export class PlatformKeys {
  readonly #memory = new Map<string, CachedJwks>();
  readonly #shared = new SharedCalls<CachedJwks | undefined>();
  readonly #maxAgeMs: number;
  readonly #refetchIntervalMs: number;
  readonly #fetchTimeoutMs: number;
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly logger: Logger,
    options: PlatformKeysOptions = {},
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.#refetchIntervalMs = options.refetchIntervalMs ?? 10_000;
    this.#fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** The RS256 verification key named by `kid`, or a refusal saying why there is none. */
  async key(platform: Platform, kid: string | undefined): Promise<KeyObject> {
    let cached = this.#memory.get(platform.id) ?? (await this.#shared.run(`stored:${platform.id}`, () => this.#loadStored(platform.id)));
    let fetchFailed = false;
    const stale = !cached || this.#now() - cached.fetchedAt > this.#maxAgeMs;
    const unknownKid = cached !== undefined && !findKey(cached.keys, kid);
    const mayRefetch = !cached || this.#now() - cached.fetchedAt > this.#refetchIntervalMs;
    if (stale || (unknownKid && mayRefetch)) {
      try {
        cached = await this.#shared.run(`fetch:${platform.id}`, () => this.#fetch(platform));
      } catch (error) {
        fetchFailed = true;
        this.logger.warn({ platform: platform.issuer, jwksUrl: platform.jwksUrl, err: error }, 'platform JWKS unreachable; using cached keys');
      }
    }
    const jwk = cached && findKey(cached.keys, kid);
    if (!jwk) {
      if (!cached || fetchFailed) {
        throw new LtiRefusal('jwks-unavailable', `no key ${kid ?? '(none named)'} in cache and ${platform.jwksUrl} could not be fetched`);
      }
      throw new LtiRefusal('unknown-kid', `the platform's JWKS has no key ${kid ?? '(none named)'}`);
    }
    let parsed = cached!.parsed.get(jwk);
    if (!parsed) {
      try {
        parsed = rsaPublicKey(jwk as Record<string, unknown>);
      } catch (error) {
        if (!(error instanceof JwsError)) throw error;
        throw new LtiRefusal('bad-signature', `the platform's key ${kid ?? '(none named)'} is unusable: ${error.message}`);
      }
      cached!.parsed.set(jwk, parsed);
    }
    return parsed;
  }

  async #loadStored(platformId: string): Promise<CachedJwks | undefined> {
    const row = await this.db
      .selectFrom('lti_platform_jwks')
      .select(['jwks', 'fetched_at'])
      .where('platform_id', '=', platformId)
      .executeTakeFirst();
    if (!row) return undefined;
    const cached: CachedJwks = { keys: row.jwks.keys as JWK[], fetchedAt: row.fetched_at.getTime(), parsed: new WeakMap() };
    this.#memory.set(platformId, cached);
    return cached;
  }

  async #fetch(platform: Platform): Promise<CachedJwks> {
    const response = await fetch(platform.jwksUrl, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.#fetchTimeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${platform.jwksUrl}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error(`${platform.jwksUrl} is not a JWKS`);
    const keys = (body.keys as JWK[]).filter((k) => k.kty === 'RSA');
    const cached: CachedJwks = { keys, fetchedAt: this.#now(), parsed: new WeakMap() };
    this.#memory.set(platform.id, cached);
    const values = { platform_id: platform.id, jwks: JSON.stringify({ keys }), fetched_at: new Date(cached.fetchedAt) };
    await this.db
      .insertInto('lti_platform_jwks')
      .values(values)
      .onConflict((oc) => oc.column('platform_id').doUpdateSet({ jwks: values.jwks, fetched_at: values.fetched_at }))
      .execute();
    return cached;
  }
}

/** A token without a kid may use the platform's only key (some LMSs omit kid with one key). */
function findKey(keys: JWK[], kid: string | undefined): JWK | undefined {
  if (kid === undefined) return keys.length === 1 ? keys[0] : undefined;
  return keys.find((k) => k.kid === kid);
}
