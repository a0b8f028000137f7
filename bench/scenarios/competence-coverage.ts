import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as ScopeModule from '../../src/access/manager-scope.js';
import type * as RollupsModule from '../../src/competence/rollups.js';
import type * as SummaryModule from '../../src/competence/status-summary.js';
import { today } from '../../src/competence/holdings.js';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { type BenchResult, percentile, runAutocannon, type Scenario } from '../harness.js';
import { COMPETENCES, PER_ROLE, writeNationalCompetence } from '../competence/national-competence.js';
import { nationalMunicipalities, writeNationalOrganisation } from '../org/national-organisation.js';

/** The bench starts the tool with this secret (bench/run.ts), so the scenario can issue its sessions. */
const TOOL_SECRET = 'bench-'.padEnd(48, 'x');
const TIMED = 30;
const WARM = 3;

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
    const { coverageByUnit, coverageTotal, gapReport } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'competence', 'rollups.js'))) as typeof RollupsModule;
    const { coverageRollup, refreshSummary, regionCoverage, summaryReady } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'competence', 'status-summary.js'))) as typeof SummaryModule;
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-competence-coverage' });
    const db = database.db;
    try {
      const started = performance.now();
      const national = await writeNationalOrganisation(db);
      const orgSeconds = (performance.now() - started) / 1000;

      const generated = performance.now();
      const specs = nationalMunicipalities();
      const { tenantOf, holdings, requirements } = await writeNationalCompetence(db);
      const generationSeconds = (performance.now() - generated) / 1000;

      const day = today();
      // The municipality nearest 10,000 employees; the one nearest 4,444 for a Helse og omsorg sector (45 %) of ≈ 2,000.
      const nearest = (n: number) => specs.reduce((best, s) => (Math.abs(s.employees - n) < Math.abs(best.employees - n) ? s : best));
      const big = nearest(10_000);
      const bigId = tenantOf.get(big.kommunenummer)!;
      // The summaries the pages read: asked for (as a page does), then computed whole, timed.
      const refreshed = async (tenantId: string) => {
        await summaryReady(db, tenantId, day);
        const t0 = performance.now();
        await refreshSummary(db, tenantId, day);
        return performance.now() - t0;
      };
      const bigRefreshMs = await refreshed(bigId);
      const bigTop = await db.selectFrom('org_units').select('id').where('tenant_id', '=', bigId).where('parent_id', 'is', null).execute();
      const bigColumns = [...bigTop.map((u) => u.id), ...(await db.selectFrom('org_units').select('id').where('parent_id', 'in', bigTop.map((u) => u.id)).execute()).map((u) => u.id)];
      // The municipality's coverage, as its administrator's page shows it: per requirement in all, and per sector.
      const bigRollup = await coverageRollup(db, { tenantId: bigId }, day, {}, { columns: bigColumns });
      if (bigRollup.source !== 'summary') throw new Error('the summary was not ready after its refresh');
      const gapTimes = await timed(TIMED, WARM, () => coverageRollup(db, { tenantId: bigId }, day, {}, { columns: bigColumns }));
      // The same computed from the holdings (what a page does when the summary is not ready), and one person's holding recorded then read.
      const bigReport = await gapReport(db, { tenantId: bigId }, day);
      const computedTimes = await timed(5, 1, async () => {
        const report = await gapReport(db, { tenantId: bigId }, day);
        return { byUnit: coverageByUnit(report, bigColumns), total: coverageTotal(report) };
      });
      const someone = bigReport.people[Math.floor(bigReport.people.length / 2)]!;
      const missing = someone.statuses.find((s) => s.status === 'missing') ?? someone.statuses[0]!;
      const dirtyTimes = await timed(10, 0, async () => {
        await db.insertInto('competence_holdings').values({
          tenant_id: bigId, person_id: someone.personId, competence_id: missing.requirement.competence.id, level: null, source: 'registered', achieved_on: day, expires_on: null,
          path_completion_id: null, path_version_id: null, declaration_id: null, evidence: '{}', renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'bench',
        }).execute();
        return coverageRollup(db, { tenantId: bigId }, day, {}, { columns: bigColumns });
      });

      const mid = nearest(4_444);
      const midId = tenantOf.get(mid.kommunenummer)!;
      const sector = await db.selectFrom('org_units').select('id').where('tenant_id', '=', midId).where('code', '=', `${mid.kommunenummer}-1`).executeTakeFirstOrThrow();
      const manager = await db.insertInto('people').values({ tenant_id: midId, name: 'Kommunalsjef helse (bench)', given_name: null, family_name: null, email: null, locale: null }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('manager_grants').values({ tenant_id: midId, person_id: manager.id, org_unit_id: sector.id, granted_by: null }).execute();
      await refreshed(midId);
      const matrix = async () => {
        const scope = await managerScope(db, midId, manager.id, day);
        const columns = scope.units.filter((u) => u.id === sector.id || u.parentId === sector.id).map((u) => u.id);
        return coverageRollup(db, { tenantId: midId, unitIds: scope.units.map((u) => u.id) }, day, {}, { columns });
      };
      const sample = await matrix();
      const matrixTimes = await timed(TIMED, WARM, matrix);

      // A region of 6 member municipalities of 2,000–2,500 employees each (as a kompetanseforum of mid-sized ones).
      const members = specs.filter((s) => s.employees <= 2_500 && s.employees >= 2_000).slice(0, 6);
      const memberIds = members.map((s) => tenantOf.get(s.kommunenummer)!);
      for (const id of memberIds) await refreshed(id);
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
        row(`gap report of ${big.name} from the status summary: coverage per requirement in all and per unit (${bigReport.people.length} people with requirements, ${bigReport.people.reduce((n, p) => n + p.statuses.length, 0)} person × requirement statuses, ${bigColumns.length} units)`, gapTimes, 'p95 < 200 ms'),
        row(`the same computed from the holdings (when the summary is not ready)`, computedTimes, '–'),
        row(`a holding recorded for one person, then the gap report (the person's rows and counts recomputed first)`, dirtyTimes, '–'),
        row(`manager's matrix: scope + roll-up from the summary, Helse og omsorg in ${mid.name} (${sample.total.people} people, ${sample.byUnit.size} columns)`, matrixTimes, 'p95 < 50 ms'),
        row(`region roll-up of 6 municipalities from their summaries (${members.map((m) => m.name).join(', ')}: ${regionEmployees} employees)`, regionTimes, '< 1,000 ms'),
        '',
        `Computing ${big.name}'s whole summary took ${Math.round(bigRefreshMs)} ms (the refresher does it in the background when the summary is stale or the day turns).`,
        `The table row above is GET /manage/competence for that manager over HTTP (the whole page: scope, gaps, roll-up, filters' choices, HTML), 2 connections for 10 s.`,
      ].join('\n');
      return { ...http, notes: `GET /manage/competence, ${sample.total.people} people in the matrix`, details };
    } finally {
      await database.close();
    }
  },
};
