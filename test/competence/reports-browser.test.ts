import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/lti/session-token.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { SECRET } from '../lti/support/lti-http.js';
import { startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { orgWorld } from '../access/support.js';
import { addReportCompetence, REPORT_DAY } from './report-world.js';

const SLOW = { timeout: 60_000 };

/**
 * The manager's competence report and staffing in Chromium at 360 px: the charts are drawn by
 * Chart.js under the tool's CSP, each canvas an image named and described, the tables there as the
 * text alternative (and all there is without JavaScript); axe-core clean in bokmål and nynorsk;
 * the print layout drops navigation and forms.
 */
describe.skipIf(!hasChromium)(`the competence report and staffing in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let strict: BrowserContext;
  let axeContext: BrowserContext;
  let managerToken: string;
  let adminToken: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    const w = await orgWorld(testDb.database.db);
    await addReportCompetence(testDb.database, w.as, w.units, w.people);
    const sessions = new SessionTokens(SECRET);
    managerToken = await sessions.issue({ personId: w.people.ingrid, tenantId: w.as, role: 'manager', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    adminToken = await sessions.issue({ personId: w.asAdmin, tenantId: w.as, role: 'admin', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    browser = await launchBrowser();
    // The page's own Content-Security-Policy applies here; axe-core is injected in a second context.
    strict = await browser.newContext({ locale: 'nb-NO', viewport: { width: 360, height: 740 } });
    axeContext = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await strict?.close();
    await axeContext?.close();
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);

  const reportUrl = (lang: string, token = managerToken, path = '/manage/competence/report') => `${world.url}${path}?session=${token}&date=${REPORT_DAY}&lang=${lang}`;

  it('draws the three charts under the CSP, each canvas named and described, with the tables beside them', async () => {
    const page = await strict.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(reportUrl('nb'));
    await expect.poll(() => page.locator('[data-chart-drawn] canvas').count(), SLOW).toBe(3);
    for (const id of ['coverage', 'completions', 'expiries']) {
      const canvas = page.locator(`#${id}-chart canvas`);
      expect(await canvas.getAttribute('role')).toBe('img');
      expect(await canvas.getAttribute('aria-label')).toMatch(/^Diagram: /);
      const described = await canvas.getAttribute('aria-describedby');
      expect(described).toBe(`${id}-desc`);
      expect(await page.locator(`#${described}`).textContent()).toMatch(/Søylediagram: .*tabellen under/);
      // Chart.js drew on it: a sized canvas with coloured pixels.
      await expect.poll(() => canvas.evaluate((c: HTMLCanvasElement) => {
        const ctx = c.getContext('2d')!;
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted += 1;
        return c.width > 0 && c.height > 0 && painted > 100;
      }), SLOW).toBe(true);
      expect(await page.locator(`table[data-chart="${id}-chart"]`).isVisible()).toBe(true);
    }
    expect(await page.locator('[data-coverage-unit="SH1"] td').allTextContents()).toEqual(['1', '3', '33 %']);
    expect(problems).toEqual([]);
    // A print button is offered where JavaScript runs.
    await page.locator('button[data-print]').waitFor(SLOW);

    // Printed: no header, language links, date form or export form; the tables stay.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.app-header').isVisible()).toBe(false);
    expect(await page.locator('[data-export]').isVisible()).toBe(false);
    expect(await page.locator('[data-day-form]').isVisible()).toBe(false);
    expect(await page.locator('table[data-chart="coverage-chart"]').isVisible()).toBe(true);
    await page.close();
  });

  it('works without JavaScript: the tables are the report', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(reportUrl('nb'));
    await page.locator('h1[data-report]').waitFor(SLOW);
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.locator('[data-month="2027-02"] td').textContent()).toBe('1');
    expect(await page.locator('[data-expiry="brannvern"] td').first().textContent()).toBe('1');
    await context.close();
  });

  it('the report, the staffing page and the administrator’s report are axe-clean at 360 px in bokmål and nynorsk', async () => {
    const page = await axeContext.newPage();
    for (const lang of ['nb', 'nn'] as const) {
      await page.goto(reportUrl(lang));
      await expect.poll(() => page.locator('[data-chart-drawn] canvas').count(), SLOW).toBe(3);
      await expectAccessible(page, `the report (${lang})`);
      await page.goto(reportUrl(lang, managerToken, '/manage/staffing'));
      await page.locator('h1[data-staffing]').waitFor(SLOW);
      await expectAccessible(page, `staffing (${lang})`);
      expect(await page.locator('[data-band="76-99"] td').first().textContent()).toBe('2');
      await page.goto(reportUrl(lang, adminToken, '/admin/competence/report'));
      await expect.poll(() => page.locator('[data-chart-drawn] canvas').count(), SLOW).toBe(3);
      await expectAccessible(page, `the administrator's report (${lang})`);
    }
    expect(await page.locator('h1').textContent()).toBe('Kompetanserapport');
    // A wrong date: the form says so, still axe-clean.
    await page.goto(`${world.url}/manage/staffing?session=${managerToken}&date=2027-02-30&lang=nn`);
    await page.locator('[data-error-summary]').waitFor(SLOW);
    await expectAccessible(page, 'staffing with a wrong date (nn)');
    await page.close();
  });
});
