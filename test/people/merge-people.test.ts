import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol, getProgress, listCompletions } from '../../src/paths/enrolments.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import type { StepOutcome } from '../../src/paths/ports.js';
import { MERGE_STEPS, mergePeople } from '../../src/people/merge-people.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, person, publishedPath, webStep, type World } from '../paths/fixtures.js';
import { employee, holdings, peopleReferences } from './support.js';

const done: StepOutcome = { kind: 'web', event: 'done' };

describe(`merging one person into another (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('has a step for every foreign key that references people, read from the catalogue', async () => {
    const db = testDb.database.db;
    const references = await peopleReferences(db);
    expect(references.length).toBeGreaterThan(10);
    expect(references.filter((r) => !(r in MERGE_STEPS))).toEqual([]);
    expect(Object.keys(MERGE_STEPS).filter((r) => !references.includes(r))).toEqual([]);
  });

  it('fails for a new table that references people until the merge handles it', async () => {
    const db = testDb.database.db;
    await db.transaction().execute(async (trx) => {
      await sql`create table badges_for_test (id serial primary key, holder uuid not null references people (id))`.execute(trx);
      const references = await peopleReferences(trx);
      expect(references.filter((r) => !(r in MERGE_STEPS))).toEqual(['badges_for_test.holder']);
      await sql`drop table badges_for_test`.execute(trx);
    });
  });

  it('keeps everything: paths both walked become one enrolment with the further step of each; two completions stay apart', async () => {
    const db = testDb.database.db;
    const twoSteps = await publishedPath(db, world, [webStep(), webStep()]);
    const oneStep = await publishedPath(db, world, [webStep()]);
    const onlyLauncher = await publishedPath(db, world, [webStep()]);
    const launcher = await person(db, world.inRegion);
    const hr = await employee(db, world.inRegion, 'M-1', { email: 'merge@kommune.example' });

    // Both walked the two-step path, each a different step.
    const a = await enrol(db, world.inRegion, { personId: launcher, pathId: twoSteps.pathId });
    const b = await enrol(db, world.inRegion, { personId: hr.personId, pathId: twoSteps.pathId });
    await deliverOutcome(db, world.inRegion, { enrolmentId: a.enrolmentId, stepId: twoSteps.stepIds[0]!, idempotencyKey: 'a-1', outcome: done });
    await deliverOutcome(db, world.inRegion, { enrolmentId: b.enrolmentId, stepId: twoSteps.stepIds[1]!, idempotencyKey: 'b-2', outcome: done });
    // Both completed the one-step path: two completion records.
    for (const who of [launcher, hr.personId]) {
      const { enrolmentId } = await enrol(db, world.inRegion, { personId: who, pathId: oneStep.pathId });
      await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: oneStep.stepIds[0]!, idempotencyKey: `one-${who}`, outcome: done });
    }
    // Only the launcher completed the third, and declared a competence, and answered an evaluation.
    const own = await enrol(db, world.inRegion, { personId: launcher, pathId: onlyLauncher.pathId });
    await deliverOutcome(db, world.inRegion, { enrolmentId: own.enrolmentId, stepId: onlyLauncher.stepIds[0]!, idempotencyKey: 'own', outcome: done });
    await db.insertInto('path_declared_competences').values({ tenant_id: world.inRegion, person_id: launcher, competence: 'førstehjelp', level: 2, path_id: onlyLauncher.pathId, version_id: onlyLauncher.versionId, step_id: onlyLauncher.stepIds[0]! }).execute();
    await db.insertInto('path_evaluation_respondents').values({ tenant_id: world.inRegion, person_id: launcher, path_id: onlyLauncher.pathId, step_id: onlyLauncher.stepIds[0]! }).execute();

    const before = { launcher: await holdings(db, launcher), hr: await holdings(db, hr.personId) };
    expect(before.launcher['path_enrolments.person_id']).toBe(3);
    expect(before.launcher['path_completions.person_id']).toBe(2);

    const summary = await db.transaction().execute((trx) => mergePeople(trx, world.inRegion, launcher, hr.personId));
    expect(summary).toEqual({ enrolmentsMoved: 1, enrolmentsCombined: 1, enrolmentsKeptApart: 1, personRemoved: false });

    const after = { launcher: await holdings(db, launcher), hr: await holdings(db, hr.personId) };
    // The launcher keeps only their completed enrolment of the path both completed, with its record and events.
    expect(after.launcher).toEqual({ 'path_enrolments.person_id': 1, 'path_completions.person_id': 1, 'path_events.person_id': before.launcher['path_events.person_id']! - after.hr['path_events.person_id']! + before.hr['path_events.person_id']! });
    expect(after.hr['path_enrolments.person_id']).toBe(3);
    expect(after.hr['path_completions.person_id']).toBe(2);
    expect(after.hr['path_declared_competences.person_id']).toBe(1);
    expect(after.hr['path_evaluation_respondents.person_id']).toBe(1);
    // Every event is someone's still: none lost.
    expect(after.launcher['path_events.person_id']! + after.hr['path_events.person_id']!).toBe(before.launcher['path_events.person_id']! + before.hr['path_events.person_id']!);

    // The two-step path: one enrolment with both steps done.
    const merged = await db.selectFrom('path_enrolments').select('id').where('person_id', '=', hr.personId).where('path_id', '=', twoSteps.pathId).executeTakeFirstOrThrow();
    const progress = await getProgress(db, world.inRegion, merged.id);
    expect(progress.steps.map((s) => s.status)).toEqual(['completed', 'completed']);
    expect((await listCompletions(db, world.inRegion, { personId: hr.personId })).map((c) => c.pathId).sort()).toEqual([oneStep.pathId, onlyLauncher.pathId].sort());
  });

  it('removes the merged person when nothing is kept apart, and refuses to merge an employee away', async () => {
    const db = testDb.database.db;
    const launcher = await person(db, world.inRegion);
    const hr = await employee(db, world.inRegion, 'M-2');
    await expect(db.transaction().execute((trx) => mergePeople(trx, world.inRegion, hr.personId, launcher))).rejects.toThrow(/employee/);
    const other = await person(db, world.alsoInRegion);
    await expect(db.transaction().execute((trx) => mergePeople(trx, world.inRegion, other, hr.personId))).rejects.toThrow(/tenant/);
    expect(await db.transaction().execute((trx) => mergePeople(trx, world.inRegion, launcher, hr.personId))).toMatchObject({ personRemoved: true });
    expect(await db.selectFrom('people').select('id').where('id', '=', launcher).execute()).toEqual([]);
  });

  it('leaves completion records immutable outside a merge', async () => {
    const db = testDb.database.db;
    const path = await publishedPath(db, world, [webStep()]);
    const who = await person(db, world.inRegion);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: who, pathId: path.pathId });
    const { completionId } = await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: path.stepIds[0]!, idempotencyKey: 'k', outcome: done });
    const someoneElse = await person(db, world.inRegion);
    await expect(db.updateTable('path_completions').set({ person_id: someoneElse }).where('id', '=', completionId!).execute()).rejects.toThrow(/cannot be changed/);
    // Even inside a merge's setting, only the person may change.
    await expect(db.transaction().execute(async (trx) => {
      await sql`select set_config('laeringslop.moving_person', 'on', true)`.execute(trx);
      await trx.updateTable('path_completions').set({ score: 1 }).where('id', '=', completionId!).execute();
    })).rejects.toThrow(/cannot be changed/);
  });
});
