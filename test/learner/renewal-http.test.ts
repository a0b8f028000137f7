import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { courseProgress } from '../../src/paths/course-progress.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { listEnrolmentEvents } from '../../src/paths/events.js';
import { gradePassback } from '../../src/web/learner/grade-passback.js';
import { waitFor } from '../scorm/support/wait.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld, type SessionInfo } from './support.js';

const web = (title: string): NewStep =>
  ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep);

describe(`taking a completed path again over HTTP (${BACKEND})`, { timeout: 90_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let kari: SessionInfo;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    await applyCatalogueImport(db(), kari.tenantId, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;\nFelles;forstehjelp;Førstehjelp;\nFelles;hlr;HLR;\nFelles;smittevern;Smittevern;\n', OPERATOR);
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  const page = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location') ?? undefined, body: await response.text() };
  };
  const idOf = (location: string) => location.split('/')[3]!.split('?')[0]!;
  /** Kari's attempts at the path. */
  const attempts = async (pathId: string) => db().selectFrom('path_enrolments').select(['id', 'superseded_at', 'renews_enrolment_id'])
    .where('path_id', '=', pathId).where('person_id', '=', kari.personId).orderBy('started_at').execute();

  /** Launches a new course link of the path as Kari and completes every step through the step forms. */
  async function launchAndComplete(pathId: string, stepIds: readonly string[]) {
    const link = await world.lms.addLink({ title: 'Brannvern', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    const enrolmentId = idOf(launched.location!);
    for (const stepId of stepIds) {
      const stepPage = await page(launched.location!.replace('?', `/steps/${stepId}?`));
      expect((await postForm(url, `/learn/enrolments/${enrolmentId}/steps/${stepId}`, formFields(stepPage.body, 'done'))).status).toBe(303);
    }
    const completion = await db().selectFrom('path_completions').select('id').where('enrolment_id', '=', enrolmentId).executeTakeFirstOrThrow();
    await waitFor('the completion is documented as a holding', async () =>
      (await db().selectFrom('competence_holdings').select('id').where('path_completion_id', '=', completion.id).execute()).length === 1);
    return { launched, enrolmentId, linkId: link.id, session: launched.sessionToken! };
  }

  it('refuses a new attempt while the holding is valid beyond the window, and of a path in progress', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les')], { title: 'Brannvern årlig', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });
    const { launched, enrolmentId, session } = await launchAndComplete(pathId, stepIds);
    const shown = await page(launched.location!);
    expect(shown.body).toContain('data-completed');
    expect(shown.body).not.toContain('data-renewal');
    // A hand-made form: refused, and nothing changes.
    const refused = await postForm(url, `/learn/enrolments/${enrolmentId}/attempts`, { session, request: randomUUID() });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('data-unavailable="attempt-not-allowed"');
    expect(await attempts(pathId)).toHaveLength(1);

    const { pathId: other } = await publishPath(testDb.database, kari.tenantId, [web('Les'), web('Se')], { title: 'Under arbeid', settings: { grants: [{ competence: 'brannvern', validMonths: 1 }] } });
    const link = await world.lms.addLink({ title: 'Under arbeid', custom: { laeringslop_path: other } });
    const inProgress = await launch(url, 'learner', link.id);
    expect((await postForm(url, `/learn/enrolments/${idOf(inProgress.location!)}/attempts`, { session: inProgress.sessionToken!, request: randomUUID() })).status).toBe(409);
    expect(await attempts(other)).toHaveLength(1);
  });

  it('offers "Ta løpet på nytt" within the renewal window; the new attempt starts fresh, the old one is closed', async () => {
    // One month's validity: the holding expires within the 90-day window as soon as it is written.
    // (Each test's path grants a competence of its own: a longer holding of the same competence would need no renewal.)
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les'), web('Se')], { title: 'Førstehjelp', settings: { grants: [{ competence: 'forstehjelp', validMonths: 1 }] } });
    const { launched, enrolmentId: first, linkId, session } = await launchAndComplete(pathId, stepIds);
    const shown = await page(launched.location!);
    expect(shown.body).toContain('data-renewal="expiring"');
    expect(shown.body).toContain('Ta løpet på nytt');
    expect((await page(`${launched.location!}&lang=nn`)).body).toContain('Kompetansen du fekk frå dette læringsløpet, går ut');
    expect((await page(`${launched.location!}&lang=en`)).body).toContain('Take the path again');
    const form = formFields(shown.body, 'new-attempt');

    // Someone else posting Kari's form with their own session: as if the enrolment did not exist.
    const ola = await launch(url, 'learner', linkId, true);
    expect((await postForm(url, `/learn/enrolments/${first}/attempts`, { ...form, session: ola.sessionToken! })).status).toBe(404);
    // Without the form's request id: refused.
    expect((await postForm(url, `/learn/enrolments/${first}/attempts`, { session })).status).toBeGreaterThanOrEqual(400);
    expect(await attempts(pathId)).toHaveLength(1);

    const started = await postForm(url, `/learn/enrolments/${first}/attempts`, form);
    expect(started.status).toBe(303);
    const second = idOf(started.headers.get('location')!);
    expect(second).not.toBe(first);
    expect(await attempts(pathId)).toEqual([
      { id: first, superseded_at: expect.any(Date), renews_enrolment_id: null },
      { id: second, superseded_at: null, renews_enrolment_id: first },
    ]);
    const fresh = await page(started.headers.get('location')!);
    expect(fresh.body).toContain('data-attempt="2"');
    expect(fresh.body).toContain('0 av 2 trinn fullført');
    expect(fresh.body).toContain('data-earlier-completion');
    expect(fresh.body).not.toContain('data-completed');
    expect(fresh.body).not.toContain('data-renewal');
    // The same form again (a double click, a replay): led to the current attempt, nothing started.
    const replay = await postForm(url, `/learn/enrolments/${first}/attempts`, form);
    expect(replay.status).toBe(303);
    expect(idOf(replay.headers.get('location')!)).toBe(second);
    expect(await attempts(pathId)).toHaveLength(2);
    // The earlier attempt's pages lead to the current one; a step form posted to it delivers nothing.
    const old = await page(launched.location!);
    expect(old.status).toBe(303);
    expect(idOf(old.location!)).toBe(second);
    const before = await db().selectFrom('path_outcome_receipts').select('idempotency_key').where('enrolment_id', 'in', [first, second]).execute();
    const oldStep = await postForm(url, `/learn/enrolments/${first}/steps/${stepIds[0]}`, { session, request: randomUUID(), action: 'done' });
    expect(oldStep.status).toBe(303);
    expect(await db().selectFrom('path_outcome_receipts').select('idempotency_key').where('enrolment_id', 'in', [first, second]).execute()).toEqual(before);
    // A relaunch from the course leads to the new attempt; the list shows the path once.
    const relaunch = await launch(url, 'learner', linkId);
    expect(idOf(relaunch.location!)).toBe(second);
    const mine = await page(`/learn?session=${session}`);
    expect(mine.body.match(new RegExp(`data-enrolment="(${first}|${second})"`, 'g'))).toEqual([`data-enrolment="${second}"`]);
  });

  it('grade passback: the gradebook keeps the earlier result while the new attempt is under way, then gets the new completion', async () => {
    const scorm: NewStep = { type: 'scorm', title: 'Grunnkurs', required: true, config: { packageId: 'pkg-1', completion: { rule: 'passed' } } } as NewStep;
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [scorm, web('Les')], { title: 'HLR med test', settings: { grants: [{ competence: 'hlr', validMonths: 1 }] } });
    const link = await world.lms.addLink({ title: 'Brannvern med test', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    const { resourceLinkId } = await sessionInfo(url, launched.sessionToken!);
    const queued = async () => (await db().selectFrom('lti_ags_outbox').select('score').where('resource_link_id', '=', resourceLinkId).where('person_id', '=', kari.personId).execute())
      .map((r) => (r.score as { activityProgress: string }).activityProgress).sort();
    /** The SCO reports passed with 80 %, then the web step is marked done through its form. */
    async function walk(enrolmentId: string) {
      await deliverOutcome(db(), kari.tenantId, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: `sco:${enrolmentId}`, outcome: { kind: 'sco', packageId: 'pkg-1', completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.8 } });
      const stepEvent = (await listEnrolmentEvents(db(), kari.tenantId, enrolmentId)).find((e) => e.type === 'step-completed')!;
      await gradePassback(db())(stepEvent);
      const stepPage = await page(`/learn/enrolments/${enrolmentId}/steps/${stepIds[1]}?session=${launched.sessionToken}`);
      expect((await postForm(url, `/learn/enrolments/${enrolmentId}/steps/${stepIds[1]}`, formFields(stepPage.body, 'done'))).status).toBe(303);
      return stepEvent;
    }
    const first = idOf(launched.location!);
    const firstStep = await walk(first);
    // The first attempt: its score so far, then its completion.
    await waitFor('the first attempt reaches the outbox', async () => (await queued()).length === 2);
    expect(await queued()).toEqual(['Completed', 'InProgress']);
    expect(await db().selectFrom('path_passback_receipts').select('event_id').where('event_id', '=', firstStep.id).execute()).toHaveLength(1);
    await waitFor('the completion is documented as a holding', async () =>
      (await db().selectFrom('competence_holdings as h').innerJoin('path_completions as c', 'c.id', 'h.path_completion_id').select('h.id').where('c.enrolment_id', '=', first).execute()).length === 1);

    const started = await postForm(url, `/learn/enrolments/${first}/attempts`, formFields((await page(launched.location!)).body, 'new-attempt'));
    const second = idOf(started.headers.get('location')!);
    // The new attempt keeps the LMS link the earlier one was launched from.
    const links = async (enrolmentId: string) => (await db().selectFrom('path_enrolment_links').select('resource_link_id').where('enrolment_id', '=', enrolmentId).execute()).map((l) => l.resource_link_id);
    expect(await links(second)).toEqual([resourceLinkId]);
    const secondStep = await walk(second);
    await waitFor('the new completion reaches the outbox', async () => (await queued()).length === 3);
    // No "in progress" score of the new attempt over the completed result: only its completion.
    expect(await queued()).toEqual(['Completed', 'Completed', 'InProgress']);
    expect(await db().selectFrom('path_passback_receipts').select('event_id').where('event_id', '=', secondStep.id).execute()).toEqual([]);
  });

  it('the course view shows where the learner stands in the current attempt', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les'), web('Se')], { title: 'Smittevern', settings: { grants: [{ competence: 'smittevern', validMonths: 1 }] } });
    const { launched, session } = await launchAndComplete(pathId, stepIds);
    const account = await db().selectFrom('lti_users').select(['issuer', 'subject']).where('person_id', '=', kari.personId).executeTakeFirstOrThrow();
    const members = [{ userId: account.subject, status: 'Active', roles: ['Learner'] }];
    const view = async () => (await courseProgress(db(), { tenantId: kari.tenantId, issuer: account.issuer, pathId, members })).learners[0]!;
    expect(await view()).toMatchObject({ status: 'completed', stepsCompleted: 2 });
    const started = await postForm(url, `/learn/enrolments/${idOf(launched.location!)}/attempts`, formFields((await page(launched.location!)).body, 'new-attempt'));
    expect(started.status).toBe(303);
    expect(await view()).toMatchObject({ status: 'in-progress', currentStep: 'Les', stepsCompleted: 0, completedAt: null });
    const second = idOf(started.headers.get('location')!);
    for (const stepId of stepIds) {
      const stepPage = await page(`/learn/enrolments/${second}/steps/${stepId}?session=${session}`);
      await postForm(url, `/learn/enrolments/${second}/steps/${stepId}`, formFields(stepPage.body, 'done'));
    }
    const completions = await db().selectFrom('path_completions').select('completed_at').where('path_id', '=', pathId).orderBy('completed_at').execute();
    expect(await view()).toMatchObject({ status: 'completed', stepsCompleted: 2, completedAt: completions[1]!.completed_at });
  });
});
