import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchThroughHttp, startToolWithDevLms } from '../lti/support/lti-http.js';

/**
 * The refusals a person meets after a launch, as a browser shows them: a role without access is
 * "Ingen tilgang" (403), a forged or expired session "Økten er ikke gyldig" (401), a form over the
 * limit "too large" (413); the tab shows the tool's icon and its name once.
 */
describe.skipIf(!hasChromium)(`error pages in Chromium (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let tool: Awaited<ReturnType<typeof startToolWithDevLms>>;
  let browser: Browser;
  let learnerToken: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    tool = await startToolWithDevLms(testDb.database);
    learnerToken = (await launchThroughHttp(tool.url, `${tool.url}/dev/lms`, 'learner')).sessionToken!;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await tool?.server.close();
    await testDb?.dispose();
  });

  async function open(locale: string, run: (page: Page) => Promise<unknown>): Promise<{ page: Page; status: number | undefined; close: () => Promise<void> }> {
    const context = await browser.newContext({ bypassCSP: true, locale });
    const page = await context.newPage();
    const response = await run(page);
    const status = response && typeof response === 'object' && 'status' in response ? (response as { status(): number }).status() : undefined;
    return { page, status, close: () => context.close() };
  }

  for (const [lang, noAccess, invalid, tooLarge] of [
    ['nb', 'Ingen tilgang', 'Økten er ikke gyldig', 'Innsendingen er for stor'],
    ['nn', 'Ingen tilgang', 'Økta er ikkje gyldig', 'Innsendinga er for stor'],
  ] as const) {
    it(`a learner on the designer pages gets ${noAccess} (403), in ${lang}, accessibly`, async () => {
      const { page, status, close } = await open(lang, (p) => p.goto(`${tool.url}/design?session=${learnerToken}&lang=${lang}`));
      expect(status).toBe(403);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(noAccess);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.textContent('body')).not.toContain('Oppstarten ble avvist');
      expect(await axeViolations(page)).toEqual([]);
      await close();
    });

    it(`a forged session gets "${invalid}" (401), in ${lang}, accessibly`, async () => {
      const forged = `${learnerToken.slice(0, -2)}xx`;
      const { page, status, close } = await open(lang, (p) => p.goto(`${tool.url}/design?session=${forged}&lang=${lang}`));
      expect(status).toBe(401);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(invalid);
      expect(await axeViolations(page)).toEqual([]);
      await close();
    });

    it(`a form over the size limit is told "${tooLarge}" (413), not that it was invalid, in ${lang}`, async () => {
      const { page, close } = await open(lang, async (p) => {
        await p.goto(`${tool.url}/?lang=${lang}`);
        await Promise.all([
          p.waitForURL(`${tool.url}/no-such-form`),
          p.evaluate(() => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = '/no-such-form';
            const field = document.createElement('input');
            field.type = 'hidden';
            field.name = 'tekst';
            field.value = 'x'.repeat(1024 * 1024 + 10);
            form.append(field);
            document.body.append(form);
            form.submit();
          }),
        ]);
      });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(tooLarge);
      expect(await page.textContent('body')).not.toMatch(/ikke gyldig|ikkje gyldig/);
      expect(await axeViolations(page)).toEqual([]);
      await close();
    });
  }

  it('shows the tool’s icon in the tab and its name once in the title', async () => {
    const { page, close } = await open('nb', (p) => p.goto(`${tool.url}/`));
    expect(await page.title()).toBe('Læringsløp');
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const served = await page.request.get(new URL(icon!, tool.url).toString());
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toMatch(/^image\//);
    expect((await page.request.get(`${tool.url}/favicon.ico`)).status()).toBe(200);
    await close();
  });
});
