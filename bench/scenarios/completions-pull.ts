import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type * as CredentialsModule from '../../src/xapi/credentials.js';
import type * as DraftsModule from '../../src/paths/drafts.js';
import type * as PathsModule from '../../src/paths/paths.js';
import type { Schema } from '../../src/db/schema.js';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import type { BenchContext, BenchResult, Scenario } from '../harness.js';

/** Bergen: 4 paths × 25,000 people = the 100,000 completions pulled. */
const MUNICIPALITY = '4601';
const PEOPLE = 25_000;
/** Oslo's completions, pulled too: 10,000 rows against 100,000 show whether memory grows with the rows. */
const OTHER = '0301';
const OTHER_PEOPLE = 10_000;
/** Completions are written by many transactions, as learners complete paths: one per 1,000 here. */
const PER_TRANSACTION = 1_000;
const RUNS = 5;
const GIVEN = ['Kari', 'Ola', 'Ingrid', 'Nils', 'Åse', 'Jørgen', 'Sigrid', 'Mohammed', 'Fatima', 'Lars', 'Eva', 'Per', 'Marte', 'Ali', 'Hanne', 'Bjørn'];
const FAMILY = ['Nordmann', 'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Berg', 'Dahl', 'Lie', 'Bråten', 'Øvrebø', 'Haugen', 'Hagen', 'Ali'];
export const PATHS = [
  { title: 'Brannvern for alle', grants: [{ competence: 'brannvern', validMonths: 12 }] },
  { title: 'Førstehjelp', grants: [{ competence: 'forstehjelp', validMonths: 24 }] },
  { title: 'HMS for ansatte', grants: [{ competence: 'hms', validMonths: null }, { competence: 'brannvern', validMonths: 12 }] },
  { title: 'Informasjonssikkerhet og personvern', grants: [] },
];

type Db = Kysely<Schema>;

async function tenantOf(db: Db, kommunenummer: string): Promise<{ id: string; name: string }> {
  // The tool creates every municipality of reference/kommuner.csv (Statistics Norway) at its start.
  return db.selectFrom('tenants').select(['id', 'name']).where('kommunenummer', '=', kommunenummer).executeTakeFirstOrThrow();
}

/** `count` people of the municipality with Norwegian names, e-mail addresses, and an employee number for 80 % of them. */
export async function writePeople(db: Db, tenantId: string, kommunenummer: string, domain: string, count: number): Promise<string[]> {
  const given = sql.raw(`array[${GIVEN.map((g) => `'${g}'`).join(',')}]`);
  const family = sql.raw(`array[${FAMILY.map((f) => `'${f}'`).join(',')}]`);
  const { rows } = await sql<{ id: string }>`
    insert into people (tenant_id, name, given_name, family_name, email, locale)
    select ${tenantId}::uuid, g || ' ' || f, g, f, lower(translate(g || '.' || f, 'ÅØÆåøæ', 'AOAaoa')) || n || '@' || ${domain}, null
      from generate_series(1, ${count}) n
      cross join lateral (select (${given})[1 + n % 16] as g, (${family})[1 + (n / 16) % 16] as f) names
    returning id`.execute(db);
  const ids = rows.map((r) => r.id);
  await sql`
    insert into employees (tenant_id, person_id, employee_number)
    select ${tenantId}::uuid, id, ${kommunenummer} || lpad(n::text, 6, '0')
      from unnest(${ids}::uuid[]) with ordinality as p(id, n) where n % 5 <> 0`.execute(db);
  return ids;
}

export async function writeCatalogue(db: Db, tenantId: string): Promise<void> {
  const area = await db.insertInto('competence_areas').values({ tenant_id: tenantId, code: 'felles', name_nb: 'Felles', name_nn: null, name_en: null }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('competences').values([['brannvern', 'Brannvern', 12], ['forstehjelp', 'Førstehjelp', 24], ['hms', 'HMS', null]].map(([code, name, months]) => ({
    tenant_id: tenantId, area_id: area.id, code: code as string, name_nb: name as string, name_nn: null, name_en: null, description_nb: null, description_nn: null, description_en: null,
    kind: 'course' as const, default_validity_months: months as number | null, source: null, retired_at: null,
  }))).execute();
}

/**
 * Every person completes every path (a path each, in transactions of 1,000), scored paths with a
 * score; the completions granting competences get their holdings as the competence subscriber
 * writes them.
 */
export async function writeCompletions(db: Db, tenantId: string, people: readonly string[], paths: readonly { pathId: string; versionId: string; grants: unknown[] }[]): Promise<number> {
  const start = Date.now() - 365 * 24 * 3600 * 1000;
  const pairs = paths.flatMap((p, pathIndex) => people.map((person, i) => ({ p, person, at: new Date(start + ((i * paths.length + pathIndex) * 997) % (365 * 24 * 3600 * 1000)) })));
  for (let from = 0; from < pairs.length; from += PER_TRANSACTION) {
    const slice = pairs.slice(from, from + PER_TRANSACTION);
    await sql`
      with rows as (
        select * from unnest(${slice.map((s) => s.person)}::uuid[], ${slice.map((s) => s.p.pathId)}::uuid[], ${slice.map((s) => s.p.versionId)}::uuid[],
                             ${slice.map((s) => s.at.toISOString())}::timestamptz[], ${slice.map((s) => JSON.stringify({ versionNumber: 1, grants: s.p.grants }))}::jsonb[])
          as r(person_id, path_id, version_id, at, evidence)),
      enrolled as (
        insert into path_enrolments (tenant_id, path_id, version_id, person_id, status, started_at, due_at, completed_at, updated_at)
        select ${tenantId}::uuid, path_id, version_id, person_id, 'completed', at - interval '2 hours', null, at, at from rows
        returning id, path_id, person_id)
      insert into path_completions (tenant_id, enrolment_id, person_id, path_id, version_id, completed_at, score, evidence)
      select ${tenantId}::uuid, e.id, r.person_id, r.path_id, r.version_id, r.at,
             case when jsonb_array_length(r.evidence -> 'grants') = 0 then 50 + (abs(hashtext(e.id::text)) % 101) / 2.0 end, r.evidence
        from rows r join enrolled e on e.path_id = r.path_id and e.person_id = r.person_id`.execute(db);
  }
  await sql`
    insert into competence_holdings (tenant_id, person_id, competence_id, level, source, achieved_on, expires_on, path_completion_id, path_version_id, evidence, recorded_by_kind)
    select c.tenant_id, c.person_id, k.id, null, 'path-completion', d.day,
           case when g."validMonths" is null then null else (d.day + make_interval(months => g."validMonths"))::date end, c.id, c.version_id,
           jsonb_build_object('pathId', c.path_id, 'versionNumber', 1, 'score', c.score), 'system'
      from path_completions c
      cross join lateral (select (c.completed_at at time zone 'Europe/Oslo')::date as day) d
      cross join lateral jsonb_to_recordset(c.evidence -> 'grants') as g(competence text, "validMonths" int)
      join competences k on k.tenant_id = c.tenant_id and k.code = g.competence
     where c.tenant_id = ${tenantId}::uuid`.execute(db);
  return pairs.length;
}

interface Timed {
  readonly ms: number;
  /** The tool's CPU time for the pull: steadier than the wall time when other work shares the cores. */
  readonly cpuMs: number;
  readonly firstByteMs: number;
  readonly rows: number;
  readonly bytes: number;
  readonly peakRss: number;
  readonly baseRss: number;
}

/** One CSV pull, read as it streams (nothing kept but counts), sampling the tool's RSS every 10 ms. */
async function pullCsv(context: BenchContext, auth: string, check?: (text: string) => void): Promise<Timed> {
  const baseRss = context.rss();
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, context.rss())), 10);
  const cpu0 = context.cpuSeconds();
  const t0 = performance.now();
  try {
    const response = await fetch(`${context.url}/api/completions?format=csv`, { headers: { authorization: auth } });
    if (response.status !== 200) throw new Error(`GET /api/completions answered ${response.status}: ${await response.text()}`);
    const reader = response.body!.getReader();
    let firstByteMs = 0;
    let bytes = 0;
    let lines = 0;
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    let kept = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (bytes === 0) firstByteMs = performance.now() - t0;
      bytes += value.byteLength;
      for (const byte of value) if (byte === 10) lines += 1;
      if (check) kept += decoder.decode(value, { stream: true });
    }
    const ms = performance.now() - t0;
    const cpuMs = (context.cpuSeconds() - cpu0) * 1000;
    peakRss = Math.max(peakRss, context.rss());
    if (check) check(kept);
    return { ms, cpuMs, firstByteMs, rows: lines - 1, bytes, peakRss, baseRss };
  } finally {
    clearInterval(sampler);
  }
}

const MiB = (bytes: number) => Math.round(bytes / 1024 / 1024);
const ms = (n: number) => Math.round(n);

/**
 * 100,000 completions of a real municipality (Bergen, 4601, from the tool's own list of
 * municipalities) — 25,000 people with names, e-mail addresses and, for 80 %, employee numbers; 4
 * paths, 3 of them granting competences with holdings — and 10,000 of Oslo's; then
 * GET /api/completions?format=csv by Bergen's HR client, 5 times, read as it streams, and Oslo's
 * once, the tool's RSS sampled every 10 ms.
 */
export const scenario: Scenario = {
  name: 'completions-pull',
  description: 'the completions pull returns 100,000 rows as CSV streaming in under 5 s with flat memory',
  async run(context): Promise<BenchResult> {
    const { createPath } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'paths', 'paths.js'))) as typeof PathsModule;
    const { addStep, publish, updateDraftSettings } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'paths', 'drafts.js'))) as typeof DraftsModule;
    const { createXapiClient } = (await import(path.join(PROJECT_ROOT, 'dist', 'src', 'xapi', 'credentials.js'))) as typeof CredentialsModule;
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-completions-pull' });
    const db = database.db;
    try {
      const generated = performance.now();
      const written: Record<string, number> = {};
      const auth: Record<string, string> = {};
      const names: Record<string, string> = {};
      for (const [kommunenummer, count, domain] of [[MUNICIPALITY, PEOPLE, 'bergen.kommune.no'], [OTHER, OTHER_PEOPLE / PATHS.length, 'oslo.kommune.no']] as const) {
        const tenant = await tenantOf(db, kommunenummer);
        names[kommunenummer] = tenant.name;
        await writeCatalogue(db, tenant.id);
        const people = await writePeople(db, tenant.id, kommunenummer, domain, count);
        const designer = people[0]!;
        const paths: { pathId: string; versionId: string; grants: unknown[] }[] = [];
        for (const spec of PATHS) {
          const created = await createPath(db, tenant.id, { title: spec.title, language: 'nb', createdBy: designer });
          await addStep(db, tenant.id, created.id, { type: 'web', title: 'Les og bekreft', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
          if (spec.grants.length > 0) await updateDraftSettings(db, tenant.id, created.id, { grants: spec.grants });
          const version = await publish(db, tenant.id, created.id, designer);
          paths.push({ pathId: created.id, versionId: version.versionId, grants: spec.grants });
        }
        written[kommunenummer] = await writeCompletions(db, tenant.id, people, paths);
        const { client, secret } = await createXapiClient(db, { tenantId: tenant.id, name: `${tenant.name} HR`, scopes: ['completions/read'] });
        auth[kommunenummer] = `Basic ${Buffer.from(`${client.key}:${secret}`).toString('base64')}`;
      }
      await sql`analyze`.execute(db);
      const generationSeconds = (performance.now() - generated) / 1000;
      // A pull gives the rows once every transaction older than theirs has ended (on a shared server, others' too).
      const waitStarted = performance.now();
      for (;;) {
        const { rows } = await sql<{ ok: boolean }>`select max(xid) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint as ok from path_completions`.execute(db);
        if (rows[0]!.ok) break;
        if (performance.now() - waitStarted > 20 * 60_000) throw new Error('an older transaction of the server kept running for 20 minutes');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const waitedSeconds = (performance.now() - waitStarted) / 1000;

      // The small pull first: the memory of a fresh tool after 10,000 rows, then after 100,000 (5 times).
      const other = await pullCsv(context, auth[OTHER]!);
      const runs: Timed[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        runs.push(await pullCsv(context, auth[MUNICIPALITY]!, i === 0 ? (text) => {
          if (!text.startsWith('\uFEFFcompletion_id;')) throw new Error('the file does not start with the byte-order mark and the header');
          const ids = new Set(text.split('\r\n').slice(1, -1).map((line) => line.slice(0, 36)));
          if (ids.size !== written[MUNICIPALITY]) throw new Error(`${ids.size} distinct completions in the file, ${written[MUNICIPALITY]} written`);
        } : undefined));
      }
      for (const run of runs) if (run.rows !== written[MUNICIPALITY]) throw new Error(`a pull gave ${run.rows} rows, not ${written[MUNICIPALITY]}`);
      if (other.rows !== written[OTHER]) throw new Error(`Oslo's pull gave ${other.rows} rows, not ${written[OTHER]}`);

      const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
      const p50 = sorted[Math.floor(sorted.length / 2)]!;
      const worst = sorted[sorted.length - 1]!;
      const peak = Math.max(...runs.map((r) => r.peakRss), other.peakRss);
      const row = (label: string, r: Timed) => `| ${label} | ${r.rows} | ${(r.bytes / 1024 / 1024).toFixed(1)} | ${ms(r.firstByteMs)} | ${ms(r.ms)} | ${Math.round(r.rows / (r.ms / 1000))} | ${ms(r.cpuMs)} | ${MiB(r.baseRss)} | ${MiB(r.peakRss)} | ${MiB(r.peakRss - r.baseRss)} |`;
      const details = [
        `completions-pull: ${written[MUNICIPALITY]} completions of ${names[MUNICIPALITY]} (${MUNICIPALITY}; ${PEOPLE} people, 80 % with employee numbers, ${PATHS.length} paths, holdings for the granted competences) and ${written[OTHER]} of ${names[OTHER]} (${OTHER}), written by transactions of ${PER_TRANSACTION} (${Math.round(generationSeconds)} s; then ${Math.round(waitedSeconds)} s until every older transaction of the shared server had ended, so that the rows were pullable). GET /api/completions?format=csv with each municipality's client (scope completions/read), read as it streams by the bench process; the tool's RSS sampled every 10 ms. Load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`,
        '',
        '| pull (in this order) | rows | MiB | first byte ms | total ms | rows/s | tool CPU ms | tool RSS before MiB | tool peak RSS MiB | growth MiB |',
        '|---|---|---|---|---|---|---|---|---|---|',
        row(`${names[OTHER]}`, other),
        ...runs.map((r, i) => row(`${names[MUNICIPALITY]} #${i + 1}`, r)),
        '',
        `Target: 100,000 rows in under 5 s (worst of ${RUNS}: ${ms(worst)} ms), memory flat (10 times the rows of Oslo's pull, no more memory).`,
      ].join('\n');
      return {
        scenario: 'completions-pull',
        requestsPerSecond: Math.round((RUNS / (runs.reduce((s, r) => s + r.ms, 0) / 1000)) * 100) / 100,
        p50Ms: ms(p50),
        p99Ms: ms(worst),
        errors: 0,
        non2xx: 0,
        connections: 1,
        durationSeconds: Math.round(runs.reduce((s, r) => s + r.ms, 0) / 100) / 10,
        peakRssMiB: MiB(peak),
        notes: `${written[MUNICIPALITY]} rows of CSV per pull, ${RUNS} pulls one after another; p99 = the worst`,
        details,
      };
    } finally {
      await database.close();
    }
  },
};
