import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgsOutbox, listOutbox, reportResult } from '../../src/lti/ags.js';
import { createLtiService } from '../../src/lti/lti-service.js';
import { courseMembers } from '../../src/lti/nrps.js';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { createLogger } from '../../src/logger.js';
import type { RunningServer } from '../../src/server.js';
import { startServer } from '../../src/server.js';
import { capturingLogger, testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { attribute, freePort, hiddenFields, launchThroughHttp, SECRET, startStandaloneDevLms } from './support/lti-http.js';
import { devTenant, publishedPath } from '../designer/support/designer-http.js';

/** Deep linking, grade passback and roster against the development LMS running on its own port. */
describe(`LTI Advantage services end to end (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  let toolPort: number;
  let toolUrl: string;
  let lmsPort: number;
  let lms: Awaited<ReturnType<typeof startStandaloneDevLms>> | undefined;
  const logger = createLogger('silent');

  const config = () => testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET });
  const startTool = () => startServer({ config: config(), logger: capturingLogger().logger, database: testDb.database });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    toolPort = await freePort();
    lmsPort = await freePort();
    toolUrl = `http://127.0.0.1:${toolPort}`;
    tool = await startTool();
    lms = await startStandaloneDevLms(testDb.database, toolUrl, lmsPort);
    await registerDevLms(testDb.database.db, lms.lms);
  });
  afterAll(async () => {
    await lms?.close();
    await tool.close();
    await testDb.dispose();
  });

  const lmsBase = () => `http://127.0.0.1:${lmsPort}/dev/lms`;
  const scores = () => testDb.database.db.selectFrom('dev_lms_scores').selectAll().orderBy('id').execute();

  it('deep linking before any path is published says so', async () => {
    const launch = await launchThroughHttp(toolUrl, lmsBase(), 'designer', { message: 'deeplink' });
    expect(launch.status).toBe(200);
    expect(launch.body).toContain('data-no-items');
    expect(launch.body).not.toContain('data-item=');
  });

  it('deep linking: the designer picks a path, the signed response reaches the LMS and creates a line item', async () => {
    // Deep Linking offers the published paths of the designer's municipality.
    const db = testDb.database.db;
    const path = await publishedPath(db, await devTenant(db), 'Informasjonssikkerhet i kommunen', { description: 'Personvern, taushetsplikt og trygg bruk av digitale verktøy.' });
    const launch = await launchThroughHttp(toolUrl, lmsBase(), 'designer', { message: 'deeplink' });
    expect(launch.status).toBe(200);
    expect(launch.body).toContain('Velg læringsløp');
    expect(launch.body).toContain(`data-item="${path.id}"`);
    const fields = hiddenFields(launch.body);
    const chosen = await fetch(`${toolUrl}/lti/deep-linking/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ session: fields['session']!, context: fields['context']!, item: path.id }),
    });
    const page = await chosen.text();
    expect(chosen.status).toBe(200);
    expect(chosen.headers.get('content-security-policy')).toContain(`form-action 'self' http://127.0.0.1:${lmsPort}`);
    const action = attribute(page, /<form method="post" action="([^"]+)"/);
    // The platform's return URL carries the municipality and language the designer launched from.
    expect(action.replace(/&amp;/g, '&')).toBe(`${lmsBase()}/deep-link-return?kommune=3303&lang=nb`);
    const returned = await fetch(action.replace(/&amp;/g, '&'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(hiddenFields(page)) });
    const returnedPage = await returned.text();
    expect(returned.status).toBe(200);
    expect(returnedPage).toContain('Informasjonssikkerhet i kommunen');
    expect(returnedPage).toContain('?kommune=3303&amp;lang=nb" target="_top"');
    expect(returnedPage).toContain(`{&quot;laeringslop_path&quot;:&quot;${path.id}&quot;}`);
    const items = await testDb.database.db.selectFrom('dev_lms_line_items').selectAll().where('resource_id', '=', path.id).execute();
    expect(items).toMatchObject([{ score_maximum: 100, tag: 'laeringslop-path', label: 'Informasjonssikkerhet i kommunen' }]);
    // The LMS keeps the placed link with its custom parameters and launches it with them.
    const links = await testDb.database.db.selectFrom('dev_lms_links').selectAll().execute();
    const placed = links.find((l) => l.custom['laeringslop_path'] === path.id);
    expect(placed).toMatchObject({ title: 'Informasjonssikkerhet i kommunen' });
    expect(items[0]!.resource_link_id).toBe(placed!.id);
    const lmsPage = await (await fetch(lmsBase())).text();
    expect(lmsPage).toContain(`link=${placed!.id}`);
    // A learner's launch of the placed link is enrolled in the path and lands on its learner page.
    const launchPlaced = await launchThroughHttp(toolUrl, lmsBase(), 'learner', { link: placed!.id });
    expect(launchPlaced.status).toBe(303);
    const learnerPath = attribute(launchPlaced.location ?? '', /(\/learn\/enrolments\/[0-9a-f-]{36})\?session=/);
    const learnerPage = await fetch(`${toolUrl}${learnerPath}?session=${launchPlaced.sessionToken}`);
    expect(learnerPage.status).toBe(200);
    expect(await learnerPage.text()).toContain('Informasjonssikkerhet i kommunen');
    // The course's second learner is another person with a subject of their own, and an enrolment of their own.
    const second = await launchThroughHttp(toolUrl, lmsBase(), 'learner', { link: placed!.id, secondLearner: true });
    expect(second.status).toBe(303);
    const secondSession = (await (await fetch(`${toolUrl}/lti/session?session=${second.sessionToken}`)).json()) as { personId: string };
    const people = await db.selectFrom('people').select('name').where('id', '=', secondSession.personId).execute();
    expect(people).toEqual([{ name: 'Per Hansen' }]);
    expect(await db.selectFrom('path_enrolments').select('person_id').where('path_id', '=', path.id).execute()).toHaveLength(2);
  });

  it('deep linking is refused to a learner', async () => {
    const launch = await launchThroughHttp(toolUrl, lmsBase(), 'learner', { message: 'deeplink' });
    expect(launch.status).toBe(403);
    expect(launch.body).toContain('data-refusal="not-permitted"');
  });

  it('a forged deep-linking response is refused by the LMS (signature checked against the tool JWKS)', async () => {
    const response = await fetch(`${lmsBase()}/deep-link-return`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ JWT: 'eyJhbGciOiJub25lIn0.e30.' }) });
    expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it('AGS: a score arrives once, also after the LMS was down and the tool restarted in between', async () => {
    const launch = await launchThroughHttp(toolUrl, lmsBase(), 'learner');
    const session = (await (await fetch(`${toolUrl}/lti/session?session=${launch.sessionToken}`)).json()) as { personId: string; resourceLinkId: string };
    const db = testDb.database.db;
    const lti = () => createLtiService({ config: config(), database: testDb.database, logger });
    const outbox = (service = lti()) => new AgsOutbox(db, service.serviceClient, logger, { baseDelayMs: 0 });
    const waitDelivered = async (box: AgsOutbox, count: number) => {
      for (let i = 0; i < 50 && (await scores()).length < count; i += 1) {
        await box.runOnce();
        if ((await scores()).length < count) await new Promise((r) => setTimeout(r, 100));
      }
    };

    const first = { scoreGiven: 87, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: '2026-11-23T10:00:00.000Z' } as const;
    expect(await reportResult(db, session.resourceLinkId, session.personId, first)).toEqual({ queued: true });
    expect(await reportResult(db, session.resourceLinkId, session.personId, first)).toEqual({ queued: false });
    await waitDelivered(outbox(), 1);
    // The launch had no line item, so the tool created one for the link (Moodle-style URL with a query).
    const link = await db.selectFrom('lti_resource_links').select('lineitem_url').where('id', '=', session.resourceLinkId).executeTakeFirstOrThrow();
    expect(link.lineitem_url).toMatch(/\/lineitems\/\d+\/lineitem\?type_id=1$/);
    expect(await scores()).toMatchObject([{ user_id: '101', score_given: 87, score_maximum: 100, activity_progress: 'Completed', grading_progress: 'FullyGraded' }]);
    expect(await (await fetch(lmsBase())).text()).toContain('data-score');

    // The LMS goes down; a new result waits in the outbox, visibly failing.
    await lms!.close();
    lms = undefined;
    const second = { ...first, scoreGiven: 95, timestamp: '2026-11-23T11:00:00.000Z' };
    await reportResult(db, session.resourceLinkId, session.personId, second);
    await outbox().runOnce();
    const waiting = await listOutbox(db);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.attempts).toBeGreaterThanOrEqual(1);
    expect(waiting[0]!.lastError).toMatch(/unreachable|HTTP/);

    // The tool restarts (nothing in memory survives), then the LMS comes back.
    await tool.close();
    tool = await startTool();
    lms = await startStandaloneDevLms(testDb.database, toolUrl, lmsPort);
    const afterRestart = outbox();
    await waitDelivered(afterRestart, 2);
    await afterRestart.runOnce();
    const delivered = await scores();
    expect(delivered.map((s) => s.score_given)).toEqual([87, 95]);
    expect(await listOutbox(db)).toEqual([]);
  });

  it('AGS: two workers side by side deliver each queued score exactly once', async () => {
    const launch = await launchThroughHttp(toolUrl, lmsBase(), 'designer');
    const session = (await (await fetch(`${toolUrl}/lti/session?session=${launch.sessionToken}`)).json()) as { personId: string; resourceLinkId: string };
    const db = testDb.database.db;
    const before = (await scores()).length;
    for (let i = 0; i < 5; i += 1) {
      await reportResult(db, session.resourceLinkId, session.personId, { scoreGiven: 50 + i, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: `2026-11-23T12:0${i}:00.000Z` });
    }
    const service = createLtiService({ config: config(), database: testDb.database, logger });
    const workers = [new AgsOutbox(db, service.serviceClient, logger), new AgsOutbox(db, service.serviceClient, logger)];
    for (let round = 0; round < 20 && (await listOutbox(db)).length > 0; round += 1) await Promise.all(workers.map((w) => w.runOnce()));
    const delivered = (await scores()).slice(before);
    expect(delivered.map((s) => s.score_given).sort()).toEqual([50, 51, 52, 53, 54]);
    expect(delivered.every((s) => s.user_id === '102')).toBe(true);
  });

  it('NRPS: lists every member across pages, short and full role names alike, and caches them for a while', async () => {
    const launch = await launchThroughHttp(toolUrl, lmsBase(), 'manager');
    const session = (await (await fetch(`${toolUrl}/lti/session?session=${launch.sessionToken}`)).json()) as { tenantId: string; contextId: string };
    const client = createLtiService({ config: config(), database: testDb.database, logger }).serviceClient;
    const first = await courseMembers(testDb.database.db, client, session.tenantId, session.contextId);
    expect(first.fromCache).toBe(false);
    expect(first.members).toHaveLength(26);
    expect(first.members.find((m) => m.userId === '200')!.roles).toEqual(['Learner']);
    expect(first.members.find((m) => m.userId === '201')!.roles).toEqual(['Learner']);
    expect(first.members.find((m) => m.userId === '103')).toMatchObject({ name: 'Ingrid Leder', roles: ['Mentor'] });
    const cached = await courseMembers(testDb.database.db, client, session.tenantId, session.contextId);
    expect(cached.fromCache).toBe(true);
    const expired = await courseMembers(testDb.database.db, client, session.tenantId, session.contextId, { maxAgeMs: 0 });
    expect(expired.fromCache).toBe(false);
    // Another tenant cannot read the course's members.
    await expect(courseMembers(testDb.database.db, client, '00000000-0000-0000-0000-000000000000', session.contextId, { maxAgeMs: 0 })).rejects.toThrow();
  });
});
