import { certificateUrls } from '../credential.js';

/**
 * OpenID for Verifiable Credential Issuance 1.0 (OID4VCI), pre-authorized code flow. Each
 * municipality is its own Credential Issuer: its identifier is its Open Badges issuer profile
 * (/certificates/issuers/<tenantId>), the same URL as the credentials' `iss`, so a wallet shows the
 * municipality as issuer and a code, token or nonce of one municipality is nothing at another's.
 */
export const CREDENTIAL_CONFIGURATION_ID = 'OpenBadgeCredential';
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
/** OID4VCI 1.0 App. F.1: the key proof's JOSE header typ. */
export const PROOF_TYP = 'openid4vci-proof+jwt';

/** An offer (its QR code and pre-authorized code) stays usable this long, once. */
export const OFFER_LIFETIME_MS = 10 * 60_000;
export const ACCESS_TOKEN_LIFETIME_MS = 5 * 60_000;
/** The transaction code's digits, and how many wrong ones use up an offer (10^6 codes, 5 guesses). */
export const TX_CODE_LENGTH = 6;
export const TX_CODE_TRIES = 5;
export const NONCE_LIFETIME_MS = 5 * 60_000;
/** A key proof's iat: at most this old, and at most PROOF_CLOCK_SKEW_MS ahead of our clock. */
export const PROOF_MAX_AGE_MS = 5 * 60_000;
export const PROOF_CLOCK_SKEW_MS = 60_000;

/** OID4VCI 1.0 §12.2.2 and RFC 8414 §3: the well-known path is inserted between host and path. */
function wellKnown(identifier: string, name: string): string {
  const url = new URL(identifier);
  return `${url.origin}/.well-known/${name}${url.pathname === '/' ? '' : url.pathname}`;
}

export const walletUrls = (publicUrl: string) => {
  const issuer = (tenantId: string) => certificateUrls(publicUrl).issuer(tenantId);
  return {
    issuer,
    issuerMetadata: (tenantId: string) => wellKnown(issuer(tenantId), 'openid-credential-issuer'),
    authorizationServerMetadata: (tenantId: string) => wellKnown(issuer(tenantId), 'oauth-authorization-server'),
    token: (tenantId: string) => `${issuer(tenantId)}/token`,
    nonce: (tenantId: string) => `${issuer(tenantId)}/nonce`,
    credential: (tenantId: string) => `${issuer(tenantId)}/credential`,
    offer: (tenantId: string, secret: string) => `${issuer(tenantId)}/offers/${secret}`,
  };
};

/** OID4VCI 1.0 §4.1.3: the offer by reference, as a link a wallet on this device opens (and the QR code holds). */
export function offerLink(offerUri: string): string {
  return `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(offerUri)}`;
}

export type WalletErrorCode =
  | 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type'
  | 'invalid_token'
  | 'invalid_credential_request' | 'unknown_credential_configuration' | 'unknown_credential_identifier'
  | 'invalid_proof' | 'invalid_nonce' | 'credential_request_denied';

/**
 * An error as the protocol answers it: RFC 6749 §5.2 at the token endpoint, RFC 6750 §3 for the
 * access token, OID4VCI 1.0 §8.3.1.2 for the credential request. JSON, never problem+json: wallets
 * switch on `error`.
 */
export class WalletError extends Error {
  constructor(
    readonly error: WalletErrorCode,
    readonly description: string,
    readonly status: number = error === 'invalid_token' ? 401 : 400,
  ) {
    super(description);
    this.name = 'WalletError';
  }

  toBody(): { error: WalletErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** The display names of the credential and its issuer in the wallet (OID4VCI 1.0 §12.2.4). */
const CREDENTIAL_DISPLAY = [
  { name: 'Kursbevis', locale: 'nb', description: 'Kursbevis eller kompetansebevis fra kommunen (Open Badges 3.0), utstedt av Læringsløp.' },
  { name: 'Kursprov', locale: 'nn', description: 'Kursprov eller kompetanseprov frå kommunen (Open Badges 3.0), utferda av Læringsløp.' },
  { name: 'Course certificate', locale: 'en', description: 'Course or competence certificate from the municipality (Open Badges 3.0), issued by Læringsløp.' },
] as const;

/** Credential Issuer Metadata (OID4VCI 1.0 §12.2.4) of a municipality. */
export function issuerMetadata(publicUrl: string, tenant: { id: string; name: string }): Record<string, unknown> {
  const urls = walletUrls(publicUrl);
  return {
    credential_issuer: urls.issuer(tenant.id),
    credential_endpoint: urls.credential(tenant.id),
    nonce_endpoint: urls.nonce(tenant.id),
    display: [{ name: tenant.name, locale: 'nb' }, { name: tenant.name, locale: 'nn' }, { name: tenant.name, locale: 'en' }],
    credential_configurations_supported: {
      [CREDENTIAL_CONFIGURATION_ID]: {
        format: 'jwt_vc_json',
        scope: CREDENTIAL_CONFIGURATION_ID,
        cryptographic_binding_methods_supported: ['did:jwk', 'jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_definition: { type: ['VerifiableCredential', 'OpenBadgeCredential'] },
        credential_metadata: { display: CREDENTIAL_DISPLAY },
      },
    },
  };
}

/** OAuth 2.0 Authorization Server Metadata (RFC 8414): the issuer is its own authorization server, for the pre-authorized code only. */
export function authorizationServerMetadata(publicUrl: string, tenantId: string): Record<string, unknown> {
  const urls = walletUrls(publicUrl);
  return {
    issuer: urls.issuer(tenantId),
    token_endpoint: urls.token(tenantId),
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    token_endpoint_auth_methods_supported: ['none'],
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}

/** The Credential Offer (OID4VCI 1.0 §4.1.1) behind an offer's credential_offer_uri. */
export function credentialOffer(publicUrl: string, tenantId: string, preAuthorizedCode: string, txCode: boolean): Record<string, unknown> {
  const grant: Record<string, unknown> = { 'pre-authorized_code': preAuthorizedCode };
  // The wallet asks the person for it; the description is what the wallet shows (one string, so both languages).
  if (txCode) grant['tx_code'] = { input_mode: 'numeric', length: TX_CODE_LENGTH, description: 'Engangskoden på siden med QR-koden / The one-time code on the page with the QR code' };
  return {
    credential_issuer: walletUrls(publicUrl).issuer(tenantId),
    credential_configuration_ids: [CREDENTIAL_CONFIGURATION_ID],
    grants: { [PRE_AUTHORIZED_GRANT]: grant },
  };
}
