import type { Kysely } from 'kysely';
import { loadConfig } from '../config.js';
import type { Schema } from '../db/schema.js';
import { CERTIFICATE_KEY_GRACE_MS, CertificateKeys, certificateKeyBox } from '../certificates/certificate-keys.js';
import { rotateCertificateKey } from '../certificates/key-rotation.js';
import { UsageError } from './usage-error.js';

export const CERTIFICATE_USAGE = `
  certificate-key rotate [--grace-days N]  new signing key for certificates' credentials (its own kid in
                                          /lti/jwks); the old key stays published and verifying until
                                          the last credential it signed expires, and at least N days
                                          (default 730)
  certificate-key list                    the certificates' signing keys and until when they are published`;

type Output = (line: string) => void;

export async function runCertificateCommand(
  sub: string | undefined,
  values: { 'grace-days'?: string | undefined },
  withDb: <T>(work: (db: Kysely<Schema>) => Promise<T>) => Promise<T>,
  out: Output,
): Promise<void> {
  if (sub !== 'rotate' && sub !== 'list') throw new UsageError('certificate-key takes rotate or list');
  const config = loadConfig();
  await withDb(async (db) => {
    if (sub === 'rotate') {
      const days = values['grace-days'];
      const graceMs = days === undefined ? CERTIFICATE_KEY_GRACE_MS : /^\d+$/.test(days) ? Number(days) * 86_400_000 : NaN;
      if (!Number.isFinite(graceMs)) throw new UsageError('--grace-days must be a whole number of days');
      const { kid, retired, publishedUntil } = await rotateCertificateKey(db, new CertificateKeys(db, certificateKeyBox(config.keyEncryptionSecret)), graceMs);
      out(`new certificate signing key ${kid}`);
      for (const old of retired) out(`retired ${old}; published until ${publishedUntil.toISOString()}`);
      return;
    }
    const rows = await db.selectFrom('certificate_keys').select(['kid', 'created_at', 'retired_at', 'published_until']).orderBy('created_at').execute();
    if (rows.length === 0) out('no certificate signing key yet (one is made when the first credential is signed)');
    const now = new Date();
    for (const r of rows) {
      const state = r.retired_at === null ? 'current' : r.published_until && r.published_until > now ? `retired, published until ${r.published_until.toISOString()}` : 'retired, no longer published';
      out(`${r.kid}\tcreated ${r.created_at.toISOString()}\t${state}`);
    }
  });
}
