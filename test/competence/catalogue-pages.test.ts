import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATALOGUE_FILE } from '../../src/competence/demo-catalogue.js';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import { createPerson } from '../../src/people/people.js';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { DesignerClient } from '../designer/support/designer-http.js';
import { launchThroughHttp, SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

async function upload(client: DesignerClient, file: Buffer | string, name = 'katalog.csv'): Promise<{ status: number; body: string }> {
  const form = new FormData();
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)], { type: 'text/csv' }), name);
  const response = await fetch(`${client.url}/admin/competence/import?session=${encodeURIComponent(client.token)}`, { method: 'POST', body: form, redirect: 'manual' });
  return { status: response.status, body: await response.text() };
}

/** The hidden fields of the preview's confirm form. */
function confirmFields(body: string): Record<string, string> {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
  return { file: field('file'), sha256: field('sha256'), name: field('name') };
}

describe(`the competence catalogue pages (${BACKEND})`, { timeout: 90_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let admin: DesignerClient;
  let session: LtiSession;
  const tokens = new SessionTokens(SECRET);
  const db = () => testDb.database.db;
  const clientFor = async (tenantId: string, role: LtiSession['role']) =>
    new DesignerClient(url, await tokens.issue({ ...session, tenantId, role, personId: (await createPerson(db(), tenantId, {})).id }));

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    admin = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'admin')).sessionToken!);
    session = (await (await fetch(`${url}/lti/session?session=${admin.token}`)).json()) as LtiSession;
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('previews an upload, imports it on confirmation, lists it by area and exports it', async () => {
    const empty = await admin.get('/admin/competence');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<h1>Kompetansekatalog</h1>');
    expect(empty.body).toContain('data-catalogue-empty');
    expect((await admin.get('/admin')).body).toContain('/admin/competence?');

    const preview = await upload(admin, fs.readFileSync(DEMO_CATALOGUE_FILE), 'kompetansekatalog.csv');
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('Nye kompetanser: 10');
    expect(preview.body).toContain('Nye områder: Felles, Helse og omsorg');
    expect(await db().selectFrom('competences').select('id').execute()).toEqual([]);

    const applied = await admin.post('/admin/competence/import/apply', confirmFields(preview.body));
    expect(applied.status).toBe(303);
    const listed = await admin.get('/admin/competence', { notice: 'imported', added: '10', changed: '0' });
    expect(listed.body).toContain('Importert: 10 nye og 0 endrede kompetanser.');
    expect(listed.body).toMatch(/data-competence="brannvern"><th scope="row">Brannvern<\/th><td><code>brannvern<\/code><\/td><td>Kurs og opplæring<\/td><td>24 måneder<\/td><td data-numeric>4<\/td><td>Egen<\/td>/);
    const english = await admin.get('/admin/competence', { lang: 'en' });
    expect(english.body).toContain('<th scope="row">Fire safety</th>');

    const exported = await fetch(`${url}/admin/competence/export.csv?session=${admin.token}`);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="kompetansekatalog.csv"');
    const bytes = Buffer.from(await exported.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('felles;Felles;brannvern;Brannvern;Brannvern;Fire safety;');
    // The same file again changes nothing, and says so.
    const again = await upload(admin, csv);
    expect(again.body).toContain('Filen endrer ingenting.');
    expect(again.body).not.toContain('data-catalogue-apply');
  });

  it('lists every bad row of a refused file with its line, and writes nothing', async () => {
    const before = await db().selectFrom('competences').select('id').execute();
    const bad = Buffer.from('område;kompetanse;type;gyldighet_måneder\nFelles;Kildesortering;kurs;12\nFelles;;kurs;\nFelles;Hygiene;kaffe;\n', 'latin1');
    const refused = await upload(admin, bad);
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('Filen kan ikke importeres');
    expect(refused.body).toMatch(/data-problem-line="3"><th scope="row" data-numeric>3<\/th><td>Raden mangler kompetansens navn\.<\/td>/);
    expect(refused.body).toMatch(/data-problem-line="4">.*Ukjent type «kaffe»/);
    expect(refused.body).not.toContain('data-catalogue-apply');
    expect(await db().selectFrom('competences').select('id').execute()).toHaveLength(before.length);

    expect((await upload(admin, '')).status).toBe(400);
    const tooLarge = await upload(admin, 'område;kompetanse\n' + 'Felles;x\n'.repeat(70_000));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toContain('Filen er større enn 512 KiB.');
    // A confirmation whose file is not the previewed one is refused.
    const tampered = await admin.post('/admin/competence/import/apply', { file: Buffer.from('område;kompetanse\nFelles;Ny').toString('base64'), sha256: '0'.repeat(64), name: 'x.csv' });
    expect(tampered.status).toBe(400);
    expect(tampered.body).toContain('Filen er ikke den du så forhåndsvisningen av.');
    expect(await db().selectFrom('competences').select('id').execute()).toHaveLength(before.length);
  });

  it("shares a region's catalogue with its members, keeps other municipalities' catalogues apart, and is for administrators only", async () => {
    const kongsberg = (await findMunicipality(db(), '3303'))!.id;
    const oslo = (await findMunicipality(db(), '0301'))!.id;
    // The development LMS registers Kongsbergregionen with Kongsberg as a member.
    const region = (await db().selectFrom('tenants').select('id').where('kind', '=', 'region').where('name', '=', 'Kongsbergregionen').executeTakeFirstOrThrow()).id;
    await db().insertInto('region_municipalities').values({ region_id: region, municipality_id: kongsberg }).onConflict((oc) => oc.doNothing()).execute();

    const regionAdmin = await clientFor(region, 'admin');
    const regionPage = await regionAdmin.get('/admin/competence');
    expect(regionPage.body).toContain('Katalogen til Kongsbergregionen deles av alle kommunene i regionen.');
    // Kongsberg already has "brannvern": the region may not take the code.
    const clash = await upload(regionAdmin, 'område;kode;kompetanse\nFelles;brannvern;Brannvern\nFelles;smittevern;Smittevern\n');
    expect(clash.body).toContain('Koden «brannvern» finnes allerede i katalogen til Kongsberg.');
    const fine = await upload(regionAdmin, 'område;kode;kompetanse;gyldighet_måneder\nFelles;smittevern;Smittevern;12\n');
    expect((await regionAdmin.post('/admin/competence/import/apply', confirmFields(fine.body))).status).toBe(303);
    expect((await admin.get('/admin/competence')).body).toMatch(/data-competence="smittevern">.*<td>Kongsbergregionen<\/td>/);

    const osloAdmin = await clientFor(oslo, 'admin');
    const osloPage = await osloAdmin.get('/admin/competence');
    expect(osloPage.body).toContain('data-catalogue-empty');
    expect(osloPage.body).not.toContain('brannvern');
    expect(await (await fetch(`${url}/admin/competence/export.csv?session=${osloAdmin.token}`)).text()).not.toContain('brannvern');

    for (const role of ['learner', 'designer', 'manager'] as const) {
      const other = await clientFor(kongsberg, role);
      expect((await other.get('/admin/competence')).status).toBe(403);
      expect((await fetch(`${url}/admin/competence/export.csv?session=${other.token}`)).status).toBe(403);
      expect((await upload(other, 'område;kompetanse\nFelles;x')).status).toBe(403);
    }
    expect((await fetch(`${url}/admin/competence`)).status).toBe(401);
  });

  it('an administrator adds a requirement, a refused one keeps what was typed, and only the keeper ends it', async () => {
    const kongsberg = (await findMunicipality(db(), '3303'))!.id;
    const fire = (await db().selectFrom('competences').select('id').where('tenant_id', '=', kongsberg).where('code', '=', 'brannvern').executeTakeFirstOrThrow()).id;
    const empty = await admin.get('/admin/competence/requirements');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('data-requirements-empty');

    const refused = await admin.post('/admin/competence/requirements', { competence: fire, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory', minLevel: '7', targetPercent: '80' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('value="Helsefagarbeider"');
    expect(refused.body).toContain('Kompetansen har ikke så mange nivåer.');
    expect(refused.body).toContain('Et mål trenger både andel og dato.');
    expect(await db().selectFrom('competence_requirements').select('id').execute()).toEqual([]);

    const added = await admin.post('/admin/competence/requirements', { competence: fire, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory', minLevel: '2', graceDays: '90', targetPercent: '80', targetDate: '31.12.2027' });
    expect(added.status).toBe(303);
    const listed = await admin.get('/admin/competence/requirements', { notice: 'added' });
    expect(listed.body).toContain('Kravet er lagt til.');
    expect(listed.body).toMatch(/data-requirement="brannvern"><th scope="row">Brannvern<\/th><td>Stilling: Helsefagarbeider<\/td><td>Obligatorisk<\/td><td>minst nivå 2, nyansatte har 90 dager, mål 80 % innen 31\. desember 2027<\/td>/);
    const id = (await db().selectFrom('competence_requirements').select('id').executeTakeFirstOrThrow()).id;

    // Another municipality's administrator cannot end it (nor learn that it exists).
    const osloAdmin = await clientFor((await findMunicipality(db(), '0301'))!.id, 'admin');
    expect((await osloAdmin.post(`/admin/competence/requirements/${id}/end`)).status).toBe(404);
    expect((await osloAdmin.post('/admin/competence/requirements/not-a-uuid/end')).status).toBe(404);
    expect((await osloAdmin.get('/admin/competence/requirements')).body).toContain('data-requirements-empty');
    expect((await (await clientFor(kongsberg, 'learner')).post(`/admin/competence/requirements/${id}/end`)).status).toBe(403);
    expect((await admin.post(`/admin/competence/requirements/${id}/end`)).status).toBe(303);
    expect((await admin.get('/admin/competence/requirements')).body).toContain('data-requirements-empty');
  });
});
