import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { derivedKey } from '../../lti/secret-box.js';
import type { Certificate } from '../certificates.js';
import { ACCESS_TOKEN_LIFETIME_MS, OFFER_LIFETIME_MS, TX_CODE_LENGTH, TX_CODE_TRIES, WalletError } from './protocol.js';
import { hmac, newSecret, secretHash } from './secrets.js';

/** An offer as the token and credential endpoints know it: whose certificate, and until when. */
export interface RedeemedOffer {
  readonly offerId: string;
  readonly tenantId: string;
  readonly certificateId: string;
  readonly personId: string;
}

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new transaction code: TX_CODE_LENGTH random digits. */
const newTxCode = () => randomInt(0, 10 ** TX_CODE_LENGTH).toString().padStart(TX_CODE_LENGTH, '0');

/**
 * Offers to add a certificate to a wallet, their pre-authorized codes and the access tokens they
 * become. The offer's secret (in credential_offer_uri) and its code are two secrets: the code is
 * derived from the offer's secret with a key of the tool, so only their hashes are stored. The
 * transaction code the person reads on the page goes with the code to the token endpoint; it is
 * kept as an HMAC bound to the code, and after TX_CODE_TRIES wrong ones the offer is used up.
 */
export class WalletOffers {
  readonly #codeKey: Uint8Array;
  readonly #txKey: Uint8Array;

  constructor(
    private readonly db: Kysely<Schema>,
    keyEncryptionSecret: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#codeKey = derivedKey(keyEncryptionSecret, 'certificate-wallet-code');
    this.#txKey = derivedKey(keyEncryptionSecret, 'certificate-wallet-tx-code');
  }

  #txCodeMac(code: string, txCode: string): string {
    return hmac(this.#txKey, `${code}:${txCode}`).toString('base64url');
  }

  #codeOf(offerSecret: string): string {
    return hmac(this.#codeKey, offerSecret).toString('base64url');
  }

  /** A new offer for the person's own certificate; its secret goes in credential_offer_uri, its transaction code on the page. */
  async create(certificate: Certificate): Promise<{ secret: string; txCode: string; expiresAt: Date }> {
    const secret = newSecret();
    const txCode = newTxCode();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + OFFER_LIFETIME_MS);
    // Offers and tokens long past use are of no one's interest: cleared as new ones are made.
    await this.db.deleteFrom('certificate_wallet_offers').where('expires_at', '<', new Date(now.getTime() - 24 * 3600_000)).where('issued_at', 'is', null).execute();
    await this.db
      .insertInto('certificate_wallet_offers')
      .values({
        tenant_id: certificate.tenantId, certificate_id: certificate.id, person_id: certificate.personId, offer_hash: secretHash(secret), code_hash: secretHash(this.#codeOf(secret)),
        tx_code_hmac: this.#txCodeMac(this.#codeOf(secret), txCode), expires_at: expiresAt,
      })
      .execute();
    return { secret, txCode, expiresAt };
  }

  /** The pre-authorized code behind an offer's URI, and whether it asks for a transaction code: only this municipality's, unexpired and not yet redeemed. */
  async preAuthorizedCode(tenantId: string, offerSecret: string): Promise<{ code: string; txCode: boolean } | undefined> {
    if (!SECRET_SHAPE.test(offerSecret)) return undefined;
    const row = await this.db
      .selectFrom('certificate_wallet_offers')
      .select('tx_code_hmac')
      .where('offer_hash', '=', secretHash(offerSecret))
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', this.now())
      .where('redeemed_at', 'is', null)
      .executeTakeFirst();
    return row ? { code: this.#codeOf(offerSecret), txCode: row.tx_code_hmac !== null } : undefined;
  }

  /**
   * Exchanges a pre-authorized code (with the offer's transaction code) for an access token, once:
   * the code is marked redeemed in the same statement that finds it with the right transaction code,
   * so two wallets racing with one code get one token between them. A wrong transaction code is
   * counted in one statement too, so parallel guesses cannot pass TX_CODE_TRIES.
   */
  async redeem(tenantId: string, code: string, txCode: string | undefined, inForce: (certificateId: string) => Promise<boolean>): Promise<{ accessToken: string; expiresIn: number }> {
    if (!SECRET_SHAPE.test(code)) throw new WalletError('invalid_grant', 'The pre-authorized code is not valid.');
    const now = this.now();
    const live = () => this.db
      .updateTable('certificate_wallet_offers')
      .where('code_hash', '=', secretHash(code))
      .where('tenant_id', '=', tenantId)
      .where('expires_at', '>', now)
      .where('redeemed_at', 'is', null)
      .where('tx_code_failures', '<', TX_CODE_TRIES);
    const given = txCode === undefined ? null : this.#txCodeMac(code, txCode);
    const offer = await live()
      .set({ redeemed_at: now })
      .where((eb) => (given === null ? eb('tx_code_hmac', 'is', null) : eb('tx_code_hmac', '=', given)))
      .returning(['id', 'certificate_id'])
      .executeTakeFirst();
    if (!offer) {
      const asks = await this.db.selectFrom('certificate_wallet_offers').select('tx_code_hmac')
        .where('code_hash', '=', secretHash(code)).where('tenant_id', '=', tenantId).where('expires_at', '>', now).where('redeemed_at', 'is', null).where('tx_code_failures', '<', TX_CODE_TRIES)
        .executeTakeFirst();
      if (!asks) throw new WalletError('invalid_grant', 'The pre-authorized code is unknown, expired or already used.');
      // OID4VCI 1.0 §6.3: a transaction code not asked for is invalid_request, a missing one a bad request too, a wrong one invalid_grant.
      if (asks.tx_code_hmac === null) throw new WalletError('invalid_request', 'This offer has no transaction code.');
      if (given === null) throw new WalletError('invalid_request', 'This offer asks for its transaction code (tx_code): the digits shown beside the QR code.');
      const counted = await live().set({ tx_code_failures: sql<number>`tx_code_failures + 1` }).returning('tx_code_failures').executeTakeFirst();
      const left = counted ? TX_CODE_TRIES - counted.tx_code_failures : 0;
      throw new WalletError('invalid_grant', left > 0 ? `The transaction code is wrong (${left} tries left).` : 'The transaction code was wrong too many times: make a new offer.');
    }
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
