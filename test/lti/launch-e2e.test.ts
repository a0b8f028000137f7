import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { attribute, launchThroughHttp, startToolWithDevLms } from './support/lti-http.js';
import type { RunningServer } from '../../src/server.js';

describe(`LTI launch end to end through the development LMS (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let logLines: () => Record<string, unknown>[];
  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url, logLines } = await startToolWithDevLms(testDb.database));
  });
  afterAll(async () => {
    await server.close();
    await testDb.dispose();
  });

  it.each([
    ['learner', 'learner', '/learn', 'Mine læringsløp'],
    ['designer', 'designer', '/design', 'Startside for læringsdesignere'],
    ['manager', 'manager', '/manage', 'Lederoversikt'],
    ['admin', 'admin', '/admin', 'Administrasjon'],
  ])('launches as %s and lands with a session scoped to person, tenant, role and course', async (devRole, toolRole, landingPath, heading) => {
    const result = await launchThroughHttp(url, `${url}/dev/lms`, devRole);
    // Each role's own start page, never a page of raw claims.
    expect(result.status).toBe(303);
    const location = new URL(result.location ?? '', url);
    expect(location.pathname).toBe(landingPath);
    const page = await fetch(location, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const landing = await page.text();
    expect(landing).toContain(`data-role="${toolRole}"`);
    expect(landing).toContain(heading);
    expect(landing).not.toContain('purl.imsglobal.org');
    expect(landing).toContain('Kongsberg');
    // Moodle's hints go back to the platform exactly as sent.
    const login = new URL(result.loginUrl);
    const auth = new URL(result.authUrl);
    expect(auth.searchParams.get('login_hint')).toBe(login.searchParams.get('login_hint'));
    expect(auth.searchParams.get('lti_message_hint')).toBe(login.searchParams.get('lti_message_hint'));

    // The token works without cookies: as a query parameter and as a bearer header.
    const viaHeader = await fetch(`${url}/lti/session`, { headers: { authorization: `Bearer ${result.sessionToken}` } });
    expect(viaHeader.status).toBe(200);
    const session = (await viaHeader.json()) as Record<string, unknown>;
    expect(session).toMatchObject({ role: toolRole, locale: 'nb' });
    expect(session['contextId']).toBeTruthy();
    const viaQuery = await fetch(`${url}/lti/session?session=${result.sessionToken}`);
    expect(viaQuery.status).toBe(200);
  });

  it('records the person once per platform subject, with the name and email sent', async () => {
    await launchThroughHttp(url, `${url}/dev/lms`, 'learner');
    const db = testDb.database.db;
    const users = await db.selectFrom('lti_users').innerJoin('people', 'people.id', 'lti_users.person_id').select(['subject', 'name', 'email', 'locale']).where('subject', '=', '101').execute();
    expect(users).toEqual([{ subject: '101', name: 'Kari Nordmann', email: 'kari.nordmann@kongsberg.kommune.example', locale: 'nb' }]);
    const links = await db.selectFrom('lti_resource_links').select(['resource_link_id', 'lineitems_url']).execute();
    expect(links).toEqual([{ resource_link_id: 'dev-link-1', lineitems_url: `${url}/dev/lms/courses/dev-course-1/lineitems?type_id=1` }]);
  });

  it('makes one person of two first launches at once (a double click), and the launch after that only reads', async () => {
    const db = testDb.database.db;
    const count = async () => Number((await db.selectFrom('people').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const peopleBefore = await count();
    const launches = await Promise.all([0, 1].map(() => launchThroughHttp(url, `${url}/dev/lms`, 'learner', { secondLearner: true })));
    expect(launches.map((l) => l.status)).toEqual([303, 303]);
    const sessions = await Promise.all(
      launches.map(async (l) => (await (await fetch(`${url}/lti/session`, { headers: { authorization: `Bearer ${l.sessionToken}` } })).json()) as Record<string, unknown>),
    );
    expect(sessions[0]!['personId']).toBe(sessions[1]!['personId']);
    expect(await count()).toBe(peopleBefore + 1);
    const accounts = await db.selectFrom('lti_users').select(['person_id', 'tenant_id']).where('person_id', '=', String(sessions[0]!['personId'])).execute();
    expect(accounts).toEqual([{ person_id: sessions[0]!['personId'], tenant_id: sessions[0]!['tenantId'] }]);

    const again = await launchThroughHttp(url, `${url}/dev/lms`, 'learner', { secondLearner: true });
    const session = (await (await fetch(`${url}/lti/session`, { headers: { authorization: `Bearer ${again.sessionToken}` } })).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ personId: sessions[0]!['personId'], contextId: sessions[0]!['contextId'], resourceLinkId: sessions[0]!['resourceLinkId'] });
    expect(await count()).toBe(peopleBefore + 1);
  });

  it('refuses a session token that was tampered with', async () => {
    const result = await launchThroughHttp(url, `${url}/dev/lms`, 'learner');
    const forged = result.sessionToken!.slice(0, -3) + (result.sessionToken!.endsWith('abc') ? 'abd' : 'abc');
    const response = await fetch(`${url}/lti/session`, { headers: { authorization: `Bearer ${forged}`, accept: 'application/json' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ refusal: 'session-invalid' });
  });

  it('without the cookie, asks the platform storage for the state, and when that fails too says to start again (the login is spent)', async () => {
    const result = await launchThroughHttp(url, `${url}/dev/lms`, 'learner', { cookie: false });
    expect(result.status).toBe(200);
    expect(result.body).toContain('data-mode="get"');
    expect(result.body).toContain('data-target="_parent"');
    const retry = await fetch(`${url}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...result.fields, storage_checked: '1' }),
    });
    expect(retry.status).toBe(400);
    const page = await retry.text();
    expect(page).toContain('Oppstarten kunne ikke fullføres');
    // No way to send the spent login hint to the platform again.
    expect(page).not.toContain('/lti/login');
    expect(page).not.toContain('lti_message_hint');
  });

  it('at login with platform storage, the page goes on without it to a fresh login that has not reached the platform', async () => {
    const coursePage = await (await fetch(`${url}/dev/lms/launch?role=learner`)).text();
    const loginUrl = new URL(attribute(coursePage, /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/));
    const storagePage = await (await fetch(loginUrl)).text();
    const next = new URL(attribute(storagePage, /data-continue="([^"]+)"/), url);
    expect(next.pathname).toBe('/lti/login');
    expect(next.searchParams.get('lti_storage_target')).toBeNull();
    for (const name of ['iss', 'login_hint', 'lti_message_hint', 'client_id', 'lti_deployment_id', 'target_link_uri']) expect(next.searchParams.get(name), name).toBe(loginUrl.searchParams.get(name));
    expect(storagePage).toContain(`<noscript><p><a class="ds-link" href="${attribute(storagePage, /data-continue="([^"]+)"/).replace(/&/g, '&amp;')}">`);
  });

  it('refuses a binding value taken from the storage that does not match the state', async () => {
    const result = await launchThroughHttp(url, `${url}/dev/lms`, 'learner', { cookie: false, tamper: (f) => (f['binding'] = 'guessed'), headers: { origin: url } });
    expect(result.status).toBe(400);
    expect(result.body).toContain('data-refusal="state-mismatch"');
  });

  it("refuses login CSRF: the attacker's own complete launch posted from another site", async () => {
    // The attacker runs a login in their own browser and learns state, id_token and binding secret…
    const attacker = await launchThroughHttp(url, `${url}/dev/lms`, 'learner', { cookie: false });
    const binding = decodeURIComponent(attacker.cookie.split('=')[1]!);
    // …then makes the victim's browser post them from the attacker's site.
    const forged = await fetch(`${url}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ ...attacker.fields, binding }),
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('data-refusal="state-mismatch"');
    // The same secret from the tool's own page (the storage script's form) is accepted.
    const own = await fetch(`${url}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
      body: new URLSearchParams({ ...attacker.fields, binding }),
    });
    expect(own.status).toBe(200);
  });

  it('serves the JWKS and the Canvas developer key', async () => {
    const jwks = (await (await fetch(`${url}/lti/jwks`)).json()) as { keys: { kid: string; kty: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]!.d).toBeUndefined();
    const canvas = (await (await fetch(`${url}/lti/config/canvas.json`)).json()) as Record<string, unknown>;
    expect(canvas).toMatchObject({ oidc_initiation_url: `${url}/lti/login`, target_link_uri: `${url}/lti/launch`, public_jwk_url: `${url}/lti/jwks` });
    expect(logLines().some((l) => l['msg'] === 'lti launch accepted')).toBe(true);
  });
});
