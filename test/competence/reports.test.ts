import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionsPerMonth, completionTimes, coverageByUnit, expiriesAhead, filterGapRows, gapRows, lastTwelveMonths, subtreeOf } from '../../src/competence/reports.js';
import { partTimeBand, staffingOf, totalPercentages } from '../../src/organisation/staffing.js';
import { activeEmploymentsIn, type ActiveEmployment } from '../../src/organisation/unit-scope.js';
import { managerScope } from '../../src/access/manager-scope.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { addReportCompetence, REPORT_DAY } from './report-world.js';

const employment = (personId: string, unitId: string, jobTitle: string, percentage: number): ActiveEmployment => ({
  employmentId: `${personId}-${unitId}`, personId, employeeNumber: personId, name: personId, unitId, jobTitle, jobCode: null, percentage, startDate: '2020-01-01', endDate: null, leadsUnit: false,
});

describe('staffing: headcount, FTE and part-time bands', () => {
  it('places decimals at the band limits: under 50 below 50; 50–75 up to and including 75; 76–99 above 75 and below 100', () => {
    expect(partTimeBand(0)).toBe('under-50');
    expect(partTimeBand(49.99)).toBe('under-50');
    expect(partTimeBand(50)).toBe('50-75');
    expect(partTimeBand(75)).toBe('50-75');
    expect(partTimeBand(75.01)).toBe('76-99');
    expect(partTimeBand(75.5)).toBe('76-99');
    expect(partTimeBand(76)).toBe('76-99');
    expect(partTimeBand(99.99)).toBe('76-99');
    expect(partTimeBand(100)).toBe('100');
    expect(partTimeBand(120)).toBe('100');
  });

  it('counts people once per unit and role, sums FTE exactly, and bands a person by their total percentage', () => {
    const staffing = staffingOf('2027-06-01', ['u1', 'u2'], [
      employment('a', 'u2', 'Helsefagarbeider', 40),
      employment('a', 'u1', 'Helsefagarbeider', 30),
      employment('b', 'u1', 'Helsefagarbeider', 75.5),
      employment('c', 'u1', 'Sykepleier', 100),
      employment('d', 'u1', 'Sykepleier', 80.33),
      employment('d', 'u1', 'Sykepleier', 20),
    ], new Map([['a', 70]]));
    expect(staffing.cells).toEqual([
      { unitId: 'u1', jobTitle: 'Helsefagarbeider', headcount: 2, fte: 1.06 },
      { unitId: 'u1', jobTitle: 'Sykepleier', headcount: 2, fte: 2 },
      { unitId: 'u2', jobTitle: 'Helsefagarbeider', headcount: 1, fte: 0.4 },
    ]);
    // 40 + 30 + 75.5 + 100 + 80.33 + 20 = 345.83 %: 3.4583 FTE, shown as 3.46.
    expect(staffing.total).toEqual({ headcount: 4, fte: 3.46, bands: { 'under-50': 0, '50-75': 1, '76-99': 1, '100': 2 } });
    expect(staffing.roles).toEqual([
      { jobTitle: 'Helsefagarbeider', headcount: 2, fte: 1.46, bands: { 'under-50': 0, '50-75': 1, '76-99': 1, '100': 0 } },
      { jobTitle: 'Sykepleier', headcount: 2, fte: 2, bands: { 'under-50': 0, '50-75': 0, '76-99': 0, '100': 2 } },
    ]);
    // Without the municipality's totals, the employments given decide: a's 70 % still is 50–75.
    expect(staffingOf('2027-06-01', ['u1'], [employment('a', 'u1', 'X', 30)]).total.bands['under-50']).toBe(1);
  });
});

describe('completions per month in Europe/Oslo', () => {
  it('the twelve months up to the day, oldest first, across a year', () => {
    expect(lastTwelveMonths('2027-02-28')).toEqual(['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12', '2027-01', '2027-02']);
  });

  it('counts a completion in the Oslo month it happened in, at month ends, DST changes and the window edges', () => {
    const counts = completionsPerMonth([
      new Date('2027-03-31T22:30:00Z'), // 00:30 on 1 April in Oslo (summer time): April
      new Date('2027-03-31T21:30:00Z'), // 23:30 on 31 March: March
      new Date('2027-03-28T01:30:00Z'), // the night summer time starts: 03:30 on 28 March
      new Date('2026-12-31T23:00:00Z'), // midnight on New Year's Day in Oslo: January 2027
      new Date('2026-05-31T21:59:00Z'), // 23:59 on 31 May 2026: before the window
      new Date('2026-05-31T22:00:00Z'), // 00:00 on 1 June 2026: the window's first minute
      new Date('2027-05-20T10:00:00Z'), // after the report's day: not counted
    ], '2027-05-15');
    const byMonth = Object.fromEntries(counts.map((c) => [c.month, c.count]));
    expect(counts.map((c) => c.month)).toEqual(lastTwelveMonths('2027-05-15'));
    expect(byMonth).toMatchObject({ '2026-06': 1, '2027-01': 1, '2027-03': 2, '2027-04': 1, '2027-05': 0 });
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBe(5);
  });
});

describe(`competence reports of a manager's units (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let w: OrgWorld;
  let injector: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    w = await orgWorld(db());
    ({ injector } = await addReportCompetence(testDb.database, w.as, w.units, w.people));
  });
  afterAll(async () => testDb?.dispose());

  it('gap rows for the employments in scope only, with statuses, validity and coverage per unit', async () => {
    const scope = await managerScope(db(), w.as, w.people.ingrid, REPORT_DAY);
    const employments = await activeEmploymentsIn(db(), w.as, [...scope.unitIds], REPORT_DAY);
    const rows = await gapRows(db(), w.as, employments, REPORT_DAY);
    const unitCode = (id: string) => (id === w.units.sh.id ? 'SH' : id === w.units.sh1.id ? 'SH1' : 'other');
    expect(rows.map((r) => `${r.employeeNumber} ${unitCode(r.unitId)} ${r.competence.code} ${r.status} ${r.validUntil ?? ''} ${r.mandatory ? 'M' : 'R'}`).sort()).toEqual([
      '-1007 SH1 forstehjelp missing  R',
      '1001 SH forstehjelp missing  R',
      '1002 SH forstehjelp missing  R',
      '1003 SH1 brannvern expiring 2027-07-10 M',
      '1003 SH1 forstehjelp missing  R',
    ]);
    // Bjørn's home-care employment is outside the scope: its requirement rows are not the manager's.
    expect(rows.some((r) => r.unitId === w.units.ht.id)).toBe(false);
    const coverage = coverageByUnit(scope.units, rows);
    expect(coverage.map((c) => [unitCode(c.unitId), c.met, c.applicable, c.percent])).toEqual([['SH', 0, 2, 0], ['SH1', 1, 3, 33]]);

    expect(filterGapRows(rows, { status: 'expiring' }).map((r) => r.personId)).toEqual([w.people.bjorn]);
    expect(filterGapRows(rows, { mandatory: true, jobTitle: 'HELSEFAGARBEIDER' })).toHaveLength(1);
    expect(filterGapRows(rows, { competenceCode: 'forstehjelp', unitIds: subtreeOf(scope.units, w.units.sh1.id) }).map((r) => r.personId).sort()).toEqual([injector, w.people.bjorn].sort());
    expect(filterGapRows(rows, { unitIds: subtreeOf(scope.units, w.units.sh.id) })).toHaveLength(5);
    // A day after Bjørn's certificate stops: expired.
    const later = await gapRows(db(), w.as, employments, '2027-07-10');
    expect(later.find((r) => r.competence.code === 'brannvern')).toMatchObject({ status: 'expired', validUntil: '2027-07-10' });
  });

  it('staffing of the scope bands Bjørn by his whole 70 %, not the 40 % in scope', async () => {
    const scope = await managerScope(db(), w.as, w.people.ingrid, REPORT_DAY);
    const employments = await activeEmploymentsIn(db(), w.as, [...scope.unitIds], REPORT_DAY);
    const totals = await totalPercentages(db(), w.as, employments.map((e) => e.personId), REPORT_DAY);
    expect(totals.get(w.people.bjorn)).toBe(70);
    const staffing = staffingOf(REPORT_DAY, scope.units.map((u) => u.id), employments, totals);
    // 100 + 80 + 40 + 75.5 = 295.5 %.
    expect(staffing.total).toEqual({ headcount: 4, fte: 2.96, bands: { 'under-50': 0, '50-75': 1, '76-99': 2, '100': 1 } });
  });

  it('completions of the people in scope per month, and expiries in the next 90 days per competence', async () => {
    const people = [w.people.ingrid, w.people.anne, w.people.bjorn, injector];
    const months = completionsPerMonth(await completionTimes(db(), w.as, people, REPORT_DAY), REPORT_DAY);
    expect(months.filter((m) => m.count > 0)).toEqual([{ month: '2027-02', count: 1 }]);
    expect(await completionTimes(db(), w.as, [w.people.dag], REPORT_DAY)).toEqual([]);
    // Another municipality's report never reads Ås's completions.
    expect(await completionTimes(db(), w.berg, people, REPORT_DAY)).toEqual([]);

    const ahead = await expiriesAhead(db(), w.as, people, REPORT_DAY, 90);
    expect(ahead.map((e) => [e.competence.code, e.people, e.firstExpiry])).toEqual([['brannvern', 1, '2027-07-10']]);
    // Anne's certificate from the path (until 2028-02-01) comes within 90 days in November.
    expect((await expiriesAhead(db(), w.as, people, '2027-11-03', 90)).map((e) => [e.competence.code, e.people])).toEqual([['brannvern', 1]]);
    // On its expiry day the holding is no longer valid: not "expiring".
    expect(await expiriesAhead(db(), w.as, [w.people.bjorn], '2027-07-10', 90)).toEqual([]);
    expect(await expiriesAhead(db(), w.as, [w.people.bjorn], '2027-07-09', 0)).toEqual([]);
    expect((await expiriesAhead(db(), w.as, [w.people.bjorn], '2027-07-09', 1)).length).toBe(1);
  });
});
