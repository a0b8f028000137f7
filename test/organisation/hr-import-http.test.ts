import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchThroughHttp, SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { DesignerClient } from '../designer/support/designer-http.js';
import { sampleBytes } from './hr-csv.js';

/** A plain form post of a file, as the page without script sends it. */
async function postFile(client: DesignerClient, file: Buffer, name: string): Promise<{ status: number; body: string; location: string | null }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), name);
  const response = await fetch(client.href('/admin/org/import'), { method: 'POST', body: form, redirect: 'manual', headers: { accept: 'text/html' } });
  return { status: response.status, body: await response.text(), location: response.headers.get('location') };
}

const importIdOf = (location: string | null) => /\/admin\/org\/import\/([0-9a-f-]{36})\?/.exec(location ?? '')![1]!;
const shaOf = (body: string) => /name="sha256" value="([0-9a-f]{64})"/.exec(body)![1]!;

describe(`HR import pages (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let admin: DesignerClient;
  let osloAdmin: DesignerClient;
  let regionAdmin: DesignerClient;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    const launch = await launchThroughHttp(url, `${url}/dev/lms`, 'admin');
    admin = new DesignerClient(url, launch.sessionToken!);
    const session = (await (await fetch(`${url}/lti/session?session=${admin.token}`)).json()) as LtiSession;
    const tokens = new SessionTokens(SECRET);
    const oslo = (await findMunicipality(db(), '0301'))!.id;
    osloAdmin = new DesignerClient(url, await tokens.issue({ ...session, tenantId: oslo, personId: (await createPerson(db(), oslo)).id }));
    const region = (await db().insertInto('tenants').values({ kind: 'region', name: 'Importregionen' }).returning('id').executeTakeFirstOrThrow()).id;
    regionAdmin = new DesignerClient(url, await tokens.issue({ ...session, tenantId: region, personId: (await createPerson(db(), region)).id }));
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('uploads with a plain form, shows the preview and applies it; the start page links it', async () => {
    expect((await admin.get('/admin')).body).toContain('href="/admin/org/import?session=');
    const form = await admin.get('/admin/org/import');
    expect(form.status).toBe(200);
    expect(form.body).toContain('<h1>Import fra HR-systemet</h1>');
    expect(form.body).toContain('enctype="multipart/form-data"');

    const uploaded = await postFile(admin, sampleBytes(), 'hr-import-eksempel.csv');
    expect(uploaded.status).toBe(303);
    const id = importIdOf(uploaded.location);
    const preview = await admin.get(`/admin/org/import/${id}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('Endringer fra hr-import-eksempel.csv');
    expect(preview.body).toMatch(/<tr data-count="units"><th scope="row">Enheter<\/th><td data-numeric>7<\/td><td data-numeric>0<\/td><td data-numeric>0<\/td><\/tr>/);
    expect(preview.body).toContain('data-list="employments.added"');
    expect(preview.body).toContain('50,50');

    const applied = await admin.post(`/admin/org/import/${id}/apply`, { sha256: shaOf(preview.body) });
    expect(applied.status).toBe(303);
    const after = await admin.get(`/admin/org/import/${id}`);
    expect(after.body).toContain('data-state="applied"');
    expect(after.body).not.toContain('data-apply');
    expect(await db().selectFrom('employments').select('id').execute()).toHaveLength(9);
    // Applying twice is refused with a page; nothing more is written.
    const twice = await admin.post(`/admin/org/import/${id}/apply`, { sha256: shaOf(preview.body) });
    expect(twice.status).toBe(409);
    expect(twice.body).toContain('Importen er allerede tatt i bruk.');
  });

  it('answers the page script with JSON naming the preview, and lists bad rows with their lines', async () => {
    const lines = sampleBytes().toString('utf8').trim().split('\n');
    lines[10] = lines[10]!.replace(';40;', ';40,555;');
    const response = await fetch(admin.href('/admin/org/import', { name: 'feil.csv', lang: 'en' }), { method: 'POST', body: lines.join('\n'), headers: { 'content-type': 'text/csv', accept: 'application/json' } });
    expect(response.status).toBe(201);
    const answer = (await response.json()) as { href: string; counts: { badRows: number } };
    expect(answer.counts.badRows).toBe(1);
    expect(answer.href).toMatch(/^\/admin\/org\/import\/[0-9a-f-]{36}\?session=.*&lang=en$/);
    const page = await (await fetch(`${url}${answer.href}`)).text();
    expect(page).toContain('<tr data-line="11"><th scope="row" data-numeric>11</th><td>The employment percentage “40,555” is not a number above 0');
    expect(page).not.toContain('data-apply');
  });

  it('refuses an empty upload with the reason at the field, and a stale preview with a page', async () => {
    const empty = await postFile(admin, Buffer.alloc(0), 'tom.csv');
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('aria-invalid="true"');
    expect(empty.body).toContain('Velg en fil å laste opp.');

    const changed = Buffer.from(sampleBytes().toString('utf8').replace(';20;01.01.2021;', ';25;01.01.2021;'));
    const first = importIdOf((await postFile(admin, changed, 'a.csv')).location);
    const second = importIdOf((await postFile(admin, changed, 'b.csv')).location);
    const firstPage = await admin.get(`/admin/org/import/${first}`);
    expect((await admin.post(`/admin/org/import/${first}/apply`, { sha256: shaOf(firstPage.body) })).status).toBe(303);
    const stale = await admin.post(`/admin/org/import/${second}/apply`, { sha256: shaOf(firstPage.body) });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('Organisasjonen er endret siden forhåndsvisningen');
    // A wrong hash is refused as not the file that was seen.
    const third = importIdOf((await postFile(admin, sampleBytes(), 'c.csv')).location);
    const wrong = await admin.post(`/admin/org/import/${third}/apply`, { sha256: '0'.repeat(64) });
    expect(wrong.status).toBe(409);
    expect(wrong.body).toContain('Filen som er lagret, er ikke den du så.');
  });

  it('keeps imports within their municipality: another municipality gets 404, a region and other roles are refused', async () => {
    const id = importIdOf((await postFile(admin, sampleBytes(), 'k.csv')).location);
    const page = await admin.get(`/admin/org/import/${id}`);
    expect((await osloAdmin.get(`/admin/org/import/${id}`)).status).toBe(404);
    expect((await osloAdmin.post(`/admin/org/import/${id}/apply`, { sha256: shaOf(page.body) })).status).toBe(404);
    expect((await osloAdmin.get('/admin/org/import/not-a-uuid')).status).toBe(404);
    expect((await osloAdmin.get('/admin/org/import')).body).not.toContain(id);
    const region = await regionAdmin.get('/admin/org/import');
    expect(region.status).toBe(403);
    // Refused by the access gate (src/access/route-decisions.ts): the import is a municipality's.
    expect(region.body).toContain('Rollen din gir ikke tilgang til dette.');
    expect((await postFile(regionAdmin, sampleBytes(), 'r.csv')).status).toBe(403);
    for (const role of ['learner', 'designer']) {
      const other = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, role)).sessionToken!);
      const refused = await other.get(`/admin/org/import/${id}`);
      expect(refused.status).toBe(403);
      expect((await postFile(other, sampleBytes(), 'x.csv')).status).toBe(403);
    }
    expect((await fetch(`${url}/admin/org/import`)).status).toBe(401);
  });
});
