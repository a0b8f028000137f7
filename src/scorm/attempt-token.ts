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

/**
 * HS256 tokens with a key derived from the tool's secret (HKDF, its own label), so no key needs
 * storing and a token for this purpose is useless for any other.
 */
export function attemptTokens(secret: string, ttlSeconds = 12 * 3600): AttemptTokens {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'laeringslop', 'scorm-attempt-token', 32));
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
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], clockTolerance: 30 });
        const { sub, tid, pid, pkg, ptid } = payload;
        if (typeof sub !== 'string' || typeof tid !== 'string' || typeof pid !== 'string' || typeof pkg !== 'string') return undefined;
        return { attemptId: sub, tenantId: tid, personId: pid, packageId: pkg, ...(typeof ptid === 'string' ? { packageTenantId: ptid } : {}) };
      } catch {
        return undefined;
      }
    },
  };
}
