import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { SecretBox } from '../../src/lti/secret-box.js';
import { addStep, publish, updateDraftSettings } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPath } from '../../src/paths/paths.js';
import { systemClock, type StepOutcome } from '../../src/paths/ports.js';
import type { PathDefinition } from '../../src/paths/definition.js';
import { createPerson } from '../../src/people/people.js';
import { pool } from '../harness.js';

/**
 * The paths-progress load as the subscriber benches run it in-process (completion → holding,
 * path event → xAPI statement): a published path of five steps, learners enrolled in it, and each
 * learner's outcomes delivered through the engine, `connections` learners at a time.
 */

export interface ProgressPath {
  readonly pathId: string;
  /** Each step with the outcome the load delivers for it, in order. */
  readonly steps: readonly (readonly [string, StepOutcome])[];
}

/** Self-assessment, web, SCORM (passed at 0.9), web after it, evaluation; `grants` set on the draft before publishing. */
export async function writeProgressPath(db: Kysely<Schema>, tenant: string, grants?: PathDefinition['grants']): Promise<ProgressPath> {
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
  if (grants) await updateDraftSettings(db, tenant, path.id, { grants });
  await publish(db, tenant, path.id, designer);
  return {
    pathId: path.id,
    steps: [
      [assessment, { kind: 'self-assessment', ratings: { s1: 3 } }],
      [reading, { kind: 'web', event: 'done' }],
      [course, { kind: 'sco', packageId: 'bench-package', completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9 }],
      [followUp, { kind: 'web', event: 'done' }],
      [evaluation, { kind: 'evaluation', answers: { nytte: 4 } }],
    ],
  };
}

/** `learners` new people enrolled in the path; their enrolment ids. */
export async function enrolLearners(db: Kysely<Schema>, tenant: string, pathId: string, learners: number, connections: number): Promise<string[]> {
  const enrolments: string[] = [];
  await pool(Array.from({ length: learners }, (_, i) => i), connections, async () => {
    const person = (await createPerson(db, tenant, {})).id;
    enrolments.push((await enrol(db, tenant, { personId: person, pathId })).enrolmentId);
  });
  return enrolments;
}

/**
 * An event is delivered only once every older transaction of the whole server has ended
 * (src/db/commit-order.ts): a long transaction in another database (the machine is shared) holds
 * every subscriber back. Sampled every 250 ms until stopped, so the figures can be read with that in mind.
 */
export function sampleOtherTransactions(db: Kysely<Schema>): { stop(): Promise<number[]> } {
  const held: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const row = await sql<{ ms: number | null }>`select extract(epoch from max(now() - xact_start)) * 1000 as ms from pg_stat_activity where datname is distinct from current_database() and xact_start is not null and backend_xmin is not null`.execute(db);
      held.push(Number(row.rows[0]?.ms ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await sampler;
      return held.sort((a, b) => a - b);
    },
  };
}

export interface ProgressRun {
  /** Each delivery's time (ms). */
  readonly progress: number[];
  /** Per enrolment: when the bench saw its last delivery committed (ms since the epoch). */
  readonly committed: Map<string, number>;
  readonly errors: number;
  readonly loadSeconds: number;
}

/** Each enrolment's steps in order through the engine, `connections` enrolments at a time. */
export async function runProgress(db: Kysely<Schema>, tenant: string, enrolments: readonly string[], path: ProgressPath, connections: number): Promise<ProgressRun> {
  const seal = new SecretBox('bench-key-encryption-secret', 'evaluation-answers');
  const progress: number[] = [];
  const committed = new Map<string, number>();
  let errors = 0;
  const started = performance.now();
  await pool(enrolments, connections, async (enrolmentId) => {
    for (const [stepId, outcome] of path.steps) {
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
  return { progress, committed, errors, loadSeconds: (performance.now() - started) / 1000 };
}
