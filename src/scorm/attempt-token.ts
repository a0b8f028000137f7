import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** What an attempt token lets its holder do: read and write this one attempt, nothing else. */
export interface AttemptClaims {
  attemptId: string;
  tenantId: string;
  personId: string;
  packageId: string;
  /** The tenant owning the package when it is not the learner's (a path shared across tenants). */
  packageTenantId?: string;
}

/** Where the attempt's package is looked up: its owner's tenant, by default the learner's. */
export function packageTenantOf(claims: AttemptClaims): string {
  return claims.packageTenantId ?? claims.tenantId;
}

const ISSUER = 'laeringslop';
const AUDIENCE = 'scorm-content';

export interface AttemptTokens {
  sign(claims: AttemptClaims): Promise<string>;
  /** The claims of a valid, unexpired token; undefined for anything else. */
  verify(token: string): Promise<AttemptClaims | undefined>;
}

/** How long a verified token is remembered (never past its own expiry), and how many are. */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

/**
 * HS256 tokens with a key derived from the tool's secret (HKDF, its own label), so no key needs
 * storing and a token for this purpose is useless for any other.
 *
 * The player sends its token with every commit, so verified tokens are remembered by their exact
 * string for a minute: the same string always verifies to the same claims (fixed key), and an
 * entry ends no later than the token's expiry. Refused tokens are never remembered.
 */
export function attemptTokens(secret: string, ttlSeconds = 12 * 3600): AttemptTokens {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'laeringslop', 'scorm-attempt-token', 32));
  const verified = new Map<string, { claims: Readonly<AttemptClaims>; until: number }>();
  return {
    async sign(claims) {
      const shared = claims.packageTenantId && claims.packageTenantId !== claims.tenantId ? { ptid: claims.packageTenantId } : {};
      return new SignJWT({ tid: claims.tenantId, pid: claims.personId, pkg: claims.packageId, ...shared })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(claims.attemptId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },
    async verify(token) {
      const now = Date.now();
      const known = verified.get(token);
      if (known && now < known.until) return { ...known.claims };
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], clockTolerance: 30 });
        const { sub, tid, pid, pkg, ptid, exp } = payload;
        if (typeof sub !== 'string' || typeof tid !== 'string' || typeof pid !== 'string' || typeof pkg !== 'string') return undefined;
        const claims: AttemptClaims = { attemptId: sub, tenantId: tid, personId: pid, packageId: pkg, ...(typeof ptid === 'string' ? { packageTenantId: ptid } : {}) };
        if (typeof exp !== 'number') return claims;
        if (verified.size >= VERIFIED_MAX) verified.clear();
        verified.set(token, { claims: Object.freeze({ ...claims }), until: Math.min(now + VERIFIED_TTL_MS, exp * 1000) });
        return claims;
      } catch {
        verified.delete(token);
        return undefined;
      }
    },
  };
}
