import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { assignmentStatus, assignPath, gapsWithPaths, listAssignments } from '../../src/competence/assignments.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { personRequirements } from '../../src/competence/gaps.js';
import { grantFromCompletion } from '../../src/competence/holdings.js';
import { renewalOffer } from '../../src/competence/renewal.js';
import { addRequirement } from '../../src/competence/requirements.js';
import { completionsPage, START } from '../../src/completions/pull.js';
import { currentAttempt, startNewAttempt } from '../../src/paths/attempts.js';
import { publish, updateDraftSettings, type NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol, getProgress, listCompletions } from '../../src/paths/enrolments.js';
import { PathError } from '../../src/paths/errors.js';
import { listEnrolmentEvents } from '../../src/paths/events.js';
import { listOwnPaths } from '../../src/paths/own-paths.js';
import { mergePeople } from '../../src/people/merge-people.js';
import { createPerson } from '../../src/people/people.js';
import { loadFacts } from '../../src/xapi/emission/facts.js';
import { statementsForEvent } from '../../src/xapi/emission/statements.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { publishPath } from '../learner/support.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep);
const at = (iso: string) => ({ now: () => new Date(iso) });

describe(`taking a path again to renew its competence (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: OrgWorld;
  let fireId: string;
  let firePath: string;
  let fireSteps: string[];
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await orgWorld(db());
    await applyCatalogueImport(db(), world.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\n', OPERATOR);
    fireId = (await findCompetence(db(), world.as, 'brannvern'))!.id;
    await addRequirement(db(), world.as, { competence: fireId, jobTitle: 'Sykepleier', mandatory: 'mandatory' }, OPERATOR);
    ({ pathId: firePath, stepIds: fireSteps } = await publishPath(testDb.database, world.as, [web('Les'), web('Se')], {
      title: 'Brannvern', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] },
    }));
  });
  afterAll(async () => testDb?.dispose());

  async function complete(personId: string, enrolmentId: string, iso: string): Promise<string> {
    let completionId: string | null = null;
    const { steps } = await getProgress(db(), world.as, enrolmentId);
    for (const step of steps) {
      const result = await deliverOutcome(db(), world.as, { enrolmentId, stepId: step.stepId, idempotencyKey: `done:${enrolmentId}:${step.stepId}`, outcome: { kind: 'web', event: 'done' } }, at(iso));
      completionId ??= result.completionId;
    }
    expect(completionId).not.toBeNull();
    await grantFromCompletion(db(), completionId!);
    expect((await currentAttempt(db(), world.as, personId, firePath))?.status).toBe('completed');
    return completionId!;
  }

  async function refusedWith(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PathError);
    return (error as PathError).code;
  }

  it('offers a new attempt from 90 days before the holding expires, and after it expired; never before', async () => {
    const anne = world.people.anne;
    const { enrolmentId } = await enrol(db(), world.as, { personId: anne, pathId: firePath }, at('2026-02-01T09:00:00Z'));
    // In progress: nothing to renew, and no new attempt.
    expect(await renewalOffer(db(), world.as, anne, firePath, '2026-02-01')).toBeUndefined();
    expect(await refusedWith(startNewAttempt(db(), world.as, anne, enrolmentId))).toBe('attempt-not-allowed');
    await complete(anne, enrolmentId, '2026-02-01T09:00:00Z');
    // 12 months from 2026-02-01: no longer valid from 2027-02-01.
    expect(await renewalOffer(db(), world.as, anne, firePath, '2026-11-02')).toBeUndefined();
    expect(await renewalOffer(db(), world.as, anne, firePath, '2026-11-03')).toEqual({ reason: 'expiring', expiresOn: '2027-02-01', dueOn: null });
    expect(await renewalOffer(db(), world.as, anne, firePath, '2027-01-31')).toMatchObject({ reason: 'expiring' });
    expect(await renewalOffer(db(), world.as, anne, firePath, '2027-02-01')).toEqual({ reason: 'expired', expiresOn: '2027-02-01', dueOn: null });
    // Launching again leads to the same (completed) attempt.
    expect((await enrol(db(), world.as, { personId: anne, pathId: firePath })).enrolmentId).toBe(enrolmentId);
  });

  it('starts a fresh attempt on the newest version; the earlier attempt and its completion stay as they were', async () => {
    const anne = world.people.anne;
    const first = (await currentAttempt(db(), world.as, anne, firePath))!.enrolmentId;
    const [oldCompletion] = await db().selectFrom('path_completions').selectAll().where('enrolment_id', '=', first).execute();
    const [oldHolding] = await db().selectFrom('competence_holdings').selectAll().where('path_completion_id', '=', oldCompletion!.id).execute();
    // The designer publishes version 2 meanwhile (a due date of 14 days).
    await updateDraftSettings(db(), world.as, firePath, { dueAfterDays: 14 });
    const v2 = await publish(db(), world.as, firePath, world.asAdmin);
    // Someone else, another municipality: as if the enrolment did not exist.
    expect(await refusedWith(startNewAttempt(db(), world.as, world.people.cecilie, first))).toBe('enrolment-not-found');
    expect(await refusedWith(startNewAttempt(db(), world.berg, anne, first))).toBe('enrolment-not-found');

    const { enrolmentId: second } = await startNewAttempt(db(), world.as, anne, first, at('2027-01-15T08:00:00Z'));
    expect(second).not.toBe(first);
    // Two clicks: the second finds the first attempt superseded and starts nothing.
    expect(await refusedWith(startNewAttempt(db(), world.as, anne, first))).toBe('attempt-not-allowed');
    const progress = await getProgress(db(), world.as, second);
    expect(progress).toMatchObject({ attempt: 2, status: 'in_progress', versionNumber: v2.number, supersededAt: null, dueAt: new Date('2027-01-29T08:00:00Z') });
    expect(progress.steps.map((s) => [s.stepId, s.status])).toEqual(fireSteps.map((id) => [id, 'not-started']));
    expect(await db().selectFrom('path_step_progress').select('step_id').where('enrolment_id', '=', second).execute()).toEqual([]);
    expect((await getProgress(db(), world.as, first)).supersededAt).toEqual(new Date('2027-01-15T08:00:00Z'));
    // Launching leads to the new attempt; the learner's list shows it once, as attempt 2.
    expect((await enrol(db(), world.as, { personId: anne, pathId: firePath })).enrolmentId).toBe(second);
    expect((await listOwnPaths(db(), world.as, anne)).map((p) => [p.enrolmentId, p.attempt])).toEqual([[second, 2]]);
    // The new attempt's path-started event says which attempt it follows (its own registration in xAPI).
    const [started] = await listEnrolmentEvents(db(), world.as, second);
    expect(started).toMatchObject({ type: 'path-started', payload: { renewsEnrolmentId: first } });
    // Nothing of the earlier attempt changed, and its record cannot change.
    expect(await db().selectFrom('path_completions').selectAll().where('enrolment_id', '=', first).execute()).toEqual([oldCompletion]);
    await expect(sql`update path_completions set score = 1 where id = ${oldCompletion!.id}`.execute(db())).rejects.toThrow(/cannot be changed/);

    const newCompletion = await complete(anne, second, '2027-01-20T10:00:00Z');
    expect(newCompletion).not.toBe(oldCompletion!.id);
    // The new completion's holding renews the old one; the old holding is unchanged.
    const [newHolding] = await db().selectFrom('competence_holdings').selectAll().where('path_completion_id', '=', newCompletion).execute();
    expect(newHolding).toMatchObject({ renews_id: oldHolding!.id, achieved_on: '2027-01-20', expires_on: '2028-01-20' });
    expect(await db().selectFrom('competence_holdings').selectAll().where('id', '=', oldHolding!.id).execute()).toEqual([oldHolding]);
    expect(await renewalOffer(db(), world.as, anne, firePath, '2027-02-01')).toBeUndefined();
    const requirement = (await personRequirements(db(), world.as, anne, '2027-02-01')).find((r) => r.requirement.competence.id === fireId);
    expect(requirement).toMatchObject({ status: 'met', validUntil: '2028-01-20' });
    expect((await listCompletions(db(), world.as, { personId: anne, pathId: firePath })).map((c) => c.enrolmentId)).toEqual([first, second]);
  });

  it('the completions pull lists each attempt’s completion with its own expiry; xAPI statements carry each attempt as its registration', async () => {
    const anne = world.people.anne;
    const page = await completionsPage(db(), world.as, { range: { since: null, until: null }, after: START, limit: 10 });
    const mine = page.rows.filter((r) => r.person.id === anne);
    expect(mine.map((r) => [r.path.id, r.completedAt.slice(0, 10), r.expiresOn])).toEqual([
      [firePath, '2026-02-01', '2027-02-01'],
      [firePath, '2027-01-20', '2028-01-20'],
    ]);
    const attempts = await db().selectFrom('path_enrolments').select('id').where('person_id', '=', anne).orderBy('started_at').execute();
    const registrations = [];
    for (const { id } of attempts) {
      const events = (await listEnrolmentEvents(db(), world.as, id)).filter((e) => e.type === 'path-completed');
      const facts = await loadFacts(db(), events, 'https://tool.example');
      const statements = events.flatMap((e, i) => statementsForEvent(e, facts[i]!, 'https://tool.example'));
      registrations.push([...new Set(statements.map((s) => (s as { context: { registration: string } }).context.registration))]);
    }
    expect(registrations).toEqual(attempts.map((a) => [a.id]));
  });

  it('a manager may assign a completed path again when its holding has expired; only the new attempt completes the assignment', async () => {
    const cecilie = world.people.cecilie;
    const manager = { role: 'manager' as const, personId: world.people.ingrid };
    const { enrolmentId: first } = await enrol(db(), world.as, { personId: cecilie, pathId: firePath }, at('2025-06-01T09:00:00Z'));
    const firstCompletion = await complete(cecilie, first, '2025-06-01T09:00:00Z');
    const day = '2027-01-10';
    // Valid, the path is taken once: not offered, and assigning it is refused.
    expect(await renewalOffer(db(), world.as, cecilie, firePath, '2025-07-01')).toBeUndefined();
    // Expired on 2026-06-01: the gap lists the path as one to take again.
    const gaps = await gapsWithPaths(db(), world.as, cecilie, await personRequirements(db(), world.as, cecilie, day));
    expect(gaps.map((g) => [g.requirement.status, g.paths])).toEqual([['expired', [{ id: firePath, title: 'Brannvern', completed: false }]]]);
    const { id } = await assignPath(db(), world.as, cecilie, { competence: fireId, path: firePath, due: '2027-02-01' }, manager, day);
    expect((await db().selectFrom('competence_assignments').select('renews_completion_id').where('id', '=', id).executeTakeFirstOrThrow()).renews_completion_id).toBe(firstCompletion);
    let [assignment] = await listAssignments(db(), world.as, cecilie);
    expect(assignment).toMatchObject({ id, completedAt: null, enrolmentId: first });
    expect(await renewalOffer(db(), world.as, cecilie, firePath, day)).toEqual({ reason: 'assigned', expiresOn: null, dueOn: '2027-02-01' });
    // Assigning again while it is open returns the same assignment.
    expect(await assignPath(db(), world.as, cecilie, { competence: fireId, path: firePath, due: '2027-02-01' }, manager, day)).toEqual({ id, created: false });

    const { enrolmentId: second } = await startNewAttempt(db(), world.as, cecilie, first, at('2027-01-12T08:00:00Z'));
    [assignment] = await listAssignments(db(), world.as, cecilie);
    expect(assignment).toMatchObject({ completedAt: null, enrolmentId: second });
    await complete(cecilie, second, '2027-01-15T12:00:00Z');
    [assignment] = await listAssignments(db(), world.as, cecilie);
    expect(assignment!.completedAt).toEqual(new Date('2027-01-15T12:00:00Z'));
    expect(assignmentStatus(assignment!, '2027-03-01')).toBe('completed');
    expect(await renewalOffer(db(), world.as, cecilie, firePath, '2027-01-20')).toBeUndefined();
  });

  it('merging a launcher with two attempts into an employee keeps one current attempt and both records', async () => {
    const launcher = (await createPerson(db(), world.as, { name: 'Anne fra LMS' })).id;
    const dag = world.people.dag;
    const { enrolmentId: first } = await enrol(db(), world.as, { personId: launcher, pathId: firePath }, at('2026-01-05T09:00:00Z'));
    const completion = await complete(launcher, first, '2026-01-05T09:00:00Z');
    const { enrolmentId: second } = await startNewAttempt(db(), world.as, launcher, first, at('2026-12-01T09:00:00Z'));
    // Dag had opened the path too, on his own account.
    const { enrolmentId: dags } = await enrol(db(), world.as, { personId: dag, pathId: firePath }, at('2026-12-02T09:00:00Z'));
    const summary = await db().transaction().execute((trx) => mergePeople(trx, world.as, launcher, dag));
    expect(summary).toMatchObject({ enrolmentsCombined: 1, enrolmentsKeptApart: 0, personRemoved: true });
    const attempts = await db().selectFrom('path_enrolments').select(['id', 'superseded_at']).where('person_id', '=', dag).where('path_id', '=', firePath).execute();
    expect(attempts.filter((a) => a.superseded_at === null)).toHaveLength(1);
    expect(attempts.map((a) => a.id)).toContain(first);
    expect([second, dags]).toContain(attempts.find((a) => a.superseded_at === null)!.id);
    expect((await listCompletions(db(), world.as, { personId: dag, pathId: firePath })).map((c) => c.id)).toEqual([completion]);
    expect((await enrol(db(), world.as, { personId: dag, pathId: firePath })).enrolmentId).toBe(attempts.find((a) => a.superseded_at === null)!.id);
  });

  it('a completed path whose holding is still valid cannot be taken again', async () => {
    const bjorn = world.people.bjorn;
    const { enrolmentId } = await enrol(db(), world.as, { personId: bjorn, pathId: firePath }, at('2027-01-05T09:00:00Z'));
    await complete(bjorn, enrolmentId, '2027-01-05T09:00:00Z');
    expect(await renewalOffer(db(), world.as, bjorn, firePath, '2027-01-10')).toBeUndefined();
  });
});
