import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { getProgress } from '../../src/paths/enrolments.js';
import { uploadPackage } from '../scorm/support/server.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld, type SessionInfo } from '../learner/support.js';
import { BLOCK_ID, cmi5CourseZip, COURSE_ID, INTRO_AU, TEST_AU } from './support/course.js';

interface AuLaunch {
  url: URL;
  endpoint: string;
  fetch: string;
  actor: Record<string, unknown>;
  registration: string;
  activityId: string;
  enrolmentId: string;
  /** The context template from LMS.LaunchData, once read. */
  template?: { contextActivities: Record<string, unknown>; extensions: Record<string, string> };
}

describe(`cmi5 courses launched from a path (${BACKEND})`, () => {
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
    const uploaded = await uploadPackage(url, kari.tenantId, cmi5CourseZip());
    expect(uploaded.status).toBe(201);
    const body = (await uploaded.json()) as { id: string; standard: string };
    expect(body.standard).toBe('cmi5');
    packageId = body.id;
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  const cmi5Step = (config: Record<string, unknown> = {}): NewStep => ({ type: 'cmi5', title: 'Smittevern', required: true, config: { packageId, ...config } } as NewStep);

  const page = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
    return { status: response.status, body: await response.text() };
  };

  async function openAu(pathId: string, stepId: string, au: string, second = false): Promise<AuLaunch & { stepPage: string }> {
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id, second);
    const stepPage = await page(launched.location!.replace('?', `/steps/${stepId}?`));
    expect(stepPage.status).toBe(200);
    const opened = await postForm(url, launched.location!.split('?')[0]! + `/steps/${stepId}`, { ...formFields(stepPage.body, 'open'), au });
    expect(opened.status).toBe(303);
    const at = new URL(opened.headers.get('location')!, url);
    const q = at.searchParams;
    return {
      url: at, endpoint: q.get('endpoint')!, fetch: q.get('fetch')!, actor: JSON.parse(q.get('actor')!) as Record<string, unknown>,
      registration: q.get('registration')!, activityId: q.get('activityId')!, enrolmentId: launched.location!.split('/')[3]!.split('?')[0]!, stepPage: stepPage.body,
    };
  }

  const fetchToken = async (l: AuLaunch) => {
    const response = await fetch(l.fetch, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    return (await response.json()) as Record<string, string>;
  };

  const lrs = (token: string, method: string, resource: string, params: Record<string, string> = {}, body?: unknown) =>
    fetch(`${url}/xapi/${resource}?${new URLSearchParams(params).toString()}`, {
      method,
      headers: { Authorization: `Basic ${token}`, 'X-Experience-API-Version': '1.0.3', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const launchData = async (l: AuLaunch, token: string) => {
    const response = await lrs(token, 'GET', 'activities/state', { activityId: l.activityId, agent: JSON.stringify(l.actor), registration: l.registration, stateId: 'LMS.LaunchData' });
    expect(response.status).toBe(200);
    const data = (await response.json()) as { contextTemplate: NonNullable<AuLaunch['template']>; [key: string]: unknown };
    l.template = data.contextTemplate;
    // §11: an AU reads the learner preferences before it sends initialized.
    expect((await lrs(token, 'GET', 'agents/profile', { agent: JSON.stringify(l.actor), profileId: 'cmi5LearnerPreferences' })).status).toBe(200);
    return data;
  };

  /** A statement the way an AU makes it: the context template, the registration, the cmi5 category when defined. */
  const statement = (l: AuLaunch, verb: string, options: { defined?: boolean; result?: Record<string, unknown>; moveOn?: boolean } = {}) => {
    const template = l.template!;
    const defined = options.defined ?? true;
    const category = [...(defined ? [{ id: CMI5.categories.cmi5 }] : []), ...(options.moveOn ? [{ id: CMI5.categories.moveOn }] : [])];
    return {
      id: randomUUID(),
      actor: l.actor,
      verb: { id: verb },
      object: { objectType: 'Activity', id: l.activityId },
      timestamp: new Date().toISOString(),
      ...(options.result ? { result: options.result } : {}),
      context: { ...structuredClone(template), registration: l.registration, contextActivities: { ...structuredClone(template.contextActivities), ...(category.length ? { category } : {}) } },
    };
  };

  const lmsStatements = async (registration: string) =>
    (await db().selectFrom('xapi_statements').select(['verb_id', 'statement']).where('registration', '=', registration).orderBy('seq').execute())
      .map((r) => ({ verb: r.verb_id, statement: r.statement as { object: { id: string; definition?: { type?: string } }; context: { extensions: Record<string, unknown>; contextActivities: { category?: { id: string }[]; grouping?: { id: string }[] } }; result?: Record<string, unknown> } }));

  it('launches an AU as the cmi5 LMS requirements say: the launch URL, the launched statement, LMS.LaunchData, the learner preferences and a one-time fetch URL', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [cmi5Step()]);
    const l = await openAu(pathId, stepIds[0]!, INTRO_AU);
    expect(l.stepPage).toContain('data-cmi5-aus');
    expect(l.stepPage).toMatch(/target="_blank"[^>]*data-action="open">[\s\S]*?value="https:\/\/laeringslop\.example\/cmi5\/smittevern\/prove"/);
    // §8.1: the AU's own file and query, then the five parameters.
    expect(l.url.pathname).toMatch(/^\/content\/cmi5\/[^/]+\/files\/innforing\.html$/);
    expect(l.url.searchParams.get('del')).toBe('1');
    expect(l.endpoint).toBe(`${url}/xapi/`);
    expect(l.actor).toEqual({ objectType: 'Agent', account: { homePage: url, name: kari.personId } });
    expect(l.registration).toMatch(/^[0-9a-f-]{36}$/);
    // §8.1.5: an activity id of the LMS's making, not the publisher's.
    expect(l.activityId).toMatch(new RegExp(`^${url}/cmi5/${packageId}/au/[0-9a-f]{32}$`));
    expect(l.activityId).not.toBe(INTRO_AU);
    const file = await fetch(l.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('referrer-policy')).toBe('no-referrer');

    // §9.3.1: launched, by the LMS, before the AU runs.
    const [launched] = await lmsStatements(l.registration);
    expect(launched?.verb).toBe(CMI5.verbs.launched);
    const ext = launched!.statement.context.extensions;
    const sessionId = ext[CMI5.extensions.sessionId] as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ext[CMI5.extensions.launchMode]).toBe('Normal');
    expect(ext[CMI5.extensions.moveOn]).toBe('Completed');
    expect(ext[CMI5.extensions.launchParameters]).toBe('sider=3');
    expect(ext[CMI5.extensions.launchUrl]).toBe(`${l.url.origin}${l.url.pathname}?del=1`);
    expect(launched!.statement.context.contextActivities.category).toEqual([expect.objectContaining({ id: CMI5.categories.cmi5 })]);
    expect(launched!.statement.context.contextActivities.grouping).toEqual([expect.objectContaining({ id: INTRO_AU })]);

    // §8.2: the token once; a second POST and a wrong key get errors, with 200 and JSON.
    const first = await fetchToken(l);
    expect(first['auth-token']).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(await fetchToken(l)).toMatchObject({ 'error-code': '1' });
    expect(await fetchToken({ ...l, fetch: l.fetch.replace(/k=[^&]+/, 'k=gjettet') })).toMatchObject({ 'error-code': '2' });
    expect(await fetchToken({ ...l, fetch: `${url}/cmi5/fetch/not-a-session?k=x` })).toMatchObject({ 'error-code': '2' });
    const token = first['auth-token']!;

    // §10: LMS.LaunchData, read only for the AU.
    const data = await launchData(l, token);
    expect(data).toMatchObject({ launchMode: 'Normal', moveOn: 'Completed', launchParameters: 'sider=3' });
    expect(data['returnURL']).toMatch(new RegExp(`^${url}/`));
    expect(data.contextTemplate.extensions[CMI5.extensions.sessionId]).toBe(sessionId);
    expect(data.contextTemplate.contextActivities['grouping']).toEqual([{ objectType: 'Activity', id: INTRO_AU }]);
    const stateParams = { activityId: l.activityId, agent: JSON.stringify(l.actor), registration: l.registration, stateId: 'LMS.LaunchData' };
    expect((await lrs(token, 'PUT', 'activities/state', stateParams, { launchMode: 'Review' })).status).toBe(403);
    expect((await lrs(token, 'DELETE', 'activities/state', { activityId: l.activityId, agent: JSON.stringify(l.actor), registration: l.registration })).status).toBe(403);
    expect((await lrs(token, 'PUT', 'activities/state', { ...stateParams, stateId: 'bokmerke' }, { side: 2 })).status).toBe(204);
    // §11: the learner preferences, readable, not writable by the AU.
    const prefs = await lrs(token, 'GET', 'agents/profile', { agent: JSON.stringify(l.actor), profileId: 'cmi5LearnerPreferences' });
    expect(prefs.status).toBe(200);
    expect(await prefs.json()).toEqual({ languagePreference: 'nb-NO,nn-NO,en-GB', audioPreference: 'on' });
    expect((await lrs(token, 'PUT', 'agents/profile', { agent: JSON.stringify(l.actor), profileId: 'cmi5LearnerPreferences' }, { audioPreference: 'off' })).status).toBe(403);
    expect((await lrs(token, 'GET', 'agents/profile', { agent: JSON.stringify({ objectType: 'Agent', account: { homePage: url, name: ola.personId } }), profileId: 'cmi5LearnerPreferences' })).status).toBe(403);
  });

  it('enforces the cmi5 statement rules on the AU session: initialized first, no repeats, the context template, nothing after terminated', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [cmi5Step()]);
    const l = await openAu(pathId, stepIds[0]!, INTRO_AU);
    const token = (await fetchToken(l))['auth-token']!;
    const t = (await launchData(l, token)).contextTemplate;
    const post = (body: unknown) => lrs(token, 'POST', 'statements', {}, body);
    const olaActor = { objectType: 'Agent', account: { homePage: url, name: ola.personId } };

    expect((await post(statement(l, 'http://adlnet.gov/expapi/verbs/experienced', { defined: false }))).status).toBe(403);
    expect((await post(statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1S' }, moveOn: true }))).status).toBe(403);
    const refused: [string, unknown, number][] = [
      ['no session id', { ...statement(l, CMI5.verbs.initialized), context: { registration: l.registration, contextActivities: { ...t.contextActivities, category: [{ id: CMI5.categories.cmi5 }] } } }, 403],
      ['another session id', (() => { const s = statement(l, CMI5.verbs.initialized); s.context.extensions = { [CMI5.extensions.sessionId]: randomUUID() }; return s; })(), 403],
      ['no publisher id grouping', (() => { const s = statement(l, CMI5.verbs.initialized); s.context.contextActivities = { category: [{ id: CMI5.categories.cmi5 }] } as never; return s; })(), 403],
      ['another actor', { ...statement(l, CMI5.verbs.initialized), actor: olaActor }, 403],
      ['another registration', { ...statement(l, CMI5.verbs.initialized), context: { ...statement(l, CMI5.verbs.initialized).context, registration: randomUUID() } }, 403],
      ['the LMS verb satisfied', statement(l, CMI5.verbs.satisfied), 403],
      ['a voiding statement', { ...statement(l, 'http://adlnet.gov/expapi/verbs/voided'), object: { objectType: 'StatementRef', id: randomUUID() } }, 403],
    ];
    for (const [what, body, status] of refused) expect([what, (await post(body)).status]).toEqual([what, status]);
    expect((await post(statement(l, CMI5.verbs.initialized))).status).toBe(200);
    expect((await post(statement(l, CMI5.verbs.initialized))).status).toBe(403);
    expect((await post(statement(l, 'http://adlnet.gov/expapi/verbs/experienced', { defined: false }))).status).toBe(200);
    const afterInit: [string, unknown][] = [
      ['completed without duration', statement(l, CMI5.verbs.completed, { result: { completion: true }, moveOn: true })],
      ['completed without the moveOn category', statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1S' } })],
      ['completed with a score', statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1S', score: { scaled: 1 } }, moveOn: true })],
      ['an unknown verb with the cmi5 category', statement(l, 'http://adlnet.gov/expapi/verbs/experienced')],
      ['a batch with one bad statement', [statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1S' }, moveOn: true }), statement(l, CMI5.verbs.initialized)]],
    ];
    for (const [what, body] of afterInit) expect([what, (await post(body)).status]).toEqual([what, 403]);
    // The publisher's id is not the AU's activity: outside what the session's token may write about.
    expect((await post({ ...statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1S' }, moveOn: true }), object: { objectType: 'Activity', id: INTRO_AU } })).status).toBe(403);
    expect((await post(statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT2M' }, moveOn: true }))).status).toBe(200);
    expect((await post(statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT2M' }, moveOn: true }))).status).toBe(403);
    expect((await post(statement(l, CMI5.verbs.terminated, { result: { duration: 'PT3M' } }))).status).toBe(200);
    // §9.3.8: nothing after terminated, of any kind.
    expect((await post(statement(l, 'http://adlnet.gov/expapi/verbs/experienced', { defined: false }))).status).toBe(403);
    const verbs = (await lmsStatements(l.registration)).map((s) => s.verb);
    expect(verbs).toEqual([CMI5.verbs.launched, CMI5.verbs.initialized, 'http://adlnet.gov/expapi/verbs/experienced', CMI5.verbs.completed, CMI5.verbs.terminated]);

    // A new session of the same AU in the registration: completed again is refused (once per registration).
    const again = await openAu(pathId, stepIds[0]!, INTRO_AU);
    expect(again.registration).toBe(l.registration);
    const token2 = (await fetchToken(again))['auth-token']!;
    const t2 = (await launchData(again, token2)).contextTemplate;
    expect(t2.extensions[CMI5.extensions.sessionId]).not.toBe(t.extensions[CMI5.extensions.sessionId]);
    expect((await lrs(token2, 'POST', 'statements', {}, statement(again, CMI5.verbs.initialized))).status).toBe(200);
    expect((await lrs(token2, 'POST', 'statements', {}, statement(again, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1S' }, moveOn: true }))).status).toBe(403);
    // The first session's token still works for nothing: its session has ended.
    expect((await post(statement(l, CMI5.verbs.initialized))).status).toBe(403);
  });

  it('turns moveOn into the step outcome exactly once: passed against the masteryScore, satisfied for the block and the course, the step completed with the score', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [cmi5Step()]);
    const intro = await openAu(pathId, stepIds[0]!, INTRO_AU);
    const introToken = (await fetchToken(intro))['auth-token']!;
    await launchData(intro, introToken);
    for (const s of [statement(intro, CMI5.verbs.initialized), statement(intro, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1M' }, moveOn: true }), statement(intro, CMI5.verbs.terminated, { result: { duration: 'PT1M' } })]) {
      expect((await lrs(introToken, 'POST', 'statements', {}, s)).status).toBe(200);
    }
    const progress = async () => (await getProgress(db(), kari.tenantId, intro.enrolmentId)).steps[0]!;
    expect((await progress()).status).not.toBe('completed');

    const test = await openAu(pathId, stepIds[0]!, TEST_AU);
    expect(test.registration).toBe(intro.registration);
    const token = (await fetchToken(test))['auth-token']!;
    const data = await launchData(test, token);
    expect(data).toMatchObject({ masteryScore: 0.8, moveOn: 'CompletedAndPassed', entitlementKey: { courseStructure: 'laeringslop-demo' } });
    const post = (body: unknown) => lrs(token, 'POST', 'statements', {}, body);
    expect((await post(statement(test, CMI5.verbs.initialized))).status).toBe(200);
    // §9.6.3.2: a passed or failed judged by a score carries the launch data's masteryScore.
    const judged = (verb: string, scaled: number, success: boolean, masteryScore: number | null = 0.8) => {
      const s = statement(test, verb, { result: { success, duration: 'PT5M', score: { scaled } }, moveOn: true });
      if (masteryScore !== null) s.context.extensions = { ...s.context.extensions, [CMI5.extensions.masteryScore]: masteryScore as never };
      return s;
    };
    expect((await post(judged(CMI5.verbs.passed, 0.9, true, null))).status).toBe(403);
    expect((await post(judged(CMI5.verbs.passed, 0.9, true, 0.5))).status).toBe(403);
    expect((await post(judged(CMI5.verbs.passed, 0.7, true))).status).toBe(403);
    expect((await post(judged(CMI5.verbs.failed, 0.9, false))).status).toBe(403);
    expect((await post(judged(CMI5.verbs.passed, 0.9, false))).status).toBe(403);
    expect((await post(judged(CMI5.verbs.passed, 0.9, true))).status).toBe(200);
    expect((await post(judged(CMI5.verbs.failed, 0.5, false))).status).toBe(403);
    expect((await progress()).status).not.toBe('completed');
    expect((await post(statement(test, CMI5.verbs.completed, { result: { completion: true, duration: 'PT6M' }, moveOn: true }))).status).toBe(200);

    // §9.3.9: satisfied for the block, then the course, right after the statement that did it.
    const all = await lmsStatements(test.registration);
    const satisfied = all.filter((s) => s.verb === CMI5.verbs.satisfied);
    expect(satisfied.map((s) => s.statement.object.definition?.type)).toEqual([CMI5.activityTypes.block, CMI5.activityTypes.course]);
    expect(satisfied.map((s) => s.statement.context.contextActivities.grouping?.[0]?.id)).toEqual([BLOCK_ID, COURSE_ID]);
    expect(satisfied.every((s) => ![BLOCK_ID, COURSE_ID].includes(s.statement.object.id))).toBe(true);
    expect(satisfied[0]!.statement.context.extensions[CMI5.extensions.sessionId]).toBe(data.contextTemplate.extensions[CMI5.extensions.sessionId]);
    expect(all.at(-1)!.verb).toBe(CMI5.verbs.satisfied);

    const step = await progress();
    expect(step.status).toBe('completed');
    expect(step.score).toBeCloseTo(0.9);
    expect((await post(statement(test, CMI5.verbs.terminated, { result: { duration: 'PT7M' } }))).status).toBe(200);
    // Exactly once: one receipt, one step-completed event, whatever is delivered again.
    await fetch(`${url}/learn/${intro.enrolmentId}?session=${encodeURIComponent((await launch(url, 'learner')).sessionToken!)}`);
    const events = await db().selectFrom('path_events').select('type').where('enrolment_id', '=', intro.enrolmentId).where('type', '=', 'step-completed').execute();
    expect(events).toHaveLength(1);
    expect((await lmsStatements(test.registration)).filter((s) => s.verb === CMI5.verbs.satisfied)).toHaveLength(2);
  });

  it('abandons a session left without terminated: on the next launch of the AU, and after the idle time, with the duration to the last statement', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [cmi5Step({ nodeId: INTRO_AU })]);
    const first = await openAu(pathId, stepIds[0]!, INTRO_AU);
    const token = (await fetchToken(first))['auth-token']!;
    await launchData(first, token);
    expect((await lrs(token, 'POST', 'statements', {}, statement(first, CMI5.verbs.initialized))).status).toBe(200);
    const second = await openAu(pathId, stepIds[0]!, INTRO_AU);
    const abandoned = (await lmsStatements(first.registration)).filter((s) => s.verb === CMI5.verbs.abandoned);
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]!.statement.result?.['duration']).toMatch(/^PT[\d.]+S$/);
    expect(abandoned[0]!.statement.object.id).toBe(first.activityId);
    // §9.3.6: nothing is recorded for the session after abandoned; its fetch URL is spent too.
    expect((await lrs(token, 'POST', 'statements', {}, statement(first, 'http://adlnet.gov/expapi/verbs/experienced', { defined: false }))).status).toBe(401);
    expect(await fetchToken(first)).toMatchObject({ 'error-code': '1' });
    // The new session gets its token: the registration goes on.
    const secondToken = (await fetchToken(second))['auth-token']!;
    await launchData(second, secondToken);
    expect((await lrs(secondToken, 'POST', 'statements', {}, statement(second, CMI5.verbs.initialized))).status).toBe(200);
    // The sweep ends the second one once it has idled long enough.
    await sql`update cmi5_sessions set launched_at = now() - interval '1 hour', last_statement_at = now() - interval '50 minutes' where registration = ${second.registration} and abandoned_at is null`.execute(db());
    const { Cmi5Lms } = await import('../../src/cmi5/lms.js');
    const { OwnStatements } = await import('../../src/xapi/own-statements.js');
    const { LaunchCredentials } = await import('../../src/xapi/launch-credentials.js');
    const sweeper = new Cmi5Lms(db(), new LaunchCredentials(db(), 'sweep-secret'), new OwnStatements(db(), url), url);
    expect(await sweeper.abandonStale(30 * 60_000)).toBeGreaterThanOrEqual(1);
    expect((await lmsStatements(first.registration)).filter((s) => s.verb === CMI5.verbs.abandoned)).toHaveLength(2);
  });

  it('limits a step to its block or AU and refuses to launch AUs outside it', async () => {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [cmi5Step({ nodeId: TEST_AU })]);
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    const stepPage = await page(launched.location!.replace('?', `/steps/${stepIds[0]}?`));
    expect(stepPage.body).toContain(`data-au="${TEST_AU}"`);
    expect(stepPage.body).not.toContain(`data-au="${INTRO_AU}"`);
    const outside = await postForm(url, launched.location!.split('?')[0]! + `/steps/${stepIds[0]}`, { ...formFields(stepPage.body, 'open'), au: INTRO_AU });
    expect(outside.status).toBe(409);
    const none = await db().selectFrom('cmi5_sessions as s').innerJoin('cmi5_registrations as r', 'r.registration', 's.registration').select('s.id').where('r.step_id', '=', stepIds[0]!).execute();
    expect(none).toEqual([]);
  });
});
