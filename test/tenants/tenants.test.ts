import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvImportError, decodeCsv, parseMunicipalityCsv, parseRegionCsv } from '../../src/tenants/municipality-csv.js';
import { findMunicipality, importMunicipalities, importRegions, listTenants, regionMunicipalities } from '../../src/tenants/tenants.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { OFFICIAL_MUNICIPALITIES_FILE, createMissingMunicipalities } from '../../src/tenants/official-municipalities.js';

const kommunerCsv = fs.readFileSync(OFFICIAL_MUNICIPALITIES_FILE, 'utf8');
// Two real regions that cooperate on competence development, as region,kommunenummer lines.
const regionerCsv = `region,kommunenummer,kommunenavn
Kongsbergregionen,3303,Kongsberg
Kongsbergregionen,3334,Flesberg
Kongsbergregionen,3336,Rollag
Kongsbergregionen,3338,Nore og Uvdal
Kongsbergregionen,4005,Notodden
Kongsbergregionen,4024,Hjartdal
Nord-Troms,5546,Kvænangen
Nord-Troms,5544,Nordreisa - Ráisa - Raisi
Nord-Troms,5542,Skjervøy
Nord-Troms,5536,Lyngen - Ivgu - Yykeä
Nord-Troms,5540,Gáivuotna - Kåfjord - Kaivuono
Nord-Troms,5538,Storfjord - Omasvuotna - Omasvuono
`;

function csvProblems(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof CsvImportError) return error.problems.map((p) => `${p.line}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a CsvImportError');
}

describe('municipality CSV', () => {
  it('reads all 357 municipalities of the 2026 classification', () => {
    const rows = parseMunicipalityCsv(kommunerCsv);
    expect(rows).toHaveLength(357);
    expect(rows[0]).toEqual({ kommunenummer: '0301', name: 'Oslo - Oslove', countyNumber: '03', countyName: 'Oslo' });
    expect(rows.find((r) => r.kommunenummer === '5501')?.name).toBe('Tromsø');
  });

  it("reads Statistics Norway's KLASS export: semicolons, windows-1252, county from the number", () => {
    const klass = '"code";"parentCode";"level";"name";"shortName";"presentationName";"validFrom";"validTo";"notes"\r\n' +
      '"3303";"";"1";"Kongsberg";"";"";"";"";""\r\n"5501";"";"1";"Tromsø";"";"";"";"";""\r\n';
    const bytes = Buffer.from(klass, 'latin1'); // ø as the single byte 0xF8
    const rows = parseMunicipalityCsv(decodeCsv(bytes));
    expect(rows).toEqual([
      { kommunenummer: '3303', name: 'Kongsberg', countyNumber: '33', countyName: null },
      { kommunenummer: '5501', name: 'Tromsø', countyNumber: '55', countyName: null },
    ]);
  });

  it('restores the leading zero a spreadsheet dropped from 0301', () => {
    expect(parseMunicipalityCsv('kommunenummer,kommunenavn,fylkesnummer\n301,Oslo,3\n')[0]).toMatchObject({ kommunenummer: '0301', countyNumber: '03' });
  });

  it('lists every bad line with its number and refuses the file', () => {
    const problems = csvProblems(() =>
      parseMunicipalityCsv('kommunenummer,kommunenavn,fylkesnummer,fylkesnavn\n12345,Too long,03,Oslo\n3303,,33,Buskerud\n3303,Kongsberg,33,Buskerud\n3303,Kongsberg igjen,33,Buskerud\n'),
    );
    expect(problems).toEqual([
      '2: kommunenummer "12345" is not four digits',
      '3: municipality 3303 has no name',
      '5: kommunenummer 3303 is also on line 4',
    ]);
  });

  it('refuses a file without the needed columns, and an empty one', () => {
    expect(csvProblems(() => parseMunicipalityCsv('id,title\n1,x\n'))[0]).toMatch(/no column for kommunenummer and name/);
    expect(csvProblems(() => parseMunicipalityCsv(''))[0]).toMatch(/empty/);
    expect(csvProblems(() => parseMunicipalityCsv('kommunenummer,kommunenavn\n'))[0]).toMatch(/lists no municipalities/);
  });
});

describe(`tenants (${BACKEND})`, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('imports all municipalities, and a second import changes nothing', async () => {
    const rows = parseMunicipalityCsv(kommunerCsv);
    const first = await importMunicipalities(testDb.database.db, rows);
    expect(first.created).toHaveLength(357);
    const second = await importMunicipalities(testDb.database.db, rows);
    expect(second).toEqual({ created: [], updated: [], unchanged: 357, notInFile: [], retired: [] });
    expect(await listTenants(testDb.database.db, { kind: 'municipality' })).toHaveLength(357);
    expect(await findMunicipality(testDb.database.db, '5501')).toMatchObject({ name: 'Tromsø', countyName: 'Troms', kind: 'municipality' });
  });

  it('updates renamed municipalities and retires missing ones only when asked', async () => {
    const rows = parseMunicipalityCsv(kommunerCsv).filter((r) => r.kommunenummer !== '3334');
    const renamed = rows.map((r) => (r.kommunenummer === '3303' ? { ...r, name: 'Kongsberg kommune' } : r));
    const kept = await importMunicipalities(testDb.database.db, renamed);
    expect(kept).toMatchObject({ updated: ['3303'], notInFile: ['3334'], retired: [] });
    expect((await findMunicipality(testDb.database.db, '3334'))?.retiredAt).toBeNull();
    const retired = await importMunicipalities(testDb.database.db, renamed, { retireMissing: true });
    expect(retired.retired).toEqual(['3334']);
    expect((await findMunicipality(testDb.database.db, '3334'))?.retiredAt).toBeInstanceOf(Date);
    // Back in the file: active again.
    const back = await importMunicipalities(testDb.database.db, parseMunicipalityCsv(kommunerCsv));
    expect([...back.updated].sort()).toEqual(['3303', '3334']);
    expect((await findMunicipality(testDb.database.db, '3334'))?.retiredAt).toBeNull();
  });

  it('imports the two real regions with their member municipalities', async () => {
    const report = await importRegions(testDb.database.db, parseRegionCsv(regionerCsv));
    expect(report.regions.map((r) => r.name).sort()).toEqual(['Kongsbergregionen', 'Nord-Troms']);
    const regions = await listTenants(testDb.database.db, { kind: 'region' });
    const kongsberg = regions.find((r) => r.name === 'Kongsbergregionen')!;
    const members = await regionMunicipalities(testDb.database.db, kongsberg.id);
    expect(members.map((m) => m.kommunenummer)).toEqual(expect.arrayContaining(['3303', '3334', '3336', '3338']));
    // Importing again updates in place.
    const again = await importRegions(testDb.database.db, parseRegionCsv(regionerCsv));
    expect(again.regions.every((r) => !r.created)).toBe(true);
    expect(await listTenants(testDb.database.db, { kind: 'region' })).toHaveLength(2);
  });

  it('refuses a region naming an unknown municipality and changes nothing', async () => {
    const before = await listTenants(testDb.database.db, { kind: 'region' });
    await expect(importRegions(testDb.database.db, parseRegionCsv('region,kommunenummer\nNy region,3303\nNy region,9999\n'))).rejects.toThrow(
      /line 3: no municipality with kommunenummer 9999/,
    );
    expect(await listTenants(testDb.database.db, { kind: 'region' })).toEqual(before);
  });

  it('creates only the shipped municipalities it does not have, leaving known and retired ones as they are', async () => {
    const db = testDb.database.db;
    const rows = parseMunicipalityCsv(kommunerCsv);
    await importMunicipalities(db, [{ ...rows.find((r) => r.kommunenummer === '3303')!, name: 'Kongsberg (renamed by the operator)' }]);
    await db.deleteFrom('tenants').where('kommunenummer', '=', '5501').execute();
    await db.updateTable('tenants').set({ retired_at: new Date() }).where('kommunenummer', '=', '3336').execute();

    expect(await createMissingMunicipalities(db)).toEqual(['5501']);
    expect((await findMunicipality(db, '3303'))?.name).toBe('Kongsberg (renamed by the operator)');
    expect((await findMunicipality(db, '3336'))?.retiredAt).toBeInstanceOf(Date);
    expect(await listTenants(db, { kind: 'municipality' })).toHaveLength(357);
    expect(await createMissingMunicipalities(db)).toEqual([]);
    await importMunicipalities(db, rows);
  });

  it('keeps a failed municipality import from changing anything (one transaction)', async () => {
    const rows = parseMunicipalityCsv(kommunerCsv);
    const db = testDb.database.db;
    const broken = [...rows.slice(0, 5).map((r) => ({ ...r, name: r.name + ' (ny)' })), { ...rows[5]!, countyNumber: 'XX' }];
    await expect(importMunicipalities(db, broken)).rejects.toThrow();
    expect((await findMunicipality(db, rows[0]!.kommunenummer))?.name).toBe(rows[0]!.name);
  });
});
