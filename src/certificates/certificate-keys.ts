import { randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { SecretBox } from '../lti/secret-box.js';

/** Credentials are signed with ES256 (P-256): short signatures, and every VC-JWT verifier reads it. */
export const CREDENTIAL_ALG = 'ES256';

/**
 * How long a retired key stays published: a credential is kept for years, and one signed with a key
 * no longer published can be checked by nobody else, so the learner downloads it again (signed anew).
 */
export const CERTIFICATE_KEY_GRACE_MS = 2 * 365 * 24 * 3600 * 1000;

const SIGNING_KEY_RECHECK_MS = 60_000;

export interface CredentialSigningKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

/** A key by its kid: usable while current or published; 'expired' once its publication ended. */
export type KeyLookup =
  | { readonly state: 'published'; readonly key: CryptoKey }
  | { readonly state: 'expired' }
  | { readonly state: 'unknown' };

export function certificateKeyBox(secret: string): SecretBox {
  return new SecretBox(secret, 'certificate-key');
}

/**
 * The keys that sign certificates' credentials: separate from the LTI keys (their own kid and
 * algorithm), created on first use, private halves sealed, public halves published in /lti/jwks.
 */
export class CertificateKeys {
  #current: Promise<CredentialSigningKey> | undefined;
  #currentSince = 0;
  /** Imported public keys by kid (importing is the costly part; whether a key still counts is read each time). */
  readonly #imported = new Map<string, CryptoKey>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async signingKey(): Promise<CredentialSigningKey> {
    // Another process (a worker, the CLI) may rotate: look again after a minute.
    if (this.#current && this.now().getTime() - this.#currentSince > SIGNING_KEY_RECHECK_MS) this.#current = undefined;
    if (!this.#current) this.#currentSince = this.now().getTime();
    this.#current ??= (async () => {
      let row = await this.#currentRow();
      if (!row) {
        await this.#insertNewKey();
        row = await this.#currentRow();
      }
      if (!row) throw new Error('no certificate signing key');
      return { kid: row.kid, key: await importPKCS8(this.box.open(row.private_key_encrypted), CREDENTIAL_ALG) };
    })();
    try {
      return await this.#current;
    } catch (error) {
      this.#current = undefined;
      throw error;
    }
  }

  /** The public keys to publish: the current one and retired ones still within their publication. */
  async publishedKeys(): Promise<JWK[]> {
    const rows = await this.db.selectFrom('certificate_keys').select(['public_jwk', 'retired_at', 'published_until']).orderBy('created_at', 'desc').execute();
    const now = this.now();
    return rows.filter((r) => r.retired_at === null || (r.published_until !== null && r.published_until > now)).map((r) => r.public_jwk as JWK);
  }

  /** The public key a credential names by its kid, as this tool published it. */
  async lookup(kid: string): Promise<KeyLookup> {
    const row = await this.db.selectFrom('certificate_keys').select(['public_jwk', 'retired_at', 'published_until']).where('kid', '=', kid).executeTakeFirst();
    if (!row) return { state: 'unknown' };
    const until = row.retired_at === null ? null : (row.published_until ?? row.retired_at);
    if (until !== null && until <= this.now()) return { state: 'expired' };
    let key = this.#imported.get(kid);
    if (!key) {
      key = (await importJWK(row.public_jwk as JWK, CREDENTIAL_ALG)) as CryptoKey;
      this.#imported.set(kid, key);
    }
    return { state: 'published', key };
  }

  /** A new current key; the old one stays published for `graceMs`, and at least until `keepUntil`. */
  async rotate(graceMs = CERTIFICATE_KEY_GRACE_MS, keepUntil?: Date): Promise<{ kid: string; retired: string[]; publishedUntil: Date }> {
    const now = this.now();
    const publishedUntil = new Date(Math.max(now.getTime() + graceMs, keepUntil?.getTime() ?? 0));
    const retired = await this.db
      .updateTable('certificate_keys')
      .set({ retired_at: now, published_until: publishedUntil })
      .where('retired_at', 'is', null)
      .returning('kid')
      .execute();
    const kid = await this.#insertNewKey();
    this.#current = undefined;
    return { kid, retired: retired.map((r) => r.kid), publishedUntil };
  }

  async #insertNewKey(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(CREDENTIAL_ALG, { extractable: true });
    const kid = `certificates-${randomUUID()}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: CREDENTIAL_ALG, use: 'sig' };
    await this.db
      .insertInto('certificate_keys')
      .values({ kid, public_jwk: JSON.stringify(publicJwk), private_key_encrypted: this.box.seal(await exportPKCS8(privateKey)), retired_at: null, published_until: null })
      .execute();
    return kid;
  }

  #currentRow() {
    return this.db.selectFrom('certificate_keys').select(['kid', 'private_key_encrypted']).where('retired_at', 'is', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  }
}
