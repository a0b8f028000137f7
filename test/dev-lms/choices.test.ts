/**
 * The development LMS launches in the municipality and language chosen on its page: the choice is
 * the custom parameter kommunenummer and the locale of the launch, and the tool opens there.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { attribute, hiddenFields, startToolWithDevLms } from '../lti/support/lti-http.js';

describe(`development LMS: municipality and language (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let started: Awaited<ReturnType<typeof startToolWithDevLms>>;
  const lmsBase = () => `${started.url}/dev/lms`;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    started = await startToolWithDevLms(testDb.database);
  });
  afterAll(async () => {
    await started?.server.close();
    await testDb?.dispose();
  });

  /** The course page → the tool's login → the LMS's authorization: the signed id_token and the launch form. */
  async function idTokenOf(query: string): Promise<{ claims: Record<string, unknown>; action: string; fields: Record<string, string>; cookie: string }> {
    const coursePage = await (await fetch(`${lmsBase()}/launch?${query}`)).text();
    const loginUrl = attribute(coursePage, /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/);
    const login = await fetch(loginUrl, { redirect: 'manual' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const authUrl = login.status === 302 ? login.headers.get('location')! : attribute(await login.text(), /data-next="([^"]+)"/);
    const authPage = await (await fetch(authUrl)).text();
    const fields = hiddenFields(authPage);
    return { claims: decodeJwt(fields['id_token']!) as Record<string, unknown>, action: attribute(authPage, /<form method="post" action="([^"]+)"/), fields, cookie };
  }

  it('lists every municipality of the database, Kongsberg chosen by default', async () => {
    const body = await (await fetch(lmsBase())).text();
    const options = [...body.matchAll(/<option value="(\d{4})"/g)].map((m) => m[1]);
    const count = await testDb.database.db.selectFrom('tenants').select((eb) => eb.fn.countAll<string>().as('n')).where('kind', '=', 'municipality').where('retired_at', 'is', null).executeTakeFirstOrThrow();
    expect(options.length).toBe(Number(count.n));
    expect(options.length).toBeGreaterThanOrEqual(357);
    expect(body).toMatch(/<option value="3303" selected>Kongsberg \(3303\)<\/option>/);
    expect(body).toContain('href="/dev/lms/launch?role=learner&amp;kommune=3303&amp;lang=nb"');
  });

  it('sends the chosen municipality as kommunenummer and the page language as locale, and the tool opens there', async () => {
    const { claims, action, fields, cookie } = await idTokenOf('role=designer&kommune=4601&lang=nn');
    expect(claims[CLAIM.custom]).toMatchObject({ kommunenummer: '4601' });
    expect(claims['locale']).toBe('nn');
    expect(claims[CLAIM.launchPresentation]).toMatchObject({ locale: 'nn' });
    const launch = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams(fields), redirect: 'manual' });
    expect(launch.status).toBe(303);
    const start = await (await fetch(new URL(launch.headers.get('location')!, started.url))).text();
    expect(start).toContain('<h1 data-role="designer">Startside for læringsdesignarar</h1>');
    expect(start).toContain('<strong>Bergen</strong>');
    const bergen = await findMunicipality(testDb.database.db, '4601');
    const person = await testDb.database.db.selectFrom('lti_users').select('tenant_id').where('subject', '=', '102').where('tenant_id', '=', bergen!.id).executeTakeFirst();
    expect(person).toBeDefined();
  });

  it('keeps Kongsberg and bokmål when nothing is chosen', async () => {
    const { claims } = await idTokenOf('role=learner');
    expect(claims[CLAIM.custom]).toMatchObject({ kommunenummer: '3303' });
    expect(claims['locale']).toBe('nb');
  });

  it('refuses to launch in a municipality that does not exist, with a readable page in the page language', async () => {
    const response = await fetch(`${lmsBase()}/launch?role=learner&kommune=9999&lang=nn`);
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('<html lang="nn" data-color-scheme="auto">');
    expect(body).toContain('Ingen kommune har nummeret «9999»');
    expect(body).not.toContain('tool-frame');
    const page = await (await fetch(`${lmsBase()}?kommune=%3Cscript%3E&lang=en`)).text();
    expect(page).toContain('No municipality has the number “&lt;script&gt;”');
    expect(page).toMatch(/<option value="3303" selected>/);
  });

  it('offers every course link to open as learner, second learner, designer, manager and admin', async () => {
    const link = await started.lms.addLink({ title: 'Brannvern', custom: {} });
    const body = await (await fetch(`${lmsBase()}?kommune=3334&lang=en`)).text();
    const roles = [...body.matchAll(new RegExp(`data-launch-link="${link.id}" data-role="([a-z0-9]+)"`, 'g'))].map((m) => m[1]);
    expect(roles).toEqual(['learner', 'learner2', 'designer', 'manager', 'admin']);
    expect(body).toContain(`href="/dev/lms/launch?role=manager&amp;link=${link.id}&amp;kommune=3334&amp;lang=en"`);
    expect(body).toContain('Open as manager (Ingrid Leder)');
  });
});
