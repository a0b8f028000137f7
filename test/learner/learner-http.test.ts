import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/lti/session-token.js';
import { createLogger } from '../../src/logger.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { attemptTokens } from '../../src/scorm/attempt-token.js';
import type { ScoOutcome } from '../../src/scorm/ports.js';
import { ScormRuntime } from '../../src/scorm/runtime.js';
import { ScormStepBridge } from '../../src/web/learner/scorm-bridge.js';
import { zipFixture } from '../content/support/package-zip.js';
import { SECRET } from '../lti/support/lti-http.js';
import { uploadPackage } from '../scorm/support/server.js';
import { waitFor } from '../scorm/support/wait.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld, type SessionInfo } from './support.js';

const web = (title: string, done: NewStep['config'] = { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } }): NewStep =>
  ({ type: 'web', title, required: true, estimatedMinutes: 10, config: done } as NewStep);

describe(`learner pages over HTTP (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let kari: SessionInfo;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    const plain = await launch(url, 'learner');
    kari = await sessionInfo(url, plain.sessionToken!);
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  /** Launches `role` through a new course link that opens `pathId`; returns the learner page's URL. */
  async function launchPath(pathId: string, role: 'learner' | 'manager' | 'designer' = 'learner') {
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, role, link.id);
    return { ...launched, linkId: link.id };
  }

  const page = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
    return { status: response.status, body: await response.text(), csp: response.headers.get('content-security-policy') ?? '' };
  };

  it('a launch of a path link enrols the learner and leads to the path page', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les veilederen'), web('Se filmen')], { settings: { dueAfterDays: 30 } });
    const launched = await launchPath(pathId);
    expect(launched.status).toBe(303);
    expect(launched.location).toMatch(/^\/learn\/enrolments\/[0-9a-f-]{36}\?session=/);
    const path = await page(launched.location!);
    expect(path.status).toBe(200);
    expect(path.body).toContain('Informasjonssikkerhet i kommunen');
    expect(path.body).toMatch(/<progress id="path-progress" max="2" value="0">/);
    expect(path.body).toContain('0 av 2 trinn fullført');
    expect(path.body).toContain('Fullføres innen');
    expect(path.body).toContain('Start læringsløpet');
    expect(path.body).toContain(`/steps/${stepIds[0]}?session=`);
    // Framed by the LMS that launched, nothing else.
    expect(path.csp).toContain(`frame-ancestors 'self' ${url}`);
    // Launching again returns to the same enrolment; the link is remembered once.
    const again = await launch(url, 'learner', launched.linkId);
    expect(again.location!.split('?')[0]).toBe(launched.location!.split('?')[0]);
    const links = await db().selectFrom('path_enrolment_links').selectAll().where('enrolment_id', '=', launched.location!.split('/')[3]!.split('?')[0]!).execute();
    expect(links).toHaveLength(1);
    // English on request, and the language links keep the session.
    const english = await page(`${launched.location!}&lang=en`);
    expect(english.body).toContain('0 of 2 steps completed');
    expect(english.body).toMatch(/href="\/learn\/enrolments\/[^"]+\?session=[^"]+&amp;lang=nn"/);
  });

  it('unknown, malformed, unpublished and unshared paths give a readable page', async () => {
    const unknown = await launchPath('00000000-0000-4000-8000-000000000000');
    const shown = await page(unknown.location!);
    expect(shown.status).toBe(404);
    expect(shown.body).toContain('data-unavailable="path-not-found"');
    expect(shown.body).toContain('Læringsløpet kan ikke åpnes');
    expect((await page(`${unknown.location!}&lang=nn`)).body).toContain('Læringsløpet kan ikkje opnast');
    expect((await page((await launchPath('not-a-path')).location!)).body).toContain('data-unavailable="path-not-found"');

    const other = (await testDb.database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9998', name: 'Annen kommune', county_number: '33', county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
    const unshared = await publishPath(testDb.database, other, [web('Trinn')]);
    expect((await page((await launchPath(unshared.pathId)).location!)).body).toContain('data-unavailable="path-not-found"');
    const everyone = await publishPath(testDb.database, other, [web('Trinn')], { sharing: 'everyone' });
    expect((await launchPath(everyone.pathId)).location).toMatch(/^\/learn\/enrolments\//);

    const { createPath } = await import('../../src/paths/paths.js');
    const { createPerson } = await import('../../src/people/people.js');
    const draftOnly = await createPath(db(), kari.tenantId, { title: 'Kladd', language: 'nb', createdBy: (await createPerson(db(), kari.tenantId, { name: 'D' })).id });
    expect((await page((await launchPath(draftOnly.id)).location!)).body).toContain('data-unavailable="not-published"');
    // Designers are not enrolled: their launch goes elsewhere.
    expect((await launchPath(everyone.pathId, 'designer')).location ?? '').not.toMatch(/^\/learn\//);
  });

  it('walks web, self-assessment, evaluation and session steps with post-redirect-get and idempotent forms', async () => {
    const steps: NewStep[] = [
      { type: 'web', title: 'Film', required: true, config: { resource: { kind: 'video', url: 'https://video.example.no/film.mp4' }, done: { by: 'minimum-time', seconds: 120 } } },
      { type: 'self-assessment', title: 'Hvor står du?', required: true, config: { statements: [
        { id: 'a', competence: 'infosik', text: 'Jeg kjenner reglene for passord.' },
        { id: 'b', competence: 'infosik', text: 'Jeg vet hvordan jeg melder avvik.' },
      ], recommendations: [] } },
      { type: 'web', title: 'Fordypning', required: false, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } },
      { type: 'evaluation', title: 'Hva syntes du?', required: true, config: { questions: [
        { id: 'nytte', kind: 'scale', text: 'Hvor nyttig var kurset?', min: 1, max: 5 },
        { id: 'ros', kind: 'text', text: 'Hva bør vi endre?', maxLength: 200 },
      ] } },
      { type: 'session', title: 'Samling', required: false, config: { date: '2026-12-10', startTime: '09:00', endTime: '11:30', place: 'Rådhuset, møterom 2', capacity: 1 } },
    ];
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, steps, {
      resolve: (ids, index) => (index === 1
        ? { config: { ...(steps[1]!.config as object), recommendations: [] } }
        : index === 2 ? { requires: [ids[1]!] } : {}) as Partial<NewStep>,
    });
    // The self-assessment recommends the optional deepening step when the level is below 3.
    const { editStep } = await import('../../src/paths/drafts.js');
    const { publish } = await import('../../src/paths/drafts.js');
    const owner = (await db().selectFrom('paths').select('created_by').where('id', '=', pathId).executeTakeFirstOrThrow()).created_by;
    await editStep(db(), kari.tenantId, pathId, stepIds[1]!, { config: { ...(steps[1]!.config as object), recommendations: [{ competence: 'infosik', belowLevel: 3, stepIds: [stepIds[2]!] }] } });
    await publish(db(), kari.tenantId, pathId, owner);

    const launched = await launchPath(pathId);
    const home = launched.location!;
    const enrolmentId = home.split('/')[3]!.split('?')[0]!;
    const stepUrl = (i: number) => home.replace('?', `/steps/${stepIds[i]}?`);
    const action = (i: number) => `/learn/enrolments/${enrolmentId}/steps/${stepIds[i]}`;

    // Video step: the page embeds the video, allowing only its origin; too early to mark as done.
    const film = await page(stepUrl(0));
    expect(film.body).toContain('<video class="app-video" controls');
    expect(film.csp).toContain('media-src https://video.example.no');
    expect(film.csp).not.toContain('frame-src');
    const early = await postForm(url, action(0), formFields(film.body, 'done'));
    expect(early.status).toBe(409);
    expect(await early.text()).toContain('Det er for tidlig å merke ressursen som fullført');

    // A locked step refuses action: the prerequisite (the self-assessment) is not completed.
    const locked = await page(stepUrl(2));
    expect(locked.body).toContain('data-locked');
    expect(locked.body).toContain('Hvor står du?');
    const forgedOnLocked = await postForm(url, action(2), { ...formFields((await page(stepUrl(0))).body, 'done') });
    expect(forgedOnLocked.status).toBe(403);
    expect((await db().selectFrom('path_step_progress').selectAll().where('enrolment_id', '=', enrolmentId).where('step_id', '=', stepIds[2]!).execute())).toEqual([]);

    // Self-assessment: a missing rating shows the form again with what was given.
    const self = await page(stepUrl(1));
    expect(self.body).toContain('<legend class="ds-label" data-weight="medium">Jeg kjenner reglene for passord.</legend>');
    const fields = formFields(self.body, 'self-assessment');
    const partial = await postForm(url, action(1), { ...fields, 'rating.a': '2' });
    expect(partial.status).toBe(400);
    const partialPage = await partial.text();
    expect(partialPage).toContain('Svar på alle utsagnene før du sender.');
    expect(partialPage).toMatch(/value="2" required checked/);
    const sent = await postForm(url, action(1), { ...fields, 'rating.a': '2', 'rating.b': '2' });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toContain(`saved=${stepIds[1]}`);
    const after = await page(sent.headers.get('location')!);
    expect(after.body).toContain('role="status"');
    expect(after.body).toMatch(new RegExp(`data-step="${stepIds[2]}" data-status="not-started"[\\s\\S]*?data-recommended`));

    // Evaluation: anonymous, answered once even when the form is sent twice.
    const evaluation = await page(stepUrl(3));
    expect(evaluation.body).toContain('Svarene dine er anonyme');
    expect(evaluation.body).toContain('maxlength="200"');
    const evalFields = { ...formFields(evaluation.body, 'evaluation'), 'answer.nytte': '4', 'answer.ros': 'Mer om phishing' };
    expect((await postForm(url, action(3), evalFields)).status).toBe(303);
    expect((await postForm(url, action(3), evalFields)).status).toBe(303);
    // Pending until a release of five or more, and sealed: the words are not in the database.
    const pending = await db().selectFrom('path_evaluation_pending').select('sealed').where('path_id', '=', pathId).execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.sealed).not.toContain('phishing');
    expect(await db().selectFrom('path_evaluation_answers').select('answers').where('path_id', '=', pathId).execute()).toEqual([]);

    // Session: sign up takes the only seat; cancel gives it back.
    const session = await page(stepUrl(4));
    expect(session.body).toContain('Rådhuset, møterom 2');
    expect(session.body).toContain('09:00–11:30');
    expect((await postForm(url, action(4), formFields(session.body, 'sign-up'))).status).toBe(303);
    const signedUp = await page(stepUrl(4));
    expect(signedUp.body).toContain('data-signed-up');
    expect(signedUp.body).toContain('1 av 1 tatt');
    const cancelled = await postForm(url, action(4), formFields(signedUp.body, 'cancel'));
    expect(cancelled.status).toBe(303);
    expect((await page(cancelled.headers.get('location')!)).body).toContain('Du er meldt av.');

    // The path page: the video step is next ("continue" leads there), 2 of 5 done.
    const path = await page(home);
    expect(path.body).toContain('2 av 5 trinn fullført');
    expect(path.body).toContain('Fortsett der du slapp');
    expect(path.body).toMatch(new RegExp(`href="/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}\\?session=[^"]*"[^>]* id="continue"`));
  });

  it('a full session says so and takes no sign-up', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [
      { type: 'session', title: 'Samling', required: true, config: { date: '2026-12-10', startTime: '09:00', place: 'Rådhuset', capacity: 1 } },
    ]);
    const manager = await launchPath(pathId, 'manager');
    const managerStep = manager.location!.replace('?', `/steps/${stepIds[0]}?`);
    const managerPage = await page(managerStep);
    expect((await postForm(url, managerStep.split('?')[0]!, formFields(managerPage.body, 'sign-up'))).status).toBe(303);
    const learner = await launchPath(pathId, 'learner');
    const full = await page(learner.location!.replace('?', `/steps/${stepIds[0]}?`));
    expect(full.body).toContain('data-full');
    expect(full.body).toContain('Samlingen er full');
    expect(full.body).not.toContain('data-action="sign-up"');
  });

  it('refuses another person\'s enrolment, a forged or expired session, and roles that are not learners', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les')]);
    const mine = await launchPath(pathId, 'learner');
    const theirs = await launchPath(pathId, 'manager');
    const theirEnrolment = theirs.location!.split('?')[0]!;
    const crossed = await page(`${theirEnrolment}?session=${mine.sessionToken}`);
    expect(crossed.status).toBe(404);
    expect(crossed.body).toContain('data-unavailable="enrolment-not-found"');
    const crossedPost = await postForm(url, `${theirEnrolment}/steps/${stepIds[0]}`, { session: mine.sessionToken!, request: 'aaaaaaaa-1111', action: 'done' });
    expect(crossedPost.status).toBe(404);
    expect(await db().selectFrom('path_step_progress').selectAll().where('enrolment_id', '=', theirEnrolment.split('/')[3]!).execute()).toEqual([]);
    expect((await page(`/learn/enrolments/not-an-id?session=${mine.sessionToken}`)).status).toBe(404);
    // An enrolment of another tenant's person in a path shared with everyone.
    const elsewhere = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9995', name: 'Fjern kommune', county_number: '33', county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
    const shared = await publishPath(testDb.database, kari.tenantId, [web('Les')], { sharing: 'everyone' });
    const { enrol } = await import('../../src/paths/enrolments.js');
    const { createPerson } = await import('../../src/people/people.js');
    const stranger = await enrol(db(), elsewhere, { personId: (await createPerson(db(), elsewhere, { name: 'Fremmed' })).id, pathId: shared.pathId });
    const foreign = await page(`/learn/enrolments/${stranger.enrolmentId}?session=${mine.sessionToken}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toContain('data-unavailable="enrolment-not-found"');

    const forged = mine.sessionToken!.slice(0, -2) + (mine.sessionToken!.endsWith('AA') ? 'BB' : 'AA');
    const forgedPage = await page(`${mine.location!.split('?')[0]}?session=${forged}`);
    expect(forgedPage.status).toBe(401);
    expect(forgedPage.body).toContain('data-refusal="session-invalid"');
    expect((await page(mine.location!.split('?')[0]!)).status).toBe(401);

    const shortLived = new SessionTokens(SECRET, 1);
    const info = await sessionInfo(url, mine.sessionToken!);
    const expiring = await shortLived.issue({ ...info, role: 'learner', contextId: null, locale: 'nb' });
    await new Promise((r) => setTimeout(r, 2100));
    expect((await page(`${mine.location!.split('?')[0]}?session=${expiring}`)).status).toBe(401);

    const designer = await new SessionTokens(SECRET).issue({ ...info, role: 'designer', contextId: null, locale: 'nb' });
    const asDesigner = await page(`${mine.location!.split('?')[0]}?session=${designer}`);
    expect(asDesigner.status).toBe(403);
    expect(asDesigner.body).toContain('data-refusal="not-permitted"');
  });

  it('grade passback queues one result per path event and link, however often the event is handled', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les')]);
    const launched = await launchPath(pathId);
    const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;
    const stepPage = await page(launched.location!.replace('?', `/steps/${stepIds[0]}?`));
    await postForm(url, `/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`, formFields(stepPage.body, 'done'));
    const { listEnrolmentEvents } = await import('../../src/paths/events.js');
    const completed = (await listEnrolmentEvents(db(), kari.tenantId, enrolmentId)).find((e) => e.type === 'path-completed')!;
    const { gradePassback } = await import('../../src/web/learner/grade-passback.js');
    const handler = gradePassback(db());
    await handler(completed);
    await handler(completed);
    const info = await sessionInfo(url, launched.sessionToken!);
    await waitFor('the passback subscriber has handled the event too', async () =>
      (await db().selectFrom('path_passback_receipts').select('event_id').where('event_id', '=', completed.id).execute()).length === 1);
    const queued = await db().selectFrom('lti_ags_outbox').select(['score']).where('resource_link_id', '=', info.resourceLinkId).where('person_id', '=', info.personId).execute();
    // No step gives a score: the completion goes to the LMS without one, never an invented 100.
    expect(queued.map((q) => q.score)).toEqual([{ activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: completed.payload['completedAt'] }]);
    await waitFor('the development LMS has the completion', async () =>
      (await db().selectFrom('dev_lms_scores as s').innerJoin('dev_lms_line_items as li', 'li.id', 's.line_item_id').select('s.score_given')
        .where('li.resource_link_id', '=', launched.linkId).execute()).length === 1);
    const gradebook = await (await fetch(`${url}/dev/lms`)).text();
    expect(gradebook).toMatch(/<tr data-score><td>Læringsløp<\/td><td>\d+<\/td><td>fullført, uten poeng<\/td><td>Completed, FullyGraded<\/td>/);
    const shown = await page(launched.location!);
    expect(shown.body).toContain('data-no-score');
    expect(shown.body).toContain('Læringsløpet gir ingen poengsum. Fullføringen er registrert uten poeng.');
    expect(shown.body).not.toContain('av 100');
    expect((await page(`${launched.location!}&lang=nn`)).body).toContain('Læringsløpet gjev ingen poengsum. Fullføringa er registrert utan poeng.');
    expect((await page(`${launched.location!}&lang=en`)).body).toContain('This learning path gives no score. Your completion is recorded without one.');
  });

  it('a path placed in several courses gets its result in each placement the learner launches, also after completion, once per link', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les')], { settings: { score: { kind: 'completion' }, dueAfterDays: 30 } });
    const first = await launchPath(pathId);
    expect((await page(first.location!)).body).toContain('data-due');
    const enrolmentId = first.location!.split('/')[3]!.split('?')[0]!;
    const stepPage = await page(first.location!.replace('?', `/steps/${stepIds[0]}?`));
    await postForm(url, `/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`, formFields(stepPage.body, 'done'));
    const firstLink = (await sessionInfo(url, first.sessionToken!)).resourceLinkId;
    await waitFor('the completion is queued for the first placement', async () =>
      (await db().selectFrom('lti_ags_outbox').select('id').where('resource_link_id', '=', firstLink).execute()).length === 1);

    // The second placement is first launched after completion: it shows "completed" and gets the result.
    const second = await launchPath(pathId);
    expect(second.location!.split('?')[0]).toBe(first.location!.split('?')[0]);
    const secondLink = (await sessionInfo(url, second.sessionToken!)).resourceLinkId;
    const completedPage = (await page(second.location!)).body;
    expect(completedPage).toContain('data-completed');
    // A completed path has no due date any more.
    expect(completedPage).not.toContain('data-due');
    // Queued by the launch itself: the dispatcher handed the path-completed event out before this link was known.
    expect(await db().selectFrom('lti_ags_outbox').select('id').where('resource_link_id', '=', secondLink).execute()).toHaveLength(1);
    const { rememberLaunchLink, gradePassback } = await import('../../src/web/learner/grade-passback.js');
    // Relaunches, a repeated launch step (a restart mid-launch) and the subscriber seeing the event again queue nothing more.
    await launch(url, 'learner', second.linkId);
    await rememberLaunchLink(db(), kari.tenantId, enrolmentId, secondLink);
    const { listEnrolmentEvents } = await import('../../src/paths/events.js');
    const completed = (await listEnrolmentEvents(db(), kari.tenantId, enrolmentId)).find((e) => e.type === 'path-completed')!;
    await gradePassback(db())(completed);
    const outbox = await db().selectFrom('lti_ags_outbox').select(['resource_link_id', 'score']).where('resource_link_id', 'in', [firstLink, secondLink]).execute();
    const result = { scoreGiven: 100, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: completed.payload['completedAt'] };
    expect(outbox.sort((a, b) => (a.resource_link_id === firstLink ? -1 : b.resource_link_id === firstLink ? 1 : 0))).toEqual([
      { resource_link_id: firstLink, score: result },
      { resource_link_id: secondLink, score: result },
    ]);
    // Both gradebook columns of the development LMS receive it.
    await waitFor('both placements reach the gradebook', async () =>
      (await db().selectFrom('dev_lms_scores as s').innerJoin('dev_lms_line_items as li', 'li.id', 's.line_item_id').select('li.resource_link_id')
        .where('li.resource_link_id', 'in', [first.linkId, second.linkId]).execute()).length === 2);
  });

  describe('SCORM steps', () => {
    let packageId: string;
    let region: string;
    let owner: string;
    beforeAll(async () => {
      // The path and its package belong to another municipality of Kari's region.
      region = (await db().insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: `Kongsbergregionen ${Date.now()}`, county_number: null, county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
      owner = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9997', name: 'Flesberg test', county_number: '33', county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
      await db().insertInto('region_municipalities').values([{ region_id: region, municipality_id: owner }, { region_id: region, municipality_id: kari.tenantId }]).execute();
      const uploaded = await uploadPackage(url, owner, await zipFixture('scorm12-single'));
      expect(uploaded.status).toBe(201);
      packageId = ((await uploaded.json()) as { id: string }).id;
    });

    const scormStep = (id: string): NewStep => ({ type: 'scorm', title: 'Brannvern', required: true, config: { packageId: id, completion: { rule: 'passed' } } });

    async function openCourse(pathId: string, stepId: string) {
      const launched = await launchPath(pathId);
      const stepPage = await page(launched.location!.replace('?', `/steps/${stepId}?`));
      const opened = await postForm(url, launched.location!.split('?')[0]! + `/steps/${stepId}`, formFields(stepPage.body, 'open'));
      return { launched, opened, stepPage };
    }

    it('opens the package of a region-shared path for a learner of another tenant, one attempt per enrolment and step', async () => {
      const { pathId, stepIds } = await publishPath(testDb.database, owner, [scormStep(packageId)], { sharing: 'region' });
      const { launched, opened, stepPage } = await openCourse(pathId, stepIds[0]!);
      expect(stepPage.body).toContain('target="_blank"');
      expect(opened.status).toBe(303);
      const player = opened.headers.get('location')!;
      expect(player).toMatch(/^\/content\/[^/]+\/player\?lang=nb$/);
      const claims = await attemptTokens(SECRET).verify(player.split('/')[2]!);
      expect(claims).toMatchObject({ tenantId: kari.tenantId, personId: kari.personId, packageId, packageTenantId: owner });
      const shown = await fetch(`${url}${player}`);
      expect(shown.status).toBe(200);
      expect(await shown.text()).toContain('Brannvern');
      // Resuming reopens the same attempt.
      const again = await postForm(url, launched.location!.split('?')[0]! + `/steps/${stepIds[0]}`, formFields((await page(launched.location!.replace('?', `/steps/${stepIds[0]}?`))).body, 'open'));
      expect((await attemptTokens(SECRET).verify(again.headers.get('location')!.split('/')[2]!))?.attemptId).toBe(claims!.attemptId);
      expect(await db().selectFrom('path_scorm_attempts').selectAll().where('attempt_id', '=', claims!.attemptId).execute()).toHaveLength(1);
    });

    it('does not open a package of a third tenant that a designer named in a step', async () => {
      const third = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9996', name: 'Tredje', county_number: '33', county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
      const foreign = ((await (await uploadPackage(url, third, await zipFixture('scorm12-single'))).json()) as { id: string }).id;
      const { pathId, stepIds } = await publishPath(testDb.database, owner, [scormStep(foreign)], { sharing: 'region' });
      const { opened } = await openCourse(pathId, stepIds[0]!);
      expect(opened.status).toBe(409);
      expect(await opened.text()).toContain('Kurset er ikke tilgjengelig nå');
      expect(await db().selectFrom('scorm_attempts').selectAll().where('package_id', '=', foreign).execute()).toEqual([]);
    });

    it('delivers a stored commit exactly once, and heals a delivery that was lost', async () => {
      const { pathId, stepIds } = await publishPath(testDb.database, owner, [scormStep(packageId)], { sharing: 'region' });
      const { launched, opened } = await openCourse(pathId, stepIds[0]!);
      const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;
      const token = opened.headers.get('location')!.split('/')[2]!;
      const claims = (await attemptTokens(SECRET).verify(token))!;
      // A runtime of its own, with no listener: its commits reach the engine only by healing.
      const quiet = new ScormRuntime({ db: db(), tokens: attemptTokens(SECRET), logger: createLogger('silent') });
      const state = await quiet.launch(claims, 'item-brannvern');
      expect(state).toMatchObject({ session: 1 });
      const committed = await quiet.commit(claims, 'item-brannvern', { session: 1, seq: 1, terminate: true, cmi: { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '90' } });
      expect(committed.result).toBe(true);
      expect(await db().selectFrom('path_step_progress').selectAll().where('enrolment_id', '=', enrolmentId).execute()).toEqual([]);
      // Opening the learner page heals: the stored state is delivered.
      const path = await page(launched.location!);
      expect(path.body).toMatch(new RegExp(`data-step="${stepIds[0]}" data-status="completed"`));
      expect(path.body).toContain('Poeng: 90 %');

      // The same stored state delivered again (the listener and a page view at once) counts once.
      const bridge = new ScormStepBridge(db(), quiet, createLogger('silent'), '');
      await Promise.all([bridge.deliverStored(kari.tenantId, claims.attemptId), bridge.deliverStored(kari.tenantId, claims.attemptId)]);
      await page(launched.location!);
      const receipts = await db().selectFrom('path_outcome_receipts').select('idempotency_key').where('enrolment_id', '=', enrolmentId).where('step_id', '=', stepIds[0]!).execute();
      expect(receipts).toHaveLength(1);
      expect(receipts[0]!.idempotency_key).toBe(`scorm:${claims.attemptId}:completed|passed|0.9`);

      // Commit after commit with the same SCO state costs no query after the first; neither does a
      // commit of an attempt outside paths, after the one query that found it unmapped.
      let queries = 0;
      const counted = db().withPlugin({ transformQuery: (a) => ((queries += 1), a.node), transformResult: (a) => Promise.resolve(a.result) });
      const watching = new ScormStepBridge(counted, quiet, createLogger('silent'), '');
      const stored: ScoOutcome = {
        tenantId: kari.tenantId, personId: claims.personId, packageId: claims.packageId, attemptId: claims.attemptId, scoId: 'item-brannvern',
        completionStatus: 'completed', successStatus: 'passed', lessonStatus: 'passed', scoreRaw: 90, scoreMin: null, scoreMax: null, scoreScaled: 0.9,
        totalTimeSeconds: 0, completedAt: new Date(),
      };
      await watching.onScoOutcome(stored);
      const afterFirst = queries;
      expect(afterFirst).toBeGreaterThan(1);
      await watching.onScoOutcome({ ...stored, totalTimeSeconds: 30 });
      expect(queries).toBe(afterFirst);
      const outside = { ...stored, attemptId: randomUUID() };
      await watching.onScoOutcome(outside);
      await watching.onScoOutcome({ ...outside, scoreScaled: 0.5 });
      expect(queries).toBe(afterFirst + 1);
      const events = await db().selectFrom('path_events').select('type').where('enrolment_id', '=', enrolmentId).where('type', 'not in', ['path-started', 'path-launched']).orderBy('id').execute();
      expect(events.map((e) => e.type)).toEqual(['step-completed', 'path-completed']);
      expect(await db().selectFrom('path_completions').select('score').where('enrolment_id', '=', enrolmentId).execute()).toEqual([{ score: 90 }]);

      // A commit through the tool's own runtime reaches the engine through its listener.
      const second = await fetch(`${url}/content/${token}/runtime/item-brannvern/launch`, { method: 'POST' });
      expect(second.status).toBe(200);
      const { session } = (await second.json()) as { session: number };
      await fetch(`${url}/content/${token}/runtime/item-brannvern/commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session, seq: 1, terminate: true, cmi: { 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '95' } }) });
      await waitFor('the better score delivered by the listener', async () => {
        const row = await db().selectFrom('path_step_progress').select('score').where('enrolment_id', '=', enrolmentId).where('step_id', '=', stepIds[0]!).executeTakeFirst();
        return row?.score === 0.95;
      });
    });
  });
});
