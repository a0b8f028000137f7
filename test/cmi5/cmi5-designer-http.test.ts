import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskContentStore } from '../../src/content/content-store.js';
import { importPackage } from '../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { getDraft } from '../../src/paths/drafts.js';
import type { RunningServer } from '../../src/server.js';
import { launchThroughHttp, startToolWithDevLms } from '../lti/support/lti-http.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { DesignerClient, devTenant, importFixturePackage, pathIdFrom } from '../designer/support/designer-http.js';
import { cmi5CourseZip, INTRO_AU, TEST_AU } from './support/course.js';

describe(`cmi5 courses in the designer's pages (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let designer: DesignerClient;
  let token: string;
  let tenantId: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    token = (await launchThroughHttp(url, `${url}/dev/lms`, 'designer')).sessionToken!;
    designer = new DesignerClient(url, token);
    tenantId = await devTenant(db());
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('shows the course tree with the AUs and their moveOn when a cmi5 course is uploaded', async () => {
    const upload = async (accept: string) => fetch(`${url}/design/packages/upload?session=${encodeURIComponent(token)}`, {
      method: 'POST', headers: { 'Content-Type': 'application/zip', accept }, body: fs.readFileSync(cmi5CourseZip()),
    });
    const json = await upload('application/json');
    expect(json.status).toBe(201);
    const body = (await json.json()) as { standard: string; cmi5Tree: string };
    expect(body.standard).toBe('cmi5');
    expect(body.cmi5Tree).toContain(`data-node="${TEST_AU}"`);
    expect(body.cmi5Tree).toContain('Prøve (AU · moveOn CompletedAndPassed · bestått ved 80 %)');
    expect(body.cmi5Tree).toContain('Innføring (AU · moveOn Completed)');
    expect(body.cmi5Tree).toContain('Del 1 (blokk)');
    const page = await upload('text/html');
    expect(page.status).toBe(201);
    expect(await page.text()).toContain('data-cmi5-tree');
  });

  it('names cmi5 beside SCORM and xAPI in the upload page\'s title and its way back to the path, in each language', async () => {
    const created = await designer.post('/design/paths', { title: 'Opplasting', description: '', language: 'nb' });
    const pathId = pathIdFrom(created.location);
    const expected = {
      nb: ['Last opp en SCORM-, xAPI- eller cmi5-pakke', 'Tilbake til «Opplasting», der du kan bruke pakken i et SCORM-, xAPI- eller cmi5-steg'],
      nn: ['Last opp ein SCORM-, xAPI- eller cmi5-pakke', 'Tilbake til «Opplasting», der du kan bruke pakken i eit SCORM-, xAPI- eller cmi5-steg'],
      en: ['Upload a SCORM, xAPI or cmi5 package', 'Back to “Opplasting”, where you can use the package in a SCORM, xAPI or cmi5 step'],
    } as const;
    for (const [lang, [title, back]] of Object.entries(expected)) {
      const page = await designer.get('/design/packages/upload', { path: pathId, lang });
      expect(page.status).toBe(200);
      expect(page.body).toContain(`<h1>${title}</h1>`);
      const link = /<a [^>]*data-back-to-path>([^<]*)<\/a>/.exec(page.body);
      expect([lang, link?.[1]]).toEqual([lang, back]);
    }
  });

  it('offers the course, its blocks and AUs as a cmi5 step, saves the choice and the allowed origins, and refuses what is not in the course', async () => {
    const created = await designer.post('/design/paths', { title: 'Smittevern', description: '', language: 'nb' });
    const pathId = pathIdFrom(created.location);
    const course = await importPackage({ db: db(), store: new DiskContentStore(fs.mkdtempSync(path.join(os.tmpdir(), 'designer-cmi5-'))), limits: DEFAULT_ZIP_LIMITS }, tenantId, cmi5CourseZip());
    const scorm = await importFixturePackage(db(), tenantId);
    const form = await designer.get(`/design/paths/${pathId}/steps/new`, { type: 'cmi5' });
    expect(form.status).toBe(200);
    expect(form.body).toContain(`<option value="${course.id}">`);
    expect(form.body).toContain(`<option value="${course.id} ${TEST_AU}">`);
    expect(form.body).not.toContain(scorm.id);
    // …and the SCORM step's chooser does not offer the cmi5 course.
    expect((await designer.get(`/design/paths/${pathId}/steps/new`, { type: 'scorm' })).body).not.toContain(course.id);

    for (const packageId of [scorm.id, `${course.id} https://laeringslop.example/ukjent`, 'not-a-uuid']) {
      const refused = await designer.post(`/design/paths/${pathId}/steps`, { type: 'cmi5', title: 'Prøven', required: 'yes', packageId, allowedOrigins: '' });
      expect([packageId, refused.status]).toEqual([packageId, 400]);
      expect(refused.body).toContain('id="packageId-error"');
    }
    const badOrigin = await designer.post(`/design/paths/${pathId}/steps`, { type: 'cmi5', title: 'Prøven', required: 'yes', packageId: course.id, allowedOrigins: 'javascript:alert(1)' });
    expect(badOrigin.status).toBe(400);

    const saved = await designer.post(`/design/paths/${pathId}/steps`, { type: 'cmi5', title: 'Prøven', required: 'yes', packageId: `${course.id} ${TEST_AU}`, allowedOrigins: 'https://kurs.example.no/sti\nhttps://andre.example' });
    expect(saved.status).toBe(303);
    const draft = await getDraft(db(), tenantId, pathId);
    expect(draft.steps).toMatchObject([{ type: 'cmi5', config: { packageId: course.id, nodeId: TEST_AU, allowedOrigins: ['https://kurs.example.no', 'https://andre.example'] } }]);
    const edit = await designer.get(`/design/paths/${pathId}/steps/${draft.steps[0]!.id}`);
    expect(edit.body).toContain(`<option value="${course.id} ${TEST_AU}" selected>`);
    expect(edit.body).not.toContain(`<option value="${course.id} ${INTRO_AU}" selected>`);
  });
});
