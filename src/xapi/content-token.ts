import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/**
 * What the content origin needs to play one launch of an xAPI package: its files, the launch
 * credential to keep alive, and the path step to lead back to. It carries no LRS credential.
 */
export interface TinCanContentClaims {
  readonly tenantId: string;
  readonly packageId: string;
  readonly packageTenantId: string;
  readonly credentialId: string;
  readonly enrolmentId: string;
  readonly stepId: string;
}

const ISSUER = 'laeringslop';
const AUDIENCE = 'xapi-content';

export interface TinCanContentTokens {
  sign(claims: TinCanContentClaims): Promise<string>;
  verify(token: string): Promise<TinCanContentClaims | undefined>;
}

/** HS256 with a key of its own derived from the tool's secret (as the SCORM attempt tokens are). */
export function tinCanContentTokens(secret: string, ttlSeconds = 12 * 3600): TinCanContentTokens {
  const key = new Uint8Array(hkdfSync('sha256', secret, 'laeringslop', 'xapi-content-token', 32));
  return {
    sign: (c) => new SignJWT({ tid: c.tenantId, pkg: c.packageId, ptid: c.packageTenantId, cid: c.credentialId, enr: c.enrolmentId, stp: c.stepId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key),
    async verify(token) {
      try {
        const { payload: p } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], clockTolerance: 30 });
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const [tenantId, packageId, packageTenantId, credentialId, enrolmentId, stepId] = [p['tid'], p['pkg'], p['ptid'], p['cid'], p['enr'], p['stp']].map(text);
        if (!tenantId || !packageId || !packageTenantId || !credentialId || !enrolmentId || !stepId) return undefined;
        return { tenantId, packageId, packageTenantId, credentialId, enrolmentId, stepId };
      } catch {
        return undefined;
      }
    },
  };
}
