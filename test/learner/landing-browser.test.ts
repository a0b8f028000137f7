import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from './support.js';

const SLOW = { timeout: 60_000 };
const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });

/**
 * Each role's start page after a launch from the development LMS without a path, in its iframe and
 * at the top level of a 360 px phone screen, in bokmål and nynorsk, checked by axe-core.
 */
describe.skipIf(!hasChromium)(`start pages per role in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let context: BrowserContext;
  let url: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    // Kari has a path in progress and one completed.
    const kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    for (const [title, steps, done] of [['Personvern i praksis', [web('Les veilederen'), web('Se filmen')], 1], ['Førstehjelp – grunnkurs', [web('Se filmen')], 1]] as const) {
      const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [...steps], { title, settings: { dueAfterDays: 14 } });
      const link = await world.lms.addLink({ title, custom: { laeringslop_path: pathId } });
      const enrolmentId = /\/learn\/enrolments\/([0-9a-f-]{36})/.exec((await launch(url, 'learner', link.id)).location!)![1]!;
      for (const stepId of stepIds.slice(0, done)) {
        await deliverOutcome(testDb.database.db, kari.tenantId, { enrolmentId, stepId, idempotencyKey: `test:${stepId}`, outcome: { kind: 'web', event: 'done' } });
      }
    }
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);

  /** Launches `role` from the LMS course page without a path; returns the start page's URL in the frame. */
  async function landIn(page: Page, role: 'learner' | 'manager' | 'admin' | 'designer', heading: string): Promise<string> {
    await page.goto(`${url}/dev/lms/launch?role=${role}`);
    const frame = page.frameLocator('#tool-frame');
    await frame.locator(`h1[data-role="${role}"]`).waitFor(SLOW);
    expect(await frame.locator('h1').textContent()).toBe(heading);
    return page.frames().find((f) => /\/(learn|manage|admin|design)\?/.test(f.url()))!.url();
  }

  it('a learner lands on "Mine læringsløp" and goes to a path and back (nb, nn)', async () => {
    const page = await context.newPage();
    const home = await landIn(page, 'learner', 'Mine læringsløp');
    expect(new URL(home).pathname).toBe('/learn');
    await page.goto(home);
    await expectAccessible(page, 'Mine læringsløp');
    expect(await page.locator('[data-section="in-progress"] h2').textContent()).toBe('Påbegynt (1)');
    expect(await page.locator('[data-section="completed"] h2').textContent()).toBe('Fullført (1)');
    expect(await page.locator('[data-section="in-progress"] [data-due]').textContent()).toMatch(/^Fullføres innen: /);
    await page.getByRole('link', { name: 'Personvern i praksis' }).click();
    await page.locator('[data-learner="path"] h1').waitFor();
    expect(await page.locator('[data-learner="path"] h1').textContent()).toBe('Personvern i praksis');
    await page.getByRole('link', { name: 'Mine læringsløp' }).click();
    await page.waitForURL(/\/learn\?/);

    await page.goto(`${home}&lang=nn`);
    expect(await page.locator('html').getAttribute('lang')).toBe('nn');
    expect(await page.locator('h1').textContent()).toBe('Mine læringsløp');
    expect(await page.locator('[data-section="in-progress"] h2').textContent()).toBe('Påbyrja (1)');
    await expectAccessible(page, 'Mine læringsløp (nn)');
    await page.close();
  });

  it('a learner without paths is told how to start one (nb, nn)', async () => {
    const page = await context.newPage();
    await page.goto(`${url}/dev/lms/launch?role=learner&user=2`);
    await page.frameLocator('#tool-frame').locator('[data-empty]').waitFor(SLOW);
    const home = page.frames().find((f) => /\/learn\?/.test(f.url()))!.url();
    await page.goto(home);
    expect(await page.locator('[data-empty]').textContent()).toMatch(/^Du er ikke med i noe læringsløp ennå\./);
    await expectAccessible(page, 'empty Mine læringsløp');
    await page.goto(`${home}&lang=nn`);
    expect(await page.locator('[data-empty]').textContent()).toMatch(/^Du er ikkje med i noko læringsløp enno\./);
    await expectAccessible(page, 'empty Mine læringsløp (nn)');
    await page.close();
  });

  it('a manager lands on their units, which says when they lead none and links to their own paths (nb, nn)', async () => {
    const page = await context.newPage();
    const home = await landIn(page, 'manager', 'Lederoversikt');
    await page.goto(home);
    await expectAccessible(page, 'manager start page');
    // This manager leads no unit by HR data and has no grant: the page says so.
    await page.locator('[data-no-units]').waitFor();
    await page.goto(`${home}&lang=nn`);
    expect(await page.locator('h1').textContent()).toBe('Leiaroversikt');
    await expectAccessible(page, 'manager start page (nn)');
    await page.getByRole('link', { name: 'Mine læringsløp' }).click();
    await page.locator('h1[data-role="manager"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/learn');
    expect(await page.locator('html').getAttribute('lang')).toBe('nn');
    await page.close();
  });

  it('an administrator lands on the administration page, whose links reach the design pages (nb, nn)', async () => {
    const page = await context.newPage();
    const home = await landIn(page, 'admin', 'Administrasjon');
    await page.goto(home);
    await expectAccessible(page, 'admin start page');
    await page.goto(`${home}&lang=nn`);
    expect(await page.locator('h2').first().textContent()).toBe('Dette kan du gjere no');
    await expectAccessible(page, 'admin start page (nn)');
    await page.getByRole('link', { name: 'Læringsdesign: lag, publiser og del læringsløp' }).click();
    await page.locator('h1[data-role="admin"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/design');
    // The municipality's look is the administrator's own page.
    await page.goto(home);
    await page.getByRole('link', { name: 'Kommunens utseende: farge og logo' }).click();
    await page.locator('#accent').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/theme');
    await page.close();
  });

  it('a designer lands on the designer start page', async () => {
    const page = await context.newPage();
    const home = await landIn(page, 'designer', 'Startside for læringsdesignere');
    expect(new URL(home).pathname).toBe('/design');
    await page.close();
  });
});
