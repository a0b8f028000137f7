import { base64url, compactVerify, decodeProtectedHeader } from 'jose';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { osloDate } from '../oslo-date.js';
import { groupedCode, normaliseCode } from './codes.js';
import { CREDENTIAL_ALG, type CertificateKeys } from './certificate-keys.js';
import { findForVerification, type Attests, type Certificate, type Holder, type Standing } from './certificates.js';
import { certificateUrls } from './credential.js';

export type VerificationStatus = 'valid' | 'revoked' | 'expired' | 'not-issued-here' | 'tampered' | 'malformed';

/**
 * Why the answer is what it is, where the status alone does not say: a credential signed with a key
 * no longer published, a credential past its validUntil, a signature that does not hold …
 */
export type VerificationReason =
  | 'competence-expired' | 'credential-expired' | 'signing-key-expired'
  | 'signature-invalid' | 'signature-missing' | 'algorithm-refused' | 'claims-disagree'
  | 'unknown-key' | 'unknown-code' | 'unknown-credential'
  | 'too-long' | 'not-a-code-or-credential';

/** What a certificate attests, as a verifier may see it: the printed name and nothing else about the person. */
export interface AttestedView {
  readonly code: string;
  /** The holder's name; null once the holder is erased (docs/privacy.md): no name, no pseudonym. */
  readonly name: string | null;
  readonly holderErased: boolean;
  readonly kind: Attests['kind'];
  readonly path: { readonly title: string; readonly versionNumber: number; readonly steps: readonly string[] } | null;
  readonly competences: readonly { readonly code: string; readonly name: Attests['competences'][number]['name']; readonly level: number | null; readonly expiresOn: string | null }[];
  readonly achievedOn: string;
  readonly issuedAt: string;
  readonly expiresOn: string | null;
  readonly revokedAt: string | null;
  readonly issuer: { readonly name: string; readonly region: string | null };
}

export interface Verification {
  readonly status: VerificationStatus;
  readonly reason?: VerificationReason;
  /** Present for valid, revoked and expired certificates of this tool. */
  readonly certificate?: AttestedView;
}

/** The longest input looked at: a credential of this tool is a few kB; anything far longer is not one. */
export const VERIFY_INPUT_LIMIT = 16 * 1024;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const UUID_URN = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export interface VerifierDeps {
  readonly db: Kysely<Schema>;
  readonly keys: CertificateKeys;
  readonly publicUrl: string;
  readonly today?: () => string;
  readonly now?: () => Date;
}

function describe(found: { certificate: Certificate; holder: Holder; standing: Standing }, reason?: VerificationReason): Verification {
  const { certificate, holder, standing } = found;
  const { attests } = certificate;
  const view: AttestedView = {
    code: groupedCode(certificate.code),
    name: holder.erased ? null : holder.name,
    holderErased: holder.erased,
    kind: attests.kind,
    path: attests.path ? { title: attests.path.title, versionNumber: attests.path.versionNumber, steps: attests.path.steps } : null,
    competences: attests.competences.map((c) => ({ code: c.code, name: c.name, level: c.level, expiresOn: c.expiresOn })),
    achievedOn: attests.achievedOn,
    issuedAt: certificate.issuedAt.toISOString(),
    expiresOn: standing.expiresOn,
    revokedAt: standing.revokedAt?.toISOString() ?? null,
    issuer: { name: attests.issuer.name, region: attests.issuer.region },
  };
  if (standing.status === 'revoked') return { status: 'revoked', certificate: view };
  if (standing.status === 'expired') return { status: 'expired', reason: 'competence-expired', certificate: view };
  if (reason) return { status: 'expired', reason, certificate: view };
  return { status: 'valid', certificate: view };
}

const onDate = (deps: VerifierDeps) => (deps.today ?? (() => osloDate()))();

/** A verification code as printed or typed. */
export async function verifyCode(deps: VerifierDeps, input: string): Promise<Verification> {
  if (input.length > VERIFY_INPUT_LIMIT) return { status: 'malformed', reason: 'too-long' };
  const code = normaliseCode(input.trim());
  if (!code) return { status: 'malformed', reason: 'not-a-code-or-credential' };
  const found = await findForVerification(deps.db, { code }, onDate(deps));
  if (!found) return { status: 'not-issued-here', reason: 'unknown-code' };
  return describe(found);
}

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(segment)));
  } catch {
    return undefined;
  }
}

/**
 * A credential JWT, checked as an outside verifier would: ES256 only, by a key this tool published
 * (its kid), the signature over exactly these bytes; then what it names must be a certificate of
 * this tool, with the same issuer and status entry, and its standing is read now.
 */
export async function verifyCredential(deps: VerifierDeps, input: string): Promise<Verification> {
  if (input.length > VERIFY_INPUT_LIMIT) return { status: 'malformed', reason: 'too-long' };
  // A downloaded credential file holds the JWT as a JSON string: its quotes are no part of it.
  const jwt = input.trim().replace(/^"([^"]*)"$/, '$1');
  const parts = jwt.split('.');
  // A signature cut off along with its dot is as stripped as one cut off after it.
  if (parts.length === 2 && /^[A-Za-z0-9_-]+$/.test(parts[0]!) && /^[A-Za-z0-9_-]+$/.test(parts[1]!) && parseJson(parts[0]!)) return { status: 'tampered', reason: 'signature-missing' };
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return { status: 'malformed', reason: 'not-a-code-or-credential' };
  if (!JWS.test(jwt) || parts[2] === '') return { status: 'tampered', reason: 'signature-missing' };
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    return { status: 'malformed', reason: 'not-a-code-or-credential' };
  }
  if (header.alg !== CREDENTIAL_ALG) return { status: 'tampered', reason: 'algorithm-refused' };
  if (typeof header.kid !== 'string' || header.kid.length > 200) return { status: 'not-issued-here', reason: 'unknown-key' };
  const key = await deps.keys.lookup(header.kid);
  if (key.state === 'unknown') return { status: 'not-issued-here', reason: 'unknown-key' };
  if (key.state === 'published') {
    try {
      await compactVerify(jwt, key.key, { algorithms: [CREDENTIAL_ALG] });
    } catch {
      return { status: 'tampered', reason: 'signature-invalid' };
    }
  }
  const payload = parseJson(parts[1]!) as Record<string, unknown> | undefined;
  const id = typeof payload?.['jti'] === 'string' ? UUID_URN.exec(payload['jti'])?.[1] : undefined;
  const found = id ? await findForVerification(deps.db, { id: id.toLowerCase() }, onDate(deps)) : undefined;
  if (key.state === 'expired') {
    // Its signature can no longer be checked by anyone: say which certificate, not that it holds.
    return found ? { status: 'expired', reason: 'signing-key-expired' } : { status: 'not-issued-here', reason: 'unknown-credential' };
  }
  if (!payload || !found) return { status: 'not-issued-here', reason: 'unknown-credential' };
  const { certificate } = found;
  const urls = certificateUrls(deps.publicUrl);
  const status = payload['credentialStatus'] as { statusListIndex?: unknown } | undefined;
  if (payload['iss'] !== urls.issuer(certificate.tenantId) || payload['id'] !== payload['jti'] || status?.statusListIndex !== String(certificate.statusIndex)) {
    return { status: 'tampered', reason: 'claims-disagree' };
  }
  const exp = payload['exp'];
  const now = (deps.now ?? (() => new Date()))();
  return describe(found, typeof exp === 'number' && exp * 1000 <= now.getTime() ? 'credential-expired' : undefined);
}

/** A code or a credential, whichever the input is. */
export function verifyAnything(deps: VerifierDeps, input: string): Promise<Verification> {
  if (input.length > VERIFY_INPUT_LIMIT) return Promise.resolve({ status: 'malformed', reason: 'too-long' });
  return input.includes('.') ? verifyCredential(deps, input) : verifyCode(deps, input);
}
