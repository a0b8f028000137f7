import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStep, duplicatePath, editStep, getDraft, publish, removeStep, reorderSteps, updateDraftSettings } from '../../src/paths/drafts.js';
import { createPath, findPublishedVersion, findVisiblePath, listPublishedVersions, listVisiblePaths, loadPublishedVersion, setSharing } from '../../src/paths/paths.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, person, scormStep, webStep, type World, refusal } from './fixtures.js';

describe(`paths model (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  it('creates a path with a draft, edits steps, reorders, removes and publishes immutable versions', async () => {
    const db = testDb.database.db;
    const path = await createPath(db, world.inRegion, { title: 'Personvern i praksis', description: 'For alle ansatte', language: 'nn', createdBy: world.designer });
    expect(path).toMatchObject({ tenantId: world.inRegion, sharing: 'tenant', latestVersion: null, language: 'nn' });
    const first = await addStep(db, world.inRegion, path.id, scormStep());
    const second = await addStep(db, world.inRegion, path.id, { ...webStep(false), requires: [first] });
    await editStep(db, world.inRegion, path.id, second, { title: 'Se filmen', required: true });
    await updateDraftSettings(db, world.inRegion, path.id, { dueAfterDays: 30, grants: [{ competence: 'personvern', validMonths: 12 }], score: { kind: 'step', stepId: first } });
    const v1 = await publish(db, world.inRegion, path.id, world.designer);
    expect(v1.number).toBe(1);

    // The draft moves on; version 1 stays as it was.
    const third = await addStep(db, world.inRegion, path.id, { type: 'evaluation', title: 'Evaluering', required: false,
      config: { questions: [{ id: 'nytte', kind: 'scale', text: 'Var det nyttig?', min: 1, max: 5 }] } }, 0);
    await expect(refusal(reorderSteps(db, world.inRegion, path.id, [first, second]))).resolves.toMatchObject({ code: 'invalid-definition' });
    // Moving the evaluation behind the others is fine; moving the prerequisite after its dependant is not.
    await reorderSteps(db, world.inRegion, path.id, [first, second, third]);
    const wrongOrder = await refusal(reorderSteps(db, world.inRegion, path.id, [second, first, third]));
    expect(wrongOrder.problems[0]?.message).toMatch(/not an earlier step/);
    await expect(refusal(removeStep(db, world.inRegion, path.id, first))).resolves.toMatchObject({ code: 'invalid-definition' });
    const v2 = await publish(db, world.inRegion, path.id, world.designer);
    expect(v2.number).toBe(2);

    const one = await loadPublishedVersion(db, v1.versionId);
    const two = await loadPublishedVersion(db, v2.versionId);
    expect(one.definition.steps.map((s) => s.id)).toEqual([first, second]);
    expect(two.definition.steps.map((s) => s.id)).toEqual([first, second, third]);
    expect(one.definition).toMatchObject({ dueAfterDays: 30, grants: [{ competence: 'personvern', validMonths: 12 }], language: 'nn' });
    expect(two.definition.steps[1]).toMatchObject({ title: 'Se filmen', required: true, requires: [first] });
    expect((await listPublishedVersions(db, world.inRegion, path.id)).map((v) => v.number)).toEqual([1, 2]);
  });

  it('the database refuses to change or delete a published version, whatever the code does', async () => {
    const db = testDb.database.db;
    const path = await createPath(db, world.inRegion, { title: 'Førstehjelp', language: 'nb', createdBy: world.designer });
    await addStep(db, world.inRegion, path.id, webStep());
    const { versionId } = await publish(db, world.inRegion, path.id, world.designer);
    await expect(db.updateTable('path_versions').set({ definition: JSON.stringify({ title: 'endret' }) }).where('id', '=', versionId).execute())
      .rejects.toThrow(/cannot be changed/);
    await expect(db.updateTable('path_versions').set({ status: 'draft', number: null }).where('id', '=', versionId).execute()).rejects.toThrow(/cannot be changed/);
    await expect(db.deleteFrom('path_versions').where('id', '=', versionId).execute()).rejects.toThrow(/cannot be changed/);
    await expect(sql`update path_versions set published_at = now() where path_id = ${path.id}`.execute(db)).rejects.toThrow(/cannot be changed/);
    // The draft of the same path is still editable.
    await updateDraftSettings(db, world.inRegion, path.id, { title: 'Førstehjelp 2027' });
    expect((await getDraft(db, world.inRegion, path.id)).title).toBe('Førstehjelp 2027');
    expect((await loadPublishedVersion(db, versionId)).definition.title).toBe('Førstehjelp');
  });

  it('refuses invalid steps and publishing an empty draft', async () => {
    const db = testDb.database.db;
    const path = await createPath(db, world.inRegion, { title: 'Tom', language: 'en', createdBy: world.designer });
    expect((await refusal(publish(db, world.inRegion, path.id, world.designer))).problems[0]?.path).toBe('steps');
    const bad = await refusal(addStep(db, world.inRegion, path.id, { type: 'session', title: 'Kurs', required: true,
      config: { date: '2026-13-01', startTime: '25:00', place: 'Rådhuset', capacity: 0 } }));
    expect(bad.code).toBe('invalid-definition');
    expect(bad.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['steps.0.config.date', 'steps.0.config.startTime', 'steps.0.config.capacity']));
    await expect(refusal(addStep(db, world.inRegion, path.id, { type: 'scorm', title: 'x', required: true, config: { packageId: '', completion: { rule: 'score', minimumScaled: 2 } } })))
      .resolves.toMatchObject({ code: 'invalid-definition' });
    const id = await addStep(db, world.inRegion, path.id, webStep());
    // A step's type never changes; its config is validated against its own type.
    await expect(refusal(editStep(db, world.inRegion, path.id, id, { config: { packageId: 'p', completion: { rule: 'passed' } } })))
      .resolves.toMatchObject({ code: 'invalid-definition' });
    await expect(refusal(editStep(db, world.inRegion, path.id, crypto.randomUUID(), { title: 'x' }))).resolves.toMatchObject({ code: 'step-not-found' });
    await expect(refusal(createPath(db, world.inRegion, { title: '   ', language: 'nb', createdBy: world.designer }))).resolves.toMatchObject({ code: 'invalid-definition' });
  });

  it('lists and searches what a tenant may see: own, region-shared, shared with everyone', async () => {
    const db = testDb.database.db;
    const own = await createPath(db, world.inRegion, { title: 'Velferdsteknologi grunnkurs', language: 'nb', createdBy: world.designer });
    const regional = await createPath(db, world.inRegion, { title: 'Regional beredskap', language: 'nb', sharing: 'region', createdBy: world.designer });
    const outsider = await person(db, world.outside);
    const national = await createPath(db, world.outside, { title: 'Nasjonal 100% veileder', language: 'nb', sharing: 'everyone', createdBy: outsider });
    const secret = await createPath(db, world.outside, { title: 'Intern rutine', language: 'nb', createdBy: outsider });
    const ids = async (tenant: string, search?: string) => (await listVisiblePaths(db, tenant, search ? { search } : {})).map((p) => p.id);

    expect(await ids(world.inRegion)).toEqual(expect.arrayContaining([own.id, regional.id, national.id]));
    expect(await ids(world.inRegion)).not.toContain(secret.id);
    expect(await ids(world.alsoInRegion)).toEqual(expect.arrayContaining([regional.id, national.id]));
    expect(await ids(world.alsoInRegion)).not.toContain(own.id);
    expect(await ids(world.region)).toContain(regional.id);
    expect(await ids(world.outside)).not.toContain(regional.id);
    expect(await ids(world.outside)).toEqual(expect.arrayContaining([national.id, secret.id]));

    expect(await ids(world.inRegion, 'velferd GRUNNKURS')).toEqual([own.id]);
    expect(await ids(world.inRegion, '100%')).toEqual([national.id]);
    expect(await ids(world.inRegion, '%')).toEqual([national.id]);
    expect(await ids(world.inRegion, 'Intern')).toEqual([]);

    await setSharing(db, world.inRegion, own.id, 'region');
    expect(await ids(world.alsoInRegion)).toContain(own.id);
    await expect(refusal(setSharing(db, world.alsoInRegion, own.id, 'everyone'))).resolves.toMatchObject({ code: 'path-not-found' });
    expect(await findVisiblePath(db, world.outside, own.id)).toBeUndefined();
  });

  it("never reads or edits another tenant's draft, and publishes only its own", async () => {
    const db = testDb.database.db;
    const path = await createPath(db, world.inRegion, { title: 'Delt', language: 'nb', sharing: 'region', createdBy: world.designer });
    await addStep(db, world.inRegion, path.id, webStep());
    const neighbour = await person(db, world.alsoInRegion);
    await expect(refusal(getDraft(db, world.alsoInRegion, path.id))).resolves.toMatchObject({ code: 'path-not-found' });
    await expect(refusal(addStep(db, world.alsoInRegion, path.id, webStep()))).resolves.toMatchObject({ code: 'path-not-found' });
    await expect(refusal(updateDraftSettings(db, world.outside, path.id, { title: 'Kapret' }))).resolves.toMatchObject({ code: 'path-not-found' });
    await expect(refusal(publish(db, world.alsoInRegion, path.id, neighbour))).resolves.toMatchObject({ code: 'path-not-found' });
    // The designer must be a person of the owning tenant.
    await expect(refusal(publish(db, world.inRegion, path.id, neighbour))).resolves.toMatchObject({ code: 'person-not-found' });
    await expect(refusal(createPath(db, world.outside, { title: 'x', language: 'nb', createdBy: world.designer }))).resolves.toMatchObject({ code: 'person-not-found' });
    const { versionId } = await publish(db, world.inRegion, path.id, world.designer);
    expect(await findPublishedVersion(db, world.alsoInRegion, versionId)).toBeDefined();
    expect(await findPublishedVersion(db, world.outside, versionId)).toBeUndefined();
    expect(await listPublishedVersions(db, world.outside, path.id)).toEqual([]);
  });

  it('duplicates: the owner copies its draft, a region neighbour the newest published version', async () => {
    const db = testDb.database.db;
    const path = await createPath(db, world.inRegion, { title: 'Original', language: 'nb', sharing: 'region', createdBy: world.designer });
    const stepId = await addStep(db, world.inRegion, path.id, webStep());
    await publish(db, world.inRegion, path.id, world.designer);
    await addStep(db, world.inRegion, path.id, scormStep());
    const ownCopy = await duplicatePath(db, world.inRegion, path.id, world.designer, 'Kopi');
    expect((await getDraft(db, world.inRegion, ownCopy.id)).steps).toHaveLength(2);
    const neighbour = await person(db, world.alsoInRegion);
    const theirCopy = await duplicatePath(db, world.alsoInRegion, path.id, neighbour);
    expect(theirCopy).toMatchObject({ tenantId: world.alsoInRegion, title: 'Original', sharing: 'tenant', latestVersion: null });
    expect((await getDraft(db, world.alsoInRegion, theirCopy.id)).steps.map((s) => s.id)).toEqual([stepId]);
    await expect(refusal(duplicatePath(db, world.outside, path.id, await person(db, world.outside)))).resolves.toMatchObject({ code: 'path-not-found' });
  });
});
