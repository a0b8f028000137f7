import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { EvidenceStore, evidenceDir } from '../../src/competence/evidence-files.js';
import { registerHolding } from '../../src/competence/registered.js';
import type { Schema } from '../../src/db/schema.js';
import { cliHarness } from '../support/cli.js';
import { BACKEND } from '../support/database.js';

/** `npm run cli -- privacy …` against a database of its own, opened as the command opens it. */
describe(`privacy CLI (${BACKEND})`, { timeout: 180_000 }, () => {
  // Evidence files live under DATA_DIR whichever the database.
  const { dataDir, run, withDatabase } = cliHarness({ name: 'privacy-cli', env: { PUBLIC_URL: 'https://laering.kongsberg.kommune.example' } });
  const withDb = <T>(work: (db: Kysely<Schema>) => Promise<T>) => withDatabase((database) => work(database.db));
  let old: string;
  let recent: string;

  beforeAll(async () => {
    await run('migrate');
    ({ old, recent } = await withDb(async (db) => {
      const tenant = await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg', county_number: '33', county_name: null, retired_at: null })
        .returning('id').executeTakeFirstOrThrow();
      // Arrived five years ago and never did anything since; and one who arrived today.
      const person = async (name: string, age: string) => (await sql<{ id: string }>`insert into people (tenant_id, name, created_at, updated_at)
        values (${tenant.id}::uuid, ${name}, now() - ${age}::interval, now() - ${age}::interval) returning id`.execute(db)).rows[0]!.id;
      return { old: await person('Gammel Bruker', '5 years'), recent: await person('Ny Bruker', '1 day') };
    }));
    // Opening the embedded database from disk, twice, is slow on a busy machine.
  }, 180_000);

  it('a dry run counts and changes nothing; the run erases the inactive and audits it', async () => {
    expect(await run('privacy', 'retention', '--dry-run')).toMatch(/^dry run: 1 people with no active employment and no activity since \d{4}-\d{2}-\d{2} would be erased; 0 kept proofs/);
    expect(await withDb((db) => db.selectFrom('people').select('name').where('id', '=', old).executeTakeFirstOrThrow())).toEqual({ name: 'Gammel Bruker' });
    expect(await run('privacy', 'retention', '--months', '120')).toMatch(/^0 people .* erased; 0 kept proofs removed; 0 evidence files removed from disk$/);
    expect(await run('privacy', 'retention')).toMatch(/^1 people with no active employment and no activity since \d{4}-\d{2}-\d{2} erased; 0 kept proofs removed; 0 evidence files removed from disk$/);
    const rows = await withDb((db) => db.selectFrom('people').select(['id', 'name', 'pseudonym']).where('id', 'in', [old, recent]).orderBy('created_at').execute());
    expect(rows[0]).toMatchObject({ id: old, name: null, pseudonym: expect.stringMatching(/^[0-9A-Z]{4}$/) });
    expect(rows[1]).toMatchObject({ id: recent, name: 'Ny Bruker', pseudonym: null });
    const audit = await withDb((db) => db.selectFrom('audit_events').select(['actor_kind', 'details']).where('action', '=', 'person.erased').execute());
    expect(audit).toEqual([{ actor_kind: 'system', details: expect.objectContaining({ reason: 'retention' }) }]);
  });

  it('exports and erases one person by kommunenummer and id; bad input is a usage error', async () => {
    const exported = JSON.parse(await run('privacy', 'export', '3303', recent)) as { person: { name: string } };
    expect(exported.person.name).toBe('Ny Bruker');
    // A scanned authorisation registered for her: the erasure removes it from DATA_DIR.
    const store = new EvidenceStore(evidenceDir(dataDir));
    const fileId = await withDb(async (db) => {
      const tenantId = (await db.selectFrom('tenants').select('id').where('kommunenummer', '=', '3303').executeTakeFirstOrThrow()).id;
      await applyCatalogueImport(db, tenantId, 'område;kode;kompetanse\nHelse;autorisasjon;Autorisasjon som sykepleier\n', OPERATOR);
      const competence = (await listCatalogue(db, tenantId)).flatMap((a) => a.competences)[0]!;
      const input = { competence: competence.id, level: '', achievedOn: '01.03.2026', expiresOn: '', number: 'HPR 1234567', issuer: 'Helsedirektoratet', file: Buffer.from('%PDF-1.7\n% Ny Bruker\n%%EOF\n') };
      return (await registerHolding(db, store, tenantId, recent, input, OPERATOR, '2026-12-06')).fileId!;
    });
    expect(fs.existsSync(path.join(evidenceDir(dataDir), fileId))).toBe(true);
    expect(await run('privacy', 'erase', '3303', recent)).toMatch(/^erased: now "Slettet person [0-9A-Z]{4}" \(0 proofs of mandatory training kept, 1 evidence files removed\)$/);
    expect(fs.existsSync(path.join(evidenceDir(dataDir), fileId))).toBe(false);
    await expect(run('privacy', 'erase', '9999', recent)).rejects.toThrow(/no municipality has kommunenummer 9999/);
    await expect(run('privacy', 'export', '3303', 'nobody')).rejects.toThrow(/has no person nobody/);
    await expect(run('privacy', 'retention', '--months', 'many')).rejects.toThrow(/--months must be a whole number/);
    await expect(run('privacy', 'keep-path', '3303', '00000000-0000-4000-8000-000000000000', '--years', '10')).rejects.toThrow(/sees no path/);
    await expect(run('privacy', 'keep-path', '3303', '00000000-0000-4000-8000-000000000000', '--years', '99')).rejects.toThrow(/between 1 and 50/);
    await expect(run('privacy', 'shred')).rejects.toThrow(/unknown command: privacy shred/);
  });
});
