import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchThroughHttp, SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { DesignerClient } from '../designer/support/designer-http.js';
import { seedPerson, type Seeded } from './support.js';

async function sessionOf(url: string, token: string): Promise<LtiSession> {
  return (await (await fetch(`${url}/lti/session?session=${token}`)).json()) as LtiSession;
}

describe(`privacy pages (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let admin: DesignerClient;
  let adminSession: LtiSession;
  let kongsberg: string;
  let oslo: string;
  let kari: Seeded;
  let osloKari: Seeded;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    const launch = await launchThroughHttp(url, `${url}/dev/lms`, 'admin');
    admin = new DesignerClient(url, launch.sessionToken!);
    adminSession = await sessionOf(url, admin.token);
    kongsberg = (await findMunicipality(db(), '3303'))!.id;
    oslo = (await findMunicipality(db(), '0301'))!.id;
    const designer = (await createPerson(db(), kongsberg, { name: 'Designer' })).id;
    kari = await seedPerson(db(), { region: kongsberg, inRegion: kongsberg, alsoInRegion: kongsberg, outside: oslo, designer });
    osloKari = await seedPerson(db(), { region: oslo, inRegion: oslo, alsoInRegion: oslo, outside: kongsberg, designer: (await createPerson(db(), oslo, { name: 'D' })).id }, { name: 'Kari Oslo' });
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('the admin start page links to the privacy and audit pages', async () => {
    const start = await admin.get('/admin');
    expect(start.body).toContain('data-action-link="/admin/privacy"');
    expect(start.body).toContain('data-action-link="/admin/audit"');
  });

  it('finds a person, shows everything about them, and audits the view and the download', async () => {
    const search = await admin.get('/admin/privacy', { q: 'nordmann' });
    expect(search.status).toBe(200);
    expect(search.body).toContain(`data-person="${kari.person}"`);
    // Oslo's Kari is never found from Kongsberg.
    expect(search.body).not.toContain(osloKari.person);
    expect((await admin.get('/admin/privacy', { q: kari.employeeNumber })).body).toContain(`data-person="${kari.person}"`);
    expect((await admin.get('/admin/privacy', { q: 'Kari Oslo' })).body).toContain('data-privacy-none');

    // The tool's own statements about her two paths (registered, step completed, path completed
    // each), named by her LMS account, are written by its path-events subscriber: wait for them.
    await vi.waitFor(async () => {
      const own = await testDb.database.db.selectFrom('xapi_statements').select('statement_id').where('actor_key', '=', `account:${kari.issuer} ${kari.subject}`).execute();
      if (own.length < 6) throw new Error(`${own.length} of the tool's statements so far`);
    }, { timeout: 20_000, interval: 100 });
    const page = await admin.get(`/admin/privacy/people/${kari.person}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Alt Læringsløp har om Kari Nordmann');
    expect(page.body).toContain(kari.subject);
    expect(page.body).toContain('Sykepleier');
    expect(page.body).toContain('50,5 %');
    expect(page.body).toContain('Informasjonssikkerhet');
    // The statement by her e-mail and the tool's six; the other names her account under another PUBLIC_URL than this tool's.
    expect(page.body).toMatch(/data-count="xapiStatements">7</);

    const json = await fetch(admin.href(`/admin/privacy/people/${kari.person}/export.json`));
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.headers.get('content-disposition')).toContain('attachment');
    const data = (await json.json()) as { person: { email: string }; sections: Record<string, unknown[]> };
    expect(data.person.email).toBe(kari.email);
    expect(data.sections['completions']).toHaveLength(2);

    const audit = await db().selectFrom('audit_events').select(['actor_kind', 'actor_id', 'details']).where('action', '=', 'person.exported').where('subject_person_id', '=', kari.person).orderBy('id').execute();
    expect(audit).toEqual([
      { actor_kind: 'person', actor_id: adminSession.personId, details: { format: 'page' } },
      { actor_kind: 'person', actor_id: adminSession.personId, details: { format: 'json' } },
    ]);
  });

  it("another municipality's person, an unknown id and a bad id are 404, never 500", async () => {
    for (const id of [osloKari.person, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      expect((await admin.get(`/admin/privacy/people/${id}`)).status).toBe(404);
      expect((await fetch(admin.href(`/admin/privacy/people/${id}/export.json`), { headers: { accept: 'application/json' } })).status).toBe(404);
      expect((await admin.post(`/admin/privacy/people/${id}/erase`, { confirm: 'yes' })).status).toBe(404);
    }
    expect((await db().selectFrom('people').select('name').where('id', '=', osloKari.person).executeTakeFirstOrThrow()).name).toBe('Kari Oslo');
    expect(await db().selectFrom('audit_events').select('id').where('subject_person_id', '=', osloKari.person).where('action', 'in', ['person.exported', 'person.erased']).execute()).toEqual([]);
  });

  it('only a municipality administrator gets in: a learner and a region administrator are refused', async () => {
    const learner = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'learner')).sessionToken!);
    expect((await learner.get('/admin/privacy')).status).toBe(403);
    expect((await learner.get('/admin/audit')).status).toBe(403);
    const region = (await db().selectFrom('tenants').select('id').where('kind', '=', 'region').executeTakeFirst())?.id
      ?? (await db().insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: 'Region', county_number: null, county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
    const regionAdmin = new DesignerClient(url, await new SessionTokens(SECRET).issue({ ...adminSession, tenantId: region }));
    expect((await regionAdmin.get('/admin/privacy')).status).toBe(403);
    expect((await regionAdmin.get(`/admin/privacy/people/${kari.person}`)).status).toBe(403);
    expect((await regionAdmin.get('/admin/audit')).status).toBe(403);
    expect((await fetch(`${url}/admin/audit.csv`)).status).toBe(401);
  });

  it('marks a path as mandatory training to keep; a refused form keeps what was typed', async () => {
    const bad = await admin.post('/admin/privacy/kept', { path: kari.plain.pathId, years: 'ti' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('data-error-summary');
    expect(bad.body).toContain('value="ti"');
    expect(bad.body).toContain(`<option value="${kari.plain.pathId}" selected`);
    const foreign = await admin.post('/admin/privacy/kept', { path: osloKari.plain.pathId, years: '5' });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain('Velg et læringsløp fra listen.');
    const ok = await admin.post('/admin/privacy/kept', { path: kari.plain.pathId, years: '5' });
    expect(ok.status).toBe(303);
    const page = await admin.get('/admin/privacy', { notice: 'kept' });
    expect(page.body).toContain(`data-kept-path="${kari.plain.pathId}"`);
    expect(page.body).toContain('Merkingen er lagret.');
    expect(await db().selectFrom('audit_events').select('details').where('action', '=', 'privacy.path-kept').where('object_id', '=', kari.plain.pathId).execute()).toEqual([{ details: { keepYears: 5 } }]);
    expect((await admin.post('/admin/privacy/kept/remove', { path: kari.plain.pathId })).status).toBe(303);
    expect((await admin.post('/admin/privacy/kept/remove', { path: kari.plain.pathId })).status).toBe(404);
  });

  it('erases on request: confirmation needed, the person becomes a pseudonym, and a new launch by the same LMS user is a new person', async () => {
    const learnerLaunch = await launchThroughHttp(url, `${url}/dev/lms`, 'learner');
    const learner = (await sessionOf(url, learnerLaunch.sessionToken!)).personId;
    const before = await db().selectFrom('path_completions').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', kongsberg).executeTakeFirstOrThrow();

    const unconfirmed = await admin.post(`/admin/privacy/people/${learner}/erase`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body).toContain('Kryss av for å bekrefte slettingen.');
    expect((await db().selectFrom('people').select('erased_at').where('id', '=', learner).executeTakeFirstOrThrow()).erased_at).toBeNull();

    const erased = await admin.post(`/admin/privacy/people/${learner}/erase`, { confirm: 'yes' });
    expect(erased.status).toBe(303);
    const after = await admin.get(`/admin/privacy/people/${learner}`, Object.fromEntries(new URL(erased.location!, url).searchParams));
    expect(after.body).toMatch(/Personen er slettet og heter nå Slettet person [0-9A-Z]{4}\./);
    expect(after.body).toContain('data-no-accounts');
    expect(after.body).not.toContain('data-erase-form');
    const row = await db().selectFrom('people').select(['name', 'email', 'pseudonym']).where('id', '=', learner).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: null, email: null });
    expect((await db().selectFrom('path_completions').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', kongsberg).executeTakeFirstOrThrow()).n).toBe(before.n);

    const again = await launchThroughHttp(url, `${url}/dev/lms`, 'learner');
    const newPerson = (await sessionOf(url, again.sessionToken!)).personId;
    expect(newPerson).not.toBe(learner);
    expect((await db().selectFrom('people').select('pseudonym').where('id', '=', learner).executeTakeFirstOrThrow()).pseudonym).toBe(row.pseudonym);
    const audit = await db().selectFrom('audit_events').select(['actor_id', 'details']).where('action', '=', 'person.erased').where('subject_person_id', '=', learner).execute();
    expect(audit).toEqual([{ actor_id: adminSession.personId, details: expect.objectContaining({ reason: 'request', ltiAccounts: 1 }) }]);
  });
});
