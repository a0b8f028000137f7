import { signHs256, verifyHs256 } from './compact-jws.js';
import { LtiRefusal } from './refusal.js';
import { TOOL_ROLES, type ToolRole } from './roles.js';
import { derivedKey } from './secret-box.js';

/** What a browser may do after a launch: act as one person, in one tenant, role and course. */
export interface LtiSession {
  personId: string;
  tenantId: string;
  role: ToolRole;
  contextId: string | null;
  resourceLinkId: string | null;
  platformId: string;
  locale: string | undefined;
}

const ISSUER = 'laeringslop/lti-session';

/**
 * Short-lived session tokens, HMAC-signed with a key derived from the key-encryption secret. They
 * travel in URLs, forms or an Authorization header, never in cookies, so they work inside an LMS
 * iframe where third-party cookies are blocked.
 */
export class SessionTokens {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    private readonly lifetimeSeconds = 3600,
  ) {
    this.#key = derivedKey(secret, 'lti-session');
  }

  /** Async for its callers' sake; the HMAC itself is synchronous (about 10 µs). */
  async issue(session: LtiSession, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return signHs256(
      {
        ten: session.tenantId,
        role: session.role,
        ctx: session.contextId,
        rl: session.resourceLinkId,
        plt: session.platformId,
        ...(session.locale ? { loc: session.locale } : {}),
        iss: ISSUER,
        sub: session.personId,
        iat,
        exp: iat + this.lifetimeSeconds,
      },
      this.#key,
    );
  }

  async verify(token: string, now = Date.now()): Promise<LtiSession> {
    try {
      const payload = verifyHs256(token, this.#key);
      if (payload['iss'] !== ISSUER) throw new Error('unexpected "iss" claim value');
      const exp = payload['exp'];
      if (typeof exp !== 'number' || exp <= Math.floor(now / 1000)) throw new Error('"exp" claim timestamp check failed');
      const role = payload['role'];
      if (typeof payload['sub'] !== 'string' || typeof payload['ten'] !== 'string' || !TOOL_ROLES.includes(role as ToolRole)) {
        throw new Error('incomplete session token');
      }
      return {
        personId: payload['sub'],
        tenantId: payload['ten'],
        role: role as ToolRole,
        contextId: typeof payload['ctx'] === 'string' ? payload['ctx'] : null,
        resourceLinkId: typeof payload['rl'] === 'string' ? payload['rl'] : null,
        platformId: String(payload['plt']),
        locale: typeof payload['loc'] === 'string' ? payload['loc'] : undefined,
      };
    } catch (error) {
      throw new LtiRefusal('session-invalid', `session token refused: ${(error as Error).message}`);
    }
  }
}
