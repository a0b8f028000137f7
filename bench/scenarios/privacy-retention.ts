import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import { openPostgres } from '../../src/db/postgres.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { collectPersonData } from '../../src/privacy/export.js';
import { retentionCandidates } from '../../src/privacy/retention.js';
import type { Scenario } from '../harness.js';

const EMPLOYED = 400_000;
const INACTIVE = 50_000;
const PUBLIC_URL = 'http://127.0.0.1';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (n: number) => Math.round(n * 10) / 10;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/**
 * Personal-data rights at national scale: 450,000 people in one municipality's database (400,000
 * with an open employment, 50,000 who left five years ago), every person enrolled in and half of
 * them having completed a path, an audit log of 450,000 events. Measures the retention job's search
 * for people to erase, the export of one person, and erasure (each a transaction of its own).
 * Run it as `RETENTION_MONTHS=1200 npm run bench -- privacy-retention`: the tool under test runs its
 * own daily retention job a minute after start, which would otherwise erase the same people first.
 */
export const scenario: Scenario = {
  name: 'privacy-retention',
  description: `retention search over ${EMPLOYED + INACTIVE} people, export of one person, erasure of 200 people`,
  async run(context) {
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-privacy' });
    const db = database.db;
    try {
      // A municipality of the bench's own (9xxx is no official kommunenummer).
      const tenant = (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9901', name: 'Benchkommune', county_number: null, county_name: null, retired_at: null })
        .onConflict((oc) => oc.column('kommunenummer').doUpdateSet({ name: 'Benchkommune' })).returning('id').executeTakeFirstOrThrow()).id;
      const [, seedMs] = await timed(async () => {
        await sql`insert into people (tenant_id, name, email, created_at, updated_at)
          select ${tenant}::uuid, 'Person ' || i, 'person' || i || '@bench.kommune.no',
                 case when i > ${EMPLOYED} then now() - interval '5 years' else now() end,
                 case when i > ${EMPLOYED} then now() - interval '5 years' else now() end
            from generate_series(1, ${EMPLOYED + INACTIVE}) as i`.execute(db);
        const unit = (await db.insertInto('org_units').values({ tenant_id: tenant, parent_id: null, code: 'BENCH', name: 'Benchenhet', path: [] }).returning('id').executeTakeFirstOrThrow()).id;
        await sql`insert into employees (tenant_id, person_id, employee_number) select ${tenant}::uuid, id, 'E' || row_number() over (order by created_at desc, id) from people where tenant_id = ${tenant}::uuid`.execute(db);
        await sql`insert into employments (tenant_id, employee_id, org_unit_id, job_title, percentage, start_date, end_date)
          select ${tenant}::uuid, e.id, ${unit}::uuid, 'Helsefagarbeider', 50.5, '2015-01-01',
                 case when p.created_at < now() - interval '1 year' then date '2021-06-30' else null end
            from employees e join people p on p.id = e.person_id where e.tenant_id = ${tenant}::uuid`.execute(db);
        const designer = (await db.selectFrom('people').select('id').where('tenant_id', '=', tenant).limit(1).executeTakeFirstOrThrow()).id;
        const path = (await db.insertInto('paths').values({ tenant_id: tenant, title: 'Brannvern', language: 'nb', created_by: designer } as never).returning('id').executeTakeFirstOrThrow()).id;
        const version = (await db.insertInto('path_versions').values({ tenant_id: tenant, path_id: path, status: 'published', number: 1, definition: '{}', published_by: designer } as never).returning('id').executeTakeFirstOrThrow()).id;
        await sql`insert into path_enrolments (tenant_id, path_id, version_id, person_id, status, started_at, completed_at, updated_at)
          select ${tenant}::uuid, ${path}::uuid, ${version}::uuid, id, case when random() < 0.5 then 'completed' else 'in_progress' end, created_at, null, created_at
            from people where tenant_id = ${tenant}::uuid`.execute(db);
        await sql`insert into path_completions (tenant_id, enrolment_id, person_id, path_id, version_id, completed_at, score, evidence)
          select tenant_id, id, person_id, path_id, version_id, updated_at, 90, '{}'::jsonb from path_enrolments where tenant_id = ${tenant}::uuid and status = 'completed'`.execute(db);
        await sql`insert into audit_events (tenant_id, actor_kind, actor_id, action, subject_person_id)
          select ${tenant}::uuid, 'person', ${designer}, 'person.viewed', id from people where tenant_id = ${tenant}::uuid`.execute(db);
        await sql`analyze`.execute(db);
      });

      const [found, searchMs] = await timed(() => retentionCandidates(db, 36));
      const sample = found.candidates.slice(0, 200);
      const exportMs: number[] = [];
      for (const c of sample.slice(0, 20)) exportMs.push((await timed(() => collectPersonData(db, c.tenantId, c.personId, PUBLIC_URL)))[1]);
      const before = await db.selectFrom('path_completions').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant).executeTakeFirstOrThrow();
      const eraseMs: number[] = [];
      // The people erased here registered no evidence files: the store is never written.
      const evidence = new EvidenceStore(fs.mkdtempSync(join(os.tmpdir(), 'bench-evidence-')));
      let peakRss = context.rss();
      const started = performance.now();
      for (const c of sample) {
        eraseMs.push((await timed(() => erasePerson(db, { tenantId: c.tenantId, personId: c.personId, actor: SYSTEM, reason: 'retention', publicUrl: PUBLIC_URL, evidence })))[1]);
        peakRss = Math.max(peakRss, context.rss());
      }
      const erasingSeconds = (performance.now() - started) / 1000;
      const after = await db.selectFrom('path_completions').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', tenant).executeTakeFirstOrThrow();
      exportMs.sort((a, b) => a - b);
      eraseMs.sort((a, b) => a - b);
      return {
        scenario: 'privacy-retention',
        requestsPerSecond: Math.round((sample.length / erasingSeconds) * 10) / 10,
        p50Ms: round(percentile(eraseMs, 50)),
        p99Ms: round(percentile(eraseMs, 99)),
        errors: found.candidates.length === INACTIVE ? 0 : 1,
        non2xx: before.n === after.n ? 0 : 1,
        connections: 1,
        durationSeconds: Math.round(erasingSeconds),
        peakRssMiB: Math.round(peakRss / 1024 ** 2),
        notes: `erasures per second (one transaction each) and their p50/p99; seeded in ${Math.round(seedMs / 1000)} s`,
        details: [
          `| measure (${EMPLOYED + INACTIVE} people, ${INACTIVE} inactive) | ms |`,
          '|---|---|',
          `| retention search (found ${found.candidates.length}) | ${Math.round(searchMs)} |`,
          `| export of one person, p50 / p99 of 20 | ${round(percentile(exportMs, 50))} / ${round(percentile(exportMs, 99))} |`,
          `| erasure of one person, p50 / p99 of ${sample.length} | ${round(percentile(eraseMs, 50))} / ${round(percentile(eraseMs, 99))} |`,
          '',
          `Completions before and after the erasures: ${before.n} and ${after.n} (the counts stay). errors = 1 would mean the search did not find exactly the ${INACTIVE} inactive people; non2xx = 1 that a count changed.`,
        ].join('\n'),
      };
    } finally {
      await database.close();
    }
  },
};
