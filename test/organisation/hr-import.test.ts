import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyImport, ImportRefusal, listImports, previewImport, showImport, type ImportActor } from '../../src/organisation/hr-import/hr-import.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { csv, sampleBytes, windows1252Variant } from './hr-csv.js';

const actor = OPERATOR as ImportActor;
const DAY1 = new Date('2026-12-01T10:00:00Z');
const DAY2 = new Date('2026-12-05T10:00:00Z');

describe(`HR import into the organisation (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let tenantId: string;
  let otherTenantId: string;
  let kommuneCounter = 0;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    otherTenantId = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3301', name: 'Drammen' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => testDb.dispose());
  beforeEach(async () => {
    // A fresh municipality for each case: imports of one never see another's rows.
    kommuneCounter += 1;
    const number = String(9000 + kommuneCounter);
    tenantId = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: number, name: `Kommune ${number}` }).returning('id').executeTakeFirstOrThrow()).id;
  });

  async function importFile(bytes: Buffer, now = DAY1) {
    const preview = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes, now });
    expect(preview.problems).toEqual([]);
    return applyImport(db(), { tenantId, importId: preview.record.id, actor, sha256: preview.record.sha256, now });
  }

  /** Everything the organisation holds for the tenant, as comparable rows. */
  async function snapshot() {
    const units = await sql<{ code: string; name: string; parent: string | null; path: string; ended_on: string | null; updated_at: Date }>`
      select u.code, u.name, p.code as parent, (select string_agg(a.code, '/' order by x.n) from unnest(u.path) with ordinality as x(id, n) join org_units a on a.id = x.id) as path, u.ended_on, u.updated_at
      from org_units u left join org_units p on p.id = u.parent_id where u.tenant_id = ${tenantId} order by u.code`.execute(db());
    const employments = await sql<{ employee_number: string; unit: string; job_title: string; percentage: string; start_date: string; end_date: string | null; leads_unit: boolean; updated_at: Date }>`
      select e.employee_number, u.code as unit, m.job_title, m.percentage::text as percentage, m.start_date, m.end_date, m.leads_unit, m.updated_at
      from employments m join employees e on e.id = m.employee_id join org_units u on u.id = m.org_unit_id
      where m.tenant_id = ${tenantId} order by e.employee_number, u.code, m.start_date`.execute(db());
    const people = await sql<{ employee_number: string; name: string | null; email: string | null; sourced_id: string | null }>`
      select e.employee_number, p.name, p.email, e.sourced_id from employees e join people p on p.id = e.person_id where e.tenant_id = ${tenantId} order by e.employee_number`.execute(db());
    return { units: units.rows, employments: employments.rows, people: people.rows };
  }

  it('previews the sample without changing anything, then applies it: units with their paths, people, employments', async () => {
    const preview = await previewImport(db(), { tenantId, actor, fileName: 'hr-import-eksempel.csv', bytes: sampleBytes(), now: DAY1 });
    expect(preview.problems).toEqual([]);
    expect(preview.record.status).toBe('previewed');
    expect(preview.plan.counts).toMatchObject({ rows: 16, badRows: 0, unitsAdded: 7, employeesAdded: 8, employmentsAdded: 9, employmentsEnded: 0, peopleDisappeared: 0 });
    expect((await snapshot()).units).toEqual([]);

    const { record } = await applyImport(db(), { tenantId, importId: preview.record.id, actor, sha256: preview.record.sha256, now: DAY1 });
    expect(record.status).toBe('applied');
    expect(record.fileKept).toBe(false);
    const state = await snapshot();
    expect(state.units.map((u) => [u.code, u.parent, u.path])).toEqual([
      ['3303', null, '3303'],
      ['3303-HO', '3303', '3303/3303-HO'],
      ['3303-HO-HJ', '3303-HO', '3303/3303-HO/3303-HO-HJ'],
      ['3303-HO-RUS', '3303-HO', '3303/3303-HO/3303-HO-RUS'],
      ['3303-HO-SJ', '3303-HO', '3303/3303-HO/3303-HO-SJ'],
      ['3303-HO-SJ-A', '3303-HO-SJ', '3303/3303-HO/3303-HO-SJ/3303-HO-SJ-A'],
      ['3303-HO-SJ-B', '3303-HO-SJ', '3303/3303-HO/3303-HO-SJ/3303-HO-SJ-B'],
    ]);
    expect(state.people.find((p) => p.employee_number === '10003')).toEqual({ employee_number: '10003', name: 'Åse Bråten', email: 'ase.braten@kongsberg.kommune.no', sourced_id: 'ase.braten' });
    expect(state.employments.filter((e) => e.employee_number === '10003').map((e) => [e.unit, e.percentage])).toEqual([
      ['3303-HO-HJ', '30.00'],
      ['3303-HO-SJ-A', '40.00'],
    ]);
    expect(state.employments.find((e) => e.employee_number === '10004')?.percentage).toBe('50.50');
    expect(state.employments.find((e) => e.employee_number === '10005')?.end_date).toBe('2026-12-31');
    expect(state.employments.filter((e) => e.leads_unit).map((e) => e.employee_number)).toEqual(['10001', '10002', '10007']);

    const audit = await db().selectFrom('audit_events').select(['action', 'details', 'object_id']).where('tenant_id', '=', tenantId).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['org.import.previewed', 'org.import.applied']);
    expect(audit[1]!.details).toMatchObject({ unitsAdded: 7, employmentsAdded: 9 });
    expect(JSON.stringify(audit)).not.toMatch(/Bråten|kongsberg\.kommune\.no/);
    expect((await listImports(db(), tenantId)).map((r) => r.status)).toEqual(['applied']);
  });

  it('imports the sample and its windows-1252 `,` and `;` variants with decimal commas to the same organisation', async () => {
    await importFile(sampleBytes());
    const fromSample = await snapshot();
    for (const separator of [',', ';'] as const) {
      const preview = await previewImport(db(), { tenantId, actor, fileName: `hr-${separator}.csv`, bytes: windows1252Variant(separator), now: DAY2 });
      expect(preview.encoding).toBe('windows-1252');
      expect(preview.plan.counts).toMatchObject({ unitsAdded: 0, unitsChanged: 0, unitsEnded: 0, employmentsAdded: 0, employmentsChanged: 0, employmentsEnded: 0, employeesAdded: 0, employeesChanged: 0 });
    }
    // And applied into an empty municipality, the variant builds the same rows.
    const sampleTenant = tenantId;
    tenantId = otherTenantId;
    await importFile(windows1252Variant(','));
    const fromVariant = await snapshot();
    const strip = (s: typeof fromSample) => ({ units: s.units.map(({ updated_at: _, ...u }) => u), employments: s.employments.map(({ updated_at: _, ...e }) => e), people: s.people });
    expect(strip(fromVariant)).toEqual(strip(fromSample));
    tenantId = sampleTenant;
  });

  it('changes nothing when the same file is applied twice', async () => {
    await importFile(sampleBytes());
    const before = await snapshot();
    const again = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes: sampleBytes(), now: DAY2 });
    expect(again.plan.counts).toMatchObject({ unitsAdded: 0, unitsChanged: 0, unitsEnded: 0, employmentsAdded: 0, employmentsChanged: 0, employmentsEnded: 0, employeesAdded: 0, employeesChanged: 0, peopleDisappeared: 0 });
    await applyImport(db(), { tenantId, importId: again.record.id, actor, sha256: again.record.sha256, now: DAY2 });
    expect(await snapshot()).toEqual(before);
  });

  it('ends, never deletes: people who disappear, moved and changed employments, units no longer in the file', async () => {
    await importFile(sampleBytes());
    const lines = sampleBytes().toString('utf8').trim().split('\n');
    const next = lines
      .filter((l) => !l.startsWith('10008;') && !l.startsWith(';;;;3303-HO-RUS;'))
      .map((l) => (l.startsWith('10004;') ? l.replace(';50,5;', ';60;') : l))
      .map((l) => (l.startsWith('10006;') ? l.replace('3303-HO-HJ;Hjemmetjenesten;3303-HO', '3303-HO-SJ-B;Sykehjem avdeling B;3303-HO-SJ') : l));
    const preview = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes: Buffer.from(next.join('\n')), now: DAY2 });
    expect(preview.plan.counts).toMatchObject({ unitsEnded: 1, employmentsAdded: 1, employmentsChanged: 1, employmentsEnded: 2, peopleDisappeared: 1 });
    expect(preview.plan.disappeared).toEqual([{ employeeNumber: '10008', name: 'Nils Dahl', employments: 1 }]);
    expect(preview.plan.employments.changed[0]).toMatchObject({ employeeNumber: '10004', percentage: '60.00', before: { percentage: '50.50' } });
    await applyImport(db(), { tenantId, importId: preview.record.id, actor, sha256: preview.record.sha256, now: DAY2 });

    const state = await snapshot();
    expect(state.employments.find((e) => e.employee_number === '10008')).toMatchObject({ unit: '3303-HO-SJ', end_date: '2026-12-05' });
    expect(state.employments.filter((e) => e.employee_number === '10006').map((e) => [e.unit, e.end_date])).toEqual([
      ['3303-HO-HJ', '2026-12-05'],
      ['3303-HO-SJ-B', null],
    ]);
    expect(state.employments.find((e) => e.employee_number === '10004')?.percentage).toBe('60.00');
    expect(state.units.find((u) => u.code === '3303-HO-RUS')?.ended_on).toBe('2026-12-05');
    expect(state.people.map((p) => p.employee_number)).toContain('10008');

    // Back in the file: the unit is open again, the person's employment goes on.
    const back = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes: sampleBytes(), now: DAY2 });
    expect(back.plan.counts).toMatchObject({ unitsChanged: 1, employmentsChanged: 3, employmentsEnded: 1 });
  });

  it('refuses a file with a bad row as a whole and changes nothing', async () => {
    await importFile(sampleBytes());
    const before = await snapshot();
    const lines = sampleBytes().toString('utf8').trim().split('\n');
    lines.push('10009;Eva;Ek;;3303-HO-HJ;Hjemmetjenesten;3303-HO;Assistent;;35;01.13.2026;;nei;');
    const preview = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes: Buffer.from(lines.join('\n')), now: DAY2 });
    expect(preview.problems).toMatchObject([{ line: 18, code: 'bad-date' }]);
    await expect(applyImport(db(), { tenantId, importId: preview.record.id, actor, sha256: preview.record.sha256, now: DAY2 })).rejects.toMatchObject({ code: 'has-problems' });
    expect(await snapshot()).toEqual(before);
  });

  it('keeps nothing when the database refuses a write half-way: units and people written before it are rolled back', async () => {
    // A trigger that refuses one employment, after units, people and employees have been written.
    await sql`create function refuse_sabotage() returns trigger language plpgsql as $$ begin
      if new.job_title = 'Sabotør' then raise exception 'refused for the test'; end if; return new; end $$`.execute(db());
    await sql`create trigger refuse_sabotage before insert on employments for each row execute function refuse_sabotage()`.execute(db());
    try {
      const lines = sampleBytes().toString('utf8').trim().split('\n');
      lines.push('10009;Eva;Ek;;3303-HO-HJ;Hjemmetjenesten;3303-HO;Sabotør;;35;01.01.2026;;nei;');
      const preview = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes: Buffer.from(lines.join('\n')), now: DAY1 });
      await expect(applyImport(db(), { tenantId, importId: preview.record.id, actor, sha256: preview.record.sha256, now: DAY1 })).rejects.toThrow(/refused for the test/);
      expect(await snapshot()).toEqual({ units: [], employments: [], people: [] });
      expect((await showImport(db(), tenantId, preview.record.id))?.record.status).toBe('previewed');
      expect(await db().selectFrom('audit_events').select('action').where('tenant_id', '=', tenantId).where('action', '=', 'org.import.applied').execute()).toEqual([]);
    } finally {
      await sql`drop trigger refuse_sabotage on employments`.execute(db());
      await sql`drop function refuse_sabotage()`.execute(db());
    }
  });

  it('refuses a cycle in the unit tree and changes nothing', async () => {
    const preview = await previewImport(db(), { tenantId, actor, fileName: 'hr.csv', bytes: csv(';;;;A;A;B;;;;;;;', ';;;;B;B;A;;;;;;;'), now: DAY1 });
    expect(preview.problems.map((p) => p.code)).toEqual(['unit-cycle']);
    await expect(applyImport(db(), { tenantId, importId: preview.record.id, actor, sha256: preview.record.sha256, now: DAY1 })).rejects.toBeInstanceOf(ImportRefusal);
    expect((await snapshot()).units).toEqual([]);
  });

  it('moves a unit under another and keeps every path below it right', async () => {
    await importFile(sampleBytes());
    const moved = sampleBytes().toString('utf8').replace(';;;;3303-HO-SJ;Sykehjemstjenesten;3303-HO;', ';;;;3303-HO-SJ;Sykehjemstjenesten;3303-HO-HJ;').replaceAll('Sykehjemstjenesten;3303-HO;', 'Sykehjemstjenesten;3303-HO-HJ;');
    await importFile(Buffer.from(moved), DAY2);
    const units = (await snapshot()).units;
    expect(units.find((u) => u.code === '3303-HO-SJ-B')?.path).toBe('3303/3303-HO/3303-HO-HJ/3303-HO-SJ/3303-HO-SJ-B');
  });

  it('refuses stale previews, other bytes, other tenants, expired and applied imports', async () => {
    const first = await previewImport(db(), { tenantId, actor, fileName: 'a.csv', bytes: sampleBytes(), now: DAY1 });
    const second = await previewImport(db(), { tenantId, actor, fileName: 'b.csv', bytes: sampleBytes(), now: DAY1 });
    await expect(applyImport(db(), { tenantId, importId: first.record.id, actor, sha256: 'f'.repeat(64), now: DAY1 })).rejects.toMatchObject({ code: 'file-mismatch' });
    await expect(applyImport(db(), { tenantId: otherTenantId, importId: first.record.id, actor, sha256: first.record.sha256, now: DAY1 })).rejects.toMatchObject({ code: 'not-found' });
    expect(await showImport(db(), otherTenantId, first.record.id)).toBeUndefined();
    await expect(applyImport(db(), { tenantId, importId: first.record.id, actor, sha256: first.record.sha256, now: new Date(DAY1.getTime() + 2 * 3600_000) })).rejects.toMatchObject({ code: 'expired' });
    await applyImport(db(), { tenantId, importId: first.record.id, actor, sha256: first.record.sha256, now: DAY1 });
    await expect(applyImport(db(), { tenantId, importId: first.record.id, actor, sha256: first.record.sha256, now: DAY1 })).rejects.toMatchObject({ code: 'already-applied' });
    // The organisation changed since the second preview: it would now change nothing, not what it showed.
    await expect(applyImport(db(), { tenantId, importId: second.record.id, actor, sha256: second.record.sha256, now: DAY1 })).rejects.toMatchObject({ code: 'stale' });
  });

  it('reports the bad row on line 59,999 of a 60,000-row file', async () => {
    const rows = [';;;;K;Kommunen;;;;;;;;'];
    for (let i = 3; i <= 60_001; i += 1) {
      const bad = i === 59_999;
      rows.push(`${i};Navn;Etternavn;;K;Kommunen;;Helsefagarbeider;;${bad ? '120' : '50,5'};01.01.2024;;nei;`);
    }
    const preview = await previewImport(db(), { tenantId, actor, fileName: 'stor.csv', bytes: csv(...rows), now: DAY1 });
    expect(preview.record.counts.rows).toBe(60_000);
    expect(preview.problems).toEqual([{ line: 59_999, code: 'bad-percentage', params: { value: '120' } }]);
  }, 120_000);
});
