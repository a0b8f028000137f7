import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type * as ScopeModule from '../../src/access/manager-scope.js';
import type * as RollupsModule from '../../src/competence/rollups.js';
import { today } from '../../src/competence/holdings.js';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { runAutocannon, type BenchResult, type Scenario } from '../harness.js';
import { nationalMunicipalities, writeNationalOrganisation } from '../org/national-organisation.js';

/** The bench starts the tool with this secret (bench/run.ts), so the scenario can issue its sessions. */
const TOOL_SECRET = 'bench-'.padEnd(48, 'x');
const COMPETENCES = 60;
const PER_ROLE = 20;
/** The share of (employee × required competence) pairs with a holding: about 3 million over the nation. */
const HELD = 0.34;
const TIMED = 30;
const WARM = 3;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
const ms = (n: number) => Math.round(n * 10) / 10;

async function timed(n: number, warm: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n + warm; i += 1) {
    const t0 = performance.now();
    await run();
    if (i >= warm) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/**
 * The national organisation (bench/org/national-organisation.ts: ≈ 445,000 employees in 357
 * municipalities), a catalogue of 60 competences kept by a region all municipalities belong to, 20
 * requirements per job role published by that region (so every municipality has them), and about
 * 3 million holdings (a third of the employee × required competence pairs, achieved over the last four
 * years, most valid for 24 months, a few revoked). Timed in the bench process against server
 * PostgreSQL, one at a time: a municipality's gap report (≈ 10,000 employees), a manager's matrix for
 * a subtree of ≈ 2,000 employees (scope + gaps + per-unit roll-up), and the region roll-up of 6 member
 * municipalities; then GET /manage/competence for that manager over HTTP.
 */
export const scenario: Scenario = {
  name: 'competence-coverage',
  description: 'gap report of a 10,000-employee municipality (p95 < 200 ms), a manager\'s coverage matrix over 2,000 employees (p95 < 50 ms), the region roll-up of 6 municipalities (< 1 s), on ≈ 3 million holdings',
  async run(context): Promise<BenchResult> {
    // The code as the tool runs it: compiled by `npm run build` (bench/run.ts builds first), not
    // through tsx's loader (which wraps every inner function and costs a third of the time here).
    const { managerScope } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'access', 'manager-scope.js'))) as typeof ScopeModule;
    const { coverageByUnit, coverageTotal, gapReport, regionCoverage } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'competence', 'rollups.js'))) as typeof RollupsModule;
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-competence-coverage' });
    const db = database.db;
    try {
      const started = performance.now();
      const national = await writeNationalOrganisation(db);
      const orgSeconds = (performance.now() - started) / 1000;

      const generated = performance.now();
      const specs = nationalMunicipalities();
      const tenants = await db.selectFrom('tenants').select(['id', 'kommunenummer']).where('kind', '=', 'municipality').execute();
      const tenantOf = new Map(tenants.map((t) => [t.kommunenummer, t.id]));
      const nation = await db.insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: 'Landsnettverket (bench)', county_number: null, county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('region_municipalities').values(tenants.map((t) => ({ region_id: nation.id, municipality_id: t.id }))).execute();
      const area = await db.insertInto('competence_areas').values({ tenant_id: nation.id, code: 'felles', name_nb: 'Felles', name_nn: null, name_en: null }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('competences').values(Array.from({ length: COMPETENCES }, (_, i) => ({
        tenant_id: nation.id, area_id: area.id, code: `k${i + 1}`, name_nb: `Kompetanse ${i + 1}`, name_nn: null, name_en: null, description_nb: null, description_nn: null, description_en: null,
        kind: 'course' as const, default_validity_months: i % 4 === 3 ? null : 24, source: null, retired_at: null,
      }))).execute();
      // 20 requirements per job role, the competences drawn per role (deterministically), a grace period on some.
      await sql`
        insert into competence_requirements (tenant_id, competence_id, job_title, mandatory, grace_days, created_by_kind, created_by_id)
        select ${nation.id}::uuid, c.id, r.job_title, (c.n % 3 <> 0), case when c.n % 5 = 0 then 90 end, 'operator', 'bench'
          from (select distinct job_title from employments) r
          cross join lateral (
            select id, row_number() over () as n from competences
             where tenant_id = ${nation.id}::uuid
             order by md5(r.job_title || code) limit ${PER_ROLE}) c`.execute(db);
      await sql`
        insert into competence_holdings (tenant_id, person_id, competence_id, level, source, achieved_on, expires_on, evidence, recorded_by_kind, recorded_by_id)
        select tenant_id, person_id, competence_id, null, 'imported', achieved,
               case when validity is null then null else (achieved + make_interval(months => validity))::date end, '{}'::jsonb, 'operator', 'bench'
          from (
            select p.tenant_id, p.person_id, q.competence_id, c.default_validity_months as validity, current_date - (random() * 1460)::int as achieved
              from employments e
              join employees p on p.id = e.employee_id
              join competence_requirements q on q.job_title = e.job_title and q.tenant_id = ${nation.id}::uuid
              join competences c on c.id = q.competence_id
             where random() < ${HELD}) drawn`.execute(db);
      await sql`
        insert into competence_holding_revocations (holding_id, revoked_by_kind, revoked_by_id, reason)
        select id, 'operator', 'bench', 'bench' from competence_holdings tablesample system (1) where random() < 0.1`.execute(db);
      await sql`analyze`.execute(db);
      const holdings = Number((await sql<{ n: string }>`select count(*) as n from competence_holdings`.execute(db)).rows[0]!.n);
      const requirements = Number((await sql<{ n: string }>`select count(*) as n from competence_requirements`.execute(db)).rows[0]!.n);
      const generationSeconds = (performance.now() - generated) / 1000;

      const day = today();
      // The municipality nearest 10,000 employees; the one nearest 4,444 for a Helse og omsorg sector (45 %) of ≈ 2,000.
      const nearest = (n: number) => specs.reduce((best, s) => (Math.abs(s.employees - n) < Math.abs(best.employees - n) ? s : best));
      const big = nearest(10_000);
      const bigId = tenantOf.get(big.kommunenummer)!;
      const bigReport = await gapReport(db, { tenantId: bigId }, day);
      const gapTimes = await timed(TIMED, WARM, async () => {
        const report = await gapReport(db, { tenantId: bigId }, day);
        return coverageTotal(report);
      });

      const mid = nearest(4_444);
      const midId = tenantOf.get(mid.kommunenummer)!;
      const sector = await db.selectFrom('org_units').select('id').where('tenant_id', '=', midId).where('code', '=', `${mid.kommunenummer}-1`).executeTakeFirstOrThrow();
      const manager = await db.insertInto('people').values({ tenant_id: midId, name: 'Kommunalsjef helse (bench)', given_name: null, family_name: null, email: null, locale: null }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('manager_grants').values({ tenant_id: midId, person_id: manager.id, org_unit_id: sector.id, granted_by: null }).execute();
      const matrix = async () => {
        const scope = await managerScope(db, midId, manager.id, day);
        const report = await gapReport(db, { tenantId: midId, unitIds: scope.units.map((u) => u.id) }, day);
        const columns = scope.units.filter((u) => u.id === sector.id || u.parentId === sector.id).map((u) => u.id);
        return { report, byUnit: coverageByUnit(report, columns) };
      };
      const sample = await matrix();
      const matrixTimes = await timed(TIMED, WARM, matrix);

      // A region of 6 member municipalities of 2,000–2,500 employees each (as a kompetanseforum of mid-sized ones).
      const members = specs.filter((s) => s.employees <= 2_500 && s.employees >= 2_000).slice(0, 6);
      const memberIds = members.map((s) => tenantOf.get(s.kommunenummer)!);
      const regionTimes = await timed(10, 1, () => regionCoverage(db, memberIds, day));
      const regionEmployees = members.reduce((sum, s) => sum + s.employees, 0);

      const token = await new SessionTokens(TOOL_SECRET, 3600).issue({ personId: manager.id, tenantId: midId, role: 'manager', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
      const http = await runAutocannon(context, 'competence-coverage', { path: `/manage/competence?session=${token}`, connections: 2, duration: 10 }, undefined);

      const row = (what: string, times: readonly number[], target: string) => `| ${what} | ${times.length} | ${ms(percentile(times, 50))} | ${ms(percentile(times, 95))} | ${ms(percentile(times, 99))} | ${ms(times[times.length - 1]!)} | ${target} |`;
      const details = [
        `competence-coverage: national organisation ${national.municipalities} municipalities, ${national.employees} employees, ${national.employments} employments, ${national.units} units (${Math.round(orgSeconds)} s); ${COMPETENCES} competences, ${requirements} requirements (${PER_ROLE} per job role, published by a region every municipality is in), ${holdings} holdings (${Math.round(generationSeconds)} s). Load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end. Timed in the bench process against server PostgreSQL, one at a time:`,
        '',
        '| what | runs | p50 ms | p95 ms | p99 ms | max ms | target |',
        '|---|---|---|---|---|---|---|',
        row(`gap report of ${big.name} (${bigReport.people.length} people with requirements, ${bigReport.people.reduce((n, p) => n + p.statuses.length, 0)} person × requirement statuses) + totals`, gapTimes, 'p95 < 200 ms'),
        row(`manager's matrix: scope + gaps + per-unit roll-up, Helse og omsorg in ${mid.name} (${sample.report.people.length} people, ${sample.byUnit.size} columns)`, matrixTimes, 'p95 < 50 ms'),
        row(`region roll-up of 6 municipalities (${members.map((m) => m.name).join(', ')}: ${regionEmployees} employees)`, regionTimes, '< 1,000 ms'),
        '',
        `The table row above is GET /manage/competence for that manager over HTTP (the whole page: scope, gaps, roll-up, filters' choices, HTML), 2 connections for 10 s.`,
      ].join('\n');
      return { ...http, notes: `GET /manage/competence, ${sample.report.people.length} people in the matrix`, details };
    } finally {
      await database.close();
    }
  },
};
