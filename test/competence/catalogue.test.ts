import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { findCompetence, listCatalogue } from '../../src/competence/catalogue.js';
import { catalogueToCsv, parseCatalogueCsv } from '../../src/competence/catalogue-csv.js';
import { applyCatalogueImport, CatalogueImportRefused, previewCatalogueImport } from '../../src/competence/catalogue-import.js';
import { catalogueProblemText } from '../../src/competence/catalogue-messages.js';
import { DEMO_CATALOGUE_FILE } from '../../src/competence/demo-catalogue.js';
import { decodeCsv } from '../../src/tenants/municipality-csv.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

/** The shape of a real municipal list (area, competence, who it is mandatory for, renewal, source). */
const PLAN_FILE = [
  'omrade,kompetanse,obligatorisk_for,gyldighet_maneder,kilde',
  'Felles,Informasjonssikkerhet og personvern,alle,,Sørum 5.2',
  'Felles,Etiske retningslinjer og dilemmaer,alle,12,"Sørum 5.4 (gjennomgås i alle virksomheter hvert år)"',
  'Felles,Førstehjelp,ansatte som jobber med mennesker,,Sørum 8.5',
  'Helse og omsorg,Demens,helse og omsorg,,Kompetanseløftet Nord-Troms 2016-20',
].join('\r\n');

describe('catalogue files', () => {
  it('reads a municipal plan list: codes from the names, default kind, the requirement column reported as not used', () => {
    const parsed = parseCatalogueCsv(PLAN_FILE);
    expect(parsed.problems).toEqual([]);
    expect(parsed.ignoredColumns).toEqual(['obligatorisk_for']);
    expect(parsed.rows.map((r) => [r.line, r.areaCode, r.code, r.kind, r.validityMonths])).toEqual([
      [2, 'felles', 'informasjonssikkerhet-og-personvern', 'course', null],
      [3, 'felles', 'etiske-retningslinjer-og-dilemmaer', 'course', 12],
      [4, 'felles', 'forstehjelp', 'course', null],
      [5, 'helse-og-omsorg', 'demens', 'course', null],
    ]);
    expect(parsed.rows[1]!.source).toBe('Sørum 5.4 (gjennomgås i alle virksomheter hvert år)');
  });

  it('reads windows-1252 with semicolons the same as UTF-8', () => {
    const semicolons = PLAN_FILE.replace(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/g, ';');
    const latin1 = Buffer.from(semicolons, 'latin1');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(latin1)).toThrow();
    expect(parseCatalogueCsv(decodeCsv(latin1)).rows).toEqual(parseCatalogueCsv(PLAN_FILE).rows);
  });

  it('lists every bad row with its line, also after a field that spans lines', () => {
    const text = [
      'område;kode;kompetanse;type;gyldighet_måneder;beskrivelse',
      'Felles;a;"Navn over' + '\n' + 'to linjer";kurs;12;ok',
      'Felles;b;;kurs;;',
      'Felles;c;Noe;kaffe;;',
      'Felles;d;Noe annet;kurs;tolv;',
      'Felles;a;Dublett;kurs;;',
      'Felles;e f;Mellomrom;kurs;;',
      ';g;Uten område;kurs;;',
      'Felles;h;' + 'x'.repeat(201) + ';kurs;;',
      'Felles;i;Null;kurs;0;',
    ].join('\n');
    const { problems, rows } = parseCatalogueCsv(text);
    expect(rows.map((r) => r.code)).toEqual(['a']);
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [4, 'no-name'],
      [5, 'bad-kind'],
      [6, 'bad-validity'],
      [7, 'duplicate-code'],
      [8, 'bad-code'],
      [9, 'no-area'],
      [10, 'too-long'],
      [11, 'bad-validity'],
    ]);
    expect(catalogueProblemText(problems[3]!, 'nb')).toBe('Koden «a» står også på linje 3.');
    expect(catalogueProblemText(problems[3]!, 'nn')).toBe('Koden «a» står òg på linje 3.');
    expect(catalogueProblemText(problems[1]!, 'en')).toMatch(/Unknown kind "kaffe"/);
  });

  it('refuses a file without a name column, an empty file and one that is not CSV', () => {
    expect(parseCatalogueCsv('område;kode\nFelles;x').problems.map((p) => p.code)).toEqual(['no-name-column']);
    expect(parseCatalogueCsv('').problems.map((p) => p.code)).toEqual(['empty']);
    expect(parseCatalogueCsv('kompetanse;område\n').problems.map((p) => p.code)).toEqual(['empty']);
    expect(parseCatalogueCsv('kompetanse;område\n"uavsluttet;Felles').problems.map((p) => p.code)).toEqual(['unreadable']);
  });
});

describe(`the catalogue (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let region: string;
  let kongsberg: string;
  let notodden: string;
  let tromso: string;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    const tenant = async (kind: 'region' | 'municipality', name: string, kommunenummer: string | null) =>
      (await db.insertInto('tenants').values({ kind, name, kommunenummer }).returning('id').executeTakeFirstOrThrow()).id;
    region = await tenant('region', 'Kongsbergregionen', null);
    kongsberg = await tenant('municipality', 'Kongsberg', '3303');
    notodden = await tenant('municipality', 'Notodden', '4005');
    tromso = await tenant('municipality', 'Tromsø', '5501');
    await db.insertInto('region_municipalities').values([{ region_id: region, municipality_id: kongsberg }, { region_id: region, municipality_id: notodden }]).execute();
  });
  afterAll(async () => testDb.dispose());

  it('imports all or nothing, the same file twice changes nothing, and its export reads back unchanged', async () => {
    const db = testDb.database.db;
    const bad = PLAN_FILE + '\r\nFelles,Brannvern,ledere,seks,Sørum 8.6';
    await expect(applyCatalogueImport(db, kongsberg, bad, OPERATOR)).rejects.toBeInstanceOf(CatalogueImportRefused);
    expect(await db.selectFrom('competences').select('id').where('tenant_id', '=', kongsberg).execute()).toEqual([]);

    const preview = await previewCatalogueImport(db, kongsberg, PLAN_FILE);
    expect([preview.areasAdded, preview.competencesAdded.length, preview.problems]).toEqual([['Felles', 'Helse og omsorg'], 4, []]);
    expect(await db.selectFrom('competences').select('id').where('tenant_id', '=', kongsberg).execute()).toEqual([]);

    const applied = await applyCatalogueImport(db, kongsberg, PLAN_FILE, OPERATOR);
    expect(applied.competencesAdded).toHaveLength(4);
    const again = await applyCatalogueImport(db, kongsberg, PLAN_FILE, OPERATOR);
    expect([again.competencesAdded, again.competencesChanged, again.areasAdded, again.unchanged]).toEqual([[], [], [], 4]);

    const exported = catalogueToCsv(await listCatalogue(db, kongsberg, { ownOnly: true }));
    expect(exported.startsWith('\uFEFFområdekode;område;kode;kompetanse;')).toBe(true);
    const roundTrip = await previewCatalogueImport(db, kongsberg, exported);
    expect([roundTrip.competencesAdded, roundTrip.competencesChanged, roundTrip.unchanged, roundTrip.problems]).toEqual([[], [], 4, []]);

    const changed = PLAN_FILE.replace('Demens,helse og omsorg,,', 'Demens,helse og omsorg,36,');
    const update = await applyCatalogueImport(db, kongsberg, changed, OPERATOR);
    expect([update.competencesChanged, update.unchanged]).toEqual([['Demens'], 3]);
    expect((await findCompetence(db, kongsberg, 'demens'))?.defaultValidityMonths).toBe(36);

    const audits = await db.selectFrom('audit_events').select(['action', 'details']).where('tenant_id', '=', kongsberg).orderBy('id').execute();
    expect(audits.map((a) => a.action)).toEqual(['competence.catalogue.imported', 'competence.catalogue.imported', 'competence.catalogue.imported']);
    expect(audits[0]!.details).toEqual({ added: 4, changed: 0, unchanged: 0, areasAdded: 2 });
  });

  it("shares a region's catalogue with its members only, and keeps codes unique among what a municipality sees", async () => {
    const db = testDb.database.db;
    const demo = fs.readFileSync(DEMO_CATALOGUE_FILE, 'utf8');
    // Kongsberg has its own Førstehjelp and Demens (imported above): the region may not take those codes.
    const refused = await previewCatalogueImport(db, region, demo);
    expect(refused.problems.map((p) => [p.code, p.values['code'], p.values['owner']])).toEqual([
      ['code-taken', 'forstehjelp', 'Kongsberg'],
      ['code-taken', 'demens', 'Kongsberg'],
    ]);
    await applyCatalogueImport(db, region, demo.split('\n').filter((line) => !/;(forstehjelp|demens);/.test(line)).join('\n'), OPERATOR);
    const notoddenSees = (await listCatalogue(db, notodden)).flatMap((a) => a.competences.map((c) => c.code));
    expect(notoddenSees).toContain('brannvern');
    expect((await listCatalogue(db, tromso)).flatMap((a) => a.competences)).toEqual([]);
    expect(await findCompetence(db, tromso, 'Brannvern')).toBeUndefined();

    // Paths name competences by code or by their bokmål name (the demo path grants "Brannvern").
    const fire = await findCompetence(db, notodden, 'Brannvern');
    expect([fire?.code, fire?.ownerTenantId, fire?.defaultValidityMonths, fire?.levels.length, fire?.name.en]).toEqual(['brannvern', region, 24, 4, 'Fire safety']);

    const clash = await previewCatalogueImport(db, notodden, 'område;kode;kompetanse\nEgen;BRANNVERN;Brannvern i Notodden');
    expect(clash.problems.map((p) => [p.line, p.code, p.values['owner']])).toEqual([[2, 'code-taken', 'Kongsbergregionen']]);
    // …and a region cannot take a code a member already has.
    const regionClash = await previewCatalogueImport(db, region, 'område;kode;kompetanse\nFelles;DEMENS;Demens');
    expect(regionClash.problems.map((p) => [p.code, p.values['owner']])).toEqual([['code-taken', 'Kongsberg']]);
    // Tromsø is no member: it may use any code.
    expect((await previewCatalogueImport(db, tromso, 'område;kode;kompetanse\nFelles;brannvern;Brannvern')).problems).toEqual([]);
  });
});
