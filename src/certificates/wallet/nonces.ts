import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { derivedKey } from '../../lti/secret-box.js';
import { NONCE_LIFETIME_MS } from './protocol.js';
import { hmac, newSecret, sameBytes, secretHash } from './secrets.js';

export type NonceCheck = 'ok' | 'invalid' | 'stale' | 'used';

/**
 * c_nonce values (OID4VCI 1.0 §7): signed with a key of the tool and carrying their municipality and
 * expiry, so the nonce endpoint (open to anyone) stores nothing; a nonce is recorded only when a
 * credential request with a valid access token uses it, and a second use is refused.
 */
export class WalletNonces {
  readonly #key: Uint8Array;

  constructor(
    private readonly db: Kysely<Schema>,
    keyEncryptionSecret: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#key = derivedKey(keyEncryptionSecret, 'certificate-wallet-nonce');
  }

  #mac(tenantId: string, body: string): Buffer {
    return hmac(this.#key, `${tenantId}|${body}`);
  }

  issue(tenantId: string): string {
    const body = `${newSecret()}~${(this.now().getTime() + NONCE_LIFETIME_MS).toString(36)}`;
    return `${body}.${this.#mac(tenantId, body).toString('base64url')}`;
  }

  /** Whether a proof's nonce is one of ours for this municipality, fresh and unused; a fresh one is used up here. */
  async use(tenantId: string, nonce: string): Promise<NonceCheck> {
    const match = /^([A-Za-z0-9_-]{43}~([0-9a-z]{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(nonce);
    if (!match || !sameBytes(this.#mac(tenantId, match[1]!), Buffer.from(match[3]!, 'base64url'))) return 'invalid';
    const expiresAt = new Date(parseInt(match[2]!, 36));
    const now = this.now();
    if (expiresAt <= now) return 'stale';
    await this.db.deleteFrom('certificate_wallet_used_nonces').where('expires_at', '<', now).execute();
    const recorded = await this.db
      .insertInto('certificate_wallet_used_nonces')
      .values({ nonce_hash: secretHash(nonce), expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing())
      .returning('nonce_hash')
      .executeTakeFirst();
    return recorded ? 'ok' : 'used';
  }
}
