import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { startToolWithDevLms } from '../lti/support/lti-http.js';
import { SAMPLE_PATH } from './hr-csv.js';

const SLOW = { timeout: 60_000 };

/**
 * A municipality's administrator, launched from the development LMS, imports the sample HR file:
 * upload (with the progress of the page's script, and without script), preview, apply. Checked
 * by axe-core in bokmål and nynorsk on a 360 px screen.
 */
describe.skipIf(!hasChromium)(`HR import in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await testDb?.dispose();
  }, 60_000);

  /** The administrator's start page URL after a launch from the LMS course page. */
  async function adminHome(page: Page): Promise<string> {
    await page.goto(`${url}/dev/lms/launch?role=admin`);
    await page.frameLocator('#tool-frame').locator('h1[data-role="admin"]').waitFor(SLOW);
    return page.frames().find((f) => /\/admin\?/.test(f.url()))!.url();
  }

  it('uploads the sample with progress, previews and applies it (nb, nn)', async () => {
    const page = await context.newPage();
    await page.goto(await adminHome(page));
    await page.getByRole('link', { name: 'Importer enheter og ansatte fra HR-systemet' }).click();
    await page.locator('h1', { hasText: 'Import fra HR-systemet' }).waitFor();
    await expectAccessible(page, 'upload page');
    const uploadPage = page.url();

    await page.locator('#org-import-file').setInputFiles(SAMPLE_PATH);
    const upload = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/admin/org/import');
    await page.getByRole('button', { name: 'Last opp og se endringene' }).click();
    const request = await upload;
    // The page's script sent the file itself (XHR, so the progress element could follow it).
    expect(request.headers()['content-type']).toBe('text/csv');
    await page.locator('h1', { hasText: 'Endringer fra hr-import-eksempel.csv' }).waitFor(SLOW);
    expect(await page.locator('tr[data-count="units"] td').allTextContents()).toEqual(['7', '0', '0']);
    expect(await page.locator('tr[data-count="employments"] td').allTextContents()).toEqual(['9', '0', '0']);
    await expectAccessible(page, 'preview page');
    const preview = page.url();
    await page.goto(`${preview}&lang=nn`);
    await page.locator('h1', { hasText: 'Endringar frå hr-import-eksempel.csv' }).waitFor();
    await expectAccessible(page, 'preview page (nn)');

    await page.getByRole('button', { name: 'Ta i bruk importen' }).click();
    await page.locator('[data-state="applied"]').waitFor(SLOW);
    expect(await page.locator('[data-state="applied"]').textContent()).toMatch(/^Importen vart teken i bruk /);
    await expectAccessible(page, 'applied import (nn)');

    await page.goto(`${uploadPage}&lang=nn`);
    await page.locator('tr[data-import]').first().waitFor();
    expect(await page.locator('tr[data-import] td').nth(2).textContent()).toBe('Teken i bruk');
    await expectAccessible(page, 'upload page with an import (nn)');
    await page.close();
  });

  it('works without script as a plain form post, and shows the bad rows', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
    const setup = await context.newPage();
    const home = await adminHome(setup);
    await setup.close();
    const page = await noScript.newPage();
    await page.goto(home.replace('/admin?', '/admin/org/import?'));
    await page.locator('#org-import-file').setInputFiles({ name: 'feil.csv', mimeType: 'text/csv', buffer: Buffer.from('ansattnummer;enhetskode;enhetsnavn;stillingstittel;stillingsprosent;startdato\n1;K;Kommunen;Rådgiver;50,5;31.02.2026\n') });
    await page.getByRole('button', { name: 'Last opp og se endringene' }).click();
    await page.locator('[data-problems]').waitFor(SLOW);
    expect(await page.locator('tr[data-line="2"]').textContent()).toContain('startdato «31.02.2026» er ikke en dato.');
    expect(await page.locator('[data-apply]').count()).toBe(0);
    // axe-core needs script: the same page, checked in the other browser context.
    const checked = await context.newPage();
    await checked.goto(page.url());
    await expectAccessible(checked, 'preview with bad rows');
    await checked.close();
    await noScript.close();
  });
});
