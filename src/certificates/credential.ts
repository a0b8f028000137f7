import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CompactSign } from 'jose';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { groupedCode } from './codes.js';
import { CREDENTIAL_ALG, type CertificateKeys } from './certificate-keys.js';
import { revokedStatusIndexes, type Certificate } from './certificates.js';

const gzipAsync = promisify(gzip);

// Open Badges 3.0 §8 (context 3.0.3) on the W3C Verifiable Credentials Data Model 2.0.
export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** Bitstring Status List v1.0 §3.1: a list has at least 131,072 entries, so no one index stands out. */
export const STATUS_LIST_MIN_BITS = 131_072;

export const certificateUrls = (publicUrl: string) => ({
  issuer: (tenantId: string) => `${publicUrl}/certificates/issuers/${tenantId}`,
  statusList: (tenantId: string) => `${publicUrl}/certificates/status/${tenantId}`,
  verify: (code: string) => `${publicUrl}/verify/${groupedCode(code)}`,
});

/** Whom the credential is about, by a salted hash: the e-mail address, else the employee number. */
export async function subjectIdentifier(db: Kysely<Schema>, certificate: Certificate) {
  const person = await db.selectFrom('people').select('email').where('id', '=', certificate.personId).executeTakeFirst();
  const employee = await db.selectFrom('employees').select('employee_number').where('person_id', '=', certificate.personId).executeTakeFirst();
  const [identityType, value] = person?.email
    ? ['emailAddress', person.email.trim().toLowerCase()]
    : employee ? ['identifier', employee.employee_number] : ['systemId', certificate.personId];
  // OB 3.0 IdentityObject: identityHash is 'sha256$' and the hex SHA-256 of the identity and the salt.
  return {
    type: 'IdentityObject',
    identityHash: `sha256$${createHash('sha256').update(value + certificate.subjectSalt).digest('hex')}`,
    identityType,
    hashed: true,
    salt: certificate.subjectSalt,
  };
}

/** Midnight starting a day in Europe/Oslo, as an instant (Oslo is one or two hours ahead of UTC). */
function osloMidnight(date: string): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  const osloHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', hourCycle: 'h23' }).format(utcMidnight));
  return new Date(utcMidnight.getTime() - osloHour * 3600_000);
}

/** The OpenBadgeCredential for a certificate (Open Badges 3.0 §B.1), unsigned. */
export async function openBadgeCredential(db: Kysely<Schema>, certificate: Certificate, publicUrl: string): Promise<Record<string, unknown>> {
  const urls = certificateUrls(publicUrl);
  const { attests } = certificate;
  const issuerId = urls.issuer(certificate.tenantId);
  const competenceNames = attests.competences.map((c) => c.name.nb);
  const expiries = attests.competences.map((c) => c.expiresOn).filter((e): e is string => e !== null).sort();
  const achievement = attests.path
    ? {
        id: `urn:uuid:${attests.path.versionId}`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: attests.path.title,
        description: `Læringsløpet «${attests.path.title}», versjon ${attests.path.versionNumber}${competenceNames.length ? `, som gir kompetansen ${competenceNames.join(', ')}` : ''}.`,
        criteria: { narrative: `Fullført alle påkrevde steg i læringsløpet: ${attests.path.steps.join('; ')}.` },
        version: String(attests.path.versionNumber),
        inLanguage: 'nb',
        alignment: attests.competences.map((c) => ({ type: ['Alignment'], targetName: c.name.nb, targetCode: c.code, targetType: 'ceasn:Competency', targetUrl: `urn:uuid:${c.id}`, ...(c.description ? { targetDescription: c.description.nb } : {}) })),
      }
    : {
        id: `urn:uuid:${attests.competences[0]!.id}`,
        type: ['Achievement'],
        achievementType: 'Competency',
        name: attests.competences[0]!.name.nb,
        description: attests.competences[0]!.description?.nb ?? `Kompetansen «${attests.competences[0]!.name.nb}».`,
        criteria: { narrative: `Registrert av ${attests.issuer.name} med dokumentasjon${attests.documented?.issuer ? ` fra ${attests.documented.issuer}` : ''}${attests.documented?.number ? ` (nummer ${attests.documented.number})` : ''}.` },
        inLanguage: 'nb',
      };
  const validFrom = certificate.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: `urn:uuid:${certificate.id}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: attests.path ? `Kursbevis: ${attests.path.title}` : `Kompetansebevis: ${competenceNames[0]}`,
    issuer: { id: issuerId, type: ['Profile'], name: attests.issuer.name, url: publicUrl },
    validFrom,
    ...(expiries[0] ? { validUntil: osloMidnight(expiries[0]).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [await subjectIdentifier(db, certificate)],
      achievement,
    },
    credentialStatus: {
      id: `${urls.statusList(certificate.tenantId)}#${certificate.statusIndex}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(certificate.statusIndex),
      statusListCredential: urls.statusList(certificate.tenantId),
    },
  };
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * A credential as a VC-JWT (Open Badges 3.0 §8.2.4.1): the credential is the payload, with iss, jti,
 * sub, nbf and exp mirroring issuer.id, id, credentialSubject.id (when it has one), validFrom and
 * validUntil; the header names the key by kid.
 */
export async function signCredential(credential: Record<string, unknown>, keys: CertificateKeys): Promise<string> {
  const { kid, key } = await keys.signingKey();
  const payload = {
    ...credential,
    iss: (credential['issuer'] as { id: string }).id,
    jti: credential['id'],
    ...(typeof (credential['credentialSubject'] as { id?: unknown } | undefined)?.id === 'string' ? { sub: (credential['credentialSubject'] as { id: string }).id } : {}),
    nbf: seconds(credential['validFrom'] as string),
    ...(typeof credential['validUntil'] === 'string' ? { exp: seconds(credential['validUntil']) } : {}),
  };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: CREDENTIAL_ALG, kid, typ: 'JWT' }).sign(key);
}

export async function certificateCredentialJwt(db: Kysely<Schema>, certificate: Certificate, publicUrl: string, keys: CertificateKeys): Promise<string> {
  return signCredential(await openBadgeCredential(db, certificate, publicUrl), keys);
}

/** Bitstring Status List v1.0 §2.1: index 0 is the first (most significant) bit; GZIP, then multibase base64url ('u'). */
export async function encodedStatusList(revoked: readonly number[]): Promise<string> {
  const bits = Math.max(STATUS_LIST_MIN_BITS, Math.ceil(((Math.max(-1, ...revoked) + 1) / 8)) * 8);
  const bytes = new Uint8Array(bits / 8);
  for (const index of revoked) bytes[index >> 3]! |= 0x80 >> (index & 7);
  return `u${(await gzipAsync(bytes)).toString('base64url')}`;
}

/** The municipality's BitstringStatusListCredential (revocation), as a credential and signed. */
export async function statusListCredential(db: Kysely<Schema>, tenantId: string, publicUrl: string, keys: CertificateKeys, now = new Date()): Promise<{ credential: Record<string, unknown>; jwt: string }> {
  const urls = certificateUrls(publicUrl);
  const tenant = await db.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const credential = {
    '@context': [VC_CONTEXT],
    id: urls.statusList(tenantId),
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: { id: urls.issuer(tenantId), name: tenant.name },
    validFrom: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `${urls.statusList(tenantId)}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: await encodedStatusList(await revokedStatusIndexes(db, tenantId)),
    },
  };
  return { credential, jwt: await signCredential(credential, keys) };
}
