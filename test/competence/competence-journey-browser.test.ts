import type { Browser, BrowserContext, Page } from 'playwright-core';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { addDays, addMonths, osloDate } from '../../src/competence/calendar.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { addEmployee, addUnit } from '../access/support.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const SLOW = { timeout: 60_000 };
const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
const longDate = (day: string) => new Intl.DateTimeFormat('nb-NO', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));

/**
 * The whole of competence documentation, each part done by its own person in Chromium, launched
 * from the development LMS: a designer makes a path grant "Brannvern" for 12 months; the
 * municipality's administrator requires it for helsefagarbeidere; a helsefagarbeider completes the
 * path; her page, her manager's coverage matrix and the CSV and XLSX exports show it held until the
 * right day. Then the calendar moves (a test clock: Date only) to the day after expiry: it shows
 * expired, and the gap names the path that closes it.
 */
describe.skipIf(!hasChromium)(`competence from requirement to expiry in Chromium (${BACKEND})`, { timeout: 420_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let context: BrowserContext;
  let pathId: string;
  let linkId: string;
  let unitId: string;
  const completedOn = osloDate(new Date());
  const expiresOn = addMonths(completedOn, 12);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    world = await startLearnerWorld(testDb.database);
    // The development LMS's manager and learner become employees of the municipality's nursing home.
    const ingrid = await sessionInfo(world.url, (await launch(world.url, 'manager')).sessionToken!);
    const kari = await sessionInfo(world.url, (await launch(world.url, 'learner')).sessionToken!);
    const tenantId = ingrid.tenantId;
    const root = await addUnit(db, tenantId, null, 'K', 'Kommunen');
    const nursingHome = await addUnit(db, tenantId, root, 'SH', 'Sykehjem');
    unitId = nursingHome.id;
    await addEmployee(db, tenantId, '5001', ingrid.personId, [{ unit: nursingHome, jobTitle: 'Enhetsleder', percentage: 100, leads: true }]);
    await addEmployee(db, tenantId, '5002', kari.personId, [{ unit: nursingHome, jobTitle: 'Helsefagarbeider', percentage: 80 }]);
    // The catalogue's own validity is 24 months; the path's 12 months decide.
    await applyCatalogueImport(db, tenantId, 'område;kode;kompetanse;navn_nn;gyldighet_måneder\nFelles;brannvern;Brannvern;Brannvern;24\n', OPERATOR);
    ({ pathId } = await publishPath(testDb.database, tenantId, [web('Se filmen om rømning')], { title: 'Brannvern for alle' }));
    linkId = (await world.lms.addLink({ title: 'Brannvern for alle', custom: { laeringslop_path: pathId } })).id;
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 240_000);
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await context?.close();
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);

  /** Launches from the development LMS and opens the tool's own page (not the LMS around it). */
  async function launched(page: Page, query: string, ready: string, url: RegExp): Promise<string> {
    await page.goto(`${world.url}/dev/lms/launch?${query}`);
    // The frame passes through the launch's own pages first: wait for the tool's page itself.
    await expect.poll(() => page.frames().some((f) => url.test(f.url())), SLOW).toBe(true);
    const frame = page.frames().find((f) => url.test(f.url()))!;
    await frame.locator(ready).first().waitFor(SLOW);
    const address = frame.url();
    await page.goto(address);
    return new URL(address).searchParams.get('session')!;
  }

  async function exportRows(session: string, format: 'csv' | 'xlsx'): Promise<string[][]> {
    const response = await fetch(`${world.url}/manage/competence/export.${format}?session=${session}&competence=brannvern`);
    expect(response.status).toBe(200);
    if (format === 'csv') {
      const text = (await response.text()).replace(/^\uFEFF/, '');
      return text.trim().split(/\r\n/).slice(1).map((line) => line.split(';'));
    }
    const [sheet] = await readXlsxFile(Buffer.from(await response.arrayBuffer()));
    const cell = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null || v === undefined ? '' : String(v));
    return sheet!.data.slice(1).map((row) => row.map(cell));
  }

  /** Kari's row of an export: status and valid-until. */
  const kariRow = (rows: string[][]) => {
    const row = rows.find((r) => r[1] === '5002');
    expect(row, 'Kari is in the export').toBeDefined();
    return { competence: row![5], status: row![8], validUntil: row![9] };
  };

  it('a designer grants, an administrator requires, a learner completes: held until the right day everywhere', async () => {
    const page = await context.newPage();

    // The designer: the path grants Brannvern for 12 months, published as a new version.
    const designer = await launched(page, 'role=designer', 'h1[data-role="designer"]', /\/design/);
    await page.goto(`${world.url}/design/paths/${pathId}/settings?session=${designer}`);
    await page.fill('#grants-0-competence', 'brannvern');
    await page.fill('#grants-0-validMonths', '12');
    await page.getByRole('button', { name: 'Lagre', exact: true }).last().click();
    await page.waitForURL(/notice=settings\.saved/, SLOW);
    await page.goto(`${world.url}/design/paths/${pathId}/publish?session=${designer}`);
    await page.locator('[data-confirm-publish]').click();
    await expect.poll(async () => (await testDb.database.db.selectFrom('path_versions').select('number').where('path_id', '=', pathId).where('number', 'is not', null).execute()).length, SLOW).toBe(2);

    // The municipality's administrator: Brannvern is mandatory for helsefagarbeidere.
    const admin = await launched(page, 'role=admin', 'h1', /\/admin/);
    await page.goto(`${world.url}/admin/competence/requirements?session=${admin}`);
    await page.getByLabel('Kompetanse', { exact: true }).selectOption({ label: 'Felles: Brannvern' });
    await page.getByLabel('Stilling').first().fill('Helsefagarbeider');
    await page.getByLabel('Obligatorisk').check();
    await page.getByRole('button', { name: 'Legg til kravet' }).click();
    await page.locator('[data-requirements-notice]').waitFor(SLOW);
    expect(await page.locator('[data-requirement="brannvern"] td').first().textContent()).toBe('Stilling: Helsefagarbeider');

    // The learner: missing before, then completes the path from the course.
    const learner = await launched(page, `role=learner&link=${linkId}`, '[data-learner="path"] h1', /\/learn\/enrolments\//);
    const pathPage = page.url();
    await page.goto(`${world.url}/learn/competence?session=${learner}`);
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"]').getAttribute('data-status')).toBe('missing');
    expect(await page.locator(`[data-my-gaps] [data-gap="brannvern"] [data-gap-path="${pathId}"]`).count()).toBe(1);
    await page.goto(pathPage);
    await page.locator('#continue').click();
    await page.getByRole('button', { name: 'Merk som fullført' }).click();
    await page.waitForURL(/saved=/, SLOW);

    // Held for 12 months from today (the path's validity, not the catalogue's 24).
    await page.goto(`${world.url}/learn/competence?session=${learner}`);
    await expect.poll(async () => {
      await page.reload();
      return page.locator('[data-held="brannvern"]').count();
    }, SLOW).toBe(1);
    expect(await page.locator('[data-held="brannvern"] > *').allTextContents()).toEqual(['Brannvern', 'Gyldig', longDate(completedOn), longDate(expiresOn), 'Fullførte «Brannvern for alle», versjon 2']);
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"]').getAttribute('data-status')).toBe('met');
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"] td').last().textContent()).toBe(`Oppfylt, gyldig til ${longDate(expiresOn)}`);
    expect(await page.locator('[data-my-gaps] [data-gap]').count()).toBe(0);
    await expectAccessible(page, 'Min kompetanse, held');

    // The manager: the matrix counts her, the exports say met until the expiry day.
    const manager = await launched(page, 'role=manager', 'h1[data-role="manager"]', /\/manage\?/);
    await page.goto(`${world.url}/manage/competence?session=${manager}`);
    const cell = page.locator(`[data-requirement-row="brannvern"] [data-cell$=":${unitId}"]`);
    await cell.waitFor(SLOW);
    expect([await cell.getAttribute('data-covered'), await cell.getAttribute('data-applicable')]).toEqual(['1', '1']);
    await expectAccessible(page, 'the manager’s matrix, held');
    expect(kariRow(await exportRows(manager, 'csv'))).toEqual({ competence: 'brannvern', status: 'Oppfylt', validUntil: expiresOn });
    expect(kariRow(await exportRows(manager, 'xlsx'))).toEqual({ competence: 'brannvern', status: 'Oppfylt', validUntil: expiresOn });

    // The day before expiry it still counts.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(`${addDays(expiresOn, -1)}T12:00:00+01:00`));
    await page.goto(`${world.url}/learn/competence?session=${(await launch(world.url, 'learner')).sessionToken!}`);
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"]').getAttribute('data-status')).toBe('expiring');
    await page.close();
  });

  it('a day after expiry (a test clock) it shows expired, and the gap names the path', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // Noon in Norway on the first day after expiry (the holding's expiry day is its first invalid day).
    vi.setSystemTime(new Date(`${addDays(expiresOn, 1)}T12:00:00+01:00`));
    const page = await context.newPage();

    const learner = await launched(page, 'role=learner', '[data-my-paths]', /\/learn\?/);
    await page.goto(`${world.url}/learn/competence?session=${learner}`);
    await page.locator('[data-my-competence]').waitFor(SLOW);
    expect(await page.locator('[data-held="brannvern"]').getAttribute('data-status')).toBe('expired');
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"]').getAttribute('data-status')).toBe('expired');
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"] td').last().textContent()).toBe(`Utløpt ${longDate(expiresOn)}`);
    expect(await page.locator(`[data-my-gaps] [data-gap="brannvern"] [data-gap-path="${pathId}"]`).textContent()).toContain('Brannvern for alle');
    await expectAccessible(page, 'Min kompetanse, expired');
    await page.getByRole('link', { name: 'Nynorsk' }).click();
    await page.locator('html[lang="nn"]').waitFor(SLOW);
    expect(await page.locator('[data-my-requirements] [data-requirement="brannvern"] td').last().textContent()).toContain('Gått ut');
    await expectAccessible(page, 'Min kompetanse, expired (nn)');

    const manager = await launched(page, 'role=manager', 'h1[data-role="manager"]', /\/manage\?/);
    await page.goto(`${world.url}/manage/competence?session=${manager}`);
    const cell = page.locator(`[data-requirement-row="brannvern"] [data-cell$=":${unitId}"]`);
    await cell.waitFor(SLOW);
    expect([await cell.getAttribute('data-covered'), await cell.getAttribute('data-applicable')]).toEqual(['0', '1']);
    await expectAccessible(page, 'the manager’s matrix, expired');
    expect(kariRow(await exportRows(manager, 'csv'))).toMatchObject({ competence: 'brannvern', validUntil: expiresOn });
    expect(kariRow(await exportRows(manager, 'csv')).status).toMatch(/^Utløpt/);
    expect(kariRow(await exportRows(manager, 'xlsx')).status).toMatch(/^Utløpt/);

    // The manager's page of the person lists the gap with the path that closes it.
    await page.goto(`${world.url}/manage?session=${manager}`);
    await page.locator('[data-employee="5002"] a').click();
    await page.locator('h1[data-person]').waitFor(SLOW);
    expect(await page.locator('[data-requirement="brannvern"]').getAttribute('data-status')).toBe('expired');
    expect(await page.locator('[data-gaps] [data-gap="brannvern"]').textContent()).toContain('Brannvern for alle');
    await expectAccessible(page, 'the manager’s person page, expired');
    await page.close();
  });
});
