import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { capturingLogger, testConfig } from '../support/app.js';
import { axeViolations, cookiesKept, CHROMIUM_PATH, hasChromium, launchContextRefusingFramedCookies } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, SECRET, startStandaloneDevLms, startToolWithDevLms } from './support/lti-http.js';
import { devTenant, publishedPath } from '../designer/support/designer-http.js';


/**
 * A real launch in Chromium with third-party cookies blocked: the LMS at http://localhost:<port>
 * frames the tool at http://127.0.0.1:<port> (another site). Where the frame refuses the tool's
 * cookies altogether (partitioned ones too), the login state travels through the platform's
 * postMessage storage. Platforms without that storage: cookie-blocked-browser.test.ts.
 */
// Browser tests on a shared two-core machine: generous time, no timed assertions.
describe.skipIf(!hasChromium)(`LTI launch inside an LMS iframe with third-party cookies blocked (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  let lms: Awaited<ReturnType<typeof startStandaloneDevLms>>;
  let browser: Browser;
  let toolUrl: string;
  const captured = capturingLogger('info');

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const toolPort = await freePort();
    toolUrl = `http://127.0.0.1:${toolPort}`;
    tool = await startServer({ config: testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET }), logger: captured.logger, database: testDb.database });
    lms = await startStandaloneDevLms(testDb.database, toolUrl, await freePort(), 'localhost');
    await registerDevLms(testDb.database.db, lms.lms);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--test-third-party-cookie-phaseout'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await lms?.close();
    await tool?.close();
    await testDb?.dispose();
  });

  it('launches as a learner through postMessage storage and the pages pass axe-core', async () => {
    const refusing = await launchContextRefusingFramedCookies(toolUrl, lms.url);
    const context = refusing.context;
    const page = await context.newPage();
    await page.goto(`${lms.url}/dev/lms`);
    expect(await axeViolations(page)).toEqual([]);
    await page.click('[data-launch="learner"]');
    const frame = page.frameLocator('#tool-frame');
    await expect.poll(() => frame.locator('h1[data-role="learner"]').count(), { timeout: 60_000 }).toBe(1);
    expect(await frame.locator('main').textContent()).toContain('Kari Nordmann');

    const accepted = captured.lines().filter((l) => l['msg'] === 'lti launch accepted');
    expect(accepted.at(-1)).toMatchObject({ role: 'learner', binding: 'storage' });

    expect(await axeViolations(page)).toEqual([]);
    const toolFrame = page.frames().find((f) => f.url().startsWith(toolUrl))!;
    expect(await axeViolations(toolFrame)).toEqual([]);
    // The premise: this frame keeps no cookie of the tool.
    expect(await cookiesKept(toolFrame)).toEqual({ partitioned: false, unpartitioned: false });

    // The session in the landing page's URL works inside the frame without cookies.
    const sessionToken = new URL(toolFrame.url()).searchParams.get('session');
    const session = (await (await fetch(`${toolUrl}/lti/session?session=${sessionToken}`)).json()) as { role: string };
    expect(session.role).toBe('learner');
    await refusing.close();
  });

  it('runs the deep-linking picker in the frame and returns the choice to the LMS', async () => {
    // Deep Linking offers the published paths of the designer's municipality.
    const db = testDb.database.db;
    const tenant = await devTenant(db);
    const paths = [];
    for (const title of ['Førstehjelp – grunnkurs', 'Informasjonssikkerhet i kommunen', 'Velferdsteknologi – introduksjon']) paths.push(await publishedPath(db, tenant, title));
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${lms.url}/dev/lms`);
    await page.click('[data-launch="deeplink"]');
    const frame = page.frameLocator('#tool-frame');
    await expect.poll(() => frame.locator('button[data-item]').count(), { timeout: 60_000 }).toBe(3);
    const toolFrame = page.frames().find((f) => f.url().startsWith(toolUrl))!;
    expect(await axeViolations(toolFrame)).toEqual([]);
    await frame.locator(`button[data-item="${paths[0]!.id}"]`).click();
    await expect.poll(() => frame.locator('[data-content-item]').count(), { timeout: 60_000 }).toBe(1);
    expect(await frame.locator('[data-content-item]').textContent()).toContain('Førstehjelp – grunnkurs');
    await context.close();
  });

  it('offers "open in a new window" when the frame refuses cookies and the platform has no storage', async () => {
    const refusing = await launchContextRefusingFramedCookies(toolUrl, lms.url);
    const page = await refusing.context.newPage();
    await page.goto(`${lms.url}/dev/lms`);
    await page.click('[data-launch="no-storage"]');
    const frame = page.frameLocator('#tool-frame');
    await expect.poll(() => frame.locator('[data-new-window]').count(), { timeout: 60_000 }).toBe(1);
    const toolFrame = page.frames().find((f) => f.url().startsWith(toolUrl))!;
    expect(await axeViolations(toolFrame)).toEqual([]);
    expect(await frame.locator('[data-new-window]').getAttribute('target')).toBe('_blank');
    await refusing.close();
  });

  it('in a window of its own (the fallback) the state travels in the first-party cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(lms.lms.startLaunch('designer'));
    await expect.poll(() => page.locator('h1[data-role="designer"]').count(), { timeout: 60_000 }).toBe(1);
    expect(captured.lines().filter((l) => l['msg'] === 'lti launch accepted').at(-1)).toMatchObject({ role: 'designer', binding: 'cookie' });
    await context.close();
  });

  it('works with the development LMS mounted in the tool itself, as `npm start` shows it', async () => {
    const own = await createTestDatabase();
    const started = await startToolWithDevLms(own.database);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${started.url}/`);
      await page.click('a[href="/dev/lms"]');
      await page.click('[data-launch="manager"]');
      await expect.poll(() => page.frameLocator('#tool-frame').locator('h1[data-role="manager"]').count(), { timeout: 60_000 }).toBe(1);
    } finally {
      await context.close();
      await started.server.close();
      await own.dispose();
    }
  });

  it('shows a refusal as an accessible page', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const response = await page.goto(`${toolUrl}/lti/login`);
    expect(response?.status()).toBe(400);
    expect(await page.locator('[data-refusal="bad-login-request"]').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
