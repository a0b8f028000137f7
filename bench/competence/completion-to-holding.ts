import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { openPostgres } from '../../src/db/postgres.js';
import { SecretBox } from '../../src/lti/secret-box.js';
import { createPerson } from '../../src/people/people.js';
import { addStep, publish, updateDraftSettings } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPath } from '../../src/paths/paths.js';
import { systemClock, type StepOutcome } from '../../src/paths/ports.js';
import type { BenchResult, Scenario } from '../harness.js';

const LEARNERS = 2000;
const CONNECTIONS = 8;
/** How long the holdings may take to catch up after the load before the scenario gives up. */
const CATCH_UP_MS = 120_000;

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The paths-progress load (2,000 learners × the same five steps, 8 at a time, through the engine
 * functions on the bench database) on a path that grants a competence of the municipality's
 * catalogue. The tool under test runs its path-events dispatcher as in production: its
 * `competence-holdings` subscriber turns each completion into a holding. Measured per completion:
 * from the moment the engine's transaction with the completion had committed (the bench saw
 * deliverOutcome resolve) to the holding's recorded_at (the database's clock when the subscriber
 * wrote it). Target: p99 under 1 s.
 */
export const scenario: Scenario = {
  name: 'completion-to-holding',
  description: `${LEARNERS} learners × 5 steps (the paths-progress load) on a path granting a competence; completion → holding latency through the tool's path-events subscriber`,
  async run(context): Promise<BenchResult> {
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: CONNECTIONS + 2, applicationName: 'bench-completion-holding' });
    const db = database.db;
    try {
      const tenant = (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9902', name: 'Benchmark kompetanse', county_number: '99', county_name: null, retired_at: null })
        .returning('id').executeTakeFirstOrThrow()).id;
      await applyCatalogueImport(db, tenant, 'område;kode;kompetanse;gyldighet_måneder\nFelles;infosikkerhet;Informasjonssikkerhet;24\nFelles;personvern;Personvern;\n', OPERATOR);
      const designer = (await createPerson(db, tenant, { name: 'Designer' })).id;
      const path = await createPath(db, tenant, { title: 'Informasjonssikkerhet for alle', language: 'nb', createdBy: designer });
      const assessment = await addStep(db, tenant, path.id, { type: 'self-assessment', title: 'Hva kan du?', required: true,
        config: { statements: [{ id: 's1', competence: 'infosikkerhet', text: 'Jeg kjenner igjen phishing' }] } });
      const reading = await addStep(db, tenant, path.id, { type: 'web', title: 'Les', required: true,
        config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
      const course = await addStep(db, tenant, path.id, { type: 'scorm', title: 'Kurs', required: true,
        config: { packageId: 'bench-package', completion: { rule: 'score', minimumScaled: 0.8 } } });
      const followUp = await addStep(db, tenant, path.id, { type: 'web', title: 'Oppfølging', required: true, requires: [course],
        config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
      const evaluation = await addStep(db, tenant, path.id, { type: 'evaluation', title: 'Evaluering', required: true,
        config: { questions: [{ id: 'nytte', kind: 'scale', text: 'Nyttig?', min: 1, max: 5 }] } });
      await updateDraftSettings(db, tenant, path.id, { grants: [{ competence: 'infosikkerhet', validMonths: 24 }, { competence: 'personvern', validMonths: null }] });
      await publish(db, tenant, path.id, designer);

      const enrolments: string[] = [];
      await pool(Array.from({ length: LEARNERS }, (_, i) => i), CONNECTIONS, async () => {
        const person = (await createPerson(db, tenant, {})).id;
        enrolments.push((await enrol(db, tenant, { personId: person, pathId: path.id })).enrolmentId);
      });

      const steps: [string, StepOutcome][] = [
        [assessment, { kind: 'self-assessment', ratings: { s1: 3 } }],
        [reading, { kind: 'web', event: 'done' }],
        [course, { kind: 'sco', packageId: 'bench-package', completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9 }],
        [followUp, { kind: 'web', event: 'done' }],
        [evaluation, { kind: 'evaluation', answers: { nytte: 4 } }],
      ];
      const seal = new SecretBox('bench-key-encryption-secret', 'evaluation-answers');
      // An event is delivered only once every older transaction of the whole server has ended
      // (src/paths/dispatcher.ts): a long transaction in another database (the machine is shared)
      // holds every subscriber back. Sampled so the figures can be read with that in mind.
      const held: number[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const row = await sql<{ ms: number | null }>`select extract(epoch from max(now() - xact_start)) * 1000 as ms from pg_stat_activity where datname is distinct from current_database() and xact_start is not null and backend_xmin is not null`.execute(db);
          held.push(Number(row.rows[0]?.ms ?? 0));
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      const progress: number[] = [];
      /** Per enrolment: when the bench saw the completing delivery committed (ms since the epoch). */
      const committed = new Map<string, number>();
      let errors = 0;
      const started = performance.now();
      await pool(enrolments, CONNECTIONS, async (enrolmentId) => {
        for (const [stepId, outcome] of steps) {
          const t0 = performance.now();
          try {
            await deliverOutcome(db, tenant, { enrolmentId, stepId, idempotencyKey: `${stepId}:1`, outcome }, systemClock, seal);
          } catch {
            errors += 1;
          }
          progress.push(performance.now() - t0);
        }
        committed.set(enrolmentId, Date.now());
      });
      const loadSeconds = (performance.now() - started) / 1000;

      // Two grants per completion: wait until the subscriber has caught up.
      const expected = LEARNERS * 2;
      const waitStarted = performance.now();
      let holdings = 0;
      while (performance.now() - waitStarted < CATCH_UP_MS) {
        holdings = Number((await db.selectFrom('competence_holdings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        if (holdings >= expected) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      sampling = false;
      await sampler;
      held.sort((a, b) => a - b);
      const rows = await db
        .selectFrom('competence_holdings as h')
        .innerJoin('path_completions as c', 'c.id', 'h.path_completion_id')
        .select(['c.enrolment_id', sql<number>`extract(epoch from h.recorded_at) * 1000`.as('recorded_ms'), sql<number>`extract(epoch from c.completed_at) * 1000`.as('completed_ms')])
        .execute();
      // Per completion, the later of its two holdings.
      const lastHolding = new Map<string, { recorded: number; completed: number }>();
      for (const row of rows) {
        const recorded = Number(row.recorded_ms);
        const kept = lastHolding.get(row.enrolment_id);
        if (!kept || kept.recorded < recorded) lastHolding.set(row.enrolment_id, { recorded, completed: Number(row.completed_ms) });
      }
      const latencies: number[] = [];
      const fromCompletedAt: number[] = [];
      for (const [enrolmentId, at] of committed) {
        const holding = lastHolding.get(enrolmentId);
        if (!holding) continue;
        latencies.push(holding.recorded - at);
        fromCompletedAt.push(holding.recorded - holding.completed);
      }
      latencies.sort((a, b) => a - b);
      fromCompletedAt.sort((a, b) => a - b);
      progress.sort((a, b) => a - b);
      const missing = LEARNERS - latencies.length;
      const p99 = percentile(latencies, 99);
      const details = [
        `| measure (${LEARNERS} completions, 2 competences each) | p50 ms | p95 ms | p99 ms | max ms |`,
        '|---|---|---|---|---|',
        `| completion committed → its last holding recorded | ${round(percentile(latencies, 50))} | ${round(percentile(latencies, 95))} | ${round(p99)} | ${round(latencies.at(-1) ?? 0)} |`,
        `| completion's completed_at → its last holding recorded | ${round(percentile(fromCompletedAt, 50))} | ${round(percentile(fromCompletedAt, 95))} | ${round(percentile(fromCompletedAt, 99))} | ${round(fromCompletedAt.at(-1) ?? 0)} |`,
        `| one progress update (engine transaction), the load | ${round(percentile(progress, 50))} | ${round(percentile(progress, 95))} | ${round(percentile(progress, 99))} | ${round(progress.at(-1) ?? 0)} |`,
        '',
        `Holdings: ${holdings} of ${expected}; completions without a holding: ${missing}. Target: p99 under 1000 ms — ${p99 < 1000 && missing === 0 ? 'met' : 'NOT met'}.`,
        `Oldest open transaction in other databases of the server, sampled every 250 ms during the run (${held.length} samples): p50 ${round(percentile(held, 50))} ms, p99 ${round(percentile(held, 99))} ms, max ${round(held.at(-1) ?? 0)} ms; samples over 1 s: ${held.filter((ms) => ms > 1000).length}.`,
      ].join('\n');
      return {
        scenario: 'completion-to-holding',
        requestsPerSecond: Math.round(progress.length / loadSeconds),
        p50Ms: round(percentile(latencies, 50)),
        p99Ms: round(p99),
        errors: errors + missing,
        non2xx: 0,
        connections: CONNECTIONS,
        durationSeconds: Math.round(loadSeconds * 100) / 100,
        peakRssMiB: Math.round(context.rss() / 1024 / 1024),
        notes: `p50/p99 are completion → holding (ms); requests/s are progress updates of the load; RSS is the tool's at the end`,
        details,
      };
    } finally {
      await database.close();
    }
  },
};
