import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/lti/session-token.js';
import { expectAccessible, hasChromium, PHONE_CONTEXT, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { SECRET } from '../lti/support/lti-http.js';
import { launch, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { addEmployee, addPerson, addUnit } from './support.js';

const SLOW = { timeout: 60_000 };

/**
 * A manager launched from the development LMS, who leads a unit by HR data, sees exactly that unit's
 * subtree and its people; a region's administrator sees aggregates without names. Both in bokmål and
 * nynorsk at 360 px, checked by axe-core; the administrator's managers page too.
 */
describe.skipIf(!hasChromium)(`the manager's and the region's views in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let regionToken: string;
  let adminToken: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    // The development LMS's manager (Ingrid Leder) launches once, so the tool knows her; HR data then
    // says she leads the nursing home (Sykehjem) of her municipality.
    const ingrid = await sessionInfo(url, (await launch(url, 'manager')).sessionToken!);
    const tenantId = ingrid.tenantId;
    const root = await addUnit(db, tenantId, null, 'K', 'Kommunen');
    const ho = await addUnit(db, tenantId, root, 'HO', 'Helse og omsorg');
    const sh = await addUnit(db, tenantId, ho, 'SH', 'Sykehjem');
    const sh1 = await addUnit(db, tenantId, sh, 'SH1', 'Avdeling Lien');
    const ht = await addUnit(db, tenantId, ho, 'HT', 'Hjemmetjeneste');
    await addEmployee(db, tenantId, '5001', ingrid.personId, [{ unit: sh, jobTitle: 'Enhetsleder', percentage: 100, leads: true }]);
    await addEmployee(db, tenantId, '5002', { name: 'Anne Sykepleier' }, [{ unit: sh, jobTitle: 'Sykepleier', percentage: 80 }]);
    await addEmployee(db, tenantId, '5003', { name: 'Bjørn Fagarbeider' }, [{ unit: sh1, jobTitle: 'Helsefagarbeider', percentage: 40 }, { unit: ht, jobTitle: 'Helsefagarbeider', percentage: 30 }]);
    await addEmployee(db, tenantId, '5004', { name: 'Cecilie Hjemme' }, [{ unit: ht, jobTitle: 'Sykepleier', percentage: 100 }]);
    for (let i = 0; i < 6; i += 1) await addEmployee(db, tenantId, `51${i}`, { name: `Helsefagarbeider ${i}` }, [{ unit: sh1, jobTitle: 'Helsefagarbeider', percentage: 50 + i * 10 }]);

    const region = await db.selectFrom('region_municipalities').innerJoin('tenants', 'tenants.id', 'region_municipalities.region_id').select('tenants.id').where('municipality_id', '=', tenantId).executeTakeFirstOrThrow();
    const regionPerson = await addPerson(db, region.id, 'Rita Region');
    const sessions = new SessionTokens(SECRET);
    regionToken = await sessions.issue({ personId: regionPerson, tenantId: region.id, role: 'admin', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    adminToken = (await launch(url, 'admin')).sessionToken!;

  }, 180_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser(PHONE_CONTEXT);

  it('a manager launched from the LMS sees exactly the subtree they lead, and a person of it (nb, nn)', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${url}/dev/lms/launch?role=manager`);
    const frame = page.frameLocator('#tool-frame');
    await frame.locator('h1[data-role="manager"]').waitFor(SLOW);
    const rows = await frame.locator('[data-employee]').evaluateAll((els) => els.map((e) => e.getAttribute('data-employee')));
    expect(rows.sort()).toEqual(['5001', '5002', '5003', '510', '511', '512', '513', '514', '515']);
    expect(await frame.locator('[data-unit-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-row')))).toEqual(['SH', 'SH1']);
    const home = page.frames().find((f) => /\/manage\?/.test(f.url()))!.url();

    await page.goto(home);
    await expectAccessible(page, 'the manager’s units (nb)');
    const text = await page.locator('main').textContent();
    expect(text).toContain('Avdeling Lien');
    expect(text).not.toMatch(/Hjemmetjeneste|Cecilie|Helse og omsorg/);
    // Bjørn's home-care employment is outside the subtree: only his 40 % in Avdeling Lien is shown.
    expect(await page.locator('[data-employee="5003"]').textContent()).toContain('40 %');
    await page.getByRole('link', { name: 'Bjørn Fagarbeider' }).click();
    await page.locator('h1[data-person]').waitFor();
    await expectAccessible(page, 'a person (nb)');
    expect(await page.locator('main').textContent()).not.toContain('Hjemmetjeneste');

    await page.goto(`${home}&lang=nn`);
    expect(await page.locator('h1').textContent()).toBe('Leiaroversikt');
    await expectAccessible(page, 'the manager’s units (nn)');
    await page.close();
  });

  it('a region administrator sees aggregates per municipality without names, small groups as "< 5" (nb, nn)', async () => {
    const page = await chromium.context.newPage();
    for (const lang of ['nb', 'nn'] as const) {
      await page.goto(`${url}/region?session=${regionToken}&lang=${lang}`);
      await page.locator('h1[data-region]').waitFor();
      await expectAccessible(page, `the region (${lang})`);
      const text = (await page.locator('main').textContent())!;
      expect(text).not.toMatch(/Ingrid|Anne|Bjørn|Cecilie|Helsefagarbeider \d|5001/);
      expect(text).toContain('< 5');
    }
    const kongsberg = page.locator('[data-municipality="3303"]');
    expect(await kongsberg.locator('td').first().textContent()).toBe('10');
    // Bands by each person's total percentage: none under 50; 4 at 50–75 (Bjørn's 40 + 30 among them); 3 at 76–99; 3 full-time.
    expect(await page.locator('[data-part-time="3303"] td').allTextContents()).toEqual(['0', '< 5', '< 5', '< 5']);
    await page.close();
  });

  it('a municipality administrator grants a unit to a person from the managers page (nb)', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${url}/admin?session=${adminToken}`);
    await page.getByRole('link', { name: 'Ledere og tildelinger' }).click();
    await page.locator('[data-leader="5001"]').waitFor();
    await expectAccessible(page, 'managers (nb)');
    await page.getByLabel('Person (navn eller ansattnummer)').fill('Cecilie');
    await page.getByLabel('Enhet (navn eller kode)').fill('Hjemmetjeneste');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.locator('[data-grant-form]').waitFor();
    await expectAccessible(page, 'managers with search results (nb)');
    await page.getByRole('button', { name: 'Gi ansvar' }).click();
    // Nothing chosen: refused, with what was typed kept.
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.getByLabel('Person (navn eller ansattnummer)').inputValue()).toBe('Cecilie');
    await expectAccessible(page, 'a refused grant (nb)');
    await page.getByLabel('Cecilie Hjemme (5004)').check();
    await page.getByLabel('Hjemmetjeneste (HT)').check();
    await page.getByRole('button', { name: 'Gi ansvar' }).click();
    await page.locator('[data-notice]').waitFor();
    expect(await page.locator('[data-grant]').count()).toBe(1);
    await page.close();
  });
});
