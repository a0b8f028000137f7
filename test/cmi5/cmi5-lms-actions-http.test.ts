import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantManager } from '../../src/access/manager-grants.js';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { getProgress } from '../../src/paths/enrolments.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { addEmployee, addPerson, addUnit } from '../access/support.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld, type SessionInfo } from '../learner/support.js';
import { SECRET } from '../lti/support/lti-http.js';
import { uploadPackage } from '../scorm/support/server.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { INTRO_AU, TEST_AU, cmi5CourseZip } from './support/course.js';

type Json = Record<string, unknown>;

interface AuLaunch {
  url: URL;
  fetch: string;
  actor: Json;
  registration: string;
  activityId: string;
  enrolmentId: string;
  token?: string;
  template?: { contextActivities: Json; extensions: Json };
}

/**
 * What the ADL CATAPULT LMS suite found and what an LMS operator does with cmi5 sessions: the
 * statement rules it checks (403), the session's requests one at a time, waiving an AU and ending a
 * session as the course's teacher or the learner's manager, and Browse/Review launches.
 */
describe(`cmi5 LMS actions and the rules the CATAPULT suite checks (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let kari: SessionInfo;
  let packageId: string;
  const db = () => testDb.database.db;
  const sessions = new SessionTokens(SECRET);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    const uploaded = await uploadPackage(url, kari.tenantId, cmi5CourseZip());
    packageId = ((await uploaded.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  const cmi5Step = (): NewStep => ({ type: 'cmi5', title: 'Smittevern', required: true, config: { packageId } } as NewStep);

  /** A path with the course placed in the LMS course: its link, and the learner's and the teacher's launches of it. */
  async function placed() {
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [cmi5Step()]);
    const link = await world.lms.addLink({ title: `Smittevern ${randomUUID().slice(0, 6)}`, custom: { laeringslop_path: pathId } });
    return { pathId, stepId: stepIds[0]!, linkId: link.id };
  }

  async function openAu(where: { stepId: string; linkId: string }, au: string, action: 'open' | 'review' = 'open'): Promise<AuLaunch & { status: number }> {
    const launched = await launch(url, 'learner', where.linkId);
    const stepUrl = launched.location!.replace('?', `/steps/${where.stepId}?`);
    const page = await (await fetch(`${url}${stepUrl}`, { headers: { accept: 'text/html' } })).text();
    const opened = await postForm(url, stepUrl.split('?')[0]!, { ...formFields(page, action === 'review' ? 'review' : 'open'), au });
    const at = new URL(opened.headers.get('location') ?? '/', url);
    const q = at.searchParams;
    return {
      status: opened.status, url: at, fetch: q.get('fetch')!, actor: q.get('actor') ? JSON.parse(q.get('actor')!) as Json : {}, registration: q.get('registration')!,
      activityId: q.get('activityId')!, enrolmentId: launched.location!.split('/')[3]!.split('?')[0]!,
    };
  }

  const lrs = (token: string, method: string, resource: string, params: Record<string, string> = {}, body?: unknown) =>
    fetch(`${url}/xapi/${resource}?${new URLSearchParams(params).toString()}`, {
      method,
      headers: { Authorization: `Basic ${token}`, 'X-Experience-API-Version': '1.0.3', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  /** The AU's start (§8.2, §10, §11): the token, LMS.LaunchData and, unless told not to, the learner preferences. */
  async function start(l: AuLaunch, readPreferences = true) {
    const fetched = (await (await fetch(l.fetch, { method: 'POST' })).json()) as Json;
    l.token = String(fetched['auth-token']);
    const data = (await (await lrs(l.token, 'GET', 'activities/state', { activityId: l.activityId, agent: JSON.stringify(l.actor), registration: l.registration, stateId: 'LMS.LaunchData' })).json()) as Json;
    l.template = data['contextTemplate'] as NonNullable<AuLaunch['template']>;
    if (readPreferences) expect((await lrs(l.token, 'GET', 'agents/profile', { agent: JSON.stringify(l.actor), profileId: 'cmi5LearnerPreferences' })).status).toBe(200);
    return data;
  }

  const statement = (l: AuLaunch, verb: string, options: { defined?: boolean; result?: Json; moveOn?: boolean } = {}) => {
    const category = [...(options.defined ?? true ? [{ id: CMI5.categories.cmi5 }] : []), ...(options.moveOn ? [{ id: CMI5.categories.moveOn }] : [])];
    return {
      id: randomUUID(), actor: l.actor, verb: { id: verb }, object: { objectType: 'Activity', id: l.activityId }, timestamp: new Date().toISOString(),
      ...(options.result ? { result: options.result } : {}),
      context: { ...structuredClone(l.template!), registration: l.registration, contextActivities: { ...structuredClone(l.template!.contextActivities), ...(category.length ? { category } : {}) } },
    };
  };
  const post = (l: AuLaunch, body: unknown) => lrs(l.token!, 'POST', 'statements', {}, body);
  const completed = (l: AuLaunch) => statement(l, CMI5.verbs.completed, { result: { completion: true, duration: 'PT1M' }, moveOn: true });

  const registrationStatements = async (registration: string) =>
    (await db().selectFrom('xapi_statements').select(['verb_id', 'statement']).where('registration', '=', registration).orderBy('seq').execute())
      .map((r) => ({ verb: r.verb_id, statement: r.statement as { actor: Json; object: { id: string }; result?: Json; context: { registration: string; extensions: Json; contextActivities: { category?: { id: string }[]; grouping?: { id: string }[] } } } }));

  it('refuses with 403 what the CATAPULT suite sends against the rules: no timestamp, not UTC, a Group actor, a raw score without its range, the moveOn category on an allowed statement, initialized before the learner preferences', async () => {
    const where = await placed();
    const l = await openAu(where, INTRO_AU);
    await start(l, false);
    // §11: the AU reads cmi5LearnerPreferences before initialized.
    expect((await post(l, statement(l, CMI5.verbs.initialized))).status).toBe(403);
    expect((await lrs(l.token!, 'GET', 'agents/profile', { agent: JSON.stringify(l.actor), profileId: 'cmi5LearnerPreferences' })).status).toBe(200);
    expect((await post(l, statement(l, CMI5.verbs.initialized))).status).toBe(200);
    const experienced = () => statement(l, 'http://adlnet.gov/expapi/verbs/experienced', { defined: false });
    const refused: [string, unknown][] = [
      ['no timestamp', (() => { const s: Json = experienced(); delete s['timestamp']; return s; })()],
      ['a timestamp not in UTC', { ...experienced(), timestamp: '2026-12-06T12:00:00+05:00' }],
      ['a Group actor', { ...experienced(), actor: { ...l.actor, objectType: 'Group' } }],
      ['a raw score without min and max', statement(l, CMI5.verbs.failed, { result: { success: false, duration: 'PT1M', score: { raw: 3 } }, moveOn: true })],
      ['the moveOn category on an allowed statement', (() => { const s = experienced(); s.context.contextActivities = { ...s.context.contextActivities, category: [{ id: CMI5.categories.moveOn }] }; return s; })()],
      ['no context', (() => { const s: Json = experienced(); delete s['context']; return s; })()],
    ];
    for (const [what, body] of refused) expect([what, (await post(l, body)).status]).toEqual([what, 403]);
    expect((await post(l, experienced())).status).toBe(200);
    expect((await post(l, { ...experienced(), timestamp: '2026-12-06T12:00:00.000+00:00' })).status).toBe(200);
  });

  it('lets no browser answer an LRS request from its cache (Cache-Control: no-store)', async () => {
    const where = await placed();
    const l = await openAu(where, INTRO_AU);
    await start(l);
    const answer = await lrs(l.token!, 'GET', 'agents/profile', { agent: JSON.stringify(l.actor), profileId: 'cmi5LearnerPreferences' });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('handles one AU session\'s statement requests one at a time: of two completed sent at the same instant exactly one is stored', async () => {
    for (let round = 0; round < 3; round += 1) {
      const where = await placed();
      const l = await openAu(where, INTRO_AU);
      await start(l);
      expect((await post(l, statement(l, CMI5.verbs.initialized))).status).toBe(200);
      const statuses = (await Promise.all([post(l, completed(l)), post(l, completed(l)), post(l, [completed(l)])])).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 403, 403]);
      expect((await registrationStatements(l.registration)).filter((s) => s.verb === CMI5.verbs.completed)).toHaveLength(1);
      const session = await db().selectFrom('cmi5_sessions').select(['writer', 'defined_verbs']).where('registration', '=', l.registration).executeTakeFirstOrThrow();
      expect(session).toEqual({ writer: null, defined_verbs: [CMI5.verbs.initialized, CMI5.verbs.completed] });
    }
  });

  describe('waiving an AU and ending a session', () => {
    let where: Awaited<ReturnType<typeof placed>>;
    let teacher: string;
    const api = (token: string, path: string, body?: unknown) => fetch(`${url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

    beforeAll(async () => {
      where = await placed();
      const launched = await launch(url, 'designer', where.linkId);
      expect(launched.location).toContain(`/teach/links/`);
      teacher = launched.sessionToken!;
    });

    it('lets the course\'s teacher waive an AU: the waived statement, satisfied for the block and the course, the step outcome once, the audit', async () => {
      const intro = await openAu(where, INTRO_AU);
      await start(intro);
      for (const s of [statement(intro, CMI5.verbs.initialized), completed(intro), statement(intro, CMI5.verbs.terminated, { result: { duration: 'PT2M' } })]) expect((await post(intro, s)).status).toBe(200);

      const refusedReason = await api(teacher, `/api/cmi5/registrations/${intro.registration}/waivers`, { au: TEST_AU, reason: 'Because' });
      expect(refusedReason.status).toBe(400);
      expect(refusedReason.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await api(teacher, `/api/cmi5/registrations/${intro.registration}/waivers`, { au: 'https://laeringslop.example/ukjent', reason: 'Administrative' })).status).toBe(404);
      // The intro is already satisfied by its moveOn: nothing to waive.
      const satisfiedAlready = await api(teacher, `/api/cmi5/registrations/${intro.registration}/waivers`, { au: INTRO_AU, reason: 'Administrative' });
      expect(satisfiedAlready.status).toBe(409);
      expect(await satisfiedAlready.json()).toMatchObject({ type: '/problems/cmi5-action-refused', code: 'already-satisfied' });

      const waived = await api(teacher, `/api/cmi5/registrations/${intro.registration}/waivers`, { au: TEST_AU, reason: 'Tested Out' });
      expect(waived.status).toBe(201);
      const { sessionId } = (await waived.json()) as { sessionId: string };
      const all = await registrationStatements(intro.registration);
      const at = all.findIndex((s) => s.verb === CMI5.verbs.waived);
      const waivedStatement = all[at]!.statement;
      expect(waivedStatement.actor).toEqual(intro.actor);
      expect(waivedStatement.result).toEqual({ success: true, completion: true, extensions: { [CMI5.extensions.reason]: 'Tested Out' } });
      expect(waivedStatement.context.extensions[CMI5.extensions.sessionId]).toBe(sessionId);
      expect(waivedStatement.context.contextActivities.category?.map((c) => c.id)).toEqual([CMI5.categories.cmi5, CMI5.categories.moveOn]);
      expect(waivedStatement.context.contextActivities.grouping?.map((c) => c.id)).toEqual([TEST_AU]);
      const sessionsBefore = await db().selectFrom('cmi5_sessions').select('id').where('registration', '=', intro.registration).execute();
      expect(sessionsBefore.map((s) => s.id)).not.toContain(sessionId);
      expect(all.slice(at + 1).map((s) => [s.verb, s.statement.context.extensions[CMI5.extensions.sessionId]])).toEqual([[CMI5.verbs.satisfied, sessionId], [CMI5.verbs.satisfied, sessionId]]);

      const step = (await getProgress(db(), kari.tenantId, intro.enrolmentId)).steps[0]!;
      expect(step.status).toBe('completed');
      const again = await api(teacher, `/api/cmi5/registrations/${intro.registration}/waivers`, { au: TEST_AU, reason: 'Administrative' });
      expect(again.status).toBe(409);
      expect((await registrationStatements(intro.registration)).filter((s) => s.verb === CMI5.verbs.waived)).toHaveLength(1);
      const events = await db().selectFrom('path_events').select('type').where('enrolment_id', '=', intro.enrolmentId).where('type', '=', 'step-completed').execute();
      expect(events).toHaveLength(1);
      const audit = await db().selectFrom('audit_events').select(['actor_id', 'subject_person_id', 'details']).where('action', '=', 'cmi5.au.waived').where('object_id', '=', intro.registration).execute();
      expect(audit).toEqual([{ actor_id: (await sessionInfo(url, teacher)).personId, subject_person_id: kari.personId, details: expect.objectContaining({ au: TEST_AU, reason: 'Tested Out', sessionId }) }]);
    });

    it('lets the teacher end a hanging session: abandoned as the sweep writes it, the session\'s token stops, once', async () => {
      const other = await placed();
      const teacherThere = (await launch(url, 'designer', other.linkId)).sessionToken!;
      const l = await openAu(other, INTRO_AU);
      await start(l);
      expect((await post(l, statement(l, CMI5.verbs.initialized))).status).toBe(200);
      const sessionId = String(l.template!.extensions[CMI5.extensions.sessionId]);
      // A teacher of another LMS course (context) of the municipality does not follow this enrolment.
      const me = await sessionInfo(url, teacher);
      const otherCourse = await sessions.issue({ personId: me.personId, tenantId: me.tenantId, platformId: me.platformId, role: 'designer', contextId: randomUUID(), resourceLinkId: null, locale: 'nb' });
      expect((await api(otherCourse, `/api/cmi5/sessions/${sessionId}/abandon`)).status).toBe(404);
      const ended = await api(teacherThere, `/api/cmi5/sessions/${sessionId}/abandon`);
      expect(ended.status).toBe(200);
      const abandoned = (await registrationStatements(l.registration)).filter((s) => s.verb === CMI5.verbs.abandoned);
      expect(abandoned).toHaveLength(1);
      expect(abandoned[0]!.statement.result?.['duration']).toMatch(/^PT[\d.]+S$/);
      expect(abandoned[0]!.statement.context.extensions[CMI5.extensions.sessionId]).toBe(sessionId);
      expect(abandoned[0]!.statement.context.contextActivities.category?.map((c) => c.id)).toEqual([CMI5.categories.cmi5]);
      expect(abandoned[0]!.statement.object.id).toBe(l.activityId);
      expect((await post(l, statement(l, 'http://adlnet.gov/expapi/verbs/experienced', { defined: false }))).status).toBe(401);
      expect((await api(teacherThere, `/api/cmi5/sessions/${sessionId}/abandon`)).status).toBe(409);
      expect(await db().selectFrom('audit_events').select('subject_person_id').where('action', '=', 'cmi5.session.abandoned').where('object_id', '=', sessionId).execute()).toEqual([{ subject_person_id: kari.personId }]);
    });

    it('refuses learners, forged and other tenants\' sessions, and managers whose units the learner is not in; a manager of the learner\'s unit may act', async () => {
      const l = await openAu(await placed(), INTRO_AU);
      await start(l);
      const path = `/api/cmi5/registrations/${l.registration}/waivers`;
      const body = { au: INTRO_AU, reason: 'Administrative' };
      expect((await api((await launch(url, 'learner')).sessionToken!, path, body)).status).toBe(403);
      expect((await api('forged.token.value', path, body)).status).toBe(401);
      const oslo = (await findMunicipality(db(), '0301'))!.id;
      const outsider = await sessions.issue({ personId: await addPerson(db(), oslo, 'Ola Oslo'), tenantId: oslo, role: 'designer', contextId: randomUUID(), resourceLinkId: null, platformId: 'none', locale: 'nb' });
      expect((await api(outsider, path, body)).status).toBe(404);
      const osloManager = await sessions.issue({ personId: await addPerson(db(), oslo, 'Mona Oslo'), tenantId: oslo, role: 'manager', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
      expect((await api(osloManager, path, body)).status).toBe(404);

      const home = await addUnit(db(), kari.tenantId, null, `HT-${randomUUID().slice(0, 4)}`, 'Hjemmetjenesten');
      const elsewhere = await addUnit(db(), kari.tenantId, null, `SK-${randomUUID().slice(0, 4)}`, 'Skolen');
      await addEmployee(db(), kari.tenantId, `K-${randomUUID().slice(0, 6)}`, kari.personId, [{ unit: home, jobTitle: 'Helsefagarbeider', percentage: 100 }]);
      const managerOf = async (unit: { id: string }, name: string) => {
        const personId = await addPerson(db(), kari.tenantId, name);
        await grantManager(db(), { tenantId: kari.tenantId, personId, unitId: unit.id, actor: { kind: 'operator', id: 'test' } });
        return sessions.issue({ personId, tenantId: kari.tenantId, role: 'manager', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
      };
      const otherManager = await managerOf(elsewhere, 'Leder Skole');
      expect((await api(otherManager, path, body)).status).toBe(404);
      const manager = await managerOf(home, 'Leder Hjemme');
      const waived = await api(manager, path, body);
      expect(waived.status).toBe(201);
      // The manager's page of the learner: linked from the person page, the AU shown as waived; not for the other manager.
      const html = async (token: string, pathname: string) => {
        const answer = await fetch(`${url}${pathname}?session=${encodeURIComponent(token)}`, { headers: { accept: 'text/html' } });
        return { status: answer.status, body: await answer.text() };
      };
      expect((await html(manager, `/manage/people/${kari.personId}`)).body).toContain(`/manage/people/${kari.personId}/cmi5`);
      const page = await html(manager, `/manage/people/${kari.personId}/cmi5`);
      expect(page.status).toBe(200);
      expect(page.body).toMatch(new RegExp(`data-au-row="${INTRO_AU}"[\\s\\S]*?data-status>Fritatt \\(Administrativt\\)`));
      expect((await html(otherManager, `/manage/people/${kari.personId}/cmi5`)).status).toBe(404);
      const refusedForm = await fetch(`${url}/manage/people/${kari.personId}/cmi5`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ session: manager, action: 'waive', registration: l.registration, au: INTRO_AU, reason: 'Administrative' }),
      });
      expect(refusedForm.status).toBe(409);
      expect(await refusedForm.text()).toContain('Delen var allerede fritatt.');
    });
  });

  it('launches in Browse and Review: the designer previews a saved step, a learner reviews only what they satisfied, and the LRS takes nothing but initialized and terminated', async () => {
    const where = await placed();
    const designer = (await launch(url, 'designer')).sessionToken!;
    const stepPage = await (await fetch(`${url}/design/paths/${where.pathId}/steps/${where.stepId}?session=${encodeURIComponent(designer)}`, { headers: { accept: 'text/html' } })).text();
    expect(stepPage).toContain('data-cmi5-preview');
    const preview = async (mode: string, au = INTRO_AU) => fetch(`${url}/design/paths/${where.pathId}/steps/${where.stepId}/preview`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ session: designer, au, mode }),
    });
    expect((await preview('Normal')).status).toBe(404);
    expect((await preview('Browse', 'https://laeringslop.example/ukjent')).status).toBe(404);
    for (const mode of ['Browse', 'Review']) {
      const opened = await preview(mode);
      expect(opened.status).toBe(303);
      const at = new URL(opened.headers.get('location')!);
      const l: AuLaunch = { url: at, fetch: at.searchParams.get('fetch')!, actor: JSON.parse(at.searchParams.get('actor')!) as Json, registration: at.searchParams.get('registration')!, activityId: at.searchParams.get('activityId')!, enrolmentId: '' };
      const data = await start(l);
      expect(data['launchMode']).toBe(mode);
      expect((await post(l, statement(l, CMI5.verbs.initialized))).status).toBe(200);
      // §10.2.2: in Browse and Review an AU sends no other cmi5 defined statement.
      expect((await post(l, completed(l))).status).toBe(403);
      expect((await post(l, statement(l, CMI5.verbs.passed, { result: { success: true, duration: 'PT1M' }, moveOn: true }))).status).toBe(403);
      expect((await post(l, statement(l, CMI5.verbs.terminated, { result: { duration: 'PT2M' } }))).status).toBe(200);
      // The designer's preview registration is kept for the step: this launch is its last launched.
      const launched = (await registrationStatements(l.registration)).filter((s) => s.verb === CMI5.verbs.launched).at(-1)!;
      expect(launched.statement.context.extensions[CMI5.extensions.launchMode]).toBe(mode);
      const registration = await db().selectFrom('cmi5_registrations').select(['enrolment_id', 'person_id']).where('registration', '=', l.registration).executeTakeFirstOrThrow();
      expect(registration).toEqual({ enrolment_id: null, person_id: (await sessionInfo(url, designer)).personId });
    }

    // A learner may review an AU once it is satisfied, not before.
    const learnerPage = async () => {
      const launched = await launch(url, 'learner', where.linkId);
      return (await fetch(`${url}${launched.location!.replace('?', `/steps/${where.stepId}?`)}`, { headers: { accept: 'text/html' } })).text();
    };
    expect(await learnerPage()).not.toContain('data-action="review"');
    const intro = await openAu(where, INTRO_AU);
    await start(intro);
    for (const s of [statement(intro, CMI5.verbs.initialized), completed(intro), statement(intro, CMI5.verbs.terminated, { result: { duration: 'PT2M' } })]) expect((await post(intro, s)).status).toBe(200);
    expect(await learnerPage()).toContain('data-action="review"');
    const review = await openAu(where, INTRO_AU, 'review');
    expect(review.status).toBe(303);
    expect(review.registration).toBe(intro.registration);
    expect((await start(review))['launchMode']).toBe('Review');
  });
});
