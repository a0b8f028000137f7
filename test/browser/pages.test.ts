import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../support/app.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

describe.skipIf(!hasChromium)(`pages in Chromium (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    server = await startServer({ config: testConfig(), logger: createLogger('silent'), database: testDb.database });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await testDb?.dispose();
  });

  // A Norwegian browser; the language otherwise follows Accept-Language.
  for (const [path, heading] of [
    ['/', 'Læringsløp'],
    ['/?lang=nn', 'Læringsløp'],
    ['/?lang=en', 'Læringsløp'],
    ['/no-such-page', 'Siden finnes ikke'],
    ['/problems/not-found', 'Fant ikke det du ba om'],
    ['/problems/cmi5-action-refused', 'cmi5-handlingen passer ikke med det deltakeren har gjort'],
    ['/problems/cmi5-action-refused?lang=nn', 'cmi5-handlinga passar ikkje med det deltakaren har gjort'],
    ['/problems/cmi5-action-refused?lang=en', 'The cmi5 action does not fit what the learner has done'],
  ] as const) {
    it(`${path} renders with its styles and has no WCAG 2.1 AA violations`, async () => {
      const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      await page.goto(server.url + path);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      // The stylesheet loaded (the skip link is moved off screen by it).
      expect(await page.locator('.ds-skip-link').evaluate((el) => getComputedStyle(el).position)).toBe('absolute');
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
      expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    });
  }

  it('is usable with the keyboard: the first Tab reaches the skip link, which moves focus to the content', async () => {
    const page = await browser.newPage({ locale: 'nb-NO' });
    await page.goto(server.url + '/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Hopp til innholdet');
    await page.keyboard.press('Enter');
    // A same-document navigation: the page's URL is updated when its event arrives, not at once.
    await page.waitForURL(/#main$/, { timeout: 5_000 });
    expect(page.url()).toMatch(/#main$/);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('main, header')?.tagName)).toBeDefined();
    await page.close();
  });

  it('switches language from the language menu', async () => {
    const page = await browser.newPage({ locale: 'nb-NO' });
    await page.goto(server.url + '/');
    expect(await page.locator('html').getAttribute('lang')).toBe('nb');
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toBe('About this installation');
    await page.close();
  });
});
