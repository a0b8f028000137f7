import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import type { RunningServer } from '../../src/server.js';
import { addEmailDomain, listEmailDomains } from '../../src/tenants/email-domains.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchThroughHttp, SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { DesignerClient } from '../designer/support/designer-http.js';

describe(`the administrator's pages for e-mail domains and launch links (${BACKEND})`, { timeout: 90_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let admin: DesignerClient;
  let learner: DesignerClient;
  let osloAdmin: DesignerClient;
  let regionAdmin: DesignerClient;
  let kongsberg: string;
  let oslo: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    admin = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'admin')).sessionToken!);
    learner = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'learner')).sessionToken!);
    kongsberg = (await findMunicipality(db(), '3303'))!.id;
    oslo = (await findMunicipality(db(), '0301'))!.id;
    const session = (await (await fetch(`${url}/lti/session?session=${admin.token}`)).json()) as LtiSession;
    const tokens = new SessionTokens(SECRET);
    osloAdmin = new DesignerClient(url, await tokens.issue({ ...session, tenantId: oslo, personId: (await createPerson(db(), oslo, { name: 'Oslo-admin' })).id }));
    const region = await db().selectFrom('tenants').select('id').where('kind', '=', 'region').executeTakeFirstOrThrow();
    regionAdmin = new DesignerClient(url, await tokens.issue({ ...session, tenantId: region.id, personId: (await createPerson(db(), region.id, { name: 'Regionadmin' })).id }));
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('adds and removes a domain, audited, and answers the next reading of the page', async () => {
    const added = await admin.post('/admin/email-domains', { domain: ' Kongsberg.Kommune.NO ' });
    expect(added.status).toBe(303);
    expect(added.location).toContain('added=kongsberg.kommune.no');
    expect((await listEmailDomains(db(), kongsberg)).map((d) => d.domain)).toEqual(['kongsberg.kommune.no']);
    const page = await admin.get('/admin/email-domains', { added: 'kongsberg.kommune.no' });
    expect(page.body).toContain('kongsberg.kommune.no er lagt til.');
    expect(page.body).toContain('data-domain="kongsberg.kommune.no"');
    // The same again changes nothing.
    expect((await admin.post('/admin/email-domains', { domain: 'kongsberg.kommune.no' })).status).toBe(303);
    const removed = await admin.post('/admin/email-domains/remove', { domain: 'kongsberg.kommune.no' });
    expect(removed.status).toBe(303);
    expect(await listEmailDomains(db(), kongsberg)).toEqual([]);
    const audit = await db().selectFrom('audit_events').select(['action', 'object_id']).where('tenant_id', '=', kongsberg).where('action', 'like', 'tenant.email-domain.%').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'tenant.email-domain.added', object_id: 'kongsberg.kommune.no' },
      { action: 'tenant.email-domain.added', object_id: 'kongsberg.kommune.no' },
      { action: 'tenant.email-domain.removed', object_id: 'kongsberg.kommune.no' },
    ]);
  });

  it('refuses what is no domain and keeps what was typed; nothing stored', async () => {
    for (const bad of ['', 'kongsberg', 'ola@kongsberg.kommune.no', 'kongsberg..no', '-x.no', 'a'.repeat(64) + '.no', '<script>.no']) {
      const answer = await admin.post('/admin/email-domains', { domain: bad });
      expect(answer.status, bad).toBe(400);
      expect(answer.body).toContain('data-error-summary');
      if (bad) expect(answer.body).toContain(`value="${bad.replace('<', '&lt;').replace('>', '&gt;')}"`);
    }
    expect(await listEmailDomains(db(), kongsberg)).toEqual([]);
  });

  it('attack: another municipality\'s domain can be neither taken nor removed', async () => {
    await addEmailDomain(db(), oslo, 'oslo.kommune.no');
    const taken = await admin.post('/admin/email-domains', { domain: 'oslo.kommune.no' });
    expect(taken.status).toBe(409);
    expect(taken.body).toContain('value="oslo.kommune.no"');
    expect((await admin.post('/admin/email-domains/remove', { domain: 'oslo.kommune.no' })).status).toBe(404);
    expect((await listEmailDomains(db(), oslo)).map((d) => d.domain)).toEqual(['oslo.kommune.no']);
    // Each administrator sees only their own municipality's domains.
    expect((await admin.get('/admin/email-domains')).body).not.toContain('oslo.kommune.no');
    expect((await osloAdmin.get('/admin/email-domains')).body).toContain('oslo.kommune.no');
  });

  it('only an administrator reaches the pages; a region administrator is told they belong to municipalities', async () => {
    for (const path of ['/admin/links', '/admin/email-domains']) {
      expect((await learner.get(path)).status, path).toBe(403);
      expect((await fetch(`${url}${path}`, { headers: { accept: 'text/html' } })).status, path).toBe(401);
      const region = await regionAdmin.get(path);
      expect(region.status).toBe(200);
      expect(region.body).toContain('class="ds-alert"');
    }
    expect((await learner.post('/admin/email-domains', { domain: 'x.no' })).status).toBe(403);
    expect((await regionAdmin.post('/admin/email-domains', { domain: 'region.example' })).status).toBe(403);
    expect(await db().selectFrom('municipality_email_domains').select('domain').where('domain', 'in', ['x.no', 'region.example']).execute()).toEqual([]);
  });

  it('the links page says when nothing waits, and its reading is audited', async () => {
    const page = await admin.get('/admin/links');
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-no-conflicts');
    const viewed = await db().selectFrom('audit_events').select('details').where('tenant_id', '=', kongsberg).where('action', '=', 'person.link-conflicts.viewed').execute();
    expect(viewed).toEqual([{ details: { conflicts: 0 } }]);
  });
});
