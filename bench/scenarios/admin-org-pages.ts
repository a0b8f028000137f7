import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { openPostgres } from '../../src/db/postgres.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { unitTree } from '../../src/organisation/org-queries.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { runAutocannon, type BenchResult, type Scenario } from '../harness.js';

const EMPLOYEES = 50_000;
const SECTORS = 8;
const UNITS_PER_SECTOR = 20;
const DEPARTMENTS_PER_UNIT = 6;
/** The tool's secret in bench/run.ts, so the bench can issue the administrator's session. */
const TOOL_SECRET = 'bench-'.padEnd(48, 'x');

interface JobRole {
  title: string;
  weight: number;
  /** Shares of < 50 %, 50–75 %, 76–99 % and 100 % (stillinger-helse-omsorg.csv, Kompetanseløftet Nord-Troms). */
  shares: [number, number, number, number];
}

function jobRoles(): JobRole[] {
  const file = path.join(PROJECT_ROOT, '..', 'shared', 'data', 'stillinger-helse-omsorg.csv');
  if (!fs.existsSync(file)) throw new Error(`admin-org-pages needs ${file} (job roles and part-time shares)`);
  const rows = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => ({
    title: r['stilling']!,
    weight: Number(r['antall']),
    shares: [Number(r['andel_under_50']), Number(r['andel_50_75']), Number(r['andel_76_99']), Number(r['andel_100'])],
  }));
}

/** A small deterministic generator, so every run builds the same organisation. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function pick<T>(next: () => number, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, i) => sum + weight(i), 0);
  let r = next() * total;
  for (const item of items) if ((r -= weight(item)) < 0) return item;
  return items[items.length - 1]!;
}

function percentage(next: () => number, role: JobRole): string {
  const band = pick(next, [0, 1, 2, 3], (b) => role.shares[b]!);
  const [low, high] = ([[10, 49.5], [50, 75], [76, 99.5], [100, 100]] as const)[band]!;
  return (Math.round((low + next() * (high - low)) * 2) / 2).toFixed(2);
}

/**
 * The administrator's organisation pages for a municipality of 50,000 employees (the size of the
 * largest Norwegian municipalities' staff) in 1,129 units four levels deep: the tree with its counts,
 * the largest sector's page, and a people search, each at 4 connections for 10 s. Job titles and
 * part-time shares follow the Nord-Troms file; a quarter hold a second employment, 5 % an ended one.
 */
export const scenario: Scenario = {
  name: 'admin-org-pages',
  description: `GET /admin/org, a sector's page and /admin/people?q= for ${EMPLOYEES.toLocaleString('en')} employees in ${1 + SECTORS * (1 + UNITS_PER_SECTOR * (1 + DEPARTMENTS_PER_UNIT))} units`,
  async run(context): Promise<BenchResult> {
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-admin-org' });
    const db = database.db;
    const next = random(14);
    const roles = jobRoles();
    try {
      const tenantId = (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9902', name: 'Benchmark storkommune', county_number: '99', county_name: null, retired_at: null })
        .returning('id').executeTakeFirstOrThrow()).id;
      const units: { id: string; tenant_id: string; parent_id: string | null; code: string; name: string; path: string[] }[] = [];
      const root = randomUUID();
      units.push({ id: root, tenant_id: tenantId, parent_id: null, code: 'K', name: 'Benchmark storkommune', path: [root] });
      const leaves: string[] = [];
      const sectors: string[] = [];
      for (let s = 0; s < SECTORS; s++) {
        const sector = randomUUID();
        sectors.push(sector);
        units.push({ id: sector, tenant_id: tenantId, parent_id: root, code: `S${s}`, name: `Sektor ${s}`, path: [root, sector] });
        for (let u = 0; u < UNITS_PER_SECTOR; u++) {
          const unit = randomUUID();
          units.push({ id: unit, tenant_id: tenantId, parent_id: sector, code: `S${s}-E${u}`, name: `Enhet ${s}.${u}`, path: [root, sector, unit] });
          for (let d = 0; d < DEPARTMENTS_PER_UNIT; d++) {
            const department = randomUUID();
            leaves.push(department);
            units.push({ id: department, tenant_id: tenantId, parent_id: unit, code: `S${s}-E${u}-A${d}`, name: `Avdeling ${s}.${u}.${d}`, path: [root, sector, unit, department] });
          }
        }
      }
      for (let i = 0; i < units.length; i += 1000) await db.insertInto('org_units').values(units.slice(i, i + 1000)).execute();

      const given = ['Kari', 'Ola', 'Ingrid', 'Per', 'Fatima', 'Jonas', 'Aisha', 'Lars', 'Sofie', 'Mohammed'];
      const family = ['Nordmann', 'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Ali', 'Nilsen', 'Berg', 'Haugen'];
      const BATCH = 2000;
      for (let start = 0; start < EMPLOYEES; start += BATCH) {
        const people = Array.from({ length: Math.min(BATCH, EMPLOYEES - start) }, (_, i) => {
          const n = start + i;
          const g = given[n % given.length]!;
          const f = family[Math.floor(n / given.length) % family.length]!;
          return { id: randomUUID(), tenant_id: tenantId, given_name: g, family_name: f, name: `${g} ${f} ${n}`, email: `ansatt${n}@storkommune.example`, locale: null };
        });
        await db.insertInto('people').values(people).execute();
        const employees = people.map((p, i) => ({ id: randomUUID(), tenant_id: tenantId, person_id: p.id, employee_number: String(100000 + start + i), sourced_id: null }));
        await db.insertInto('employees').values(employees).execute();
        const employments = employees.flatMap((e, i) => {
          const count = next() < 0.25 ? 2 : 1;
          return Array.from({ length: count }, (_, k) => {
            const role = pick(next, roles, (r) => r.weight);
            const ended = next() < 0.05;
            return {
              tenant_id: tenantId,
              employee_id: e.id,
              org_unit_id: leaves[Math.floor(next() * leaves.length)]!,
              job_title: role.title,
              job_code: null,
              percentage: percentage(next, role),
              start_date: `20${10 + Math.floor(next() * 15)}-0${1 + Math.floor(next() * 9)}-01`,
              end_date: ended ? '2025-12-31' : null,
              leads_unit: k === 0 && (start + i) % 50 === 0,
            };
          });
        });
        await db.insertInto('employments').values(employments).execute();
      }
      await sql`analyze org_units, employees, employments, people`.execute(db);

      // The query behind the tree, once, in the bench process.
      const t0 = performance.now();
      const tree = await unitTree(db, tenantId);
      const treeMs = Math.round(performance.now() - t0);

      const admin = (await db.insertInto('people').values({ tenant_id: tenantId, name: 'Administrator' }).returning('id').executeTakeFirstOrThrow()).id;
      const token = await new SessionTokens(TOOL_SECRET).issue({ personId: admin, tenantId, role: 'admin', contextId: null, resourceLinkId: null, platformId: 'bench', locale: 'nb' });
      const session = `session=${encodeURIComponent(token)}`;
      const run = (name: string, pagePath: string) => runAutocannon(context, name, { path: pagePath, connections: 4, duration: 10, headers: { accept: 'text/html' } });
      const treePage = await run('admin-org-pages', `/admin/org?${session}`);
      const sectorPage = await run('admin-org-pages (sector)', `/admin/org/units/${sectors[0]}?${session}`);
      const search = await run('admin-org-pages (people search)', `/admin/people?q=haugen&${session}`);
      const row = (label: string, r: BenchResult) => `| ${label} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p97_5Ms ?? ''} | ${r.p99Ms} | ${r.non2xx} | ${r.cpuMsPerRequest ?? ''} |`;
      return {
        ...treePage,
        notes: `tree query alone ${treeMs} ms for ${tree.length} units (the root counts ${tree[0]?.activeInSubtree ?? 0} active employees)`,
        details: [
          '| page | req/s | p50 ms | p97.5 ms | p99 ms | non-2xx | CPU ms/req |',
          '|---|---|---|---|---|---|---|',
          row('/admin/org (whole tree with counts)', treePage),
          row('/admin/org/units/:sector (tree for the chooser, its people)', sectorPage),
          row('/admin/people?q=haugen (50 hits)', search),
        ].join('\n'),
      };
    } finally {
      await database.close();
    }
  },
};
