import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor } from '../../src/audit/audit-log.js';
import { addEmployee, addEmployment } from '../../src/organisation/employments.js';
import { createOrgUnit, findOrgUnit } from '../../src/organisation/org-units.js';
import type { RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { listXapiClients } from '../../src/xapi/credentials.js';
import { launchThroughHttp, startToolWithDevLms } from '../lti/support/lti-http.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * A municipality administrator, launched from the development LMS, at a phone's 360 px: the org tree,
 * a refused move (cycle) that keeps the choice, a person's page, and an xAPI key created and revoked.
 */
describe.skipIf(!hasChromium)(`the admin's organisation pages in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  const units: Record<string, string> = {};
  let kari: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    token = (await launchThroughHttp(url, `${url}/dev/lms`, 'admin')).sessionToken!;
    const kongsberg = (await findMunicipality(db(), '3303'))!.id;
    const actor = personActor((await db().selectFrom('people').select('id').where('tenant_id', '=', kongsberg).executeTakeFirstOrThrow()).id);
    const root = await createOrgUnit(db(), kongsberg, actor, { code: 'K', name: 'Kongsberg kommune', parentId: null });
    const helse = await createOrgUnit(db(), kongsberg, actor, { code: 'HO', name: 'Helse og omsorg', parentId: root.id });
    const sykehjem = await createOrgUnit(db(), kongsberg, actor, { code: 'HO-SH', name: 'Sykehjem', parentId: helse.id });
    const avdeling = await createOrgUnit(db(), kongsberg, actor, { code: 'HO-SH-A', name: 'Avdeling A', parentId: sykehjem.id });
    const hjemme = await createOrgUnit(db(), kongsberg, actor, { code: 'HO-HT', name: 'Hjemmetjenesten', parentId: helse.id });
    Object.assign(units, { root: root.id, helse: helse.id, sykehjem: sykehjem.id, avdeling: avdeling.id, hjemme: hjemme.id });
    kari = (await addEmployee(db(), kongsberg, actor, { employeeNumber: '1001', givenName: 'Kari', familyName: 'Nordmann', email: 'kari@kongsberg.kommune.no' })).personId;
    await addEmployment(db(), kongsberg, actor, kari, { orgUnitId: avdeling.id, jobTitle: 'Helsefagarbeider', percentage: '40', startDate: '2024-01-01', leadsUnit: false });
    await addEmployment(db(), kongsberg, actor, kari, { orgUnitId: hjemme.id, jobTitle: 'Helsefagarbeider', percentage: '30,5', startDate: '2024-01-01', endDate: '2025-06-30', leadsUnit: false });
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await testDb?.dispose();
  }, 120_000);

  const at = (path: string, query: Record<string, string> = {}) => `${url}${path}?${new URLSearchParams({ session: token, ...query })}`;

  async function clean(page: Page, what: string): Promise<void> {
    const violations = await axeViolations(page);
    expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what}: no horizontal scroll at 360 px`).toBeLessThanOrEqual(360);
  }

  it('browses the tree: counts, units folded below, search, and on to a unit (nb, nn)', async () => {
    const page = await context.newPage();
    await page.goto(at('/admin'));
    await page.getByRole('link', { name: 'Organisasjon: enheter og antall ansatte' }).click();
    await page.locator('[data-org-tree]').waitFor();
    await clean(page, 'org tree');
    expect(await page.locator('[data-unit="K"] > [data-counts]').first().getAttribute('data-counts')).toBe('0/1');
    // The sykehjem's department is folded until its parent's disclosure opens.
    const avdeling = page.locator('[data-unit="HO-SH-A"] > a');
    expect(await avdeling.isVisible()).toBe(false);
    await page.locator('[data-unit="HO"] > details > summary').click();
    await page.locator('[data-unit="HO-SH"] > details > summary').click();
    expect(await avdeling.isVisible()).toBe(true);
    await clean(page, 'org tree, opened');

    await page.getByLabel('Søk etter enhet (kode eller navn)').fill('hjemme');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.locator('[data-unit-hits]').waitFor();
    await page.locator('[data-unit-hits] a', { hasText: 'Hjemmetjenesten (HO-HT)' }).click();
    await page.locator('[data-unit-title]').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Hjemmetjenesten');
    await clean(page, 'unit page');

    await page.goto(at('/admin/org', { lang: 'nn' }));
    expect(await page.locator('html').getAttribute('lang')).toBe('nn');
    expect(await page.locator('[data-unit="K"] summary').first().textContent()).toBe('Undereiningar (1)');
    await clean(page, 'org tree (nn)');
    await page.close();
  });

  it('a move under the unit’s own sub-unit is refused, keeps the choice, and a right move goes through', async () => {
    const page = await context.newPage();
    await page.goto(at(`/admin/org/units/${units['helse']}`));
    await page.getByLabel('Overordnet enhet').selectOption(units['avdeling']!);
    await page.getByRole('button', { name: 'Flytt', exact: true }).click();
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.locator('[data-error-summary]').textContent()).toContain('En enhet kan ikke flyttes under seg selv eller en av sine egne underenheter.');
    expect(await page.getByLabel('Overordnet enhet').inputValue()).toBe(units['avdeling']);
    expect(await page.getByLabel('Overordnet enhet').getAttribute('aria-invalid')).toBe('true');
    await clean(page, 'refused move');
    // The edit form refused for a taken code keeps both fields as typed.
    await page.getByRole('textbox', { name: 'Kode', exact: true }).fill('HO-HT');
    await page.getByRole('textbox', { name: 'Navn', exact: true }).fill('Helse, omsorg og velferd');
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.getByRole('textbox', { name: 'Kode', exact: true }).inputValue()).toBe('HO-HT');
    expect(await page.getByRole('textbox', { name: 'Navn', exact: true }).inputValue()).toBe('Helse, omsorg og velferd');
    expect((await findOrgUnit(db(), (await findMunicipality(db(), '3303'))!.id, units['helse']!))!.code).toBe('HO');

    await page.goto(at(`/admin/org/units/${units['sykehjem']}`, { lang: 'nn' }));
    await page.getByLabel('Overordna eining').selectOption(units['hjemme']!);
    await page.getByRole('button', { name: 'Flytt', exact: true }).click();
    await page.locator('[data-notice]').waitFor();
    expect(await page.locator('[data-notice]').textContent()).toBe('Eininga er flytta.');
    await clean(page, 'moved (nn)');
    const moved = await findOrgUnit(db(), (await findMunicipality(db(), '3303'))!.id, units['avdeling']!);
    expect(moved!.path).toEqual([units['root'], units['helse'], units['hjemme'], units['sykehjem'], units['avdeling']]);
    await page.close();
  });

  it('finds a person and shows their employments with history; a refused change keeps what was typed', async () => {
    const page = await context.newPage();
    await page.goto(at('/admin/people'));
    await page.getByLabel('Navn, ansattnummer eller e-post').fill('1001');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.getByRole('link', { name: 'Kari Nordmann' }).click();
    await page.locator('[data-person-name]').waitFor();
    expect(await page.locator('[data-status="active"]').count()).toBe(1);
    expect(await page.locator('[data-status="ended"]').count()).toBe(1);
    await clean(page, 'person page');
    const forms = page.locator('[data-employment-forms]').first();
    await forms.locator('summary').click();
    await forms.getByLabel('Stillingsprosent').fill('140');
    await forms.getByLabel('Stillingstittel').fill('Fagarbeider natt');
    const isChange = (method: string, url: string) => method === 'POST' && url.includes('/employments/');
    const answered = page.waitForResponse((r) => isChange(r.request().method(), r.url()), { timeout: 120_000 });
    const save = forms.getByRole('button', { name: 'Lagre endringene' });
    await Promise.all([page.waitForRequest((r) => isChange(r.method(), r.url()), { timeout: 30_000 }), save.click()]).catch(async (error: unknown) => {
      // A click that sent nothing on a loaded machine is tried once more; a second one must send.
      console.warn(`the first click on "Lagre endringene" sent no form: ${String(error)}`);
      await Promise.all([page.waitForRequest((r) => isChange(r.method(), r.url()), { timeout: 30_000 }), save.click()]);
    });
    const answer = await answered.catch(async (error: unknown) => {
      // What the database was doing while the answer did not come (for a failure's report).
      const activity = await sql<Record<string, unknown>>`select state, wait_event_type, wait_event, left(query, 160) as query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(db()).catch(() => ({ rows: [] }));
      throw new Error(`no answer to the change: ${String(error)}; database: ${JSON.stringify(activity.rows)}`);
    });
    expect(answer.status(), 'the refused change is answered with the form again').toBe(400);
    await page.locator('[data-error-summary]').waitFor({ timeout: 60_000 });
    const reopened = page.locator('[data-employment-forms][open]');
    expect(await reopened.getByLabel('Stillingsprosent').inputValue()).toBe('140');
    expect(await reopened.getByLabel('Stillingstittel').inputValue()).toBe('Fagarbeider natt');
    await clean(page, 'person page, refused change');
    await page.goto(at(`/admin/people/${kari}`, { lang: 'nn' }));
    expect(await page.locator('h2#employments-heading').textContent()).toBe('Arbeidsforhold');
    await clean(page, 'person page (nn)');
    const viewed = await db().selectFrom('audit_events').select('id').where('action', '=', 'person.viewed').where('subject_person_id', '=', kari).execute();
    expect(viewed.length).toBe(2);
    await page.close();
  });

  it('creates an xAPI key with its secret shown once and revokes it; the platforms page is clean too', async () => {
    const page = await context.newPage();
    await page.goto(at('/admin'));
    await page.getByRole('link', { name: 'Nøkler til LRS (xAPI)' }).click();
    await page.locator('[data-form="new-client"]').waitFor();
    await clean(page, 'xAPI keys');
    await page.getByLabel('Navn').fill('HR-systemet');
    await page.getByLabel('Sende utsagn').check();
    await page.getByRole('button', { name: 'Lag nøkkelen' }).click();
    await page.locator('[data-created]').waitFor();
    const key = (await page.locator('[data-created-key]').textContent())!;
    expect((await page.locator('[data-created-secret]').textContent())!.length).toBeGreaterThan(20);
    await clean(page, 'xAPI key created');
    await page.getByRole('button', { name: 'Trekk tilbake nøkkelen HR-systemet' }).click();
    await page.locator('[data-notice]').waitFor();
    expect(await page.locator(`[data-client="${key}"]`).getAttribute('data-state')).toBe('revoked');
    expect(await page.locator('[data-created-secret]').count()).toBe(0);
    const [client] = await listXapiClients(db(), (await findMunicipality(db(), '3303'))!.id);
    expect(client!.key).toBe(key);
    expect([...client!.scopes].sort()).toEqual(['statements/read', 'statements/write']);
    expect(client!.revokedAt).not.toBeNull();

    await page.goto(at('/admin/platforms'));
    await clean(page, 'platforms');
    await page.goto(at('/admin/platforms', { lang: 'nn' }));
    await clean(page, 'platforms (nn)');
    await page.goto(at('/admin/xapi-clients', { lang: 'nn' }));
    await clean(page, 'xAPI keys (nn)');
    await page.close();
  });

  it('every page is axe-clean in dark mode too, and at 1280 px', async () => {
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
      const dark = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', colorScheme: 'dark', viewport });
      const page = await dark.newPage();
      for (const path of ['/admin/org', `/admin/org/units/${units['helse']}`, '/admin/people', `/admin/people/${kari}`, '/admin/platforms', '/admin/xapi-clients']) {
        await page.goto(at(path));
        const violations = await axeViolations(page);
        expect(violations, `${path} (dark, ${viewport.width} px): ${JSON.stringify(violations, null, 1)}`).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `${path}: no horizontal scroll`).toBeLessThanOrEqual(0);
      }
      await dark.close();
    }
  });
});
