import type { CryptoKey, JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { generateRsaKey, importPrivateKey } from './rsa-keys.js';
import type { SecretBox } from './secret-box.js';

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** How long a rotated-out public key stays in the JWKS: platforms cache JWKS for hours. */
export const DEFAULT_GRACE_MS = 7 * 24 * 3600 * 1000;

/**
 * The tool's own RSA keys: created on first start, private half sealed in the database, public
 * halves published at /lti/jwks. The current key signs client assertions and deep-linking responses.
 */
export class ToolKeys {
  #current: Promise<SigningKey> | undefined;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the first key when there is none; safe to call on every start. */
  async ensureKey(): Promise<string> {
    const current = await this.#currentRow();
    if (current) return current.kid;
    return this.#insertNewKey();
  }

  async signingKey(): Promise<SigningKey> {
    this.#current ??= (async () => {
      await this.ensureKey();
      const row = await this.#currentRow();
      if (!row) throw new Error('the tool has no signing key');
      return { kid: row.kid, key: await importPrivateKey(this.box.open(row.private_key_encrypted)) };
    })();
    try {
      return await this.#current;
    } catch (error) {
      this.#current = undefined;
      throw error;
    }
  }

  /** The public keys to publish: the current one and retired ones still in their grace period. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.db
      .selectFrom('lti_tool_keys')
      .select(['public_jwk', 'retired_at', 'published_until'])
      .orderBy('created_at', 'desc')
      .execute();
    const now = this.now();
    return {
      keys: rows
        .filter((row) => row.retired_at === null || (row.published_until !== null && row.published_until > now))
        .map((row) => row.public_jwk as JWK),
    };
  }

  /** New current key; the old one is retired but stays published for `graceMs`. */
  async rotate(graceMs = DEFAULT_GRACE_MS): Promise<{ kid: string; retired: string[] }> {
    const now = this.now();
    const retired = await this.db
      .updateTable('lti_tool_keys')
      .set({ retired_at: now, published_until: new Date(now.getTime() + graceMs) })
      .where('retired_at', 'is', null)
      .returning('kid')
      .execute();
    const kid = await this.#insertNewKey();
    this.#current = undefined;
    return { kid, retired: retired.map((r) => r.kid) };
  }

  async #insertNewKey(): Promise<string> {
    const generated = await generateRsaKey();
    await this.db
      .insertInto('lti_tool_keys')
      .values({
        kid: generated.kid,
        public_jwk: JSON.stringify(generated.publicJwk),
        private_key_encrypted: this.box.seal(generated.privatePem),
        retired_at: null,
        published_until: null,
      })
      .execute();
    return generated.kid;
  }

  #currentRow() {
    return this.db
      .selectFrom('lti_tool_keys')
      .select(['kid', 'private_key_encrypted'])
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }
}
