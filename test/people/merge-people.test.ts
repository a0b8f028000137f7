import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol, getProgress, listCompletions } from '../../src/paths/enrolments.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import type { StepOutcome } from '../../src/paths/ports.js';
import { MERGE_STEPS, mergePeople } from '../../src/people/merge-people.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, person, publishedPath, webStep, type World } from '../paths/fixtures.js';
import { employee, holdings, peopleReferences } from './support.js';
import { DiskContentStore } from '../../src/content/content-store.js';
import { importPackage } from '../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { cmi5CourseZip, INTRO_AU, TEST_AU } from '../cmi5/support/course.js';

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

  it('moves the cmi5 registrations of a combined enrolment to the one kept: none names a removed enrolment, each step keeps one open', async () => {
    const db = testDb.database.db;
    const store = new DiskContentStore(fs.mkdtempSync(path.join(os.tmpdir(), 'merge-cmi5-')));
    const course = await importPackage({ db, store, limits: DEFAULT_ZIP_LIMITS }, world.inRegion, cmi5CourseZip());
    const cmi5Step = (title: string, nodeId: string): NewStep => ({ type: 'cmi5', title, required: true, config: { packageId: course.id, nodeId, allowedOrigins: [] } } as NewStep);
    const twoAus = await publishedPath(db, world, [cmi5Step('Innføring', INTRO_AU), cmi5Step('Prøve', TEST_AU)]);
    const bothDone = await publishedPath(db, world, [cmi5Step('Innføring', INTRO_AU)]);
    const [intro, test] = twoAus.stepIds as [string, string];
    const launcher = await person(db, world.inRegion);
    const hr = await employee(db, world.inRegion, 'M-cmi5');
    const satisfied = (idempotencyKey: string): { idempotencyKey: string; outcome: StepOutcome } => ({ idempotencyKey, outcome: { kind: 'cmi5', packageId: course.id, satisfied: true } });
    const registration = async (enrolmentId: string, personId: string, stepId: string, closed = false) => {
      const id = randomUUID();
      await db.insertInto('cmi5_registrations').values({ registration: id, tenant_id: world.inRegion, enrolment_id: enrolmentId, person_id: personId, step_id: stepId, package_id: course.id, package_tenant_id: world.inRegion, closes_at: closed ? new Date() : null }).execute();
      return id;
    };

    // HR's person enrolled first and satisfied the test; the launcher satisfied the introduction. One
    // step done each: the earlier enrolment (HR's) is kept, and takes the launcher's introduction.
    const kept = await enrol(db, world.inRegion, { personId: hr.personId, pathId: twoAus.pathId });
    const merged = await enrol(db, world.inRegion, { personId: launcher, pathId: twoAus.pathId });
    await deliverOutcome(db, world.inRegion, { enrolmentId: kept.enrolmentId, stepId: test, ...satisfied('hr-test') });
    await deliverOutcome(db, world.inRegion, { enrolmentId: merged.enrolmentId, stepId: intro, ...satisfied('launcher-intro') });
    const hrIntro = await registration(kept.enrolmentId, hr.personId, intro);
    const hrTest = await registration(kept.enrolmentId, hr.personId, test);
    const launcherIntro = await registration(merged.enrolmentId, launcher, intro);
    const launcherTest = await registration(merged.enrolmentId, launcher, test);
    const launcherOld = await registration(merged.enrolmentId, launcher, intro, true);
    // Both completed the other path: the launcher's enrolment is kept apart, with its registration.
    const apart: Record<string, string> = {};
    for (const who of [hr.personId, launcher]) {
      const { enrolmentId } = await enrol(db, world.inRegion, { personId: who, pathId: bothDone.pathId });
      await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: bothDone.stepIds[0]!, ...satisfied(`done-${who}`) });
      apart[who] = await registration(enrolmentId, who, bothDone.stepIds[0]!);
    }

    const summary = await db.transaction().execute((trx) => mergePeople(trx, world.inRegion, launcher, hr.personId));
    expect(summary).toMatchObject({ enrolmentsCombined: 1, enrolmentsKeptApart: 1, personRemoved: false });
    expect(await db.selectFrom('path_enrolments').select('id').where('id', '=', merged.enrolmentId).execute()).toEqual([]);

    // No registration names an enrolment that is gone.
    const orphans = await db.selectFrom('cmi5_registrations as r').leftJoin('path_enrolments as e', 'e.id', 'r.enrolment_id')
      .select('r.registration').where('r.enrolment_id', 'is not', null).where('e.id', 'is', null).execute();
    expect(orphans).toEqual([]);
    const rows = await db.selectFrom('cmi5_registrations').select(['registration', 'enrolment_id', 'person_id', 'step_id', 'closes_at'])
      .where('registration', 'in', [hrIntro, hrTest, launcherIntro, launcherTest, launcherOld, apart[hr.personId]!, apart[launcher]!]).execute();
    const row = (id: string) => rows.find((r) => r.registration === id)!;
    for (const id of [hrIntro, hrTest, launcherIntro, launcherTest, launcherOld]) expect(row(id)).toMatchObject({ enrolment_id: kept.enrolmentId, person_id: hr.personId });
    // The introduction's progress came from the launcher: their registration stays open, HR's closes.
    // The test's stayed HR's: HR's registration stays open, the launcher's closes. The old one stays closed.
    const open = rows.filter((r) => r.enrolment_id === kept.enrolmentId && r.closes_at === null).map((r) => [r.step_id, r.registration] as const);
    expect(new Map(open)).toEqual(new Map([[intro, launcherIntro], [test, hrTest]]));
    expect(row(launcherOld).closes_at).not.toBeNull();
    // The launcher keeps the enrolment kept apart and its registration.
    expect(row(apart[launcher]!).person_id).toBe(launcher);
    expect(row(apart[hr.personId]!).person_id).toBe(hr.personId);
    const progress = await getProgress(db, world.inRegion, kept.enrolmentId);
    expect(progress.steps.map((s) => s.status)).toEqual(['completed', 'completed']);
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
