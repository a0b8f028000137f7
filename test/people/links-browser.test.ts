import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { startToolWithDevLms } from '../lti/support/lti-http.js';
import { employee } from './support.js';

const SLOW = { timeout: 60_000 };

/**
 * Through the development LMS: a launch through the region's shared registration that names no
 * municipality gets the page saying what to send; the municipality's administrator registers its
 * e-mail domain; the same launch then lands in the municipality, linked to the employee HR knows;
 * a conflict is listed for the administrator. In bokmål and nynorsk, axe-clean, at 360 px.
 */
describe.skipIf(!hasChromium)(`region platform and launch links in Chromium (${BACKEND})`, { timeout: 300_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let kongsberg: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    kongsberg = (await findMunicipality(db(), '3303'))!.id;
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await testDb?.dispose();
  }, 120_000);

  async function noViolations(page: Page | Frame, what: string): Promise<void> {
    const violations = await axeViolations(page);
    expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what}: no horizontal scroll at 360 px`).toBeLessThanOrEqual(360);
  }

  /** Launches from the course page and returns the tool's frame once `selector` is in it. */
  async function launchInFrame(page: Page, query: string, selector: string): Promise<Frame> {
    await page.goto(`${url}/dev/lms/launch?${query}`);
    await page.frameLocator('#tool-frame').locator(selector).waitFor(SLOW);
    // Under load the selector can match a page on the way (the platform's); wait for the tool's own.
    for (let i = 0; i < 300; i++) {
      const frame = page.frames().find((f) => f.url().startsWith(url) && !f.url().includes('/dev/lms'));
      if (frame) {
        await frame.locator(selector).first().waitFor(SLOW);
        return frame;
      }
      await page.waitForTimeout(100);
    }
    throw new Error('the tool never opened in the frame');
  }

  async function adminPage(page: Page, path: string, lang: 'nb' | 'nn'): Promise<void> {
    const frame = await launchInFrame(page, `role=admin&lang=${lang}`, 'h1[data-role="admin"]');
    const token = new URL(frame.url()).searchParams.get('session')!;
    await page.goto(`${url}${path}?session=${encodeURIComponent(token)}${lang === 'nn' ? '&lang=nn' : ''}`);
  }

  it('a launch through the region that names no municipality gets the page saying what the LMS must send (nb, nn)', async () => {
    const page = await context.newPage();
    for (const [lang, heading] of [['nb', 'Hvilken kommune hører du til?'], ['nn', 'Kva kommune høyrer du til?']] as const) {
      const frame = await launchInFrame(page, `role=learner&via=region&lang=${lang}`, '[data-refusal="municipality-unmapped"]');
      expect(await frame.locator('h1').textContent()).toBe(heading);
      expect(await frame.locator('html').getAttribute('lang')).toBe(lang);
      expect(await frame.locator('[data-email-domain]').getAttribute('data-email-domain')).toBe('kongsberg.kommune.example');
      expect(await frame.locator('[data-send="kommunenummer"]').textContent()).toContain('kommunenummer=3303');
      await noViolations(frame, `unmapped page (${lang})`);
    }
    await page.close();
  });

  it('the administrator registers the domain, keeping what was typed when refused (nb, nn)', async () => {
    const page = await context.newPage();
    await adminPage(page, '/admin/email-domains', 'nn');
    expect(await page.locator('h1').textContent()).toBe('E-postdomene');
    await noViolations(page, 'e-mail domains, none (nn)');
    await page.fill('#domain', 'ikkje eit domene');
    await page.getByRole('button', { name: 'Legg til' }).click();
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.inputValue('#domain')).toBe('ikkje eit domene');
    await noViolations(page, 'e-mail domains, refused (nn)');

    await adminPage(page, '/admin/email-domains', 'nb');
    await page.fill('#domain', '@Kongsberg.Kommune.Example');
    await page.getByRole('button', { name: 'Legg til' }).click();
    await page.locator('[data-domains-notice]').waitFor();
    expect(await page.locator('[data-domain]').getAttribute('data-domain')).toBe('kongsberg.kommune.example');
    await noViolations(page, 'e-mail domains, one (nb)');
    await page.close();
  });

  it('the same launch then lands in the municipality, linked to the employee HR knows', async () => {
    const hr = await employee(db(), kongsberg, '1001', { email: 'Kari.Nordmann@kongsberg.kommune.example', name: 'Kari Nordmann' });
    const page = await context.newPage();
    const frame = await launchInFrame(page, 'role=learner&via=region', 'h1[data-role="learner"]');
    expect(new URL(frame.url()).pathname).toBe('/learn');
    const account = await db().selectFrom('lti_users').select(['person_id', 'tenant_id']).where('subject', '=', '101').where('tenant_id', '=', kongsberg).executeTakeFirstOrThrow();
    expect(account).toEqual({ person_id: hr.personId, tenant_id: kongsberg });
    const audit = await db().selectFrom('audit_events').select(['action', 'details']).where('subject_person_id', '=', hr.personId).execute();
    expect(audit).toEqual([{ action: 'person.linked', details: expect.objectContaining({ method: 'email' }) }]);
    await page.close();
  });

  it('a launcher two employees share an address with is listed for the administrator, not linked (nb, nn)', async () => {
    await employee(db(), kongsberg, '2001', { email: 'per.hansen@kongsberg.kommune.example' });
    await employee(db(), kongsberg, '2002', { email: 'Per.Hansen@kongsberg.kommune.example' });
    const page = await context.newPage();
    // The learner's own start page: the launch (and the conflict it records) is over before the admin's begins.
    await launchInFrame(page, 'role=learner&user=2', 'h1[data-role="learner"]');
    await adminPage(page, '/admin/links', 'nb');
    expect(await page.locator('h1').textContent()).toBe('Kobling til ansatte');
    const row = page.locator('[data-conflict="email-ambiguous"]');
    expect(await row.textContent()).toContain('Per Hansen');
    expect(await row.textContent()).toContain('2001');
    expect(await row.textContent()).toContain('2002');
    await noViolations(page, 'links (nb)');
    await adminPage(page, '/admin/links', 'nn');
    expect(await page.locator('h1').textContent()).toBe('Kopling til tilsette');
    await noViolations(page, 'links (nn)');
    await page.close();
  });
});
