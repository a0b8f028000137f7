/**
 * Why a launch was refused. Each code has a page text in the LTI catalogue and a log line; the
 * codes follow the checks of the 1EdTech Security Framework §5.1.3 and LTI 1.3 Core §5.
 */
export const REFUSAL_CODES = [
  'bad-login-request',
  'unknown-platform',
  'missing-state',
  'state-mismatch',
  'malformed-token',
  'bad-algorithm',
  'unknown-kid',
  'jwks-unavailable',
  'bad-signature',
  'wrong-issuer',
  'wrong-audience',
  'azp-mismatch',
  'expired',
  'issued-in-future',
  'nonce-mismatch',
  'replayed-nonce',
  'unknown-deployment',
  'wrong-message-type',
  'wrong-version',
  'missing-claims',
  'unknown-tenant',
  'municipality-unmapped',
  'session-invalid',
  'not-permitted',
  'invite-unusable',
  'platform-unreachable',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

export class LtiRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly detail: string,
    readonly status = code === 'jwks-unavailable' ? 503 : code === 'platform-unreachable' ? 502 : code === 'not-permitted' ? 403 : code === 'session-invalid' || code === 'invite-unusable' ? 401 : 400,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'LtiRefusal';
  }
}

/**
 * A launch through a region's platform that names no municipality (custom parameter kommunenummer)
 * and whose e-mail domain is in none of the region's municipalities' maps. The page says what the
 * LMS administrator must send.
 */
export class MunicipalityUnmapped extends LtiRefusal {
  constructor(
    readonly regionName: string,
    /** The domain of the launcher's address, when one was sent. */
    readonly emailDomain: string | null,
    /** The launch's language (LTI locale), for the page. */
    readonly locale: 'nb' | 'nn' | 'en' | undefined,
  ) {
    super('municipality-unmapped', `region ${regionName}: no kommunenummer, e-mail domain ${emailDomain ?? '(none sent)'} not mapped`);
    this.name = 'MunicipalityUnmapped';
  }
}
