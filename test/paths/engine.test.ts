import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStep, publish, removeStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol, getProgress, listCompletions, moveLearnersToVersion, versionOverview } from '../../src/paths/enrolments.js';
import { listEnrolmentEvents } from '../../src/paths/events.js';
import type { Clock, StepOutcome } from '../../src/paths/ports.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, parallelDatabase, person, publishedPath, scormStep, webStep, type World, refusal } from './fixtures.js';

const done: StepOutcome = { kind: 'web', event: 'done' };
const sco = (over: Partial<Extract<StepOutcome, { kind: 'sco' }>> = {}): StepOutcome =>
  ({ kind: 'sco', packageId: 'pkg-1', completionStatus: 'completed', successStatus: 'passed', ...over });

describe(`progress and completion engine (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  it('enrols once on the newest version, with a due date and a path-started event', async () => {
    const db = testDb.database.db;
    const { pathId, versionId, stepIds } = await publishedPath(db, world, [webStep()], { dueAfterDays: 14 });
    const learner = await person(db, world.inRegion);
    const clock: Clock = { now: () => new Date('2026-03-01T10:00:00Z') };
    const first = await enrol(db, world.inRegion, { personId: learner, pathId }, clock);
    const again = await enrol(db, world.inRegion, { personId: learner, pathId });
    expect(first.created).toBe(true);
    expect(again).toEqual({ enrolmentId: first.enrolmentId, created: false });
    const progress = await getProgress(db, world.inRegion, first.enrolmentId);
    expect(progress).toMatchObject({ versionId, versionNumber: 1, status: 'in_progress', dueAt: new Date('2026-03-15T10:00:00Z'), nextStepId: stepIds[0] });
    expect((await listEnrolmentEvents(db, world.inRegion, first.enrolmentId)).map((e) => e.type)).toEqual(['path-started']);
  });

  it('refuses enrolment in a path the tenant cannot see, and of a person of another tenant', async () => {
    const db = testDb.database.db;
    const { pathId } = await publishedPath(db, world, [webStep()]);
    const outsider = await person(db, world.outside);
    await expect(refusal(enrol(db, world.outside, { personId: outsider, pathId }))).resolves.toMatchObject({ code: 'path-not-found' });
    await expect(refusal(enrol(db, world.inRegion, { personId: outsider, pathId }))).resolves.toMatchObject({ code: 'person-not-found' });
  });

  it('completes a SCORM step by its rule, keeps the best score, and writes one completion with evidence', async () => {
    const db = testDb.database.db;
    const { pathId, versionId, stepIds } = await publishedPath(db, world, [
      { type: 'scorm', title: 'Test', required: true, config: { packageId: 'pkg-1', scoId: 'sco-a', completion: { rule: 'score', minimumScaled: 0.8 } } },
    ]);
    const learner = await person(db, world.inRegion);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: learner, pathId });
    const deliver = (key: string, outcome: StepOutcome) => deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: key, outcome });
    expect(await deliver('c1', sco({ scoId: 'sco-a', scoreScaled: 0.5 }))).toMatchObject({ stepStatus: 'in_progress', pathCompleted: false });
    await expect(refusal(deliver('c2', sco({ scoId: 'sco-b', scoreScaled: 1 })))).resolves.toMatchObject({ code: 'invalid-outcome' });
    await expect(refusal(deliver('c3', done))).resolves.toMatchObject({ code: 'step-type-mismatch' });
    const result = await deliver('c4', sco({ scoId: 'sco-a', scoreScaled: 0.9 }));
    expect(result).toMatchObject({ duplicate: false, stepCompleted: true, pathCompleted: true });
    // A later, lower score never lowers the step or reopens it.
    await deliver('c5', sco({ scoId: 'sco-a', scoreScaled: 0.1, completionStatus: 'incomplete', successStatus: 'failed' }));
    const progress = await getProgress(db, world.inRegion, enrolmentId);
    expect(progress.steps[0]).toMatchObject({ status: 'completed', score: 0.9 });
    const completions = await listCompletions(db, world.inRegion, { personId: learner });
    expect(completions).toHaveLength(1);
    expect(completions[0]).toMatchObject({ id: result.completionId, versionId, score: 90 });
    expect(completions[0]!.evidence).toMatchObject({ versionNumber: 1, steps: [{ stepId: stepIds[0], type: 'scorm', score: 0.9 }] });
    expect((await listEnrolmentEvents(db, world.inRegion, enrolmentId)).map((e) => [e.type, e.payload['score'] ?? null]))
      .toEqual([['path-started', null], ['step-completed', 0.9], ['path-completed', 90]]);
  });

  it('the database refuses to change or delete a completion record', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep()]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    const { completionId } = await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'k', outcome: done });
    await expect(db.updateTable('path_completions').set({ score: 100 }).where('id', '=', completionId!).execute()).rejects.toThrow(/cannot be changed/);
    await expect(db.deleteFrom('path_completions').where('id', '=', completionId!).execute()).rejects.toThrow(/cannot be changed/);
  });

  it('the same outcome delivered twice makes one completion', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep()]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    const delivery = { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'attempt-1/commit-7', outcome: done };
    const first = await deliverOutcome(db, world.inRegion, delivery);
    const second = await deliverOutcome(db, world.inRegion, delivery);
    expect(first).toMatchObject({ duplicate: false, pathCompleted: true });
    expect(second).toMatchObject({ duplicate: true, stepStatus: 'completed', pathCompleted: false, completionId: null });
    expect(await db.selectFrom('path_completions').select('id').where('enrolment_id', '=', enrolmentId).execute()).toHaveLength(1);
    const types = (await listEnrolmentEvents(db, world.inRegion, enrolmentId)).map((e) => e.type);
    expect(types).toEqual(['path-started', 'step-completed', 'path-completed']);
    await expect(refusal(deliverOutcome(db, world.inRegion, { ...delivery, idempotencyKey: '' }))).resolves.toMatchObject({ code: 'invalid-outcome' });
  });

  it('a delivery is three statements inside its transaction: lock; receipt and progress read; every write', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep(), webStep()]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    let statements = 0;
    const counted = db.withPlugin({ transformQuery: (args) => { statements += 1; return args.node; }, transformResult: async (args) => args.result });
    const deliver = async (stepId: string, key: string) => {
      statements = 0;
      const result = await deliverOutcome(counted, world.inRegion, { enrolmentId, stepId, idempotencyKey: key, outcome: done });
      return { result, statements };
    };
    expect(await deliver(stepIds[0]!, 'a')).toMatchObject({ result: { stepCompleted: true, pathCompleted: false }, statements: 3 });
    expect(await deliver(stepIds[1]!, 'b')).toMatchObject({ result: { stepCompleted: true, pathCompleted: true }, statements: 3 });
    expect(await deliver(stepIds[1]!, 'b')).toMatchObject({ result: { duplicate: true }, statements: 2 });
    expect((await listEnrolmentEvents(db, world.inRegion, enrolmentId)).map((e) => [e.type, e.stepId]))
      .toEqual([['path-started', null], ['step-completed', stepIds[0]], ['step-completed', stepIds[1]], ['path-completed', null]]);
  });

  it('concurrent deliveries (duplicates included) for one enrolment lose nothing and complete once', async () => {
    const parallel = parallelDatabase(testDb);
    try {
      const db = testDb.database.db;
      const { pathId, stepIds } = await publishedPath(db, world, [
        webStep(), webStep(), webStep(), webStep(),
        { type: 'scorm', title: 'Quiz', required: true, config: { packageId: 'pkg-1', completion: { rule: 'score', minimumScaled: 0.95 } } },
      ]);
      const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
      const deliveries = [];
      for (let copy = 0; copy < 4; copy += 1) {
        for (const stepId of stepIds.slice(0, 4)) deliveries.push({ enrolmentId, stepId, idempotencyKey: `done-${stepId}`, outcome: done });
        for (let s = 1; s <= 10; s += 1) deliveries.push({ enrolmentId, stepId: stepIds[4]!, idempotencyKey: `score-${s}`, outcome: sco({ scoreScaled: s / 10 }) });
      }
      const results = await Promise.all(deliveries.map((d) => deliverOutcome(parallel.database.db, world.inRegion, d)));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(14);
      expect(results.filter((r) => r.pathCompleted)).toHaveLength(1);
      expect(results.filter((r) => r.stepCompleted)).toHaveLength(5);
      const progress = await getProgress(db, world.inRegion, enrolmentId);
      expect(progress.status).toBe('completed');
      expect(progress.steps.map((s) => s.status)).toEqual(Array(5).fill('completed'));
      expect(progress.steps[4]!.score).toBe(1);
      expect(await db.selectFrom('path_completions').select('score').where('enrolment_id', '=', enrolmentId).execute()).toEqual([{ score: 100 }]);
      const events = await listEnrolmentEvents(db, world.inRegion, enrolmentId);
      expect(events.filter((e) => e.type === 'step-completed')).toHaveLength(5);
      expect(events.filter((e) => e.type === 'path-completed')).toHaveLength(1);
    } finally {
      await parallel.close();
    }
  });

  it('concurrent enrolments and completions of many learners on one path stay separate', async () => {
    const parallel = parallelDatabase(testDb);
    try {
      const db = testDb.database.db;
      const { pathId, stepIds } = await publishedPath(db, world, [webStep(), webStep()]);
      const learners = await Promise.all(Array.from({ length: 12 }, () => person(db, world.inRegion)));
      const enrolments = await Promise.all(learners.map((personId) => enrol(parallel.database.db, world.inRegion, { personId, pathId })));
      await Promise.all(enrolments.flatMap(({ enrolmentId }) => stepIds.map((stepId) =>
        deliverOutcome(parallel.database.db, world.inRegion, { enrolmentId, stepId, idempotencyKey: stepId, outcome: done }))));
      expect(await listCompletions(db, world.inRegion, { pathId })).toHaveLength(12);
    } finally {
      await parallel.close();
    }
  });

  it('enforces prerequisites, and a refused outcome can be delivered again later with the same key', async () => {
    const db = testDb.database.db;
    const path = await publishedPath(db, world, [webStep()]);
    // Build a second path whose second step requires the first.
    const { pathId, stepIds } = await (async () => {
      const created = await publishedPath(db, world, [webStep()]);
      const second = await addStep(db, world.inRegion, created.pathId, { ...scormStep(), requires: [created.stepIds[0]!] });
      await publish(db, world.inRegion, created.pathId, world.designer);
      return { pathId: created.pathId, stepIds: [created.stepIds[0]!, second] };
    })();
    expect(path.pathId).not.toBe(pathId);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    const early = { enrolmentId, stepId: stepIds[1]!, idempotencyKey: 'sco-commit-1', outcome: sco() };
    expect((await getProgress(db, world.inRegion, enrolmentId)).steps[1]!.status).toBe('locked');
    await expect(refusal(deliverOutcome(db, world.inRegion, early))).resolves.toMatchObject({ code: 'prerequisites-not-met' });
    await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'web', outcome: done });
    expect(await deliverOutcome(db, world.inRegion, early)).toMatchObject({ duplicate: false, pathCompleted: true });
  });

  it('N of M: the path is complete when N of its steps are, whichever they are', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep(false), webStep(false), webStep(false), webStep(false)], { completion: { kind: 'n-of-m', count: 2 } });
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    expect(await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[3]!, idempotencyKey: 'a', outcome: done })).toMatchObject({ pathCompleted: false });
    expect(await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[1]!, idempotencyKey: 'b', outcome: done })).toMatchObject({ pathCompleted: true });
    expect(await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'c', outcome: done })).toMatchObject({ pathCompleted: false, stepCompleted: true });
  });

  it('a web resource with a minimum time is done only after that time since it was opened', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [{ type: 'web', title: 'Film', required: true,
      config: { resource: { kind: 'video', url: 'https://video.example.no/film.mp4' }, done: { by: 'minimum-time', seconds: 120 } } }]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    let now = new Date('2026-05-01T08:00:00Z');
    const clock: Clock = { now: () => now };
    const deliver = (key: string, event: 'opened' | 'done') => deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: key, outcome: { kind: 'web', event } }, clock);
    await expect(refusal(deliver('d0', 'done'))).resolves.toMatchObject({ code: 'too-early' });
    await deliver('o1', 'opened');
    now = new Date('2026-05-01T08:01:59Z');
    await expect(refusal(deliver('d1', 'done'))).resolves.toMatchObject({ code: 'too-early' });
    await deliver('o2', 'opened'); // opening again does not restart the clock
    now = new Date('2026-05-01T08:02:00Z');
    expect(await deliver('d1', 'done')).toMatchObject({ pathCompleted: true });
  });

  it('a self-assessment stores declared competence and recommends later steps', async () => {
    const db = testDb.database.db;
    const path = await publishedPath(db, world, [webStep(false), webStep(false)], { completion: { kind: 'n-of-m', count: 2 } });
    const [later, other] = path.stepIds;
    const assessment = await addStep(db, world.inRegion, path.pathId, { type: 'self-assessment', title: 'Hva kan du?', required: true, config: {
      statements: [
        { id: 's1', competence: 'infosikkerhet', text: 'Jeg kjenner igjen phishing' },
        { id: 's2', competence: 'infosikkerhet', text: 'Jeg vet hvordan jeg melder avvik' },
        { id: 's3', competence: 'personvern', text: 'Jeg kjenner reglene for deling' },
      ],
      recommendations: [{ competence: 'infosikkerhet', belowLevel: 3, stepIds: [later!] }, { competence: 'personvern', belowLevel: 3, stepIds: [other!] }],
    } }, 0);
    const { versionId } = await publish(db, world.inRegion, path.pathId, world.designer);
    const learner = await person(db, world.inRegion);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: learner, pathId: path.pathId });
    const deliver = (key: string, ratings: Record<string, number>) =>
      deliverOutcome(db, world.inRegion, { enrolmentId, stepId: assessment, idempotencyKey: key, outcome: { kind: 'self-assessment', ratings } });
    await expect(refusal(deliver('x', { s1: 2, s2: 3 }))).resolves.toMatchObject({ code: 'invalid-outcome' });
    await expect(refusal(deliver('y', { s1: 2, s2: 3, s3: 5 }))).resolves.toMatchObject({ code: 'invalid-outcome' });
    await expect(refusal(deliver('z', { s1: 2, s2: 3, s3: 4, s9: 1 }))).resolves.toMatchObject({ code: 'invalid-outcome' });
    expect(await deliver('ok', { s1: 2, s2: 3, s3: 4 })).toMatchObject({ stepCompleted: true, pathCompleted: false });
    const declared = await db.selectFrom('path_declared_competences').select(['competence', 'level', 'tenant_id', 'version_id'])
      .where('person_id', '=', learner).orderBy('competence').execute();
    expect(declared).toEqual([
      { competence: 'infosikkerhet', level: 2, tenant_id: world.inRegion, version_id: versionId },
      { competence: 'personvern', level: 4, tenant_id: world.inRegion, version_id: versionId },
    ]);
    const progress = await getProgress(db, world.inRegion, enrolmentId);
    expect(progress.steps.filter((s) => s.recommended).map((s) => s.stepId)).toEqual([later]);
  });

  it('moves in-progress learners to a newer version, keeping completed steps that still exist', async () => {
    const db = testDb.database.db;
    const { pathId, versionId: v1, stepIds } = await publishedPath(db, world, [webStep(), webStep(), webStep()]);
    const [a, b, c] = stepIds as [string, string, string];
    const halfway = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    const almost = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    const finished = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    const mark = (enrolmentId: string, stepId: string) => deliverOutcome(db, world.inRegion, { enrolmentId, stepId, idempotencyKey: `${enrolmentId}-${stepId}`, outcome: done });
    await mark(halfway.enrolmentId, c);
    await mark(almost.enrolmentId, a);
    await mark(almost.enrolmentId, b);
    for (const step of stepIds) await mark(finished.enrolmentId, step);

    // Version 2 drops step c and adds d.
    await removeStep(db, world.inRegion, pathId, c);
    const d = await addStep(db, world.inRegion, pathId, webStep());
    const { versionId: v2 } = await publish(db, world.inRegion, pathId, world.designer);
    // A new learner lands on version 2; the earlier ones stay on version 1 until moved.
    expect((await getProgress(db, world.inRegion, halfway.enrolmentId)).versionId).toBe(v1);
    await expect(refusal(moveLearnersToVersion(db, world.alsoInRegion, pathId, v2))).resolves.toMatchObject({ code: 'version-not-found' });
    expect(await moveLearnersToVersion(db, world.inRegion, pathId, v2)).toEqual({ moved: 2, completed: 0 });

    const moved = await getProgress(db, world.inRegion, halfway.enrolmentId);
    expect(moved).toMatchObject({ versionId: v2, versionNumber: 2, status: 'in_progress' });
    expect(moved.steps.map((s) => [s.stepId, s.status])).toEqual([[a, 'not-started'], [b, 'not-started'], [d, 'not-started']]);
    const kept = await getProgress(db, world.inRegion, almost.enrolmentId);
    expect(kept.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'not-started']);
    expect(kept.nextStepId).toBe(d);
    expect((await getProgress(db, world.inRegion, finished.enrolmentId)).versionId).toBe(v1);
    expect(await mark(almost.enrolmentId, d)).toMatchObject({ pathCompleted: true });
    expect((await listCompletions(db, world.inRegion, { pathId })).map((x) => x.versionId).sort()).toEqual([v1, v2].sort());
    expect(await versionOverview(db, world.inRegion, pathId)).toEqual([
      { versionNumber: 1, status: 'completed', learners: 1 },
      { versionNumber: 2, status: 'completed', learners: 1 },
      { versionNumber: 2, status: 'in_progress', learners: 1 },
    ]);
  });

  it('a move completes learners whose completed steps already meet the new version', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep(), webStep()]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'a', outcome: done });
    await removeStep(db, world.inRegion, pathId, stepIds[1]!);
    const { versionId } = await publish(db, world.inRegion, pathId, world.designer);
    expect(await moveLearnersToVersion(db, world.inRegion, pathId, versionId)).toEqual({ moved: 1, completed: 1 });
    const [completion] = await listCompletions(db, world.inRegion, { pathId });
    expect(completion).toMatchObject({ enrolmentId, versionId });
    expect((await listEnrolmentEvents(db, world.inRegion, enrolmentId)).at(-1)).toMatchObject({ type: 'path-completed', versionId });
  });

  it("another tenant can neither read nor change an enrolment's progress", async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep()], {});
    const learner = await person(db, world.inRegion);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: learner, pathId });
    const delivery = { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'evil', outcome: done };
    for (const tenant of [world.alsoInRegion, world.outside, world.region]) {
      await expect(refusal(deliverOutcome(db, tenant, delivery))).resolves.toMatchObject({ code: 'enrolment-not-found' });
      await expect(refusal(getProgress(db, tenant, enrolmentId))).resolves.toMatchObject({ code: 'enrolment-not-found' });
      expect(await listCompletions(db, tenant, { personId: learner })).toEqual([]);
      expect(await listEnrolmentEvents(db, tenant, enrolmentId)).toEqual([]);
    }
    await expect(refusal(deliverOutcome(db, world.inRegion, { ...delivery, stepId: randomUUID() }))).resolves.toMatchObject({ code: 'step-not-found' });
    await expect(refusal(deliverOutcome(db, world.inRegion, { ...delivery, outcome: { kind: 'attendance', attended: true } }))).resolves.toMatchObject({ code: 'invalid-outcome' });
    expect((await getProgress(db, world.inRegion, enrolmentId)).steps[0]!.status).toBe('not-started');
  });
});
