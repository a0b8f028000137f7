import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { derivedKey } from '../../lti/secret-box.js';
import type { Certificate } from '../certificates.js';
import { ACCESS_TOKEN_LIFETIME_MS, OFFER_LIFETIME_MS, WalletError } from './protocol.js';
import { hmac, newSecret, secretHash } from './secrets.js';

/** An offer as the token and credential endpoints know it: whose certificate, and until when. */
export interface RedeemedOffer {
  readonly offerId: string;
  readonly tenantId: string;
  readonly certificateId: string;
  readonly personId: string;
}

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Offers to add a certificate to a wallet, their pre-authorized codes and the access tokens they
 * become. The offer's secret (in credential_offer_uri) and its code are two secrets: the code is
 * derived from the offer's secret with a key of the tool, so only their hashes are stored.
 */
export class WalletOffers {
  readonly #codeKey: Uint8Array;

  constructor(
    private readonly db: Kysely<Schema>,
    keyEncryptionSecret: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#codeKey = derivedKey(keyEncryptionSecret, 'certificate-wallet-code');
  }

  #codeOf(offerSecret: string): string {
    return hmac(this.#codeKey, offerSecret).toString('base64url');
  }

  /** A new offer for the person's own certificate; its secret goes in credential_offer_uri. */
  async create(certificate: Certificate): Promise<{ secret: string; expiresAt: Date }> {
    const secret = newSecret();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + OFFER_LIFETIME_MS);
    // Offers and tokens long past use are of no one's interest: cleared as new ones are made.
    await this.db.deleteFrom('certificate_wallet_offers').where('expires_at', '<', new Date(now.getTime() - 24 * 3600_000)).where('issued_at', 'is', null).execute();
    await this.db
      .insertInto('certificate_wallet_offers')
      .values({ tenant_id: certificate.tenantId, certificate_id: certificate.id, person_id: certificate.personId, offer_hash: secretHash(secret), code_hash: secretHash(this.#codeOf(secret)), expires_at: expiresAt })
      .execute();
    return { secret, expiresAt };
  }

  /** The pre-authorized code behind an offer's URI: only this municipality's, unexpired and not yet redeemed. */
  async preAuthorizedCode(tenantId: string, offerSecret: string): Promise<string | undefined> {
    if (!SECRET_SHAPE.test(offerSecret)) return undefined;
    const row = await this.db
      .selectFrom('certificate_wallet_offers')
      .select('id')
      .where('offer_hash', '=', secretHash(offerSecret))
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', this.now())
      .where('redeemed_at', 'is', null)
      .executeTakeFirst();
    return row ? this.#codeOf(offerSecret) : undefined;
  }

  /**
   * Exchanges a pre-authorized code for an access token, once: the code is marked redeemed in the
   * same statement that finds it, so two wallets racing with one code get one token between them.
   */
  async redeem(tenantId: string, code: string, inForce: (certificateId: string) => Promise<boolean>): Promise<{ accessToken: string; expiresIn: number }> {
    if (!SECRET_SHAPE.test(code)) throw new WalletError('invalid_grant', 'The pre-authorized code is not valid.');
    const now = this.now();
    const offer = await this.db
      .updateTable('certificate_wallet_offers')
      .set({ redeemed_at: now })
      .where('code_hash', '=', secretHash(code))
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', now)
      .where('redeemed_at', 'is', null)
      .returning(['id', 'certificate_id'])
      .executeTakeFirst();
    if (!offer) throw new WalletError('invalid_grant', 'The pre-authorized code is unknown, expired or already used.');
    if (!(await inForce(offer.certificate_id))) throw new WalletError('invalid_grant', 'The certificate is no longer in force.');
    const accessToken = newSecret();
    await this.db.deleteFrom('certificate_wallet_tokens').where('expires_at', '<', now).execute();
    await this.db.insertInto('certificate_wallet_tokens').values({ token_hash: secretHash(accessToken), offer_id: offer.id, expires_at: new Date(now.getTime() + ACCESS_TOKEN_LIFETIME_MS) }).execute();
    return { accessToken, expiresIn: ACCESS_TOKEN_LIFETIME_MS / 1000 };
  }

  /** The offer an access token was issued for, while the token lives and only at its municipality's issuer. */
  async bearer(tenantId: string, accessToken: string): Promise<RedeemedOffer> {
    const row = SECRET_SHAPE.test(accessToken)
      ? await this.db
          .selectFrom('certificate_wallet_tokens as t')
          .innerJoin('certificate_wallet_offers as o', 'o.id', 't.offer_id')
          .select(['o.id', 'o.tenant_id', 'o.certificate_id', 'o.person_id'])
          .where('t.token_hash', '=', secretHash(accessToken))
          .where('t.expires_at', '>', this.now())
          .where('o.tenant_id', '=', tenantId)
          .executeTakeFirst()
      : undefined;
    if (!row) throw new WalletError('invalid_token', 'The access token is unknown or expired.');
    return { offerId: row.id, tenantId: row.tenant_id, certificateId: row.certificate_id, personId: row.person_id };
  }

  async recordIssued(offerId: string, holder: string): Promise<void> {
    await this.db.updateTable('certificate_wallet_offers').set({ issued_to: holder, issued_at: this.now() }).where('id', '=', offerId).execute();
  }
}
