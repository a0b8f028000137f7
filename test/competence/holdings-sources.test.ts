import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, personActor } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { EvidenceStore, sniffEvidence } from '../../src/competence/evidence-files.js';
import { competenceHoldingsBatchSubscriber, grantFromDeclarations, listPersonHoldings } from '../../src/competence/holdings.js';
import { applyHoldingsImport, HoldingsImportRefused, previewHoldingsImport } from '../../src/competence/holdings-import.js';
import { holdingsProblemText } from '../../src/competence/holdings-messages.js';
import { requirementStatus } from '../../src/competence/gaps.js';
import { holdingFiles, parseDay, registerHolding, RegistrationRefused } from '../../src/competence/registered.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { addEmployee } from '../../src/organisation/employments.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPerson } from '../../src/people/people.js';
import { decodeCsv } from '../../src/tenants/municipality-csv.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { publishPath } from '../learner/support.js';
import type { Requirement } from '../../src/competence/requirements.js';

export const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');

const CATALOGUE = 'område;kode;kompetanse;type;gyldighet_måneder;nivå 1;nivå 2;nivå 3;nivå 4\n'
  + 'Felles;brannvern;Brannvern;kurs;12;;;;\n'
  + 'Helse;autorisasjon-sykepleier;Autorisasjon som sykepleier;autorisasjon;;;;;\n'
  + 'Helse;legemiddel;Legemiddelhåndtering;kurs;24;Kjenner rutinene;Kan gi;Kan veilede;Kan lære opp\n'
  + 'Felles;infosikkerhet;Informasjonssikkerhet;kurs;36;Vet;Kan;Veileder;Ekspert\n';

describe('evidence files and dates', () => {
  it('knows a PDF, a PNG and a JPEG by their bytes, and nothing else, whatever it is called', () => {
    expect(sniffEvidence(PDF)).toBe('application/pdf');
    expect(sniffEvidence(PNG)).toBe('image/png');
    expect(sniffEvidence(JPEG)).toBe('image/jpeg');
    expect(sniffEvidence(HTML)).toBeUndefined();
    expect(sniffEvidence(Buffer.from(' %PDF-1.7'))).toBeUndefined();
    expect(sniffEvidence(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffEvidence(Buffer.alloc(0))).toBeUndefined();
    expect(sniffEvidence(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });

  it('reads dates as written on Norwegian forms, refusing days that do not exist', () => {
    expect(parseDay('29.02.2028')).toBe('2028-02-29');
    expect(parseDay('1.3.2027')).toBe('2027-03-01');
    expect(parseDay('2027-03-01')).toBe('2027-03-01');
    expect(parseDay('29.02.2027')).toBeUndefined();
    expect(parseDay('2027-13-01')).toBeUndefined();
    expect(parseDay('i går')).toBeUndefined();
  });

  it('stores files by a random id only, and refuses any other name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    const store = new EvidenceStore(dir);
    const id = store.newId();
    await store.put(id, PDF);
    expect(fs.readdirSync(dir)).toEqual([id]);
    expect(await store.read(id)).toEqual(PDF);
    await expect(store.read('../../etc/passwd')).rejects.toThrow(RangeError);
    await expect(store.put(id, PNG)).rejects.toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe(`registered, imported and declared holdings (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let tenantId: string;
  let otherTenant: string;
  let store: EvidenceStore;
  let dir: string;
  const db = () => testDb.database.db;
  const TODAY = '2026-12-06';
  let competenceId: (code: string) => string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    tenantId = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    otherTenant = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3301', name: 'Drammen' }).returning('id').executeTakeFirstOrThrow()).id;
    await applyCatalogueImport(db(), tenantId, CATALOGUE, OPERATOR);
    const competences = (await listCatalogue(db(), tenantId)).flatMap((a) => a.competences);
    competenceId = (code) => competences.find((c) => c.code === code)!.id;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    store = new EvidenceStore(dir);
  });
  afterAll(async () => {
    await testDb.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const form = (over: { competence?: string; level?: string; achievedOn?: string; expiresOn?: string; number?: string; issuer?: string; file?: Buffer | 'too-large' } = {}) => ({
    competence: competenceId('brannvern'), level: '', achievedOn: '01.03.2026', expiresOn: '', number: '', issuer: 'Kongsberg brannvesen', ...over,
  });

  it('registers a holding with its number, issuer and file; the expiry defaults to the competence’s validity; audited', async () => {
    const kari = (await createPerson(db(), tenantId, { name: 'Kari Nordmann' })).id;
    const admin = (await createPerson(db(), tenantId, { name: 'HR' })).id;
    const registered = await registerHolding(db(), store, tenantId, kari, form({ number: 'BV-2026-17', file: PDF }), personActor(admin), TODAY);
    const [holding] = await listPersonHoldings(db(), tenantId, kari);
    expect([holding!.source, holding!.achievedOn, holding!.expiresOn, holding!.evidence['number'], holding!.evidence['issuer'], holding!.renewsId])
      .toEqual(['registered', '2026-03-01', '2027-03-01', 'BV-2026-17', 'Kongsberg brannvesen', null]);
    const files = await holdingFiles(db(), tenantId, [holding!.id]);
    expect(files.get(holding!.id)).toMatchObject({ id: registered.fileId, mediaType: 'application/pdf', sizeBytes: PDF.length });
    expect(await store.read(registered.fileId!)).toEqual(PDF);
    // Another municipality does not see the file.
    expect((await holdingFiles(db(), otherTenant, [holding!.id])).size).toBe(0);
    const audit = await db().selectFrom('audit_events').select(['action', 'actor_id', 'subject_person_id']).where('action', '=', 'competence.holding.registered').execute();
    expect(audit).toEqual([{ action: 'competence.holding.registered', actor_id: admin, subject_person_id: kari }]);

    // Registering anew renews it: the old record stays, the new one points to it.
    const renewed = await registerHolding(db(), store, tenantId, kari, form({ achievedOn: '2026-11-20', expiresOn: '20.11.2027' }), personActor(admin), TODAY);
    const after = await listPersonHoldings(db(), tenantId, kari);
    expect(after.map((h) => [h.achievedOn, h.expiresOn, h.renewsId])).toEqual([['2026-11-20', '2027-11-20', holding!.id], ['2026-03-01', '2027-03-01', null]]);
    expect(renewed.renewsId).toBe(holding!.id);
  });

  it('refuses bad fields by name, a file that is not PDF, PNG or JPEG by its bytes, and one over 10 MB; nothing is kept', async () => {
    const ola = (await createPerson(db(), tenantId, { name: 'Ola' })).id;
    const before = fs.readdirSync(dir).length;
    const refusal = async (input: ReturnType<typeof form>) => {
      try {
        await registerHolding(db(), store, tenantId, ola, input, OPERATOR, TODAY);
      } catch (error) {
        if (error instanceof RegistrationRefused) return Object.fromEntries(error.problems);
        throw error;
      }
      throw new Error('registered');
    };
    expect(await refusal(form({ file: HTML }))).toEqual({ file: 'file-type' });
    expect(await refusal(form({ file: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]) }))).toEqual({ file: 'file-too-large' });
    expect(await refusal(form({ file: 'too-large' }))).toEqual({ file: 'file-too-large' });
    expect(await refusal(form({ competence: '', issuer: '' }))).toEqual({ competence: 'required' });
    expect(await refusal(form({ competence: '00000000-0000-4000-8000-000000000000' }))).toEqual({ competence: 'unknown-competence' });
    expect(await refusal(form({ level: '2', achievedOn: '31.02.2026', issuer: '' }))).toEqual({ level: 'no-levels', 'achieved-on': 'bad-date', issuer: 'required' });
    expect(await refusal(form({ competence: competenceId('legemiddel'), level: '5' }))).toEqual({ level: 'bad-level' });
    expect(await refusal(form({ achievedOn: '07.12.2026' }))).toEqual({ 'achieved-on': 'future-date' });
    expect(await refusal(form({ expiresOn: '01.03.2026' }))).toEqual({ 'expires-on': 'expiry-not-after' });
    expect(await refusal(form({ number: 'x'.repeat(101) }))).toEqual({ number: 'too-long' });
    expect(await listPersonHoldings(db(), tenantId, ola)).toEqual([]);
    expect(fs.readdirSync(dir).length).toBe(before);
    // A competence of another municipality's catalogue is unknown here.
    await applyCatalogueImport(db(), otherTenant, 'område;kode;kompetanse\nFelles;drammen-egen;Drammens egen\n', OPERATOR);
    const theirs = (await listCatalogue(db(), otherTenant)).flatMap((a) => a.competences)[0]!.id;
    expect(await refusal(form({ competence: theirs }))).toEqual({ competence: 'unknown-competence' });
  });

  it('imports a file all or nothing: every bad row by its line, nothing written; then the fixed file once, and again changes nothing', async () => {
    const per = await addEmployee(db(), tenantId, OPERATOR, { employeeNumber: '1001', givenName: 'Per', familyName: 'Hansen', email: 'per.hansen@kongsberg.kommune.no' });
    const eva = await addEmployee(db(), tenantId, OPERATOR, { employeeNumber: '1002', givenName: 'Eva', familyName: 'Berg' });
    // Two people share an address: by e-mail, that is ambiguous.
    await createPerson(db(), tenantId, { name: 'Kim A', email: 'felles@kongsberg.kommune.no' });
    await createPerson(db(), tenantId, { name: 'Kim B', email: 'felles@kongsberg.kommune.no' });
    const bad = 'ansattnummer;e-post;kompetansekode;nivå;dato;utløper;nummer;utsteder;merknad\n'
      + '1001;;autorisasjon-sykepleier;;15.06.2010;;HPR 1234567;Helsedirektoratet;ok\n'
      + '9999;;brannvern;;01.01.2026;;;;\n'
      + ';felles@kongsberg.kommune.no;brannvern;;01.01.2026;;;;\n'
      + '1002;;hjertestarter;;01.01.2026;;;;\n'
      + '1002;;legemiddel;7;2026-01-01;;;;\n'
      + '1002;;brannvern;;2026-02-30;;;;\n'
      + '1001;;autorisasjon-sykepleier;;15.06.2010;;HPR 1234567;Helsedirektoratet;igjen\n'
      + ';;brannvern;;01.01.2026;;;;\n';
    const refused = await previewHoldingsImport(db(), tenantId, bad, TODAY);
    expect(refused.problems.map((p) => [p.line, p.code])).toEqual([
      [3, 'unknown-employee'], [4, 'ambiguous-email'], [5, 'unknown-competence'], [6, 'bad-level'], [7, 'bad-date'], [8, 'duplicate-row'], [9, 'no-person'],
    ]);
    expect(refused.ignoredColumns).toEqual(['merknad']);
    expect(holdingsProblemText(refused.problems[0]!, 'nb')).toBe('Ingen ansatt har ansattnummer «9999».');
    expect(holdingsProblemText(refused.problems[4]!, 'nn')).toBe('Dato «2026-02-30» er ikkje ein dato (skriv til dømes 31.12.2026).');
    expect(holdingsProblemText(refused.problems[5]!, 'en')).toBe('The same person, competence and date are also on line 2.');
    await expect(applyHoldingsImport(db(), tenantId, bad, OPERATOR, TODAY)).rejects.toThrow(HoldingsImportRefused);
    expect(await listPersonHoldings(db(), tenantId, per.personId)).toEqual([]);

    // Windows-1252, as Norwegian Excel saves it, with `,` and a `gyldig til` (the last valid day).
    const good = 'Ansattnummer,E-post,Kompetansekode,Nivå,Dato,Gyldig til,Nummer,Utsteder\n'
      + '1001,,autorisasjon-sykepleier,,15.06.2010,,HPR 1234567,Helsedirektoratet\n'
      + ',per.hansen@kongsberg.kommune.no,Legemiddelhåndtering,3,01.02.2025,,,Kongsberg kommune\n'
      + '1002,,brannvern,,01.02.2024,,,Brannvesenet\n'
      + '1002,,brannvern,,01.02.2026,31.01.2027,,Brannvesenet\n';
    const text = decodeCsv(Buffer.from(good, 'latin1'));
    expect(text).toContain('Legemiddelhåndtering');
    const plan = await applyHoldingsImport(db(), tenantId, text, OPERATOR, TODAY);
    expect([plan.added, plan.renewals, plan.unchanged, plan.people]).toEqual([4, 1, 0, 2]);
    const perHoldings = await listPersonHoldings(db(), tenantId, per.personId);
    expect(perHoldings.map((h) => [h.competence.code, h.source, h.level, h.achievedOn, h.expiresOn, h.evidence['number'] ?? null])).toEqual([
      ['legemiddel', 'imported', 3, '2025-02-01', '2027-02-01', null],
      ['autorisasjon-sykepleier', 'imported', null, '2010-06-15', null, 'HPR 1234567'],
    ]);
    const evaHoldings = await listPersonHoldings(db(), tenantId, eva.personId);
    expect(evaHoldings.map((h) => [h.achievedOn, h.expiresOn])).toEqual([['2026-02-01', '2027-02-01'], ['2024-02-01', '2025-02-01']]);
    expect(evaHoldings[0]!.renewsId).toBe(evaHoldings[1]!.id);

    // The same file again: nothing added.
    const again = await applyHoldingsImport(db(), tenantId, text, OPERATOR, TODAY);
    expect([again.added, again.unchanged]).toEqual([0, 4]);
    expect((await listPersonHoldings(db(), tenantId, eva.personId)).length).toBe(2);
    const audits = await db().selectFrom('audit_events').select('details').where('action', '=', 'competence.holdings.imported').where('tenant_id', '=', tenantId).orderBy('id').execute();
    expect(audits.map((a) => a.details)).toEqual([{ added: 4, renewals: 1, unchanged: 0, people: 2 }, { added: 0, renewals: 0, unchanged: 4, people: 2 }]);

    // Another municipality's import does not find this one's employees.
    const elsewhere = await previewHoldingsImport(db(), otherTenant, text, TODAY);
    expect(elsewhere.problems.map((p) => p.code)).toContain('unknown-employee');
  });

  it('refuses a file without the columns it needs, naming them', async () => {
    const plan = await previewHoldingsImport(db(), tenantId, 'navn;kompetanse\nPer;brannvern\n', TODAY);
    expect(plan.problems.map((p) => p.code)).toEqual(['no-person-column', 'no-date-column']);
    expect((await previewHoldingsImport(db(), tenantId, 'ansattnummer;kompetansekode;dato\n', TODAY)).problems.map((p) => p.code)).toEqual(['empty']);
  });

  it('makes each self-assessment declaration a declared holding exactly once; a requirement counts it only when it accepts declarations', { timeout: 150_000 }, async () => {
    const web: NewStep = { type: 'web', title: 'Les', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } };
    const assessment: NewStep = {
      type: 'self-assessment', title: 'Hva kan du?', required: true, config: {
        statements: [
          { id: 's1', competence: 'infosikkerhet', text: 'Jeg kjenner igjen phishing' },
          { id: 's2', competence: 'infosikkerhet', text: 'Jeg melder avvik' },
          { id: 's3', competence: 'Ukjent kompetanse', text: 'Noe annet' },
        ],
        recommendations: [],
      },
    };
    const { pathId, stepIds } = await publishPath(testDb.database, tenantId, [assessment, web], { title: 'Egenvurdering' });
    const learner = (await createPerson(db(), tenantId, { name: 'Lise' })).id;
    const { enrolmentId } = await enrol(db(), tenantId, { personId: learner, pathId }, { now: () => new Date('2026-10-24T22:30:00Z') });
    await deliverOutcome(db(), tenantId, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'sa', outcome: { kind: 'self-assessment', ratings: { s1: 3, s2: 4, s3: 2 } } }, { now: () => new Date('2026-10-24T22:30:00Z') });
    const log = capturingLogger('info');
    const dispatcher = new PathEventDispatcher({ db: db(), logger: log.logger });
    dispatcher.subscribeBatch('competence-holdings', competenceHoldingsBatchSubscriber(db(), log.logger));
    // Deliver until the subscriber's cursor has passed every event (on a shared server, other databases' transactions can hold delivery back a while).
    const last = await db().selectFrom('path_events').select(db().fn.max('id').as('id')).executeTakeFirst();
    for (let i = 0; i < 900; i++) {
      await dispatcher.runOnce();
      const cursor = await db().selectFrom('path_event_cursors').select('last_id').where('subscriber', '=', 'competence-holdings').executeTakeFirst();
      if (Number(cursor?.last_id ?? 0) >= Number(last?.id ?? 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const holdings = await listPersonHoldings(db(), tenantId, learner);
    // 22:30 UTC on 24 October 2026 is 00:30 on the 25th in Norway (the night summer time ends).
    expect(holdings.map((h) => [h.competence.code, h.source, h.level, h.achievedOn, h.expiresOn])).toEqual([['infosikkerhet', 'declared', 3, '2026-10-25', '2029-10-25']]);
    expect(log.lines().some((l) => l['msg'] === 'self-assessment declares competences that are not in the catalogue')).toBe(true);
    // Delivered again, or called directly: nothing more.
    expect(await grantFromDeclarations(db(), tenantId, learner)).toEqual({ granted: 0, unknown: ['Ukjent kompetanse'] });
    expect((await listPersonHoldings(db(), tenantId, learner)).length).toBe(1);

    const requirement = (acceptsDeclared: boolean): Requirement => ({
      id: 'r', ownerTenantId: tenantId, competence: { id: competenceId('infosikkerhet'), code: 'infosikkerhet', name: { nb: 'Informasjonssikkerhet', nn: null, en: null } },
      jobTitle: 'Helsefagarbeider', orgUnit: null, minLevel: 2, mandatory: true, validityMonths: null, graceDays: null, acceptsDeclared, target: null,
    });
    const employment = [{ jobTitle: 'Helsefagarbeider', unitPath: [], startDate: '2020-01-01' }];
    expect(requirementStatus(requirement(false), holdings, employment, '2026-12-01', 90).status).toBe('declared-only');
    expect(requirementStatus(requirement(true), holdings, employment, '2026-12-01', 90).status).toBe('met');
  });
});
