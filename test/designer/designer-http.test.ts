import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import { getDraft } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { signUpForSession } from '../../src/paths/sessions.js';
import type { RunningServer } from '../../src/server.js';
import { designerLaunchRoute } from '../../src/web/designer/lti-hooks.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { attribute, hiddenFields, launchThroughHttp, SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { createWorld, evaluationPool } from '../paths/fixtures.js';
import { DesignerClient, devTenant, importFixturePackage, inputValue, pathIdFrom, publishedPath } from './support/designer-http.js';

describe(`designer pages over HTTP (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let designer: DesignerClient;
  let tenantId: string;
  let pathId: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    const launch = await launchThroughHttp(url, `${url}/dev/lms`, 'designer');
    expect(launch.status).toBe(303);
    designer = new DesignerClient(url, launch.sessionToken!);
    tenantId = await devTenant(db());
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('a designer launch without a path lands on the designer start page, framed by the LMS only', async () => {
    const launch = await launchThroughHttp(url, `${url}/dev/lms`, 'designer');
    expect(launch.status).toBe(303);
    const target = new URL(attribute(launch.location ?? '', /(\/design\?session=[A-Za-z0-9._-]+)/), url);
    const start = await fetch(target, { headers: { accept: 'text/html' } });
    const body = await start.text();
    expect(start.status).toBe(200);
    expect(body).toContain('data-role="designer"');
    expect(body).toContain('Startside for læringsdesignere');
    expect(body).toContain('Kongsberg');
    expect(start.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${url}`);
    // The language can be chosen and the language links keep the session.
    const english = await designer.get('/design', { lang: 'en' });
    expect(english.body).toContain('Start page for learning designers');
    expect(english.body).toContain(`href="/design?session=${designer.token}&amp;lang=nn"`);
  });

  it('refuses a learner, a missing, a forged and an expired session', async () => {
    const learner = await launchThroughHttp(url, `${url}/dev/lms`, 'learner');
    const asLearner = await new DesignerClient(url, learner.sessionToken!).get('/design');
    expect(asLearner.status).toBe(403);
    expect(asLearner.body).toContain('data-refusal="not-permitted"');
    const asLearnerPost = await new DesignerClient(url, learner.sessionToken!).post('/design/paths', { title: 'Skal ikke lages', language: 'nb' });
    expect(asLearnerPost.status).toBe(403);

    const missing = await fetch(`${url}/design`, { headers: { accept: 'application/json' } });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ refusal: 'session-invalid' });
    const forged = await new DesignerClient(url, `${designer.token.slice(0, -2)}xx`).get('/design');
    expect(forged.status).toBe(401);
    // Titled for what happened: the launch was accepted, the role or the session is refused.
    expect(asLearner.body).toContain('<h1>Ingen tilgang</h1>');
    expect(forged.body).toContain('<h1>Økten er ikke gyldig</h1>');
    expect(forged.body).not.toContain('Oppstarten ble avvist');

    const session = (await (await fetch(`${url}/lti/session?session=${designer.token}`)).json()) as Parameters<SessionTokens['issue']>[0];
    const expired = await new SessionTokens(SECRET, 1).issue(session);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await new DesignerClient(url, expired).get('/design')).status).toBe(401);
    expect(await db().selectFrom('paths').select('id').where('title', '=', 'Skal ikke lages').execute()).toEqual([]);
  });

  it('creates a path; a form with errors keeps what was typed and marks the fields', async () => {
    const invalid = await designer.post('/design/paths', { title: '   ', description: 'Om taushetsplikt', language: 'nb' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('data-error-summary');
    expect(invalid.body).toContain('<a class="ds-link" href="#title">');
    expect(invalid.body).toMatch(/id="title" name="title" type="text" value="[^"]*" autocomplete="off" aria-invalid="true" aria-describedby="title-error"/);
    expect(invalid.body).toContain('>Om taushetsplikt</textarea>');
    const english = await designer.post('/design/paths', { title: '', language: 'nb', lang: 'en' });
    expect(english.body).toContain('Enter a title');

    const created = await designer.post('/design/paths', { title: 'Taushetsplikt i praksis', description: 'Om taushetsplikt', language: 'nb' });
    expect(created.status).toBe(303);
    pathId = pathIdFrom(created.location);
    const page = await designer.get(`/design/paths/${pathId}`, { notice: 'path.created' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Taushetsplikt i praksis');
    expect(page.body).toContain('Bare utkast');
    expect(page.body).toContain(`/design/paths/${pathId}/exports?session=`);
    const list = await designer.get('/design', { q: 'taushet' });
    expect(list.body).toContain(`data-path-id="${pathId}"`);
    expect((await designer.get('/design', { q: 'finnesikke' })).body).not.toContain(`data-path-id="${pathId}"`);
    expect((await designer.get('/design', { show: 'shared' })).body).not.toContain(`data-path-id="${pathId}"`);
    expect(list.body).toContain(`/design/import?session=`);
  });

  it('adds steps of every type; an invalid step is refused at its fields and nothing is saved', async () => {
    const badWeb = await designer.post(`/design/paths/${pathId}/steps`, {
      type: 'web', title: 'Les veilederen', required: 'yes', estimatedMinutes: 'ti', resourceKind: 'video', url: 'http://video.example/film', doneBy: 'minimum-time', minimumMinutes: '2000',
    });
    expect(badWeb.status).toBe(400);
    expect(inputValue(badWeb.body, 'url')).toBe('http://video.example/film');
    expect(inputValue(badWeb.body, 'estimatedMinutes')).toBe('ti');
    expect(badWeb.body).toContain('id="url-error"');
    expect(badWeb.body).toContain('id="estimatedMinutes-error"');
    expect(badWeb.body).toContain('id="minimumMinutes-error"');
    expect((await getDraft(db(), tenantId, pathId)).steps).toEqual([]);

    const web = await designer.post(`/design/paths/${pathId}/steps`, {
      type: 'web', title: 'Les veilederen', required: 'yes', estimatedMinutes: '10', resourceKind: 'link', url: 'https://www.ks.no/', doneBy: 'mark-as-done',
    });
    expect(web.status).toBe(303);
    const session = await designer.post(`/design/paths/${pathId}/steps`, {
      type: 'session', title: 'Samling på rådhuset', required: 'yes', date: '2027-01-15', startTime: '09:00', endTime: '12:00', place: 'Rådhuset', capacity: '2',
    });
    expect(session.status).toBe(303);
    const badSa = await designer.post(`/design/paths/${pathId}/steps`, {
      type: 'self-assessment', title: 'Hva kan du?', required: 'no', 'statements-0-text': 'Jeg kjenner reglene', 'statements-0-competence': '', 'statements-1-text': '', 'statements-1-competence': '',
    });
    expect(badSa.status).toBe(400);
    expect(badSa.body).toContain('id="statements-0-competence-error"');
    expect(badSa.body).toContain('>Jeg kjenner reglene</textarea>');
    const sa = await designer.post(`/design/paths/${pathId}/steps`, {
      type: 'self-assessment', title: 'Hva kan du?', required: 'no', 'statements-0-text': 'Jeg kjenner reglene', 'statements-0-competence': 'taushetsplikt', 'statements-1-text': '', 'statements-1-competence': '',
    });
    expect(sa.status).toBe(303);
    const evaluation = await designer.post(`/design/paths/${pathId}/steps`, {
      type: 'evaluation', title: 'Hva synes du?', required: 'no', 'questions-0-kind': 'scale', 'questions-0-text': 'Hvor nyttig var det?', 'questions-0-max': '5',
      'questions-1-kind': 'text', 'questions-1-text': 'Hva kan bli bedre?', 'questions-1-maxLength': '500',
    });
    expect(evaluation.status).toBe(303);

    // SCORM: only the tenant's own packages; the chooser lists them and links to the upload page.
    const other = (await createWorld(db())).outside;
    const foreign = await importFixturePackage(db(), other);
    const own = await importFixturePackage(db(), tenantId);
    const form = await designer.get(`/design/paths/${pathId}/steps/new`, { type: 'scorm' });
    expect(form.body).toContain(`<option value="${own.id}">`);
    expect(form.body).not.toContain(foreign.id);
    expect(form.body).toContain('/design/packages/upload?session=');
    const stolen = await designer.post(`/design/paths/${pathId}/steps`, { type: 'scorm', title: 'Modul', required: 'yes', packageId: foreign.id, completionRule: 'completed' });
    expect(stolen.status).toBe(400);
    expect(stolen.body).toContain('id="packageId-error"');
    const badScore = await designer.post(`/design/paths/${pathId}/steps`, { type: 'scorm', title: 'Modul', required: 'yes', packageId: own.id, completionRule: 'score', minimumScore: '150' });
    expect(badScore.status).toBe(400);
    expect(badScore.body).toContain('id="minimumScore-error"');
    expect(inputValue(badScore.body, 'minimumScore')).toBe('150');
    const scorm = await designer.post(`/design/paths/${pathId}/steps`, { type: 'scorm', title: 'Modul', required: 'yes', packageId: own.id, completionRule: 'score', minimumScore: '80' });
    expect(scorm.status).toBe(303);

    const draft = await getDraft(db(), tenantId, pathId);
    expect(draft.steps.map((s) => s.type)).toEqual(['web', 'session', 'self-assessment', 'evaluation', 'scorm']);
    expect(draft.steps[4]).toMatchObject({ config: { packageId: own.id, completion: { rule: 'score', minimumScaled: 0.8 } } });
    expect(draft.steps[2]).toMatchObject({ required: false, config: { statements: [{ id: 's1', competence: 'taushetsplikt', text: 'Jeg kjenner reglene' }] } });
  });

  it('edits a step; a failed edit loses nothing already saved', async () => {
    const before = await getDraft(db(), tenantId, pathId);
    const web = before.steps[0]!;
    const edit = await designer.get(`/design/paths/${pathId}/steps/${web.id}`);
    expect(inputValue(edit.body, 'url')).toBe('https://www.ks.no/');
    const bad = await designer.post(`/design/paths/${pathId}/steps/${web.id}`, { title: 'Nytt navn', required: 'yes', resourceKind: 'link', url: 'ftp://ks.no', doneBy: 'mark-as-done' });
    expect(bad.status).toBe(400);
    expect(inputValue(bad.body, 'title')).toBe('Nytt navn');
    expect(await getDraft(db(), tenantId, pathId)).toEqual(before);

    // Prerequisites: only earlier steps are offered, and a later one is refused.
    const session = before.steps[1]!;
    const laterAsPrerequisite = await designer.post(`/design/paths/${pathId}/steps/${web.id}`, { title: 'Les veilederen', required: 'yes', requires: session.id, resourceKind: 'link', url: 'https://www.ks.no/', doneBy: 'mark-as-done' });
    expect(laterAsPrerequisite.status).toBe(400);
    expect(laterAsPrerequisite.body).toContain('id="requires-error"');
    const ok = await designer.post(`/design/paths/${pathId}/steps/${session.id}`, { title: 'Samling på rådhuset', required: 'yes', requires: web.id, date: '2027-01-15', startTime: '09:00', place: 'Rådhuset', capacity: '2' });
    expect(ok.status).toBe(303);
    expect((await getDraft(db(), tenantId, pathId)).steps[1]).toMatchObject({ requires: [web.id], config: { place: 'Rådhuset' } });
    const page = await designer.get(`/design/paths/${pathId}`);
    expect(page.body).toContain('Krever: Les veilederen');
    // A step another step requires cannot be removed; the refusal says why and nothing changes.
    const kept = await getDraft(db(), tenantId, pathId);
    expect((await designer.get(`/design/paths/${pathId}/steps/${web.id}/remove`)).body).toContain('Ja, fjern steget');
    const refused = await designer.post(`/design/paths/${pathId}/steps/${web.id}/remove`);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('Steget kan ikke fjernes');
    expect(await getDraft(db(), tenantId, pathId)).toEqual(kept);
  });

  it('refuses N of M larger than M and keeps the settings', async () => {
    const before = await getDraft(db(), tenantId, pathId);
    const bad = await designer.post(`/design/paths/${pathId}/settings`, {
      title: 'Taushetsplikt i praksis', description: 'Om taushetsplikt', language: 'nb', completionKind: 'n-of-m', completionCount: '9',
      scoreKind: 'completion', dueAfterDays: '30', 'grants-0-competence': 'taushetsplikt', 'grants-0-validMonths': '24', sharing: 'region',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('id="completionCount-error"');
    expect(inputValue(bad.body, 'completionCount')).toBe('9');
    expect(inputValue(bad.body, 'grants-0-competence')).toBe('taushetsplikt');
    expect(await getDraft(db(), tenantId, pathId)).toEqual(before);
    expect((await db().selectFrom('paths').select('sharing').where('id', '=', pathId).executeTakeFirstOrThrow()).sharing).toBe('tenant');

    const ok = await designer.post(`/design/paths/${pathId}/settings`, {
      title: 'Taushetsplikt i praksis', description: 'Om taushetsplikt', language: 'nb', completionKind: 'n-of-m', completionCount: '4',
      scoreKind: 'completion', dueAfterDays: '30', 'grants-0-competence': 'taushetsplikt', 'grants-0-validMonths': '24', sharing: 'region',
    });
    expect(ok.status).toBe(303);
    const after = await getDraft(db(), tenantId, pathId);
    expect(after).toMatchObject({ completion: { kind: 'n-of-m', count: 4 }, dueAfterDays: 30, grants: [{ competence: 'taushetsplikt', validMonths: 24 }] });
    expect((await db().selectFrom('paths').select('sharing').where('id', '=', pathId).executeTakeFirstOrThrow()).sharing).toBe('region');
  });

  it('reorders with the buttons (no script) and with the JSON order the drag and drop sends', async () => {
    const ids = (await getDraft(db(), tenantId, pathId)).steps.map((s) => s.id);
    const down = await designer.post(`/design/paths/${pathId}/steps/${ids[2]}/move`, { direction: 'down' });
    expect(down.status).toBe(303);
    expect(down.location).toContain(`notice=step.moved&step=${ids[2]}#step-${ids[2]}`);
    const page = await designer.get(`/design/paths/${pathId}`, { notice: 'step.moved', step: ids[2]! });
    expect(page.body).toContain('«Hva kan du?» er flyttet til plass 4 av 5.');
    expect((await getDraft(db(), tenantId, pathId)).steps.map((s) => s.id)).toEqual([ids[0], ids[1], ids[3], ids[2], ids[4]]);
    const json = await fetch(`${url}/design/paths/${pathId}/steps/${ids[2]}/move`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ session: designer.token, direction: 'up' }),
    });
    expect(await json.json()).toMatchObject({ order: ids, message: '«Hva kan du?» er flyttet til plass 3 av 5.' });
    // A session step before its prerequisite is refused and the order is kept.
    const bad = await fetch(`${url}/design/paths/${pathId}/order`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${designer.token}` },
      body: JSON.stringify({ order: [ids[1], ids[0], ids[2], ids[3], ids[4]] }),
    });
    expect(bad.status).toBe(400);
    const partial = await fetch(`${url}/design/paths/${pathId}/order`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${designer.token}` },
      body: JSON.stringify({ order: [ids[0]] }),
    });
    expect(partial.status).toBe(400);
    expect((await getDraft(db(), tenantId, pathId)).steps.map((s) => s.id)).toEqual(ids);
  });

  it('previews as a learner, publishes after confirming, and shows the versions', async () => {
    const preview = await designer.get(`/design/paths/${pathId}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('Samling på rådhuset');
    expect(preview.body).toContain('Beregnet tid i alt: 10 minutter');
    expect(preview.body).toContain('4 av 5 steg');
    const confirm = await designer.get(`/design/paths/${pathId}/publish`);
    expect(confirm.body).toContain('data-confirm-publish');
    const published = await designer.post(`/design/paths/${pathId}/publish`);
    expect(published.status).toBe(303);
    const versions = await designer.get(`/design/paths/${pathId}/versions`, { notice: 'path.published', number: '1' });
    expect(versions.body).toContain('Versjon 1 er publisert.');
    expect(versions.body).toContain('data-version="1"');

    // An empty path cannot be published: the confirmation page says what to fix.
    const empty = pathIdFrom((await designer.post('/design/paths', { title: 'Tomt løp', language: 'nb' })).location);
    const refused = await designer.get(`/design/paths/${empty}/publish`);
    expect(refused.body).toContain('data-publish-problems');
    expect((await designer.post(`/design/paths/${empty}/publish`)).status).toBe(400);
    const added = await designer.post(`/design/paths/${empty}/steps`, { type: 'web', title: 'Midlertidig', required: 'yes', resourceKind: 'link', url: 'https://www.ks.no/', doneBy: 'mark-as-done' });
    const stepId = /#step-([0-9a-f-]{36})/.exec(added.location ?? '')![1]!;
    expect((await designer.post(`/design/paths/${empty}/steps/${stepId}/remove`)).status).toBe(303);
    expect((await getDraft(db(), tenantId, empty)).steps).toEqual([]);
  });

  it('lists sign-ups, registers attendance, shows the evaluation report only from five answers, and moves learners', async () => {
    const draft = await getDraft(db(), tenantId, pathId);
    const [web, session, , evaluation] = draft.steps;
    const learners = [];
    for (let i = 0; i < 5; i += 1) {
      const personId = (await createPerson(db(), tenantId, { name: `Ansatt ${i}` })).id;
      learners.push({ personId, enrolmentId: (await enrol(db(), tenantId, { personId, pathId })).enrolmentId });
    }
    await deliverOutcome(db(), tenantId, { enrolmentId: learners[0]!.enrolmentId, stepId: web!.id, idempotencyKey: 'w0', outcome: { kind: 'web', event: 'done' } });
    await signUpForSession(db(), tenantId, learners[0]!.enrolmentId, session!.id);
    const signups = await designer.get(`/design/paths/${pathId}/steps/${session!.id}/signups`);
    expect(signups.body).toContain('Ansatt 0');
    expect(signups.body).toContain('Ikke registrert');
    const form = hiddenFields(/<form method="post" action="[^"]+\/attendance">[\s\S]*?<\/form>/.exec(signups.body)![0]);
    const registered = await designer.post(`/design/paths/${pathId}/steps/${session!.id}/attendance`, { enrolment: form['enrolment']!, key: form['key']!, attended: 'yes' });
    expect(registered.status).toBe(303);
    expect((await designer.get(`/design/paths/${pathId}/steps/${session!.id}/signups`)).body).toContain('data-attendance>Møtt<');
    const forged = await designer.post(`/design/paths/${pathId}/steps/${session!.id}/attendance`, { enrolment: '00000000-0000-4000-8000-000000000000', key: 'x', attended: 'yes' });
    expect(forged.status).toBe(400);

    const evaluations = evaluationPool(db(), SECRET);
    for (let i = 0; i < 4; i += 1) {
      await evaluations.answer(tenantId, { enrolmentId: learners[i]!.enrolmentId, stepId: evaluation!.id, idempotencyKey: `e${i}`, answers: { q1: 4, q2: `svar ${i}` } });
    }
    expect(await evaluations.releaseDue()).toEqual([]);
    const tooFew = await designer.get(`/design/paths/${pathId}/steps/${evaluation!.id}/report`);
    expect(tooFew.body).toContain('data-report="too-few"');
    expect(tooFew.body).toContain('når minst 5 nye har svart');
    await evaluations.answer(tenantId, { enrolmentId: learners[4]!.enrolmentId, stepId: evaluation!.id, idempotencyKey: 'e4', answers: { q1: 2, q2: 'svar 4' } });
    // The fifth answer is pending until the release: the report does not move with it.
    expect((await designer.get(`/design/paths/${pathId}/steps/${evaluation!.id}/report`)).body).toContain('data-report="too-few"');
    expect(await evaluations.releaseDue()).toHaveLength(1);
    const report = await designer.get(`/design/paths/${pathId}/steps/${evaluation!.id}/report`);
    expect(report.body).toContain('data-report="ready"');
    expect(report.body).toContain('data-released-on=');
    expect(report.body).toContain('<strong data-mean>3,6</strong>');
    expect(report.body).toContain('svar 4');

    // Version 2; the five in-progress learners are on version 1 until moved.
    await designer.post(`/design/paths/${pathId}/publish`);
    const versions = await designer.get(`/design/paths/${pathId}/versions`);
    expect(versions.body).toContain('5 deltakere er i gang på en eldre versjon');
    const version = /name="version" value="([^"]+)"/.exec(versions.body)![1]!;
    expect((await designer.post(`/design/paths/${pathId}/move-learners`, { version: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const moved = await designer.post(`/design/paths/${pathId}/move-learners`, { version });
    expect(moved.status).toBe(303);
    expect(moved.location).toContain('moved=5');
    const after = await designer.get(`/design/paths/${pathId}/versions`);
    expect(after.body).toContain('Ingen deltakere er i gang på en eldre versjon.');
    expect(after.body).toMatch(/data-version="2"><th scope="row" data-numeric>2<\/th><td>[^<]+<\/td><td data-numeric><span data-in-progress>5</);
  });

  it("does not show or change another tenant's paths; a shared one is read-only and can be duplicated", async () => {
    const world = await createWorld(db());
    const hidden = await publishedPath(db(), world.outside, 'Hemmelig løp i annen kommune');
    for (const target of [`/design/paths/${hidden.id}`, `/design/paths/${hidden.id}/settings`, `/design/paths/${hidden.id}/preview`, `/design/paths/${hidden.id}/duplicate`]) {
      const answer = await designer.get(target);
      expect(answer.status).toBe(404);
      expect(answer.body).not.toContain('Hemmelig');
    }
    expect((await designer.post(`/design/paths/${hidden.id}/steps`, { type: 'web', title: 'Inn' })).status).toBe(404);
    expect((await designer.post(`/design/paths/${hidden.id}/publish`)).status).toBe(404);
    expect((await designer.get('/design/paths/not-a-uuid')).status).toBe(404);
    expect((await designer.get('/design/paths/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await designer.get(`/design/paths/${pathId}/steps/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await designer.get(`/design/paths/${pathId}/steps/new`, { type: 'quiz' })).status).toBe(404);
    expect((await designer.get('/design')).body).not.toContain('Hemmelig');
    // The export page and the upload page's way back name no path of another tenant.
    const exportsOfHidden = await designer.get(`/design/paths/${hidden.id}/exports`);
    expect(exportsOfHidden.status).toBe(404);
    expect(exportsOfHidden.body).not.toContain('Hemmelig');
    for (const asked of [hidden.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const upload = await designer.get('/design/packages/upload', { path: asked });
      expect(upload.status).toBe(200);
      expect(upload.body).not.toContain('Hemmelig');
      expect(upload.body).not.toContain('data-back-to-path');
    }
    const ownUpload = await designer.get('/design/packages/upload', { path: pathId });
    expect(ownUpload.body).toContain(`data-back-to-path`);
    expect(ownUpload.body).toContain(`action="/design/packages/upload?session=${designer.token}&amp;path=${pathId}"`);
    const exportsOfOwn = await designer.get(`/design/paths/${pathId}/exports`);
    expect(exportsOfOwn.body).toContain('data-export="draft"');
    expect(exportsOfOwn.body).toContain('version=draft');

    // Shared but never published: nothing to use yet, so not shown.
    const unpublished = await publishedPath(db(), world.outside, 'Delt utkast', { sharing: 'everyone', publish: false });
    expect((await designer.get(`/design/paths/${unpublished.id}`)).status).toBe(404);
    expect((await designer.get('/design')).body).not.toContain('Delt utkast');

    const shared = await publishedPath(db(), world.outside, 'Delt løp fra en annen kommune', { sharing: 'everyone' });
    const view = await designer.get(`/design/paths/${shared.id}`);
    expect(view.status).toBe(200);
    expect(view.body).toContain('eies av en annen kommune');
    expect(view.body).not.toContain('data-move-button');
    expect((await designer.get('/design', { show: 'shared' })).body).toContain(`data-path-id="${shared.id}"`);
    expect((await designer.get(`/design/paths/${shared.id}/settings`)).status).toBe(403);
    expect((await designer.post(`/design/paths/${shared.id}/publish`)).status).toBe(403);
    expect((await designer.post(`/design/paths/${shared.id}/steps/x/move`, { direction: 'up' })).status).toBe(403);
    expect((await designer.get(`/design/paths/${shared.id}/exports`)).status).toBe(403);
    const sharedUpload = await designer.get('/design/packages/upload', { path: shared.id });
    expect(sharedUpload.body).not.toContain('Delt løp fra en annen kommune');
    // The list names the owner of a shared path.
    const owner = await db().selectFrom('tenants').select('name').where('id', '=', world.outside).executeTakeFirstOrThrow();
    expect((await designer.get('/design', { show: 'shared' })).body).toMatch(new RegExp(`data-path-id="${shared.id}"[\\s\\S]*?data-owner>${owner.name}<`));

    expect((await designer.post(`/design/paths/${shared.id}/duplicate`, { title: '' })).status).toBe(400);
    const copy = await designer.post(`/design/paths/${shared.id}/duplicate`, { title: 'Vår kopi' });
    expect(copy.status).toBe(303);
    const copied = await db().selectFrom('paths').select(['tenant_id', 'title', 'sharing']).where('id', '=', pathIdFrom(copy.location)).executeTakeFirstOrThrow();
    expect(copied).toEqual({ tenant_id: tenantId, title: 'Vår kopi', sharing: 'tenant' });
  });

  it("refuses with 403, not 500, a session whose person belongs to another municipality than the session's tenant", async () => {
    const world = await createWorld(db());
    const outsider = await createPerson(db(), world.outside, { name: 'Utenbygds' });
    const session = (await (await fetch(`${url}/lti/session?session=${designer.token}`)).json()) as Parameters<SessionTokens['issue']>[0];
    const foreign = new DesignerClient(url, await new SessionTokens(SECRET).issue({ ...session, personId: outsider.id }));

    const created = await foreign.post('/design/paths', { title: 'Løp fra feil kommune', language: 'nb' });
    expect(created.status).toBe(403);
    expect(created.body).toContain('Du er ikke registrert i denne kommunen');
    expect(created.body).toContain('<html lang="nb"');
    expect((await foreign.post(`/design/paths/${pathId}/publish`, { confirm: 'yes' })).status).toBe(403);
    expect((await foreign.post(`/design/paths/${pathId}/duplicate`, { title: 'Kopi fra feil kommune' })).status).toBe(403);
    expect(await db().selectFrom('paths').select('id').where('title', 'in', ['Løp fra feil kommune', 'Kopi fra feil kommune']).execute()).toEqual([]);
  });

  it('a designer launching a placed link goes to the path they own; other paths are left to the learner routes', async () => {
    const session = (await (await fetch(`${url}/lti/session?session=${designer.token}`)).json()) as Parameters<SessionTokens['issue']>[0];
    const route = designerLaunchRoute(db());
    const launch = (custom: Record<string, string>, role = session.role) =>
      route({ session: { ...session, role }, sessionToken: 'T', claims: { custom } as never, locale: 'nb' });
    expect(await launch({})).toBe('/design?session=T');
    expect(await launch({ laeringslop_path: pathId })).toBe(`/design/paths/${pathId}?session=T`);
    const shared = await publishedPath(db(), (await createWorld(db())).outside, 'Annen eier', { sharing: 'everyone' });
    expect(await launch({ laeringslop_path: shared.id })).toBeUndefined();
    expect(await launch({ laeringslop_path: 'forstehjelp-grunnkurs' })).toBeUndefined();
    expect(await launch({}, 'learner')).toBeUndefined();
    // An administrator without a path goes to their own start page (the launch's last resort).
    expect(await launch({}, 'admin')).toBeUndefined();
  });

  it('Deep Linking offers the published paths the tenant may see and returns the path id to the LMS', async () => {
    const draftOnly = await publishedPath(db(), tenantId, 'Bare et utkast', { publish: false });
    const hidden = await publishedPath(db(), (await createWorld(db())).outside, 'Hemmelig publisert');
    const launch = await launchThroughHttp(url, `${url}/dev/lms`, 'designer', { message: 'deeplink' });
    expect(launch.status).toBe(200);
    expect(launch.body).toContain(`data-item="${pathId}"`);
    expect(launch.body).not.toContain(draftOnly.id);
    expect(launch.body).not.toContain(hidden.id);
    const fields = hiddenFields(launch.body);
    const respond = (item: string) => fetch(`${url}/lti/deep-linking/respond`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ session: fields['session']!, context: fields['context']!, item }),
    });
    for (const refused of [hidden.id, draftOnly.id, 'informasjonssikkerhet']) expect((await respond(refused)).status).toBe(400);
    const chosen = await respond(pathId);
    expect(chosen.status).toBe(200);
    const page = await chosen.text();
    const returned = await fetch(attribute(page, /<form method="post" action="([^"]+)"/), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(hiddenFields(page)),
    });
    const body = await returned.text();
    expect(body).toContain('Taushetsplikt i praksis');
    expect(body).toContain(`{&quot;laeringslop_path&quot;:&quot;${pathId}&quot;}`);
  });
});
