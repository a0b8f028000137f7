import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, SYSTEM } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import { listPersonHoldings } from '../../src/competence/holdings.js';
import { registrationProblemText } from '../../src/competence/holdings-messages.js';
import { registerHolding, RegistrationRefused } from '../../src/competence/registered.js';
import { createPerson } from '../../src/people/people.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { collectPersonData } from '../../src/privacy/export.js';
import { runRetention } from '../../src/privacy/retention.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, type World } from '../paths/fixtures.js';
import { PUBLIC_URL } from './support.js';

const TODAY = '2026-12-06';
const CATALOGUE = 'område;kode;kompetanse;type;gyldighet_måneder\nFelles;brannvern;Brannvern;kurs;12\nHelse;autorisasjon-sykepleier;Autorisasjon som sykepleier;autorisasjon;\n';
/** A scanned authorisation: it shows the person's name, as the real ones do. */
const scan = (name: string) => Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% Autorisasjon som sykepleier: ${name}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

/**
 * The evidence files of an erased person's holdings (scanned certificates and authorisations, which
 * show the name) leave the disk and the database once the erasure commits, on request and by
 * retention; nobody else's do, and a rolled-back erasure removes nothing.
 */
describe(`erasure and evidence files (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: World;
  let dir: string;
  let store: EvidenceStore;
  const db = () => testDb.database.db;
  const onDisk = (id: string) => fs.existsSync(path.join(dir, id));
  const queued = async () => (await db().selectFrom('privacy_evidence_removals').select('file_id').execute()).map((r) => r.file_id);
  const fileRows = (ids: readonly string[]) => db().selectFrom('competence_holding_files').select('id').where('id', 'in', [...ids]).execute();

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(db());
    for (const tenant of [world.inRegion, world.outside]) await applyCatalogueImport(db(), tenant, CATALOGUE, OPERATOR);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-erasure-'));
    store = new EvidenceStore(dir);
  });
  afterAll(async () => {
    await testDb?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function personWithFiles(tenantId: string, name: string, files = 1): Promise<{ id: string; files: string[] }> {
    const id = (await createPerson(db(), tenantId, { name, email: `${name.split(' ')[0]!.toLowerCase()}.${Math.random().toString(36).slice(2, 8)}@kommune.no` })).id;
    const competences = (await listCatalogue(db(), tenantId)).flatMap((a) => a.competences);
    const ids: string[] = [];
    for (let i = 0; i < files; i++) {
      const competence = competences.find((c) => c.code === (i === 0 ? 'autorisasjon-sykepleier' : 'brannvern'))!;
      const registered = await registerHolding(db(), store, tenantId, id, {
        competence: competence.id, level: '', achievedOn: `0${i + 1}.03.2026`, expiresOn: '', number: `HPR ${9876543 + i}`, issuer: 'Helsedirektoratet', file: scan(name),
      }, OPERATOR, TODAY);
      ids.push(registered.fileId!);
    }
    return { id, files: ids };
  }

  async function employ(tenantId: string, personId: string): Promise<void> {
    const code = `U-${personId.slice(0, 8)}`;
    const unit = await db().insertInto('org_units').values({ tenant_id: tenantId, parent_id: null, code, name: 'Sykehjemmet', path: [] }).returning('id').executeTakeFirstOrThrow();
    await db().updateTable('org_units').set({ path: [unit.id] }).where('id', '=', unit.id).execute();
    const employee = await db().insertInto('employees').values({ tenant_id: tenantId, person_id: personId, employee_number: code, sourced_id: null }).returning('id').executeTakeFirstOrThrow();
    await db().insertInto('employments').values({ tenant_id: tenantId, employee_id: employee.id, org_unit_id: unit.id, job_title: 'Sykepleier', percentage: '100', start_date: '2020-01-01', end_date: null }).execute();
  }

  it('on request: the person’s files go from disk and database after the commit, the holdings stay without the number, counted in the result and the audit event; a colleague’s and another municipality’s files stay', async () => {
    const kari = await personWithFiles(world.inRegion, 'Kari Nordmann', 2);
    const ola = await personWithFiles(world.inRegion, 'Ola Hansen');
    const per = await personWithFiles(world.outside, 'Per Berg');
    for (const id of [...kari.files, ...ola.files, ...per.files]) expect(onDisk(id)).toBe(true);
    const holdingsBefore = await listPersonHoldings(db(), world.inRegion, kari.id);

    const result = await erasePerson(db(), { tenantId: world.inRegion, personId: kari.id, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: store });
    expect(result).toMatchObject({ erased: true, evidenceFiles: 2, evidenceFilesLeft: 0 });
    for (const id of kari.files) expect(onDisk(id)).toBe(false);
    expect(await fileRows(kari.files)).toEqual([]);
    expect(await queued()).toEqual([]);
    const audit = await db().selectFrom('audit_events').select('details').where('subject_person_id', '=', kari.id).where('action', '=', 'person.erased').executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ reason: 'request', evidenceFiles: 2 });

    // The holdings stay (they count per unit and requirement), with the issuer but not the number.
    const holdingsAfter = await listPersonHoldings(db(), world.inRegion, kari.id);
    expect(holdingsAfter.map((h) => [h.id, h.competence.code, h.achievedOn, h.expiresOn])).toEqual(holdingsBefore.map((h) => [h.id, h.competence.code, h.achievedOn, h.expiresOn]));
    for (const h of holdingsAfter) expect(h.evidence).toEqual({ issuer: 'Helsedirektoratet' });
    const exported = JSON.stringify(await collectPersonData(db(), world.inRegion, kari.id, PUBLIC_URL));
    for (const trace of ['Kari', 'HPR', ...kari.files]) expect(exported).not.toContain(trace);

    // Nobody else's.
    for (const other of [ola, per]) {
      for (const id of other.files) {
        expect(onDisk(id)).toBe(true);
        expect(await store.read(id)).toEqual(scan(other === ola ? 'Ola Hansen' : 'Per Berg'));
      }
      expect(await fileRows(other.files)).toHaveLength(1);
    }
    expect((await listPersonHoldings(db(), world.inRegion, ola.id))[0]!.evidence).toMatchObject({ number: 'HPR 9876543' });

    // Nothing new is recorded about her: a registration is refused, and its file is not kept.
    const filesBefore = fs.readdirSync(dir).sort();
    const competence = (await listCatalogue(db(), world.inRegion)).flatMap((a) => a.competences)[0]!;
    const refused = await registerHolding(db(), store, world.inRegion, kari.id, {
      competence: competence.id, level: '', achievedOn: '01.06.2026', expiresOn: '', number: 'HPR 1', issuer: 'Helsedirektoratet', file: scan('Kari Nordmann'),
    }, OPERATOR, TODAY).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(RegistrationRefused);
    expect([...(refused as RegistrationRefused).problems]).toEqual([['competence', 'person-erased']]);
    expect(registrationProblemText('competence', 'person-erased', 'nn')).toBe('Personen er sletta: det kan ikkje registrerast ny kompetanse for personen.');
    expect(fs.readdirSync(dir).sort()).toEqual(filesBefore);
    expect(await listPersonHoldings(db(), world.inRegion, kari.id)).toHaveLength(holdingsBefore.length);

    // A second erasure of the same person changes nothing and counts nothing.
    expect(await erasePerson(db(), { tenantId: world.inRegion, personId: kari.id, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: store })).toMatchObject({ erased: false, evidenceFiles: 0 });
    // Another municipality cannot erase Per, nor reach his files.
    expect(await erasePerson(db(), { tenantId: world.inRegion, personId: per.id, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: store })).toBeUndefined();
    expect(onDisk(per.files[0]!)).toBe(true);
  });

  it('the export lists the person’s evidence files (not their bytes)', async () => {
    const lise = await personWithFiles(world.inRegion, 'Lise Dahl');
    const data = await collectPersonData(db(), world.inRegion, lise.id, PUBLIC_URL);
    expect(data!.sections['evidenceFiles']).toEqual([expect.objectContaining({ id: lise.files[0], media_type: 'application/pdf', size_bytes: scan('Lise Dahl').length })]);
    expect(JSON.stringify(data)).not.toContain('Autorisasjon som sykepleier: Lise');
  });

  it('outside an erasure the database still refuses deleting a file record or changing a holding’s evidence; inside one, only the number may go', async () => {
    const nina = await personWithFiles(world.inRegion, 'Nina Lie');
    await expect(db().deleteFrom('competence_holding_files').where('id', '=', nina.files[0]!).execute()).rejects.toThrow(/append-only/);
    await expect(sql`update competence_holdings set evidence = evidence - 'number' where person_id = ${nina.id}::uuid`.execute(db())).rejects.toThrow(/append-only/);
    await expect(db().transaction().execute(async (trx) => {
      await sql`select set_config('laeringslop.erasing', 'on', true)`.execute(trx);
      await sql`update competence_holdings set evidence = evidence - 'issuer' where person_id = ${nina.id}::uuid`.execute(trx);
    })).rejects.toThrow(/append-only/);
    await expect(db().transaction().execute(async (trx) => {
      await sql`select set_config('laeringslop.erasing', 'on', true)`.execute(trx);
      await sql`update competence_holdings set evidence = evidence - 'number', expires_on = '2099-01-01' where person_id = ${nina.id}::uuid`.execute(trx);
    })).rejects.toThrow(/append-only/);
    expect(await fileRows(nina.files)).toHaveLength(1);
  });

  it('a rolled-back erasure removes nothing: the files, their records and the number stay', async () => {
    const eva = await personWithFiles(world.inRegion, 'Eva Strand');
    // The erasure fails at its last statement (the audit event), after the files were queued.
    await sql`create function refuse_erasure_audit() returns trigger language plpgsql as $$
      begin raise exception 'the audit log is unavailable'; end $$`.execute(db());
    await sql.raw(`create trigger refuse_erasure_audit before insert on audit_events for each row
      when (new.action = 'person.erased' and new.subject_person_id = '${eva.id}') execute function refuse_erasure_audit()`).execute(db());
    try {
      await expect(erasePerson(db(), { tenantId: world.inRegion, personId: eva.id, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: store })).rejects.toThrow(/audit log is unavailable/);
    } finally {
      await sql`drop trigger refuse_erasure_audit on audit_events`.execute(db());
      await sql`drop function refuse_erasure_audit()`.execute(db());
    }
    expect(onDisk(eva.files[0]!)).toBe(true);
    expect(await fileRows(eva.files)).toHaveLength(1);
    expect(await queued()).toEqual([]);
    expect((await listPersonHoldings(db(), world.inRegion, eva.id))[0]!.evidence).toMatchObject({ number: 'HPR 9876543' });
    expect((await db().selectFrom('people').select('name').where('id', '=', eva.id).executeTakeFirstOrThrow()).name).toBe('Eva Strand');
  });

  it('files the disk would not remove after the commit stay queued, and the retention job’s next run removes them', async () => {
    const jon = await personWithFiles(world.inRegion, 'Jon Vik', 2);
    await employ(world.inRegion, jon.id);
    // A store whose directory cannot be reached (a file stands where a directory should): removing fails.
    const blocked = path.join(dir, 'not-a-directory');
    fs.writeFileSync(blocked, '');
    const unreachable = new EvidenceStore(path.join(blocked, 'evidence'));
    const result = await erasePerson(db(), { tenantId: world.inRegion, personId: jon.id, actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: unreachable });
    expect(result).toMatchObject({ erased: true, evidenceFiles: 2, evidenceFilesLeft: 2 });
    // Committed: the records are gone, the files wait in the queue.
    expect(await fileRows(jon.files)).toEqual([]);
    expect((await queued()).sort()).toEqual([...jon.files].sort());
    for (const id of jon.files) expect(onDisk(id)).toBe(true);

    const report = await runRetention(db(), { months: 36, publicUrl: PUBLIC_URL, evidence: store });
    expect(report).toMatchObject({ erased: 0, evidenceFilesRemoved: 2, evidenceFilesLeft: 0 });
    for (const id of jon.files) expect(onDisk(id)).toBe(false);
    expect(await queued()).toEqual([]);
  });

  it('by retention: the erased people’s files go; a person kept by an open employment keeps hers', async () => {
    const gone = await personWithFiles(world.inRegion, 'Arne Lund');
    const stays = await personWithFiles(world.inRegion, 'Berit Moe');
    await employ(world.inRegion, stays.id);
    const later = new Date(Date.now() + 4 * 365 * 86_400_000);
    const report = await runRetention(db(), { months: 36, publicUrl: PUBLIC_URL, evidence: store, now: later });
    expect(report.candidates.map((c) => c.personId)).toContain(gone.id);
    expect(report.candidates.map((c) => c.personId)).not.toContain(stays.id);
    expect(onDisk(gone.files[0]!)).toBe(false);
    expect(await fileRows(gone.files)).toEqual([]);
    expect(onDisk(stays.files[0]!)).toBe(true);
    expect(await fileRows(stays.files)).toHaveLength(1);
    expect(await queued()).toEqual([]);
    const audit = await db().selectFrom('audit_events').select(['actor_kind', 'details']).where('subject_person_id', '=', gone.id).where('action', '=', 'person.erased').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_kind: SYSTEM.kind, details: { reason: 'retention', evidenceFiles: 1 } });
    // Every file left on disk has its record: none of the erased people's remain.
    const rows = (await db().selectFrom('competence_holding_files').select('id').execute()).map((r) => r.id).sort();
    expect(fs.readdirSync(dir).filter((f) => f !== 'not-a-directory').sort()).toEqual(rows);
  });
});
