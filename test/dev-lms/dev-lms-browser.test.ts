/**
 * The development LMS as `npm start` shows it, in Chromium on a 360 px phone: its pages in bokmål and
 * nynorsk pass axe-core without sideways scrolling; the municipality chosen in its list is where the
 * tool opens, in the page's language; a course link opens as manager.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_COURSE } from '../../src/dev-lms/dev-lms.js';
import { addScore, createLineItem } from '../../src/dev-lms/gradebook.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { startToolWithDevLms } from '../lti/support/lti-http.js';

async function checkPage(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('load');
  const violations = await axeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} is wider than the screen`).toBeLessThanOrEqual(360);
}

const TEXTS = {
  nb: { launchDesigner: 'Start som læringsdesigner (Ola Normann)', designerStart: 'Startside for læringsdesignere', openManager: 'Åpne som leder (Ingrid Leder)' },
  nn: { launchDesigner: 'Start som læringsdesignar (Ola Normann)', designerStart: 'Startside for læringsdesignarar', openManager: 'Opne som leiar (Ingrid Leder)' },
} as const;

describe.skipIf(!hasChromium)(`development LMS in Chromium (${BACKEND})`, { timeout: 300_000 }, () => {
  let testDb: TestDatabase;
  let started: Awaited<ReturnType<typeof startToolWithDevLms>>;
  let browser: Browser;
  let linkId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    started = await startToolWithDevLms(testDb.database);
    linkId = (await started.lms.addLink({ title: 'Førstehjelp – grunnkurs med et svært langt navn som må brytes på små skjermer', custom: {} })).id;
    // A gradebook column and a result, so the page shows its table too.
    const item = await createLineItem(testDb.database.db, DEV_COURSE.id, { label: 'Førstehjelp – grunnkurs', scoreMaximum: 100, resourceLinkId: linkId });
    await addScore(testDb.database.db, item.id, { userId: '101', scoreGiven: 90, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await started?.server.close();
    await testDb?.dispose();
  });

  for (const lang of ['nb', 'nn'] as const) {
    it(`chooses a municipality and launches there in ${lang}, and fits a 360 px screen`, async () => {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        await page.goto(`${started.url}/dev/lms?lang=${lang}`);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await page.locator('#kommune').inputValue()).toBe('3303');
        expect(await page.locator('[data-score]').count()).toBe(1);
        await checkPage(page, `dev LMS start page (${lang})`);

        // Bergen, from the list of every municipality; the choice stays in the URL and the links.
        await page.selectOption('#kommune', '4601');
        await page.locator('[data-municipality-form] button[type="submit"]').click();
        await page.waitForURL(/kommune=4601/);
        expect(new URL(page.url()).searchParams.get('lang')).toBe(lang);
        expect(await page.locator('#kommune').inputValue()).toBe('4601');
        expect(await page.locator('main p').first().textContent()).toContain('Bergen (4601)');
        await checkPage(page, `dev LMS with Bergen chosen (${lang})`);
        // Switching the language keeps the municipality.
        const other = lang === 'nb' ? 'nn' : 'nb';
        await page.locator(`.app-languages a[lang="${other}"]`).click();
        await page.waitForURL(new RegExp(`lang=${other}`));
        expect(await page.locator('#kommune').inputValue()).toBe('4601');
        await page.goBack();

        await page.locator('[data-launch="designer"]').click();
        const frame = page.frameLocator('#tool-frame');
        await frame.locator('h1[data-role="designer"]').waitFor();
        expect(await frame.locator('h1').textContent()).toBe(TEXTS[lang].designerStart);
        expect(await frame.locator('main p strong').first().textContent()).toBe('Bergen');
        await checkPage(page, `dev LMS course page with the designer (${lang})`);

        // Back on the LMS page, Bergen is still chosen; a course link opens as manager.
        await page.locator('main a[href^="/dev/lms?"]').click();
        expect(await page.locator('#kommune').inputValue()).toBe('4601');
        const manager = page.locator(`[data-launch-link="${linkId}"][data-role="manager"]`);
        expect(await manager.textContent()).toContain(TEXTS[lang].openManager);
        await manager.click();
        await page.frameLocator('#tool-frame').locator('h1[data-role]').waitFor();
        await checkPage(page, `manager launched from a course link (${lang})`);
      } finally {
        await context.close();
      }
    });
  }

  it('says so when the asked municipality does not exist, accessibly', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
    try {
      const page = await context.newPage();
      await page.goto(`${started.url}/dev/lms?kommune=9999&lang=nn`);
      expect(await page.locator('[data-unknown-municipality]').textContent()).toContain('Ingen kommune har nummeret «9999»');
      expect(await page.locator('#kommune').inputValue()).toBe('3303');
      await checkPage(page, 'unknown municipality');
    } finally {
      await context.close();
    }
  });
});
