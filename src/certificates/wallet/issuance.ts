import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { osloDate } from '../../oslo-date.js';
import type { CertificateKeys } from '../certificate-keys.js';
import { certificateStanding, findCertificate, type Certificate } from '../certificates.js';
import { openBadgeCredential, signCredential } from '../credential.js';
import { checkKeyProof } from './key-proof.js';
import { WalletNonces } from './nonces.js';
import { WalletOffers } from './offers.js';
import { authorizationServerMetadata, credentialOffer, CREDENTIAL_CONFIGURATION_ID, issuerMetadata, offerLink, PRE_AUTHORIZED_GRANT, walletUrls, WalletError } from './protocol.js';

export interface WalletIssuerDeps {
  readonly db: Kysely<Schema>;
  readonly keys: CertificateKeys;
  readonly publicUrl: string;
  readonly keyEncryptionSecret: string;
  readonly now?: () => Date;
}

/** An offer as the person's page shows it: the link, what the QR code holds, the transaction code to type in the wallet, and until when. */
export interface OfferForPerson {
  readonly offerUri: string;
  readonly link: string;
  readonly txCode: string;
  readonly expiresAt: Date;
}

/**
 * A municipality as a Credential Issuer (OpenID4VCI 1.0, pre-authorized code): offers made on the
 * person's own page, the token, nonce and credential endpoints' work. The credential is the
 * certificate's OpenBadgeCredential bound to the holder's key (credentialSubject.id, its did:jwk),
 * signed with the certificates' key and carrying the same status entry as the downloaded one.
 */
export class WalletIssuer {
  readonly offers: WalletOffers;
  readonly nonces: WalletNonces;
  readonly #now: () => Date;

  constructor(private readonly deps: WalletIssuerDeps) {
    this.#now = deps.now ?? (() => new Date());
    this.offers = new WalletOffers(deps.db, deps.keyEncryptionSecret, this.#now);
    this.nonces = new WalletNonces(deps.db, deps.keyEncryptionSecret, this.#now);
  }

  get urls() {
    return walletUrls(this.deps.publicUrl);
  }

  /** The municipality, when the id names one (only municipalities issue). */
  async issuerTenant(tenantId: string): Promise<{ id: string; name: string } | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(tenantId)) return undefined;
    return this.deps.db.selectFrom('tenants').select(['id', 'name']).where('id', '=', tenantId).where('kind', '=', 'municipality').executeTakeFirst();
  }

  issuerMetadata(tenant: { id: string; name: string }) {
    return issuerMetadata(this.deps.publicUrl, tenant);
  }

  authorizationServerMetadata(tenantId: string) {
    return authorizationServerMetadata(this.deps.publicUrl, tenantId);
  }

  /** Whether a certificate may go to a wallet now: neither revoked nor expired. */
  async inForce(certificate: Certificate): Promise<boolean> {
    return (await certificateStanding(this.deps.db, certificate, osloDate(this.#now()))).status === 'valid';
  }

  /** A new offer for the person's own certificate (the caller has checked it is theirs and in force). */
  async offer(certificate: Certificate): Promise<OfferForPerson> {
    const { secret, txCode, expiresAt } = await this.offers.create(certificate);
    const offerUri = this.urls.offer(certificate.tenantId, secret);
    return { offerUri, link: offerLink(offerUri), txCode, expiresAt };
  }

  /** The Credential Offer object behind credential_offer_uri, or undefined (unknown, expired, used, another municipality's). */
  async credentialOffer(tenantId: string, offerSecret: string): Promise<Record<string, unknown> | undefined> {
    const found = await this.offers.preAuthorizedCode(tenantId, offerSecret);
    return found ? credentialOffer(this.deps.publicUrl, tenantId, found.code, found.txCode) : undefined;
  }

  /** Token endpoint (RFC 6749 §4.1.3 as OID4VCI 1.0 §6.1 extends it): the pre-authorized code for a short-lived access token. */
  async token(tenantId: string, form: Record<string, unknown>): Promise<Record<string, unknown>> {
    const grantType = form['grant_type'];
    if (typeof grantType !== 'string') throw new WalletError('invalid_request', 'grant_type is missing.');
    if (grantType !== PRE_AUTHORIZED_GRANT) throw new WalletError('unsupported_grant_type', `Only ${PRE_AUTHORIZED_GRANT} is supported.`);
    const code = form['pre-authorized_code'];
    if (typeof code !== 'string' || code === '') throw new WalletError('invalid_request', 'pre-authorized_code is missing.');
    const txCode = form['tx_code'];
    if (txCode !== undefined && (typeof txCode !== 'string' || txCode.length > 64)) throw new WalletError('invalid_request', 'tx_code must be the digits of the offer\'s transaction code.');
    const { accessToken, expiresIn } = await this.offers.redeem(tenantId, code, txCode, async (certificateId) => {
      const certificate = await findCertificate(this.deps.db, certificateId);
      return certificate !== undefined && (await this.inForce(certificate));
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }

  nonce(tenantId: string): { c_nonce: string } {
    return { c_nonce: this.nonces.issue(tenantId) };
  }

  /** Credential endpoint (OID4VCI 1.0 §8): one credential for one key proof, to the access token's certificate. */
  async credential(tenantId: string, accessToken: string | undefined, body: unknown): Promise<{ credentials: { credential: string }[] }> {
    if (!accessToken) throw new WalletError('invalid_token', 'An access token (Authorization: Bearer) is required.');
    const offer = await this.offers.bearer(tenantId, accessToken);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new WalletError('invalid_credential_request', 'The credential request must be a JSON object.');
    const request = body as Record<string, unknown>;
    if (request['credential_identifier'] !== undefined) throw new WalletError('unknown_credential_identifier', 'This issuer gives no credential identifiers: use credential_configuration_id.');
    if (request['credential_configuration_id'] !== CREDENTIAL_CONFIGURATION_ID) throw new WalletError('unknown_credential_configuration', `The credential configuration offered is ${CREDENTIAL_CONFIGURATION_ID}.`);
    if (request['credential_response_encryption'] !== undefined) throw new WalletError('invalid_credential_request', 'Credential response encryption is not supported.');
    const proofs = request['proofs'];
    const jwts = proofs && typeof proofs === 'object' && !Array.isArray(proofs) ? (proofs as Record<string, unknown>)['jwt'] : undefined;
    if (!Array.isArray(jwts) || jwts.length === 0 || Object.keys(proofs as object).length !== 1) throw new WalletError('invalid_proof', 'proofs must hold one jwt key proof.');
    // No batch_credential_issuance in the metadata: one key, one credential.
    if (jwts.length > 1) throw new WalletError('invalid_credential_request', 'This issuer issues one credential per request (no batch issuance).');
    const issuer = this.urls.issuer(tenantId);
    const { holder, nonce } = await checkKeyProof(jwts[0], issuer, this.#now());
    const used = await this.nonces.use(tenantId, nonce);
    if (used !== 'ok') throw new WalletError('invalid_nonce', used === 'used' ? 'The nonce was used already: fetch a new one.' : 'The nonce is not valid or has expired: fetch a new one.');
    const certificate = await findCertificate(this.deps.db, offer.certificateId);
    if (!certificate || certificate.personId !== offer.personId || !(await this.inForce(certificate))) {
      throw new WalletError('credential_request_denied', 'The certificate is no longer in force.');
    }
    const credential = await openBadgeCredential(this.deps.db, certificate, this.deps.publicUrl);
    const subject = credential['credentialSubject'] as Record<string, unknown>;
    credential['credentialSubject'] = { id: holder.did, ...subject };
    const jwt = await signCredential(credential, this.deps.keys);
    await this.offers.recordIssued(offer.offerId, holder.did);
    return { credentials: [{ credential: jwt }] };
  }
}
