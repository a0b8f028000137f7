import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/**
 * What the content origin needs to serve a cmi5 package's files to one learner's step. It carries
 * no LRS credential: the AU gets that from its fetch URL (cmi5 §8.2).
 */
export interface Cmi5ContentClaims {
  readonly tenantId: string;
  readonly packageId: string;
  readonly packageTenantId: string;
  readonly enrolmentId: string;
  readonly stepId: string;
}

export interface Cmi5ContentTokens {
  sign(claims: Cmi5ContentClaims): Promise<string>;
  verify(token: string): Promise<Cmi5ContentClaims | undefined>;
}

const ISSUER = 'laeringslop';
const AUDIENCE = 'cmi5-content';

/** HS256 with a key of its own derived from the tool's secret (as the xAPI content tokens are). */
export function cmi5ContentTokens(secret: string, ttlSeconds = 12 * 3600): Cmi5ContentTokens {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'laeringslop', 'cmi5-content-token', 32));
  return {
    sign: (c) => new SignJWT({ tid: c.tenantId, pkg: c.packageId, ptid: c.packageTenantId, enr: c.enrolmentId, stp: c.stepId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(key),
    async verify(token) {
      try {
        const { payload: p } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], clockTolerance: 30 });
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const [tenantId, packageId, packageTenantId, enrolmentId, stepId] = [p['tid'], p['pkg'], p['ptid'], p['enr'], p['stp']].map(text);
        if (!tenantId || !packageId || !packageTenantId || !enrolmentId || !stepId) return undefined;
        return { tenantId, packageId, packageTenantId, enrolmentId, stepId };
      } catch {
        return undefined;
      }
    },
  };
}
