import { performance } from 'node:perf_hooks';
import { openPostgres } from '../../src/db/postgres.js';
import { SecretBox } from '../../src/lti/secret-box.js';
import { createPerson } from '../../src/people/people.js';
import { addStep, publish } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPath } from '../../src/paths/paths.js';
import { systemClock, type StepOutcome } from '../../src/paths/ports.js';
import { type BenchResult, percentile, pool, type Scenario } from '../harness.js';

const LEARNERS = 2000;
const CONNECTIONS = 8;

/** Runs `work` over `items` with at most `limit` in flight. */
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
      await publish(db, tenant, path.id, designer);

      const learners = Array.from({ length: LEARNERS }, (_, i) => i);
      const enrolments: string[] = [];
      await pool(learners, CONNECTIONS, async () => {
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
