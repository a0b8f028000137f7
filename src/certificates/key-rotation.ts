import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { CERTIFICATE_KEY_GRACE_MS, type CertificateKeys } from './certificate-keys.js';

/**
 * When the last credential signed so far stops being valid: a credential's validUntil is its
 * certificate's first competence expiry, and any certificate issued until now may have been signed
 * with the current key. Undefined when none expires (those stay valid for the grace period only).
 */
export async function lastCredentialExpiry(db: Kysely<Schema>): Promise<Date | undefined> {
  const { rows } = await sql<{ last: string | null }>`
    select max(first_expiry)::text as last from (
      select min((c ->> 'expiresOn')::date) as first_expiry
        from certificates, jsonb_array_elements(attests -> 'competences') c
       group by certificates.id) expiries`.execute(db);
  const last = rows[0]?.last;
  // The end of that day anywhere in Europe: a day late rather than an hour early.
  return last ? new Date(`${last}T23:59:59Z`) : undefined;
}

/**
 * Rotates the certificates' signing key: a new kid signs from now on and is published in /lti/jwks;
 * the old key stays published, and verifying, until the last credential it may have signed has
 * expired, and for at least `graceMs` (credentials without expiry are downloaded again after that).
 */
export async function rotateCertificateKey(db: Kysely<Schema>, keys: CertificateKeys, graceMs = CERTIFICATE_KEY_GRACE_MS) {
  return keys.rotate(graceMs, await lastCredentialExpiry(db));
}
