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
