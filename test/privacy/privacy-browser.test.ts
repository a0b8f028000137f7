import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor, recordAudit } from '../../src/audit/audit-log.js';
import { createPerson } from '../../src/people/people.js';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { startToolWithDevLms } from '../lti/support/lti-http.js';
import { seedPerson, type Seeded } from './support.js';

const SLOW = { timeout: 60_000 };

/**
 * The administrator's privacy and audit pages, reached from /admin after a launch from the
 * development LMS, at 360 px in bokmål and nynorsk, checked by axe-core: finding a person, their
 * page, a refused erasure, the erasure, and the audit log showing it.
 */
describe.skipIf(!hasChromium)(`privacy and audit pages in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let kari: Seeded;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    const kongsberg = (await findMunicipality(db(), '3303'))!.id;
    const oslo = (await findMunicipality(db(), '0301'))!.id;
    const designer = (await createPerson(db(), kongsberg, { name: 'Designer' })).id;
    kari = await seedPerson(db(), { region: kongsberg, inRegion: kongsberg, alsoInRegion: kongsberg, outside: oslo, designer });
    await recordAudit(db(), { tenantId: kongsberg, actor: personActor(designer), action: 'org.import.applied', object: { kind: 'org-import', id: 'imp-1' }, details: { added: 12, changed: 3 } });
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await testDb?.dispose();
  }, 120_000);

  async function checkBoth(page: Page, what: string): Promise<void> {
    await expectAccessible(page, `${what} (nb)`);
    const here = new URL(page.url());
    here.searchParams.set('lang', 'nn');
    await page.goto(here.toString());
    expect(await page.locator('html').getAttribute('lang')).toBe('nn');
    await expectAccessible(page, `${what} (nn)`);
    here.searchParams.delete('lang');
    await page.goto(here.toString());
  }

  it('an administrator finds a person, sees their data, is refused without confirmation, erases them, and finds the erasure in the log', async () => {
    const page = await context.newPage();
    await page.goto(`${url}/dev/lms/launch?role=admin`);
    const frame = page.frameLocator('#tool-frame');
    await frame.locator('h1[data-role="admin"]').waitFor(SLOW);
    const adminUrl = page.frames().find((f) => /\/admin\?/.test(f.url()))!.url();
    await page.goto(adminUrl);

    await page.locator('a[data-action-link="/admin/privacy"]').click();
    await page.locator('h1').filter({ hasText: 'Personvern' }).waitFor();
    await checkBoth(page, 'privacy start');
    await page.getByLabel('Navn, ansattnummer eller slettekode').fill('Nordmann');
    await page.getByRole('button', { name: 'Finn person' }).click();
    await page.getByRole('link', { name: 'Kari Nordmann' }).click();
    await page.locator(`h1[data-person-page="${kari.person}"]`).waitFor();
    expect(await page.locator('h1').textContent()).toBe('Alt Læringsløp har om Kari Nordmann');
    await checkBoth(page, 'person page');

    await page.getByRole('button', { name: 'Slett personen' }).click();
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.locator('[data-error-summary]').textContent()).toContain('Kryss av for å bekrefte slettingen.');
    await expectAccessible(page, 'refused erasure');

    await page.getByLabel('Jeg bekrefter at personen skal slettes').check();
    await page.getByRole('button', { name: 'Slett personen' }).click();
    await page.locator('[data-erased-notice]').waitFor();
    const pseudonym = (await db().selectFrom('people').select('pseudonym').where('id', '=', kari.person).executeTakeFirstOrThrow()).pseudonym!;
    expect(await page.locator('h1').textContent()).toBe(`Alt Læringsløp har om Slettet person ${pseudonym}`);
    await expectAccessible(page, 'erased person');

    await page.goto(adminUrl);
    await page.locator('a[data-action-link="/admin/audit"]').click();
    await page.locator('h1').filter({ hasText: 'Revisjonslogg' }).waitFor();
    await checkBoth(page, 'audit log');
    await page.getByLabel('Handling').selectOption('person.erased');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.waitForURL(/action=person\.erased/);
    expect(await page.locator('[data-audit-row]').count()).toBe(1);
    expect(await page.locator('[data-audit-row]').textContent()).toContain(`Slettet person ${pseudonym}`);
    await expectAccessible(page, 'audit log filtered');
    await page.getByLabel('Fra dato').fill('31.02.2026');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.getByLabel('Fra dato').inputValue()).toBe('31.02.2026');
    await expectAccessible(page, 'audit log refused filter');
  });
});
