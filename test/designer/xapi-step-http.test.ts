import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskContentStore } from '../../src/content/content-store.js';
import { importPackage } from '../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { getDraft } from '../../src/paths/drafts.js';
import type { RunningServer } from '../../src/server.js';
import { tempFile } from '../content/support/package-zip.js';
import { buildTinCanPackage } from '../fixtures/tincan/build-package.js';
import { launchThroughHttp, startToolWithDevLms } from '../lti/support/lti-http.js';
import { createWorld } from '../paths/fixtures.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { DesignerClient, devTenant, importFixturePackage, pathIdFrom } from './support/designer-http.js';

describe(`the xAPI course step in the designer's pages (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let designer: DesignerClient;
  let tenantId: string;
  const db = () => testDb.database.db;
  const importXapi = async (tenant: string) => importPackage(
    { db: db(), store: new DiskContentStore(fs.mkdtempSync(path.join(os.tmpdir(), 'designer-xapi-'))), limits: DEFAULT_ZIP_LIMITS },
    tenant, await buildTinCanPackage(tempFile('kurs.zip')),
  );

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    designer = new DesignerClient(url, (await launchThroughHttp(url, `${url}/dev/lms`, 'designer')).sessionToken!);
    tenantId = await devTenant(db());
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('offers only the tenant\'s own xAPI packages, refuses another tenant\'s and a SCORM package, keeps what was typed, saves the verbs', async () => {
    const created = await designer.post('/design/paths', { title: 'Smittevern', description: '', language: 'nb' });
    const pathId = pathIdFrom(created.location);
    const own = await importXapi(tenantId);
    const scorm = await importFixturePackage(db(), tenantId);
    const foreign = await importXapi((await createWorld(db())).outside);

    const form = await designer.get(`/design/paths/${pathId}/steps/new`, { type: 'xapi' });
    expect(form.status).toBe(200);
    expect(form.body).toContain(`<option value="${own.id}">`);
    expect(form.body).not.toContain(scorm.id);
    expect(form.body).not.toContain(foreign.id);
    expect(form.body).toMatch(/value="completed-or-passed"[^>]*checked/);
    // …and the SCORM step's chooser does not offer the xAPI package.
    expect((await designer.get(`/design/paths/${pathId}/steps/new`, { type: 'scorm' })).body).not.toContain(own.id);

    for (const packageId of [foreign.id, scorm.id, 'not-a-uuid']) {
      const refused = await designer.post(`/design/paths/${pathId}/steps`, { type: 'xapi', title: 'Håndhygiene', required: 'yes', packageId, countedVerbs: 'passed' });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('id="packageId-error"');
      expect(refused.body).toContain('value="Håndhygiene"');
    }
    const asScorm = await designer.post(`/design/paths/${pathId}/steps`, { type: 'scorm', title: 'Feil', required: 'yes', packageId: own.id, completionRule: 'completed' });
    expect(asScorm.status).toBe(400);
    const badVerbs = await designer.post(`/design/paths/${pathId}/steps`, { type: 'xapi', title: 'Håndhygiene', required: 'yes', packageId: own.id, countedVerbs: 'failed' });
    expect(badVerbs.status).toBe(400);

    const saved = await designer.post(`/design/paths/${pathId}/steps`, { type: 'xapi', title: 'Håndhygiene', required: 'yes', packageId: own.id, countedVerbs: 'passed' });
    expect(saved.status).toBe(303);
    const draft = await getDraft(db(), tenantId, pathId);
    expect(draft.steps).toMatchObject([{ type: 'xapi', title: 'Håndhygiene', config: { packageId: own.id, countedVerbs: 'passed' } }]);
    const edit = await designer.get(`/design/paths/${pathId}/steps/${draft.steps[0]!.id}`);
    expect(edit.body).toMatch(/value="passed"[^>]*checked/);
    expect(edit.body).toContain(`<option value="${own.id}" selected>`);
  });
});
