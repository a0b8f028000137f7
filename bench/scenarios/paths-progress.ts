import { performance } from 'node:perf_hooks';
import { openPostgres } from '../../src/db/postgres.js';
import { SecretBox } from '../../src/lti/secret-box.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { systemClock } from '../../src/paths/ports.js';
import { type BenchResult, percentile, pool, type Scenario } from '../harness.js';
import { enrolLearners, writeProgressPath } from '../paths/progress-load.js';

const LEARNERS = 2000;
const CONNECTIONS = 8;

/**
 * 2,000 learners walk a five-step path (self-assessment, web resource, SCORM with a score rule,
 * a web resource that requires the SCORM step, evaluation), 8 learners at a time, each learner's
 * steps in order. Measured through the engine functions on the bench database directly (there is
 * no HTTP route for progress yet): every delivery is one engine transaction with its row lock,
 * idempotency receipt, events and, on the last step, the completion record.
 */
export const scenario: Scenario = {
  name: 'paths-progress',
  description: `${LEARNERS} learners × 5 steps through the progress engine on server PostgreSQL, ${CONNECTIONS} at a time`,
  async run(context): Promise<BenchResult> {
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: CONNECTIONS, applicationName: 'bench-paths' });
    const db = database.db;
    try {
      const tenant = (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9901', name: 'Benchmark kommune', county_number: '99', county_name: null, retired_at: null })
        .returning('id').executeTakeFirstOrThrow()).id;
      const { pathId, steps } = await writeProgressPath(db, tenant);
      const enrolments = await enrolLearners(db, tenant, pathId, LEARNERS, CONNECTIONS);

      // Evaluation answers are sealed into the pending pool, as the tool does.
      const seal = new SecretBox('bench-key-encryption-secret', 'evaluation-answers');
      const latencies: number[] = [];
      let errors = 0;
      let peak = process.memoryUsage().rss;
      const started = performance.now();
      await pool(enrolments, CONNECTIONS, async (enrolmentId) => {
        for (const [stepId, outcome] of steps) {
          const t0 = performance.now();
          try {
            await deliverOutcome(db, tenant, { enrolmentId, stepId, idempotencyKey: `${stepId}:1`, outcome }, systemClock, seal);
          } catch {
            errors += 1;
          }
          latencies.push(performance.now() - t0);
        }
        peak = Math.max(peak, process.memoryUsage().rss);
      });
      const seconds = (performance.now() - started) / 1000;
      const completions = Number((await db.selectFrom('path_completions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      latencies.sort((a, b) => a - b);
      return {
        scenario: 'paths-progress',
        requestsPerSecond: Math.round(latencies.length / seconds),
        p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
        p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
        errors: errors + (completions === LEARNERS ? 0 : Math.abs(LEARNERS - completions)),
        non2xx: 0,
        connections: CONNECTIONS,
        durationSeconds: Math.round(seconds * 100) / 100,
        peakRssMiB: Math.round(peak / 1024 / 1024),
        notes: `engine functions in the bench process (not HTTP); ${latencies.length} progress updates, ${completions} completions; RSS is the bench process's`,
      };
    } finally {
      await database.close();
    }
  },
};
