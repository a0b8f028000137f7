import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStep } from '../../src/paths/drafts.js';
import { tinCanContentTokens } from '../../src/xapi/content-token.js';
import { createXapiClient, listXapiClients } from '../../src/xapi/credentials.js';
import { LAUNCH_IDLE_MS } from '../../src/xapi/launch-credentials.js';
import { tempFile } from '../content/support/package-zip.js';
import { buildTinCanPackage, COURSE_ACTIVITY_ID } from '../fixtures/tincan/build-package.js';
import { SECRET } from '../lti/support/lti-http.js';
import { uploadPackage } from '../scorm/support/server.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld, type SessionInfo } from './support.js';

const PASSED = 'http://adlnet.gov/expapi/verbs/passed';
const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';

interface LaunchParams {
  endpoint: string;
  auth: string;
  actor: Record<string, unknown>;
  registration: string;
  activity_id: string;
  token: string;
  player: string;
}

describe(`xAPI courses launched from a path (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let kari: SessionInfo;
  let ola: SessionInfo;
  let packageId: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    ola = await sessionInfo(url, (await launch(url, 'learner', undefined, true)).sessionToken!);
    const uploaded = await uploadPackage(url, kari.tenantId, await buildTinCanPackage(tempFile('handhygiene.zip')));
    expect(uploaded.status).toBe(201);
    const body = (await uploaded.json()) as { id: string; standard: string; edition: string };
    expect(body).toMatchObject({ standard: 'xapi', edition: 'tincan' });
    packageId = body.id;
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  const xapiStep = (countedVerbs?: string): NewStep => ({ type: 'xapi', title: 'Håndhygiene', required: true, config: { packageId, ...(countedVerbs ? { countedVerbs } : {}) } } as NewStep);

  const page = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
    return { status: response.status, body: await response.text() };
  };

  /** Launches the path as Kari (or Ola) and presses "open" on its one xAPI step: the launch parameters. */
  async function openCourse(pathId: string, stepId: string, second = false): Promise<LaunchParams & { enrolmentPage: string }> {
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id, second);
    const stepPage = await page(launched.location!.replace('?', `/steps/${stepId}?`));
    expect(stepPage.status).toBe(200);
    const opened = await postForm(url, launched.location!.split('?')[0]! + `/steps/${stepId}`, formFields(stepPage.body, 'open'));
    expect(opened.status).toBe(303);
    const player = opened.headers.get('location')!;
    const at = new URL(player, url);
    const q = at.searchParams;
    return {
      endpoint: q.get('endpoint')!,
      auth: q.get('auth')!,
      actor: JSON.parse(q.get('actor')!) as Record<string, unknown>,
      registration: q.get('registration')!,
      activity_id: q.get('activity_id')!,
      token: at.pathname.split('/')[3]!,
      player,
      enrolmentPage: launched.location!,
    };
  }

  const lrs = (auth: string, method: string, resource: string, params: Record<string, string> = {}, body?: unknown) =>
    fetch(`${url}/xapi/${resource}?${new URLSearchParams(params).toString()}`, {
      method,
      headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const statement = (l: LaunchParams, verb: string, object = l.activity_id, extra: Record<string, unknown> = {}) => ({
    actor: l.actor,
    verb: { id: verb },
    object: { objectType: 'Activity', id: object },
    context: { registration: l.registration },
    ...extra,
  });

  const stateParams = (l: LaunchParams, overrides: Record<string, string> = {}) => ({
    activityId: l.activity_id, agent: JSON.stringify(l.actor), registration: l.registration, stateId: 'bookmark', ...overrides,
  });

  it('launches with the Tin Can launch parameters: the LRS, a launch credential, the learner as an account agent, a registration, the course activity', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const l = await openCourse(pathId, stepIds[0]!);
    expect(l.player).toMatch(/^\/content\/tincan\/[^/]+\/player\?/);
    expect(l.endpoint).toBe(`${url}/xapi/`);
    expect(l.activity_id).toBe(COURSE_ACTIVITY_ID);
    expect(l.registration).toMatch(/^[0-9a-f-]{36}$/);
    expect(l.actor).toMatchObject({ objectType: 'Agent', account: { homePage: url, name: kari.personId } });
    const decoded = Buffer.from(l.auth.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toMatch(/^launch:ey/);
    // Never the municipality's own credentials: the user is no client key.
    expect(await db().selectFrom('xapi_clients').select('key').where('key', '=', decoded.split(':')[0]!).execute()).toEqual([]);
    expect(await tinCanContentTokens(SECRET).verify(l.token)).toMatchObject({ tenantId: kari.tenantId, packageId, stepId: stepIds[0] });
    // The tenant's content-launch client is the tool's own: not listed for the operator, and no Basic login opens it.
    expect((await listXapiClients(db(), kari.tenantId)).map((c) => c.key)).not.toContain(`launch:${kari.tenantId}`);
    expect(await db().selectFrom('xapi_clients').select('key').where('key', '=', `launch:${kari.tenantId}`).execute()).toHaveLength(1);
    for (const secret of ['', '!', 'x']) {
      const basic = `Basic ${Buffer.from(`launch:${kari.tenantId}:${secret}`).toString('base64')}`;
      expect((await lrs(basic, 'GET', 'statements')).status).toBe(401);
    }

    // The player frames the course with the launch parameters passed on; the course's files come from the content path.
    const player = await page(l.player);
    expect(player.status).toBe(200);
    const frame = /<iframe id="sco-frame"[^>]* src="([^"]+)"/.exec(player.body)?.[1]?.replace(/&amp;/g, '&');
    expect(frame).toBeDefined();
    const src = new URL(frame!, url);
    expect(src.pathname).toBe(`/content/tincan/${l.token}/files/index.html`);
    expect(src.searchParams.get('auth')).toBe(l.auth);
    expect(src.searchParams.get('registration')).toBe(l.registration);
    const file = await fetch(src);
    expect(file.status).toBe(200);
    expect(file.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await file.text()).toContain('Håndhygiene');
    expect((await fetch(`${url}/content/tincan/${l.token}/files/course.js`)).status).toBe(200);
    expect((await fetch(`${url}/content/tincan/not-a-token/files/index.html`)).status).toBe(403);
  });

  it('takes statements and state in scope, and refuses other actors, registrations, activities and resources (403)', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const l = await openCourse(pathId, stepIds[0]!);
    expect((await lrs(l.auth, 'POST', 'statements', {}, statement(l, 'http://adlnet.gov/expapi/verbs/experienced', `${COURSE_ACTIVITY_ID}/side-1`))).status).toBe(200);
    expect((await lrs(l.auth, 'PUT', 'activities/state', stateParams(l), { page: 2 })).status).toBe(204);

    const olaActor = { objectType: 'Agent', account: { homePage: url, name: ola.personId } };
    const refused: [string, Response][] = [
      ['another actor', await lrs(l.auth, 'POST', 'statements', {}, { ...statement(l, PASSED), actor: olaActor })],
      ['an mbox actor', await lrs(l.auth, 'POST', 'statements', {}, { ...statement(l, PASSED), actor: { mbox: 'mailto:kari@example.no' } })],
      ['another registration', await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED, l.activity_id, { context: { registration: randomUUID() } }))],
      ['no registration', await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED, l.activity_id, { context: {} }))],
      ['another activity', await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED, 'http://laeringslop.example/xapi/kurs/annet'))],
      ['a look-alike activity', await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED, `${COURSE_ACTIVITY_ID}-falsk`))],
      ['a batch with one outside', await lrs(l.auth, 'POST', 'statements', {}, [statement(l, COMPLETED), { ...statement(l, PASSED), actor: olaActor }])],
      ['a voiding statement', await lrs(l.auth, 'POST', 'statements', {}, { ...statement(l, 'http://adlnet.gov/expapi/verbs/voided'), object: { objectType: 'StatementRef', id: randomUUID() } })],
      ['state of another registration', await lrs(l.auth, 'GET', 'activities/state', stateParams(l, { registration: randomUUID() }))],
      ['state without registration', await lrs(l.auth, 'GET', 'activities/state', { activityId: l.activity_id, agent: JSON.stringify(l.actor), stateId: 'bookmark' })],
      ['state of another agent', await lrs(l.auth, 'PUT', 'activities/state', stateParams(l, { agent: JSON.stringify(olaActor) }), { page: 9 })],
      ['state of another activity', await lrs(l.auth, 'GET', 'activities/state', stateParams(l, { activityId: 'http://example.com/other' }))],
      ['the activity profile', await lrs(l.auth, 'GET', 'activities/profile', { activityId: l.activity_id })],
      ['the agent profile', await lrs(l.auth, 'GET', 'agents/profile', { agent: JSON.stringify(l.actor) })],
      ['the agents resource', await lrs(l.auth, 'GET', 'agents', { agent: JSON.stringify(l.actor) })],
    ];
    for (const [what, response] of refused) expect([what, response.status]).toEqual([what, 403]);
    // Nothing of a refused batch was stored.
    const stored = await db().selectFrom('xapi_statements').select('verb_id').where('registration', '=', l.registration).execute();
    expect(stored.map((s) => s.verb_id)).toEqual(['http://adlnet.gov/expapi/verbs/experienced']);
  });

  it('reads back only its own actor\'s statements in its own registration', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const k = await openCourse(pathId, stepIds[0]!);
    const o = await openCourse(pathId, stepIds[0]!, true);
    expect(o.registration).not.toBe(k.registration);
    await lrs(k.auth, 'POST', 'statements', {}, statement(k, 'http://adlnet.gov/expapi/verbs/experienced', `${COURSE_ACTIVITY_ID}/side-1`));
    await lrs(o.auth, 'POST', 'statements', {}, statement(o, 'http://adlnet.gov/expapi/verbs/experienced', `${COURSE_ACTIVITY_ID}/side-2`));
    // The municipality's HR client writes about Kari in Kari's registration: not the launch's to read.
    const hr = await createXapiClient(db(), { tenantId: kari.tenantId, name: 'HR', scopes: ['all'] });
    const hrAuth = `Basic ${Buffer.from(`${hr.client.key}:${hr.secret}`).toString('base64')}`;
    expect((await lrs(hrAuth, 'POST', 'statements', {}, statement(k, COMPLETED))).status).toBe(200);
    const read = (await (await lrs(k.auth, 'GET', 'statements')).json()) as { statements: { object: { id: string } }[] };
    expect(read.statements.map((s) => s.object.id)).toEqual([`${COURSE_ACTIVITY_ID}/side-1`]);
    const byRegistration = (await (await lrs(k.auth, 'GET', 'statements', { registration: o.registration })).json()) as { statements: unknown[] };
    expect(byRegistration.statements).toEqual([]);
    // …and the HR client's "completed" does not complete Kari's step: only the launch's statements count.
    const path = await page(k.enrolmentPage);
    expect(path.body).toMatch(new RegExp(`data-step="${stepIds[0]}" data-status="(not-started|in_progress|in-progress)"`));
  });

  it('applies the outcome exactly once: passed with a score completes the step and the path, sent again or twice it counts once', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const l = await openCourse(pathId, stepIds[0]!);
    const enrolmentId = l.enrolmentPage.split('/')[3]!.split('?')[0]!;
    const id = randomUUID();
    const passed = { ...statement(l, PASSED, l.activity_id, { result: { score: { scaled: 0.9, raw: 9, min: 0, max: 10 }, success: true } }), id };
    // The same statement sent twice at once (a retry), then once more.
    const [a, b] = await Promise.all([lrs(l.auth, 'PUT', 'statements', { statementId: id }, passed), lrs(l.auth, 'PUT', 'statements', { statementId: id }, passed)]);
    expect([a.status, b.status]).toEqual([204, 204]);
    expect((await lrs(l.auth, 'POST', 'statements', {}, passed)).status).toBe(200);
    // A later "completed" with a lower score changes nothing; the step keeps 0.9.
    expect((await lrs(l.auth, 'POST', 'statements', {}, statement(l, COMPLETED, l.activity_id, { result: { score: { scaled: 0.5 } } }))).status).toBe(200);
    const progress = await db().selectFrom('path_step_progress').select(['status', 'score']).where('enrolment_id', '=', enrolmentId).where('step_id', '=', stepIds[0]!).executeTakeFirstOrThrow();
    expect(progress).toEqual({ status: 'completed', score: 0.9 });
    const events = await db().selectFrom('path_events').select('type').where('enrolment_id', '=', enrolmentId).where('type', 'not in', ['path-started', 'path-launched']).orderBy('id').execute();
    expect(events.map((e) => e.type)).toEqual(['step-completed', 'path-completed']);
    expect(await db().selectFrom('path_completions').select('score').where('enrolment_id', '=', enrolmentId).execute()).toEqual([{ score: 90 }]);
    const receipts = await db().selectFrom('path_outcome_receipts').select('idempotency_key').where('enrolment_id', '=', enrolmentId).execute();
    // The passed statement once, and the completed one: each receipt named by its own statement.
    const keys = receipts.map((r) => r.idempotency_key);
    expect(keys).toHaveLength(2);
    expect(keys).toContain(`xapi:${id}`);
    expect(keys.filter((k) => k !== `xapi:${id}`)).toEqual([expect.stringMatching(/^xapi:/)]);
    // The step page and the path page show the result.
    const path = await page(l.enrolmentPage);
    expect(path.body).toMatch(new RegExp(`data-step="${stepIds[0]}" data-status="completed"`));
    expect(path.body).toContain('Poeng: 90 %');
  });

  it('lets the designer choose the verbs: with "passed", completed and failed leave the step open', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep('passed')]);
    const l = await openCourse(pathId, stepIds[0]!);
    const enrolmentId = l.enrolmentPage.split('/')[3]!.split('?')[0]!;
    await lrs(l.auth, 'POST', 'statements', {}, statement(l, COMPLETED));
    await lrs(l.auth, 'POST', 'statements', {}, statement(l, 'http://adlnet.gov/expapi/verbs/failed', l.activity_id, { result: { score: { raw: 3, max: 10 } } }));
    const progress = await db().selectFrom('path_step_progress').select(['status', 'score', 'data']).where('enrolment_id', '=', enrolmentId).executeTakeFirstOrThrow();
    expect(progress).toMatchObject({ status: 'in_progress', score: 0.3, data: { successStatus: 'failed', completionStatus: 'completed' } });
    await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED, l.activity_id, { result: { score: { scaled: 0.8 } } }));
    expect(await db().selectFrom('path_step_progress').select(['status', 'score']).where('enrolment_id', '=', enrolmentId).executeTakeFirstOrThrow()).toEqual({ status: 'completed', score: 0.8 });
  });

  it('resumes: a relaunch keeps the registration, and the State document written before is read with the new credential', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const first = await openCourse(pathId, stepIds[0]!);
    expect((await lrs(first.auth, 'PUT', 'activities/state', stateParams(first), { page: 2 })).status).toBe(204);
    const again = await openCourse(pathId, stepIds[0]!);
    expect(again.registration).toBe(first.registration);
    expect(again.auth).not.toBe(first.auth);
    const bookmark = await lrs(again.auth, 'GET', 'activities/state', stateParams(again));
    expect(bookmark.status).toBe(200);
    expect(await bookmark.json()).toEqual({ page: 2 });
    // Another learner's launch of the same step has a registration of its own and sees no bookmark.
    const o = await openCourse(pathId, stepIds[0]!, true);
    expect((await lrs(o.auth, 'GET', 'activities/state', stateParams(o))).status).toBe(404);
  });

  it('refuses an expired credential (401), renews a live one by use and by the keep-alive', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const l = await openCourse(pathId, stepIds[0]!);
    const row = () => db().selectFrom('xapi_launch_credentials').select(['id', 'idle_until', 'expires_at']).where('registration', '=', l.registration).orderBy('issued_at', 'desc').executeTakeFirstOrThrow();
    const { id } = await row();
    // Half an idle period later (as if the learner read for 20 minutes), the keep-alive renews it.
    await db().updateTable('xapi_launch_credentials').set({ idle_until: new Date(Date.now() + 10 * 60_000) }).where('id', '=', id).execute();
    expect((await fetch(`${url}/content/tincan/${l.token}/keepalive`, { method: 'POST' })).status).toBe(204);
    expect((await row()).idle_until.getTime()).toBeGreaterThan(Date.now() + LAUNCH_IDLE_MS - 60_000);
    // …and so does a request.
    await db().updateTable('xapi_launch_credentials').set({ idle_until: new Date(Date.now() + 10 * 60_000) }).where('id', '=', id).execute();
    expect((await lrs(l.auth, 'GET', 'activities/state', stateParams(l))).status).toBe(404);
    expect((await row()).idle_until.getTime()).toBeGreaterThan(Date.now() + LAUNCH_IDLE_MS - 60_000);
    // Idle past its time: refused, and the keep-alive cannot bring it back.
    await db().updateTable('xapi_launch_credentials').set({ idle_until: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    const expired = await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { detail: string }).detail).toMatch(/expired/);
    expect((await fetch(`${url}/content/tincan/${l.token}/keepalive`, { method: 'POST' })).status).toBe(410);
    // Past its absolute end, whatever the idle time says.
    await db().updateTable('xapi_launch_credentials').set({ idle_until: new Date(Date.now() + 60_000), expires_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    expect((await lrs(l.auth, 'GET', 'statements')).status).toBe(401);
    // A credential that was tampered with.
    const forged = `Basic ${Buffer.from(`launch:${Buffer.from(l.auth.slice(6), 'base64').toString().slice(7, -3)}abc`).toString('base64')}`;
    expect((await lrs(forged, 'GET', 'statements')).status).toBe(401);
  });

  it('closes the attempt after the outcome: the credential is refused (401) once it closes, and a relaunch starts a new registration', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [xapiStep()]);
    const l = await openCourse(pathId, stepIds[0]!);
    await lrs(l.auth, 'POST', 'statements', {}, statement(l, PASSED, l.activity_id, { result: { score: { scaled: 1 } } }));
    const closing = await db().selectFrom('xapi_launch_credentials').select('closes_at').where('registration', '=', l.registration).executeTakeFirstOrThrow();
    // What the course sends last (completed, terminated) still arrives for a while.
    expect(closing.closes_at!.getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    expect((await lrs(l.auth, 'POST', 'statements', {}, statement(l, 'http://adlnet.gov/expapi/verbs/terminated'))).status).toBe(200);
    // Then the attempt has closed.
    await db().updateTable('xapi_launch_credentials').set({ closes_at: new Date(Date.now() - 1000) }).where('registration', '=', l.registration).execute();
    await db().updateTable('path_xapi_registrations').set({ closes_at: new Date(Date.now() - 1000) }).where('registration', '=', l.registration).execute();
    const after = await lrs(l.auth, 'POST', 'statements', {}, statement(l, COMPLETED));
    expect(after.status).toBe(401);
    expect(((await after.json()) as { detail: string }).detail).toMatch(/attempt .* has ended/);
    expect((await lrs(l.auth, 'PUT', 'activities/state', stateParams(l), { page: 1 })).status).toBe(401);
    const relaunched = await openCourse(pathId, stepIds[0]!);
    expect(relaunched.registration).not.toBe(l.registration);
  });

  it('a SCORM step naming an xAPI package does not open it as SCORM', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [{ type: 'scorm', title: 'Feil', required: true, config: { packageId, completion: { rule: 'completed' } } } as NewStep]);
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    const stepPage = await page(launched.location!.replace('?', `/steps/${stepIds[0]}?`));
    const opened = await postForm(url, launched.location!.split('?')[0]! + `/steps/${stepIds[0]}`, formFields(stepPage.body, 'open'));
    expect(opened.status).toBe(409);
    expect(await opened.text()).toContain('Kurset er ikke tilgjengelig nå');
  });
});
