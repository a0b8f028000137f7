import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskContentStore } from '../../src/content/content-store.js';
import type { PackageManifest } from '../../src/content/manifest-model.js';
import { DEMO_LINK_ID, ensureDemoPath } from '../../src/demo/demo-path.js';
import { DevLms } from '../../src/dev-lms/dev-lms.js';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { createLogger } from '../../src/logger.js';
import { getDraft } from '../../src/paths/drafts.js';
import { findVisiblePath, loadPublishedVersion } from '../../src/paths/paths.js';
import { createPerson } from '../../src/people/people.js';
import { attemptOutcome, commitHistory } from '../../src/scorm/outcomes.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { testConfig } from '../support/app.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, launchThroughHttp, SECRET } from '../lti/support/lti-http.js';
import { openAttempt } from '../scorm/support/server.js';
import { waitFor } from '../scorm/support/wait.js';

let testDb: TestDatabase;
let server: RunningServer;
let lms: DevLms;
let store: DiskContentStore;
let dataDir: string;
let base: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-data-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer({
    config: testConfig({ PORT: String(port), PUBLIC_URL: base, KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir }),
    logger: createLogger('silent'),
    database: testDb.database,
  });
  lms = new DevLms({ db: testDb.database.db, baseUrl: `${base}/dev/lms`, toolUrl: base, secret: SECRET });
  await registerDevLms(testDb.database.db, lms);
  store = new DiskContentStore(path.join(dataDir, 'content'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await testDb?.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('the demo path', () => {
  let pathId: string;
  let kongsberg: string;

  it('is created once, published, and placed as a link in the development LMS', async () => {
    const first = await ensureDemoPath({ db: testDb.database.db, store, lms });
    expect(first.created).toBe(true);
    pathId = first.pathId;
    const again = await ensureDemoPath({ db: testDb.database.db, store, lms });
    expect(again).toEqual({ created: false, pathId });
    expect(await testDb.database.db.selectFrom('paths').select('id').execute()).toHaveLength(1);

    kongsberg = (await findMunicipality(testDb.database.db, '3303'))!.id;
    const summary = await findVisiblePath(testDb.database.db, kongsberg, pathId);
    expect(summary?.latestVersion?.number).toBe(1);
    const version = await loadPublishedVersion(testDb.database.db, summary!.latestVersion!.id);
    expect(version.definition.steps.map((s) => s.type)).toEqual(['self-assessment', 'scorm', 'web', 'evaluation']);
    expect(version.definition.grants).toEqual([{ competence: 'Brannvern', validMonths: 24 }]);
    // The draft stays editable for the designer.
    expect((await getDraft(testDb.database.db, kongsberg, pathId)).steps).toHaveLength(4);

    const link = await lms.findLink(DEMO_LINK_ID);
    expect(link?.custom).toEqual({ laeringslop_path: pathId });
    const lmsPage = await (await fetch(`${base}/dev/lms`)).text();
    expect(lmsPage).toContain(`link=${DEMO_LINK_ID}`);

    // A newcomer opens it from the development LMS: the learner lands on the path, the designer (the
    // course's instructor) on the course view, which leads on to the path's designer page.
    const learner = await launchThroughHttp(base, `${base}/dev/lms`, 'learner', { link: DEMO_LINK_ID });
    expect(learner.status).toBe(303);
    const learnerPage = await (await fetch(new URL(learner.location!, base))).text();
    expect(learnerPage).toContain('Brannvern og førstehjelp på arbeidsplassen');
    expect(learnerPage).toContain('E-læring: Brannvern på arbeidsplassen');
    const designer = await launchThroughHttp(base, `${base}/dev/lms`, 'designer', { link: DEMO_LINK_ID });
    expect(designer.status).toBe(303);
    expect(designer.location).toMatch(/^\/teach\/links\/[0-9a-f-]{36}\?session=/);
    const coursePage = await (await fetch(new URL(designer.location!, base))).text();
    expect(coursePage).toContain(`/design/paths/${pathId}?session=`);
  });

  describe.skipIf(!hasChromium)('its SCORM package, played in Chromium', { timeout: 120_000 }, () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    const SLOW = { timeout: 15_000 };
    const scoFrame = (page: Page): Frame => page.frames().find((f) => f.url().includes('/files/'))!;

    async function open(playerUrl: string): Promise<Page> {
      const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
      const page = await context.newPage();
      await page.goto(`${base}${playerUrl}`);
      await expect.poll(() => scoFrame(page)?.locator('#page-progress').textContent(), SLOW).toMatch(/Side \d av 4/);
      return page;
    }

    it('resumes on the page and with the answers it left, and passes at 2 of 3 right (masteryscore 60)', async () => {
      const version = await findVisiblePath(testDb.database.db, kongsberg, pathId);
      const definition = (await loadPublishedVersion(testDb.database.db, version!.latestVersion!.id)).definition;
      const scormStep = definition.steps.find((s) => s.type === 'scorm')!;
      const packageId = (scormStep.config as { packageId: string }).packageId;
      const person = await createPerson(testDb.database.db, kongsberg, { name: 'Kari Nordmann' });
      const attempt = await openAttempt(base, { tenantId: kongsberg, personId: person.id, packageId });

      let page = await open(attempt.playerUrl);
      let sco = scoFrame(page);
      expect(await sco.locator('#page-progress').textContent()).toBe('Side 1 av 4');
      expect(await axeViolations(page)).toEqual([]);
      expect(await axeViolations(sco)).toEqual([]);
      for (let i = 0; i < 3; i += 1) await sco.getByRole('button', { name: 'Neste side' }).click();
      await sco.getByLabel('Varsle, redde, slokke').check();
      await expect.poll(() => sco.locator('#page-progress').textContent(), SLOW).toBe('Side 4 av 4');
      expect(await axeViolations(sco)).toEqual([]);
      // The browser context stays open until the page's last beacon has arrived.
      await page.close({ runBeforeUnload: true });
      await waitFor('the state sent when the page closed', async () =>
        (await commitHistory(testDb.database.db, kongsberg, attempt.attemptId)).some((c) => String(c.body['cmi.suspend_data'] ?? '').includes('"q1":"b"')));
      await page.context().close();

      page = await open(attempt.playerUrl);
      sco = scoFrame(page);
      await expect.poll(() => sco.locator('#page-progress').textContent(), SLOW).toBe('Side 4 av 4');
      expect(await sco.getByLabel('Varsle, redde, slokke').isChecked()).toBe(true);
      await sco.getByLabel('110').check();
      await sco.getByRole('button', { name: 'Lever svarene' }).click();
      await expect.poll(() => sco.locator('#result').textContent(), SLOW).toBe('Svar på alle spørsmålene før du leverer.');
      await sco.getByLabel('Vann').check();
      await sco.getByRole('button', { name: 'Lever svarene' }).click();
      await expect.poll(() => sco.locator('#result').textContent(), SLOW).toMatch(/^2 av 3 riktige \(67 %\)/);

      await waitFor('the terminating commit', async () =>
        (await commitHistory(testDb.database.db, kongsberg, attempt.attemptId)).some((c) => c.terminate && c.accepted));
      const row = await testDb.database.db.selectFrom('content_packages').select('manifest').where('id', '=', packageId).executeTakeFirstOrThrow();
      const outcome = await attemptOutcome(testDb.database.db, kongsberg, attempt.attemptId, row.manifest as PackageManifest);
      expect(outcome).toMatchObject({ completed: true, successStatus: 'passed' });
      expect(outcome!.scos[0]).toMatchObject({ scoreRaw: 67, lessonStatus: 'passed' });
      await page.context().close();
    });
  });
});
