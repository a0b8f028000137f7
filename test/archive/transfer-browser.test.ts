import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { addStep } from '../../src/paths/drafts.js';
import { createPath } from '../../src/paths/paths.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createLogger } from '../../src/logger.js';
import { zipFixture } from '../content/support/package-zip.js';
import { freePort, SECRET, startStandaloneDevLms } from '../lti/support/lti-http.js';
import { testConfig } from '../support/app.js';
import { axeViolations, CHROMIUM_PATH, hasChromium } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const LONG = { timeout: 60_000 };

/** Records every text the status line shows, so the test can see the progress it went through. */
async function recordStatus(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    const status = document.getElementById('transfer-status')!;
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
  });
}

describe.skipIf(!hasChromium)(`designer upload and import pages in the LMS iframe (${BACKEND})`, { timeout: 180_000 }, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  let lms: Awaited<ReturnType<typeof startStandaloneDevLms>>;
  let browser: Browser;
  let toolUrl: string;
  let dataDir: string;
  let token: string;
  let archiveFile: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-browser-'));
    const toolPort = await freePort();
    toolUrl = `http://127.0.0.1:${toolPort}`;
    tool = await startServer({ config: testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir }), logger: createLogger('silent'), database: testDb.database });
    // The LMS on another site (localhost vs 127.0.0.1), as a real LMS frames the tool.
    lms = await startStandaloneDevLms(testDb.database, toolUrl, await freePort(), 'localhost');
    await registerDevLms(testDb.database.db, lms.lms);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--test-third-party-cookie-phaseout'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await lms?.close();
    await tool?.close();
    await testDb?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a designer launched from the LMS uploads a package with progress, then imports an archive and sees the report or the refusal', async () => {
    const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
    const page = await context.newPage();
    await page.goto(`${lms.url}/dev/lms`);
    await page.click('[data-launch="designer"]');
    const frame = page.frameLocator('#tool-frame');
    await expect.poll(() => frame.locator('h1[data-role="designer"]').count(), LONG).toBe(1);
    // The designer lands on the designer start page, whose address carries the session.
    const designerFrame = page.frames().find((f) => f.url().startsWith(`${toolUrl}/design`))!;
    token = new URL(designerFrame.url()).searchParams.get('session')!;
    const session = (await (await fetch(`${toolUrl}/lti/session?session=${token}`)).json()) as { tenantId: string; personId: string; role: string };
    expect(session.role).toBe('designer');
    const toolFrame = page.frames().find((f) => f.url().startsWith(toolUrl))!;

    // The upload page, framed by the LMS.
    const uploadUrl = `${toolUrl}/design/packages/upload?session=${token}`;
    const csp = (await fetch(uploadUrl)).headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(new RegExp(`frame-ancestors [^;]*${lms.url.replace(/[.:/]/g, '\\$&')}`));
    await toolFrame.goto(uploadUrl);
    expect(await axeViolations(toolFrame)).toEqual([]);
    await recordStatus(toolFrame);
    await frame.locator('#transfer-file').setInputFiles(await zipFixture('scorm2004-4th'));
    await frame.getByRole('button', { name: 'Last opp' }).click();
    await expect.poll(() => frame.locator('#transfer-status').textContent(), LONG).toMatch(/^Importert: Personvern i kommunen \(id [0-9a-f-]{36}\)$/);
    expect(await frame.locator('#transfer-progress').getAttribute('value')).toBe('100');
    expect(await frame.locator('#transfer-progress').isVisible()).toBe(true);
    const seen = await toolFrame.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toBe('Laster opp … 0 %');
    const packageId = /id ([0-9a-f-]{36})/.exec((await frame.locator('#transfer-status').textContent())!)![1]!;
    expect(await axeViolations(toolFrame)).toEqual([]);

    // A path of the designer's organisation with that package, exported as an archive.
    const db = testDb.database.db;
    const created = await createPath(db, session.tenantId, { title: 'Personvern for alle', language: 'nb', createdBy: session.personId });
    await addStep(db, session.tenantId, created.id, { type: 'scorm', title: 'Kurset', required: true, config: { packageId, completion: { rule: 'completed' } } });
    await addStep(db, session.tenantId, created.id, { type: 'web', title: 'Les veilederen', required: false, config: { resource: { kind: 'link', url: 'https://www.datatilsynet.no/' }, done: { by: 'mark-as-done' } } });
    const exported = await fetch(`${toolUrl}/design/paths/${created.id}/export?session=${token}`);
    expect(exported.status).toBe(200);
    archiveFile = path.join(dataDir, 'personvern-for-alle.zip');
    fs.writeFileSync(archiveFile, Buffer.from(await exported.arrayBuffer()));

    // The import page shows the report.
    await toolFrame.goto(`${toolUrl}/design/import?session=${token}`);
    expect(await axeViolations(toolFrame)).toEqual([]);
    await frame.locator('#transfer-file').setInputFiles(archiveFile);
    await frame.getByRole('button', { name: 'Importer' }).click();
    await expect.poll(() => frame.locator('#transfer-report h2[data-imported-path]').count(), LONG).toBe(1);
    expect(await frame.locator('#transfer-status').textContent()).toBe('Importert: Personvern for alle');
    const report = await frame.locator('#transfer-report').textContent();
    expect(report).toContain('Kurset (E-læringskurs, obligatorisk)');
    expect(report).toContain('Les veilederen (Nettressurs, valgfritt)');
    expect(report).toContain('Personvern i kommunen (2004 4th Edition, fantes fra før)');
    expect(report).toContain('Løpet er importert som et utkast');
    expect(await axeViolations(toolFrame)).toEqual([]);

    // A broken archive: the refusal names the file and the problem.
    const broken = path.join(dataDir, 'ødelagt.zip');
    fs.writeFileSync(broken, 'dette er ikke en zip-fil '.repeat(20));
    await frame.locator('#transfer-file').setInputFiles(broken);
    await frame.getByRole('button', { name: 'Importer' }).click();
    await expect.poll(() => frame.locator('#transfer-status').textContent(), LONG).toMatch(/^Arkivet ble ikke importert: Arkivet 'ødelagt\.zip' ble ikke godtatt: Filen er ikke en zip-fil/);
    expect(await frame.locator('#transfer-report').isVisible()).toBe(false);
    expect(await axeViolations(toolFrame)).toEqual([]);
    await context.close();
  });

  it('works on a 360 px wide phone screen, in English', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${toolUrl}/design/import?session=${token}&lang=en`);
    expect(await axeViolations(page)).toEqual([]);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    await page.locator('#transfer-file').setInputFiles(archiveFile);
    await page.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('#transfer-report h2[data-imported-path]').count(), LONG).toBe(1);
    expect(await page.locator('#transfer-report').textContent()).toContain('Personvern i kommunen (2004 4th Edition, already here)');
    expect(await fits()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${toolUrl}/design/packages/upload?session=${token}&lang=en`);
    expect(await fits()).toBe(true);
    await page.locator('#transfer-file').setInputFiles(archiveFile);
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => page.locator('#transfer-status').textContent(), LONG).toBe('The package was not accepted: imsmanifest.xml is missing from the root of the package');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('without JavaScript the form posts and the answer is a page with the report', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${toolUrl}/design/import?session=${token}`);
    await page.locator('#transfer-file').setInputFiles(archiveFile);
    await page.getByRole('button', { name: 'Importer' }).click();
    await expect.poll(() => page.locator('h2[data-imported-path]').count(), LONG).toBe(1);
    expect(await page.locator('main').textContent()).toContain('Importert: Personvern for alle');
    await context.close();
  });
});
