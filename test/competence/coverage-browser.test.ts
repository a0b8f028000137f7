import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/lti/session-token.js';
import type { RunningServer } from '../../src/server.js';
import { addPerson } from '../access/support.js';
import { SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { coverageWorld, type CoverageWorld } from './rollups-support.js';

const SLOW = { timeout: 60_000 };

/**
 * The coverage matrix in Chromium at 360 px, in bokmål and nynorsk, checked by axe-core: a manager
 * filters it, opens a cell's people and follows a name to the person's page; the municipality
 * administrator's matrix and the region's coverage too.
 */
describe.skipIf(!hasChromium)(`the coverage matrix in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let w: CoverageWorld;
  let browser: Browser;
  let context: BrowserContext;
  const tokens: Record<'manager' | 'admin' | 'region', string> = { manager: '', admin: '', region: '' };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    const db = testDb.database.db;
    w = await coverageWorld(db);
    const sessions = new SessionTokens(SECRET);
    const issue = (personId: string, tenantId: string, role: 'manager' | 'admin') => sessions.issue({ personId, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    tokens.manager = await issue(w.people.ingrid, w.as, 'manager');
    tokens.admin = await issue(w.asAdmin, w.as, 'admin');
    tokens.region = await issue(await addPerson(db, w.region, 'Rita Region'), w.region, 'admin');
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await testDb?.dispose();
  }, 120_000);

  it('a manager reads the matrix, filters it, opens a cell and a person (nb, nn)', async () => {
    const page = await context.newPage();
    for (const lang of ['nb', 'nn'] as const) {
      await page.goto(`${url}/manage/competence?session=${tokens.manager}&lang=${lang}`);
      await page.locator('[data-coverage-matrix]').waitFor(SLOW);
      await expectAccessible(page, `the matrix (${lang})`);
      // Column and row headers name every cell.
      expect(await page.locator('[data-coverage-matrix] thead th').allTextContents()).toEqual([lang === 'nb' ? 'Krav' : 'Krav', lang === 'nb' ? 'Sykehjem (med underenheter)' : 'Sykehjem (med undereiningar)', 'Avdeling 1']);
    }
    await page.goto(`${url}/manage/competence?session=${tokens.manager}`);
    await page.getByLabel('Stilling').selectOption('Sykepleier');
    await page.getByRole('button', { name: 'Vis' }).click();
    await expect.poll(() => page.locator('[data-requirement-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-requirement-row'))), SLOW).toEqual(['brannvern', 'forstehjelp']);
    await page.getByLabel('Stilling').selectOption('');
    await page.getByRole('button', { name: 'Vis' }).click();
    await expect.poll(() => page.locator('[data-requirement-row]').count(), SLOW).toBe(3);

    await page.locator('[data-requirement-row="brannvern"] td').first().getByRole('link').click();
    await page.locator('[data-drill-down]').waitFor(SLOW);
    await expectAccessible(page, 'a cell’s people (nb)');
    expect(await page.locator('[data-person-row]').count()).toBe(3);
    expect(await page.locator('[data-drill-down]').textContent()).toMatch(/Ingrid Leder[\s\S]*Anne Sykepleier|Anne Sykepleier[\s\S]*Ingrid Leder/);
    await page.goto(`${page.url()}&lang=nn`);
    await page.locator('[data-drill-down]').waitFor(SLOW);
    await expectAccessible(page, 'a cell’s people (nn)');
    await page.getByRole('link', { name: 'Bjørn Fagarbeider' }).click();
    await page.locator('h1[data-person]').waitFor(SLOW);
    expect(await page.locator('h1').textContent()).toBe('Bjørn Fagarbeider');
    await page.close();
  });

  it("the municipality administrator's matrix and the region's coverage (nb, nn)", async () => {
    const page = await context.newPage();
    for (const lang of ['nb', 'nn'] as const) {
      await page.goto(`${url}/admin/competence/coverage?session=${tokens.admin}&lang=${lang}`);
      await page.locator('[data-coverage-matrix]').waitFor(SLOW);
      await expectAccessible(page, `the municipality's matrix (${lang})`);
      await page.goto(`${url}/region?session=${tokens.region}&lang=${lang}`);
      await page.locator('[data-region-coverage]').waitFor(SLOW);
      await expectAccessible(page, `the region's coverage (${lang})`);
      const text = (await page.locator('main').textContent())!;
      expect(text).toContain('< 5');
      expect(text).not.toMatch(/Ingrid|Anne|Bjørn|Cecilie|Frida/);
    }
    await page.close();
  });
});
