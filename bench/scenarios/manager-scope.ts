import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { managerScope } from '../../src/access/manager-scope.js';
import { openPostgres } from '../../src/db/postgres.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { activeEmploymentsIn } from '../../src/organisation/unit-scope.js';
import { osloDate } from '../../src/oslo-date.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { type BenchResult, percentile, runAutocannon, type Scenario } from '../harness.js';

const ROLES_FILE = path.join(PROJECT_ROOT, '..', 'shared', 'data', 'stillinger-helse-omsorg.csv');
/** The bench starts the tool with this secret (bench/run.ts), so the scenario can issue its sessions. */
const TOOL_SECRET = 'bench-'.padEnd(48, 'x');
const SECTORS = 15;
const UNITS_PER_SECTOR = 8;
const DEPARTMENTS_PER_UNIT = 5;
const EMPLOYEES_PER_DEPARTMENT = 50;
const TIMED = 1000;
const VIEWS = 300;

interface Role {
  title: string;
  weight: number;
  /** Shares of under 50 %, 50–75 %, 76–99 %, 100 % (percent). */
  bands: [number, number, number, number];
}

function readRoles(): Role[] {
  const rows = parse(fs.readFileSync(ROLES_FILE, 'utf8'), { columns: true }) as Record<string, string>[];
  return rows.map((r) => ({
    title: r['stilling']!,
    weight: Number(r['antall']),
    bands: [Number(r['andel_under_50']), Number(r['andel_50_75']), Number(r['andel_76_99']), Number(r['andel_100'])],
  }));
}

/** A deterministic pseudo-random sequence (the same organisation every run). */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function pick<T>(items: readonly T[], weights: readonly number[], r: number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let at = r * total;
  for (let i = 0; i < items.length; i += 1) if ((at -= weights[i]!) < 0) return items[i]!;
  return items[items.length - 1]!;
}

/** A percentage in the band, as the Nord-Troms shares distribute them. */
function percentageIn(band: number, r: number): number {
  if (band === 0) return Math.round((10 + r * 39.5) * 2) / 2;
  if (band === 1) return Math.round(50 + r * 25);
  if (band === 2) return Math.round(76 + r * 23);
  return 100;
}

const ms = (n: number) => Math.round(n * 100) / 100;

/**
 * Oslo's organisation generated (15 sectors × 8 units × 5 departments × 50 employees: 30,000
 * employees, 736 units, job roles and part-time shares drawn like stillinger-helse-omsorg.csv); the
 * leader of one sector has a subtree of 2,000 employees. Times resolving that manager's scope (the
 * units led and granted, with subtrees) and the full view (scope + the 2,000 people with their
 * employments) on the bench database, one at a time; then GET /manage for that manager over HTTP.
 */
export const scenario: Scenario = {
  name: 'manager-scope',
  description: `a manager's scope over a subtree of ${UNITS_PER_SECTOR * DEPARTMENTS_PER_UNIT * EMPLOYEES_PER_DEPARTMENT} employees in a generated organisation of ${SECTORS * UNITS_PER_SECTOR * DEPARTMENTS_PER_UNIT * EMPLOYEES_PER_DEPARTMENT}`,
  async run(context): Promise<BenchResult> {
    if (!fs.existsSync(ROLES_FILE)) throw new Error(`manager-scope needs ${ROLES_FILE} (the shared reference data beside the project)`);
    const roles = readRoles();
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-manager-scope' });
    const db = database.db;
    try {
      const oslo = await findMunicipality(db, '0301');
      if (!oslo) throw new Error('Oslo (0301) is not among the municipalities the tool created at start');
      const tenant = oslo.id;
      const next = random(14);
      const generationStarted = performance.now();
      const unit = async (parent: { id: string; path: string[] } | null, code: string, name: string) => {
        const id = crypto.randomUUID();
        const unitPath = [...(parent?.path ?? []), id];
        await db.insertInto('org_units').values({ id, tenant_id: tenant, parent_id: parent?.id ?? null, code, name, path: unitPath }).execute();
        return { id, path: unitPath };
      };
      const root = await unit(null, 'OSLO', 'Oslo kommune');
      let employeeNumber = 100000;
      let sectorLeader = '';
      for (let s = 0; s < SECTORS; s += 1) {
        const sector = await unit(root, `S${s}`, `Sektor ${s + 1}`);
        const departments: string[] = [];
        for (let u = 0; u < UNITS_PER_SECTOR; u += 1) {
          const enhet = await unit(sector, `S${s}-E${u}`, `Enhet ${s + 1}.${u + 1}`);
          for (let d = 0; d < DEPARTMENTS_PER_UNIT; d += 1) departments.push((await unit(enhet, `S${s}-E${u}-A${d}`, `Avdeling ${s + 1}.${u + 1}.${d + 1}`)).id);
        }
        // The sector's employees, one department at a time (people, employee rows, employments).
        for (const department of departments) {
          const people = Array.from({ length: EMPLOYEES_PER_DEPARTMENT }, () => ({ id: crypto.randomUUID(), number: String((employeeNumber += 1)) }));
          await db.insertInto('people').values(people.map((p) => ({ id: p.id, tenant_id: tenant, name: `Ansatt ${p.number}`, given_name: null, family_name: null, email: null, locale: null }))).execute();
          const employees = await db.insertInto('employees').values(people.map((p) => ({ tenant_id: tenant, person_id: p.id, employee_number: p.number, sourced_id: null }))).returning('id').execute();
          await db.insertInto('employments').values(employees.map((e) => {
            const role = pick(roles, roles.map((r) => r.weight), next());
            const band = pick([0, 1, 2, 3], role.bands, next());
            return { tenant_id: tenant, employee_id: e.id, org_unit_id: department, job_title: role.title, percentage: percentageIn(band, next()), start_date: '2020-01-01', end_date: null, leads_unit: false };
          })).execute();
        }
        if (s === 0) {
          const leader = crypto.randomUUID();
          sectorLeader = leader;
          await db.insertInto('people').values({ id: leader, tenant_id: tenant, name: 'Sektorleder', given_name: null, family_name: null, email: null, locale: null }).execute();
          const employee = await db.insertInto('employees').values({ tenant_id: tenant, person_id: leader, employee_number: 'L1', sourced_id: null }).returning('id').executeTakeFirstOrThrow();
          await db.insertInto('employments').values({ tenant_id: tenant, employee_id: employee.id, org_unit_id: sector.id, job_title: 'Kommunalsjef', percentage: 100, start_date: '2020-01-01', end_date: null, leads_unit: true }).execute();
        }
      }
      await sql`analyze org_units, employees, employments, people`.execute(db);
      const generationSeconds = (performance.now() - generationStarted) / 1000;

      const day = osloDate();
      const scopeTimes: number[] = [];
      const viewTimes: number[] = [];
      let peopleInView = 0;
      let unitsInScope = 0;
      // The scope alone, then the whole view, in separate loops: the view's 2,000 rows leave garbage
      // whose collection would otherwise land in the next scope's time.
      for (let i = 0; i < TIMED + 100; i += 1) {
        const t0 = performance.now();
        const scope = await managerScope(db, tenant, sectorLeader, day);
        if (i >= 100) scopeTimes.push(performance.now() - t0);
        unitsInScope = scope.units.length;
      }
      for (let i = 0; i < VIEWS + 20; i += 1) {
        const t0 = performance.now();
        const scope = await managerScope(db, tenant, sectorLeader, day);
        const employments = await activeEmploymentsIn(db, tenant, [...scope.unitIds], day);
        if (i >= 20) viewTimes.push(performance.now() - t0);
        peopleInView = new Set(employments.map((e) => e.personId)).size;
      }
      if (!expectedScope(unitsInScope, peopleInView)) throw new Error(`the scope has ${unitsInScope} units and ${peopleInView} people, not the sector's`);
      // The same database's answer to `select 1`, timed alike: what one round trip costs at this load.
      const roundTrips: number[] = [];
      for (let i = 0; i < TIMED; i += 1) {
        const t0 = performance.now();
        await sql`select 1`.execute(db);
        roundTrips.push(performance.now() - t0);
      }
      roundTrips.sort((a, b) => a - b);
      scopeTimes.sort((a, b) => a - b);
      viewTimes.sort((a, b) => a - b);

      const token = await new SessionTokens(TOOL_SECRET, 3600).issue({ personId: sectorLeader, tenantId: tenant, role: 'manager', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
      const http = await runAutocannon(context, 'manager-scope', { path: `/manage?session=${token}`, connections: 2, duration: 10 }, undefined);
      const details = [
        `manager-scope: Oslo generated with ${SECTORS * UNITS_PER_SECTOR * DEPARTMENTS_PER_UNIT * EMPLOYEES_PER_DEPARTMENT} employees in ${1 + SECTORS * (1 + UNITS_PER_SECTOR * (1 + DEPARTMENTS_PER_UNIT))} units (${Math.round(generationSeconds)} s); the manager leads Sektor 1 (${unitsInScope} units, ${peopleInView} people with the manager). ${TIMED} timed resolutions after 100 untimed, one at a time, in the bench process against server PostgreSQL:`,
        '',
        '| what | p50 ms | p95 ms | p99 ms |',
        '|---|---|---|---|',
        `| scope (units led + granted, with subtrees) | ${ms(percentile(scopeTimes, 50))} | ${ms(percentile(scopeTimes, 95))} | ${ms(percentile(scopeTimes, 99))} |`,
        `| one round trip (\`select 1\`), for the load | ${ms(percentile(roundTrips, 50))} | ${ms(percentile(roundTrips, 95))} | ${ms(percentile(roundTrips, 99))} |`,
        `| scope + the ${peopleInView} people's active employments (${VIEWS} timed after 20) | ${ms(percentile(viewTimes, 50))} | ${ms(percentile(viewTimes, 95))} | ${ms(percentile(viewTimes, 99))} |`,
        '',
        `The table row above is GET /manage for that manager over HTTP (the whole page: scope, ${peopleInView} people, HTML), 2 connections for 10 s.`,
      ].join('\n');
      return { ...http, notes: `GET /manage, ${peopleInView} people on the page`, details };
    } finally {
      await database.close();
    }
  },
};

function expectedScope(units: number, people: number): boolean {
  return units === 1 + UNITS_PER_SECTOR * (1 + DEPARTMENTS_PER_UNIT) && people === UNITS_PER_SECTOR * DEPARTMENTS_PER_UNIT * EMPLOYEES_PER_DEPARTMENT + 1;
}
