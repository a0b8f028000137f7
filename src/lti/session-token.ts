import { jwtVerify, SignJWT } from 'jose';
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

  issue(session: LtiSession): Promise<string> {
    return new SignJWT({
      ten: session.tenantId,
      role: session.role,
      ctx: session.contextId,
      rl: session.resourceLinkId,
      plt: session.platformId,
      ...(session.locale ? { loc: session.locale } : {}),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(session.personId)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .sign(this.#key);
  }

  async verify(token: string): Promise<LtiSession> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, algorithms: ['HS256'] });
      const role = payload['role'];
      if (typeof payload.sub !== 'string' || typeof payload['ten'] !== 'string' || !TOOL_ROLES.includes(role as ToolRole)) {
        throw new Error('incomplete session token');
      }
      return {
        personId: payload.sub,
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
