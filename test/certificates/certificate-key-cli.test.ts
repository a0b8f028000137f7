import { describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { CertificateKeys, certificateKeyBox } from '../../src/certificates/certificate-keys.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import type { Database } from '../../src/db/database.js';
import { OFFICIAL_MUNICIPALITIES_FILE } from '../../src/tenants/official-municipalities.js';
import { cliHarness } from '../support/cli.js';
import { BACKEND } from '../support/database.js';

const SECRET = 'certificate-key-cli-'.padEnd(48, 'x');
const DAY = 86_400_000;

/** `npm run cli -- certificate-key …` as the operator runs it, against a database of its own. */
describe(`certificate signing key rotation from the CLI (${BACKEND})`, { timeout: 180_000 }, () => {
  const { run, withDatabase } = cliHarness({ name: 'certificate-key-cli', env: { PUBLIC_URL: 'https://laering.kongsberg.kommune.example', KEY_ENCRYPTION_SECRET: SECRET } });
  const keysOf = (database: Database) => new CertificateKeys(database.db, certificateKeyBox(SECRET));

  it('rotates: the new kid signs and is published beside the old, which stays until the last credential it signed expires', async () => {
    await run('tenant', 'import-municipalities', OFFICIAL_MUNICIPALITIES_FILE);
    expect(await run('certificate-key', 'list')).toMatch(/^no certificate signing key yet/);
    const { oldKid, certificateId } = await withDatabase(async (database) => {
      const db = database.db;
      const oldKid = (await keysOf(database).signingKey()).kid;
      const tenant = await db.selectFrom('tenants').select('id').where('kommunenummer', '=', '3303').executeTakeFirstOrThrow();
      const person = await db.insertInto('people').values({ tenant_id: tenant.id, name: 'Kari Nordmann', given_name: null, family_name: null, email: null, locale: null }).returning('id').executeTakeFirstOrThrow();
      // Two competences, the first expiring 2031-05-01: the credential is valid until then.
      const attests = {
        kind: 'holding', path: null, achievedOn: '2026-05-01', documented: null, issuer: { tenantId: tenant.id, name: 'Kongsberg', kommunenummer: '3303', region: null },
        competences: [
          { id: crypto.randomUUID(), code: 'forstehjelp', name: { nb: 'Førstehjelp', nn: null, en: null }, description: null, level: null, expiresOn: '2031-05-01' },
          { id: crypto.randomUUID(), code: 'brannvern', name: { nb: 'Brannvern', nn: null, en: null }, description: null, level: null, expiresOn: '2033-01-01' },
        ],
      };
      await applyCatalogueImport(db, tenant.id, 'område;kode;kompetanse;gyldighet_måneder\nFelles;forstehjelp;Førstehjelp;60\n', OPERATOR);
      const competence = (await listCatalogue(db, tenant.id)).flatMap((a) => a.competences).find((c) => c.code === 'forstehjelp')!;
      const holding = await db.insertInto('competence_holdings').values({
        tenant_id: tenant.id, person_id: person.id, competence_id: competence.id,
        level: null, source: 'registered', achieved_on: '2026-05-01', expires_on: '2031-05-01', path_completion_id: null, path_version_id: null, declaration_id: null, evidence: '{}', renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
      }).returning('id').executeTakeFirstOrThrow();
      const certificate = await db.insertInto('certificates').values({
        tenant_id: tenant.id, person_id: person.id, kind: 'holding', path_completion_id: null, holding_id: holding.id, code: 'ABCDEFGHJKMNPQRSTVWX', status_index: 0, attests: JSON.stringify(attests), subject_salt: 'salt',
      }).returning('id').executeTakeFirstOrThrow();
      return { oldKid, certificateId: certificate.id };
    });
    expect(certificateId).toBeTruthy();

    const rotated = (await run('certificate-key', 'rotate', '--grace-days', '30')).split('\n');
    expect(rotated[0]).toMatch(/^new certificate signing key certificates-[\da-f-]{36}$/);
    // Kept past 30 days: until the end of 2031-05-01, the last credential's validUntil.
    expect(rotated[1]).toBe(`retired ${oldKid}; published until 2031-05-01T23:59:59.000Z`);
    const newKid = rotated[0]!.split(' ').at(-1)!;
    const listed = (await run('certificate-key', 'list')).split('\n');
    expect(listed).toHaveLength(2);
    expect(listed.find((l) => l.startsWith(oldKid))).toContain('retired, published until 2031-05-01T23:59:59.000Z');
    expect(listed.find((l) => l.startsWith(newKid))).toMatch(/\tcurrent$/);

    await withDatabase(async (database) => {
      const keys = keysOf(database);
      expect((await keys.signingKey()).kid).toBe(newKid);
      expect((await keys.publishedKeys()).map((k) => k.kid).sort()).toEqual([newKid, oldKid].sort());
      expect((await keys.lookup(oldKid)).state).toBe('published');
      // After its last credential expired, nobody can check what the old key signed.
      const later = new CertificateKeys(database.db, certificateKeyBox(SECRET), () => new Date('2031-05-03T00:00:00Z'));
      expect((await later.lookup(oldKid)).state).toBe('expired');
      expect((await later.publishedKeys()).map((k) => k.kid)).toEqual([newKid]);
      // No credential that expires: the grace alone.
      await database.db.deleteFrom('certificates').execute();
    });
    const before = Date.now();
    const graceOnly = (await run('certificate-key', 'rotate', '--grace-days', '10')).split('\n');
    const until = Date.parse(/published until (\S+)$/.exec(graceOnly[1]!)![1]!);
    expect(until - before).toBeGreaterThanOrEqual(10 * DAY - 1000);
    expect(until - before).toBeLessThan(10 * DAY + 60_000);
  });

  it('refuses what it cannot do with a usage message', async () => {
    await expect(run('certificate-key')).rejects.toThrow(/rotate or list/);
    await expect(run('certificate-key', 'delete')).rejects.toThrow(/rotate or list/);
    await expect(run('certificate-key', 'rotate', '--grace-days', 'x')).rejects.toThrow(/--grace-days/);
    await expect(run('certificate-key', 'rotate', '--grace-days', '-3')).rejects.toThrow(/--grace-days/);
  });
});
