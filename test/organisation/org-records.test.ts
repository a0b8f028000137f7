import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor } from '../../src/audit/audit-log.js';
import { addEmployee, addEmployment, changeEmployment, endEmployment } from '../../src/organisation/employments.js';
import { parseDate, parsePercentage } from '../../src/organisation/field-values.js';
import { personRecord, searchPeople, searchUnits, unitPeople, unitTree } from '../../src/organisation/org-queries.js';
import { changeOrgUnit, createOrgUnit, endOrgUnit, findOrgUnit, moveOrgUnit } from '../../src/organisation/org-units.js';
import { OrganisationError } from '../../src/organisation/organisation-error.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const refusal = (code: string) => expect.objectContaining({ name: 'OrganisationError', code });

describe(`org units and employments, one record at a time (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let kongsberg: string;
  let oslo: string;
  let actor: ReturnType<typeof personActor>;
  const db = () => testDb.database.db;
  const audits = async (tenantId: string) =>
    (await db().selectFrom('audit_events').select(['action', 'object_id', 'subject_person_id', 'details']).where('tenant_id', '=', tenantId).orderBy('id').execute());

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const insert = (kommunenummer: string, name: string) => db().insertInto('tenants').values({ kind: 'municipality', kommunenummer, name }).returning('id').executeTakeFirstOrThrow();
    kongsberg = (await insert('3303', 'Kongsberg')).id;
    oslo = (await insert('0301', 'Oslo')).id;
    const admin = await db().insertInto('people').values({ tenant_id: kongsberg, name: 'Admin' }).returning('id').executeTakeFirstOrThrow();
    actor = personActor(admin.id);
  });
  afterAll(async () => testDb?.dispose());

  it('reads percentages and dates as Norwegians write them', () => {
    expect(parsePercentage('50,5')).toBe('50.5');
    expect(parsePercentage('100')).toBe('100');
    expect(parsePercentage(' 33,33 % ')).toBe('33.33');
    for (const bad of ['0', '100,01', '-5', '12,345', 'femti', '']) expect(() => parsePercentage(bad)).toThrow(OrganisationError);
    expect(parseDate('31.12.2026', 'd')).toBe('2026-12-31');
    expect(parseDate('1.2.2026', 'd')).toBe('2026-02-01');
    expect(parseDate('2026-02-28', 'd')).toBe('2026-02-28');
    for (const bad of ['2026-02-30', '31.13.2026', '2026/01/01', 'i dag']) expect(() => parseDate(bad, 'd')).toThrow(OrganisationError);
  });

  it('builds a tree, moves a subtree with every path right, and refuses cycles and foreign parents', async () => {
    const root = await createOrgUnit(db(), kongsberg, actor, { code: 'K', name: 'Kongsberg kommune', parentId: null });
    const helse = await createOrgUnit(db(), kongsberg, actor, { code: 'HO', name: 'Helse og omsorg', parentId: root.id });
    const sykehjem = await createOrgUnit(db(), kongsberg, actor, { code: 'HO-SH', name: 'Sykehjem', parentId: helse.id });
    const avdeling = await createOrgUnit(db(), kongsberg, actor, { code: 'HO-SH-1', name: 'Avdeling 1', parentId: sykehjem.id });
    const oppvekst = await createOrgUnit(db(), kongsberg, actor, { code: 'OPP', name: 'Oppvekst', parentId: root.id });
    expect(avdeling.path).toEqual([root.id, helse.id, sykehjem.id, avdeling.id]);

    await expect(createOrgUnit(db(), kongsberg, actor, { code: 'HO', name: 'Dobbel', parentId: null })).rejects.toEqual(refusal('code-taken'));
    await expect(createOrgUnit(db(), kongsberg, actor, { code: '  ', name: 'Uten kode', parentId: null })).rejects.toEqual(refusal('code-invalid'));
    // The same code in another municipality is its own.
    const osloRoot = await createOrgUnit(db(), oslo, actor, { code: 'HO', name: 'Oslo helse', parentId: null });

    // Under itself, under its own child or grandchild: refused, nothing changed.
    await expect(moveOrgUnit(db(), kongsberg, actor, helse.id, helse.id)).rejects.toEqual(refusal('move-cycle'));
    await expect(moveOrgUnit(db(), kongsberg, actor, helse.id, avdeling.id)).rejects.toEqual(refusal('move-cycle'));
    // A parent in another municipality is not found there.
    await expect(moveOrgUnit(db(), kongsberg, actor, helse.id, osloRoot.id)).rejects.toEqual(refusal('parent-not-found'));
    await expect(createOrgUnit(db(), kongsberg, actor, { code: 'X', name: 'X', parentId: osloRoot.id })).rejects.toEqual(refusal('parent-not-found'));
    await expect(moveOrgUnit(db(), oslo, actor, helse.id, null)).rejects.toEqual(refusal('unit-not-found'));
    expect((await findOrgUnit(db(), kongsberg, avdeling.id))!.path).toEqual([root.id, helse.id, sykehjem.id, avdeling.id]);

    // Sykehjem with its department moves under Oppvekst, then to the top.
    await moveOrgUnit(db(), kongsberg, actor, sykehjem.id, oppvekst.id);
    expect((await findOrgUnit(db(), kongsberg, sykehjem.id))!).toMatchObject({ parentId: oppvekst.id, path: [root.id, oppvekst.id, sykehjem.id] });
    expect((await findOrgUnit(db(), kongsberg, avdeling.id))!).toMatchObject({ parentId: sykehjem.id, path: [root.id, oppvekst.id, sykehjem.id, avdeling.id] });
    await moveOrgUnit(db(), kongsberg, actor, sykehjem.id, null);
    expect((await findOrgUnit(db(), kongsberg, avdeling.id))!.path).toEqual([sykehjem.id, avdeling.id]);
    expect((await findOrgUnit(db(), kongsberg, sykehjem.id))!.parentId).toBeNull();
    await moveOrgUnit(db(), kongsberg, actor, sykehjem.id, helse.id);
    expect((await findOrgUnit(db(), kongsberg, avdeling.id))!.path).toEqual([root.id, helse.id, sykehjem.id, avdeling.id]);
    // Oslo's tree is untouched.
    expect((await findOrgUnit(db(), oslo, osloRoot.id))!.path).toEqual([osloRoot.id]);

    await changeOrgUnit(db(), kongsberg, actor, sykehjem.id, { code: 'HO-SHJ', name: 'Sykehjemmet' });
    await expect(changeOrgUnit(db(), kongsberg, actor, sykehjem.id, { code: 'OPP', name: 'Sykehjemmet' })).rejects.toEqual(refusal('code-taken'));
    expect((await searchUnits(db(), kongsberg, 'shj')).map((u) => u.code)).toEqual(['HO-SHJ']);
    expect((await searchUnits(db(), kongsberg, 'sykehjem')).map((u) => u.code)).toEqual(['HO-SHJ']);
    expect(await searchUnits(db(), kongsberg, '%')).toEqual([]);

    const actions = (await audits(kongsberg)).map((a) => a.action);
    expect(actions.filter((a) => a === 'org.unit.created')).toHaveLength(5);
    expect(actions.filter((a) => a === 'org.unit.moved')).toHaveLength(3);
    expect((await audits(kongsberg)).find((a) => a.action === 'org.unit.changed')!.details).toEqual({ fields: ['code', 'name'] });
  });

  it('adds employees and employments with history, counts them in the tree, and ends a unit only when empty', async () => {
    const top = await createOrgUnit(db(), kongsberg, actor, { code: 'T', name: 'Tjenester', parentId: null });
    const home = await createOrgUnit(db(), kongsberg, actor, { code: 'T-HT', name: 'Hjemmetjenesten', parentId: top.id });
    const nursing = await createOrgUnit(db(), kongsberg, actor, { code: 'T-SH', name: 'Sykehjem nord', parentId: top.id });
    const kari = await addEmployee(db(), kongsberg, actor, { employeeNumber: '1001', givenName: 'Kari', familyName: 'Nordmann', email: 'kari@kongsberg.kommune.no' });
    await expect(addEmployee(db(), kongsberg, actor, { employeeNumber: '1001', givenName: 'Ola', familyName: 'Dobbel' })).rejects.toEqual(refusal('employee-number-taken'));
    await expect(addEmployee(db(), kongsberg, actor, { employeeNumber: '1002', givenName: 'Ola', familyName: 'N', email: 'ikke-epost' })).rejects.toEqual(refusal('email-invalid'));
    // The same number in another municipality is another employee.
    await addEmployee(db(), oslo, actor, { employeeNumber: '1001', givenName: 'Per', familyName: 'Oslo' });
    expect(await db().selectFrom('employees').select('id').where('tenant_id', '=', kongsberg).execute()).toHaveLength(1);

    // Part time in two units: 40 % in a nursing home, 30,5 % in home care.
    const a = await addEmployment(db(), kongsberg, actor, kari.personId, { orgUnitId: nursing.id, jobTitle: 'Helsefagarbeider', jobCode: '7520', percentage: '40', startDate: '01.01.2024', leadsUnit: false });
    const b = await addEmployment(db(), kongsberg, actor, kari.personId, { orgUnitId: home.id, jobTitle: 'Helsefagarbeider', percentage: '30,5', startDate: '2025-03-01', leadsUnit: true });
    expect(b.percentage).toBe('30.50');
    await expect(addEmployment(db(), kongsberg, actor, kari.personId, { orgUnitId: home.id, jobTitle: 'X', percentage: '120', startDate: '2025-03-01', leadsUnit: false })).rejects.toEqual(refusal('percentage-invalid'));
    await expect(addEmployment(db(), kongsberg, actor, kari.personId, { orgUnitId: home.id, jobTitle: 'X', percentage: '20', startDate: '2025-03-01', endDate: '2025-01-01', leadsUnit: false })).rejects.toEqual(refusal('end-before-start'));
    const osloUnit = await createOrgUnit(db(), oslo, actor, { code: 'O-1', name: 'Oslo enhet', parentId: null });
    await expect(addEmployment(db(), kongsberg, actor, kari.personId, { orgUnitId: osloUnit.id, jobTitle: 'X', percentage: '20', startDate: '2025-03-01', leadsUnit: false })).rejects.toEqual(refusal('unit-not-found'));
    await expect(addEmployment(db(), oslo, actor, kari.personId, { orgUnitId: osloUnit.id, jobTitle: 'X', percentage: '20', startDate: '2025-03-01', leadsUnit: false })).rejects.toEqual(refusal('employee-not-found'));

    const day = '2026-06-01';
    let tree = await unitTree(db(), kongsberg, { day });
    const counts = (id: string) => tree.find((u) => u.id === id)!;
    expect(counts(top.id)).toMatchObject({ activeHere: 0, activeInSubtree: 1, depth: 0 });
    expect(counts(home.id)).toMatchObject({ activeHere: 1, activeInSubtree: 1, depth: 1 });
    expect(counts(nursing.id)).toMatchObject({ activeHere: 1, activeInSubtree: 1 });
    expect(tree.findIndex((u) => u.id === home.id)).toBeGreaterThan(tree.findIndex((u) => u.id === top.id));
    expect((await unitPeople(db(), kongsberg, home.id, { day })).map((m) => [m.employeeNumber, m.leadsUnit])).toEqual([['1001', true]]);
    // Counted within one subtree, the units outside it count nobody; without counts, nobody anywhere.
    const within = await unitTree(db(), kongsberg, { day, countsWithin: home.id });
    expect(within.find((u) => u.id === home.id)).toMatchObject({ activeHere: 1, activeInSubtree: 1 });
    expect(within.find((u) => u.id === nursing.id)).toMatchObject({ activeHere: 0, activeInSubtree: 0 });
    expect(within.find((u) => u.id === top.id)).toMatchObject({ activeInSubtree: 1 });
    expect((await unitTree(db(), kongsberg, { day, counts: false })).every((u) => u.activeInSubtree === 0)).toBe(true);

    // Ending the nursing home is refused while Kari works there; her employment ends, then it may.
    await expect(endOrgUnit(db(), kongsberg, actor, top.id, '2026-06-30')).rejects.toEqual(expect.objectContaining({ code: 'unit-has-active-employments', count: 2 }));
    await expect(endEmployment(db(), kongsberg, actor, kari.personId, a.id, '2023-12-31')).rejects.toEqual(refusal('end-before-start'));
    await endEmployment(db(), kongsberg, actor, kari.personId, a.id, '2026-05-31');
    await expect(endEmployment(db(), kongsberg, actor, kari.personId, a.id, '2026-05-31')).rejects.toEqual(refusal('employment-ended'));
    await expect(endEmployment(db(), oslo, actor, kari.personId, a.id, '2026-05-31')).rejects.toEqual(refusal('employee-not-found'));
    tree = await unitTree(db(), kongsberg, { day });
    expect(counts(nursing.id)).toMatchObject({ activeHere: 0, activeInSubtree: 0 });
    await endOrgUnit(db(), kongsberg, actor, nursing.id, '2026-06-30');
    expect((await findOrgUnit(db(), kongsberg, nursing.id))!.endedOn).toBe('2026-06-30');
    expect((await unitTree(db(), kongsberg, { day })).some((u) => u.id === nursing.id)).toBe(false);
    expect((await unitTree(db(), kongsberg, { day, includeEnded: true })).some((u) => u.id === nursing.id)).toBe(true);
    await expect(addEmployment(db(), kongsberg, actor, kari.personId, { orgUnitId: nursing.id, jobTitle: 'X', percentage: '20', startDate: '2026-07-01', leadsUnit: false })).rejects.toEqual(refusal('unit-ended'));

    // Changing an employment names the fields changed; history is kept whole.
    await changeEmployment(db(), kongsberg, actor, kari.personId, b.id, { orgUnitId: home.id, jobTitle: 'Sykepleier', percentage: '30.50', startDate: '2025-03-01', leadsUnit: true });
    const record = (await personRecord(db(), kongsberg, kari.personId, { day }))!;
    expect(record.employee!.employeeNumber).toBe('1001');
    expect(record.employments.map((e) => [e.orgUnit.code, e.jobTitle, e.percentage, e.endDate, e.active])).toEqual([
      ['T-HT', 'Sykepleier', '30.50', null, true],
      ['T-SH', 'Helsefagarbeider', '40.00', '2026-05-31', false],
    ]);
    expect(await personRecord(db(), oslo, kari.personId)).toBeUndefined();
    expect(await db().selectFrom('employments').select('id').where('employee_id', '=', kari.id).execute()).toHaveLength(2);

    for (const q of ['kari', 'NORDMANN', '1001', 'kongsberg.kommune']) expect((await searchPeople(db(), kongsberg, q, { day })).map((p) => p.personId)).toEqual([kari.personId]);
    expect(await searchPeople(db(), oslo, 'kari')).toEqual([]);
    expect((await searchPeople(db(), kongsberg, '1001', { day }))[0]!.activeEmployments).toBe(1);

    const log = await audits(kongsberg);
    expect(log.filter((e) => e.subject_person_id === kari.personId).map((e) => e.action)).toEqual(['org.employee.added', 'org.employment.added', 'org.employment.added', 'org.employment.ended', 'org.employment.changed']);
    expect(log.find((e) => e.action === 'org.employment.changed')!.details).toEqual({ fields: ['jobTitle'] });
    expect(JSON.stringify(log)).not.toMatch(/Kari|Nordmann|kongsberg\.kommune/);
  });

  it('keeps the paths of a moved subtree consistent with parent ids', async () => {
    const bad = await sql<{ n: string }>`select count(*) as n from org_units c join org_units p on p.id = c.parent_id where c.path <> p.path || c.id`.execute(db());
    expect(Number(bad.rows[0]!.n)).toBe(0);
  });
});
