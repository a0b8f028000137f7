import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutcome, registerAttendance } from '../../src/paths/engine.js';
import { enrol, getProgress } from '../../src/paths/enrolments.js';
import { PathError } from '../../src/paths/errors.js';
import { ANONYMITY_THRESHOLD, evaluationReport } from '../../src/paths/evaluations.js';
import { cancelSignUp, listSignUps, signUpForSession } from '../../src/paths/sessions.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, evaluationPool, parallelDatabase, person, publishedPath, type World, refusal } from './fixtures.js';

const session = (capacity: number) => ({
  type: 'session' as const, title: 'Øvelse på brannstasjonen', required: true,
  config: { date: '2026-09-14', startTime: '09:00', endTime: '15:00', place: 'Brannstasjonen, Storgata 1', capacity },
});

const evaluation = {
  type: 'evaluation' as const, title: 'Hva syntes du?', required: true,
  config: { questions: [
    { id: 'nytte', kind: 'scale' as const, text: 'Hvor nyttig var kurset?', min: 1 as const, max: 5 },
    { id: 'kommentar', kind: 'text' as const, text: 'Noe du vil si?', maxLength: 200 },
  ] },
};

describe(`physical sessions and evaluations (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  it('never signs up more learners than the capacity, however many sign up at once', async () => {
    const db = testDb.database.db;
    const parallel = parallelDatabase(testDb);
    try {
      const { pathId, stepIds } = await publishedPath(db, world, [session(5)]);
      const learners = await Promise.all(Array.from({ length: 16 }, () => person(db, world.inRegion)));
      const enrolments = await Promise.all(learners.map((personId) => enrol(db, world.inRegion, { personId, pathId })));
      const outcomes = await Promise.allSettled(enrolments.map(({ enrolmentId }) => signUpForSession(parallel.database.db, world.inRegion, enrolmentId, stepIds[0]!)));
      const accepted = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(accepted).toHaveLength(5);
      expect(refused.every((o) => o.reason instanceof PathError && o.reason.code === 'session-full')).toBe(true);
      expect(await listSignUps(db, world.inRegion, pathId, stepIds[0]!)).toHaveLength(5);

      // Signing up twice keeps one seat; cancelling frees it for someone else.
      const seated = new Set((await listSignUps(db, world.inRegion, pathId, stepIds[0]!)).map((s) => s.enrolmentId));
      const signedUp = [...seated][0]!;
      const waiting = enrolments.find((e) => !seated.has(e.enrolmentId))!.enrolmentId;
      expect(await signUpForSession(db, world.inRegion, signedUp, stepIds[0]!)).toMatchObject({ created: false, seatsTaken: 5, capacity: 5 });
      await expect(refusal(signUpForSession(db, world.inRegion, waiting, stepIds[0]!))).resolves.toMatchObject({ code: 'session-full' });
      await cancelSignUp(db, world.inRegion, signedUp, stepIds[0]!);
      await expect(refusal(cancelSignUp(db, world.inRegion, signedUp, stepIds[0]!))).resolves.toMatchObject({ code: 'not-signed-up' });
      expect(await signUpForSession(db, world.inRegion, waiting, stepIds[0]!)).toMatchObject({ created: true, seatsTaken: 5 });
      // Another tenant cannot see the list.
      expect(await listSignUps(db, world.outside, pathId, stepIds[0]!)).toEqual([]);
    } finally {
      await parallel.close();
    }
  });

  it('attendance is registered by the owner or the learner’s tenant, not by others, and completes the step', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [session(10)]);
    // The path is the first municipality's; the learner is in the second (the path is shared in the region).
    await db.updateTable('paths').set({ sharing: 'region' }).where('id', '=', pathId).execute();
    const learner = await person(db, world.alsoInRegion);
    const { enrolmentId } = await enrol(db, world.alsoInRegion, { personId: learner, pathId });
    await expect(refusal(signUpForSession(db, world.inRegion, enrolmentId, stepIds[0]!))).resolves.toMatchObject({ code: 'enrolment-not-found' });
    await signUpForSession(db, world.alsoInRegion, enrolmentId, stepIds[0]!);
    const input = { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'attendance-1', attended: true };
    await expect(refusal(registerAttendance(db, world.outside, input))).resolves.toMatchObject({ code: 'enrolment-not-found' });
    await expect(refusal(registerAttendance(db, world.region, input))).resolves.toMatchObject({ code: 'enrolment-not-found' });
    expect(await registerAttendance(db, world.alsoInRegion, { ...input, idempotencyKey: 'absent', attended: false })).toMatchObject({ stepStatus: 'in_progress' });
    expect(await registerAttendance(db, world.inRegion, input)).toMatchObject({ stepCompleted: true, pathCompleted: true });
    expect((await getProgress(db, world.alsoInRegion, enrolmentId)).status).toBe('completed');
  });

  it('an evaluation is answered once per person and reported only from five answers, without who said what', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [evaluation]);
    const pool = evaluationPool(db);
    const answer = async (n: number, answers: Record<string, number | string>) => {
      const personId = await person(db, world.inRegion);
      const { enrolmentId } = await enrol(db, world.inRegion, { personId, pathId });
      await pool.answer(world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: `eval-${n}`, answers });
      return { personId, enrolmentId };
    };
    const first = await answer(1, { nytte: 5, kommentar: 'Veldig bra' });
    // Answering again (a new submission, not a redelivery) is refused; a redelivery changes nothing.
    await expect(refusal(pool.answer(world.inRegion, { enrolmentId: first.enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'eval-again', answers: { nytte: 1 } })))
      .resolves.toMatchObject({ code: 'already-answered' });
    expect(await pool.answer(world.inRegion, { enrolmentId: first.enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'eval-1', answers: { nytte: 1 } })).toMatchObject({ duplicate: true });
    // Without the pool's seal an evaluation is not taken at all.
    await expect(deliverOutcome(db, world.inRegion, { enrolmentId: first.enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'unsealed', outcome: { kind: 'evaluation', answers: { nytte: 1 } } }))
      .rejects.toThrow('seal');
    const bad = async (answers: Record<string, number | string>) => {
      const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
      return refusal(pool.answer(world.inRegion, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'bad', answers }));
    };
    await expect(bad({ kommentar: 'mangler skala' })).resolves.toMatchObject({ code: 'invalid-outcome' });
    await expect(bad({ nytte: 6 })).resolves.toMatchObject({ code: 'invalid-outcome' });
    await expect(bad({ nytte: 3, kommentar: 'x'.repeat(201) })).resolves.toMatchObject({ code: 'invalid-outcome' });
    await expect(bad({ nytte: 3, hvem: 'meg' })).resolves.toMatchObject({ code: 'invalid-outcome' });

    await answer(2, { nytte: 4 });
    await answer(3, { nytte: 4, kommentar: 'Altfor lang dag' });
    await answer(4, { nytte: 2, kommentar: '  ' });
    expect(await pool.releaseDue()).toEqual([]);
    expect(await evaluationReport(db, world.inRegion, pathId, stepIds[0]!)).toEqual({ status: 'too-few-answers', minimum: ANONYMITY_THRESHOLD, releasedOn: null });
    await answer(5, { nytte: 5, kommentar: 'Bra kaffe' });
    expect(await pool.releaseDue()).toEqual([{ pathId, stepId: stepIds[0]!, answers: 5 }]);
    const report = await evaluationReport(db, world.inRegion, pathId, stepIds[0]!);
    expect(report).toEqual({
      status: 'ready',
      releasedOn: new Date().toISOString().slice(0, 10),
      respondents: 5,
      questions: [
        { id: 'nytte', kind: 'scale', text: 'Hvor nyttig var kurset?', answers: 5, mean: 4, distribution: { 1: 0, 2: 1, 3: 0, 4: 2, 5: 2 } },
        { id: 'kommentar', kind: 'text', text: 'Noe du vil si?', answers: ['Altfor lang dag', 'Bra kaffe', 'Veldig bra'] },
      ],
    });
    // Stored answers carry neither person, enrolment, version nor the day they were given
    // (evaluation-anonymity.test.ts reads the database as an operator would).
    const columns = Object.keys((await db.selectFrom('path_evaluation_answers').selectAll().where('path_id', '=', pathId).executeTakeFirstOrThrow()));
    expect(columns.sort()).toEqual(['answers', 'id', 'path_id', 'released_on', 'step_id', 'tenant_id']);
    // Only the owner gets the report.
    await expect(refusal(evaluationReport(db, world.alsoInRegion, pathId, stepIds[0]!))).resolves.toMatchObject({ code: 'path-not-found' });
  });
});
