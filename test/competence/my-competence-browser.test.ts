import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { addMonths, osloDate } from '../../src/competence/calendar.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { expectAccessible, hasChromium, PHONE_CONTEXT, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { publishPath, startLearnerWorld, type LearnerWorld } from '../learner/support.js';

const SLOW = { timeout: 60_000 };
const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });

/**
 * A path grants "Brannvern" for 12 months; a learner launched from the development LMS completes it
 * and finds it on "Min kompetanse", held until the right day; bokmål and nynorsk, 360 px.
 */
describe.skipIf(!hasChromium)(`"Min kompetanse" in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let linkId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    const kongsberg = (await findMunicipality(testDb.database.db, '3303'))!.id;
    await applyCatalogueImport(testDb.database.db, kongsberg, 'område;kode;kompetanse;navn_nn;gyldighet_måneder\nFelles;brannvern;Brannvern;Brannvern;24\nFelles;forstehjelp;Førstehjelp;Førstehjelp;24\n', OPERATOR);
    const { pathId } = await publishPath(testDb.database, kongsberg, [web('Se filmen om rømning')], {
      title: 'Brannvern for alle',
      settings: { grants: [{ competence: 'Brannvern', validMonths: 12 }] },
    });
    linkId = (await world.lms.addLink({ title: 'Brannvern for alle', custom: { laeringslop_path: pathId } })).id;
  }, 180_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser(PHONE_CONTEXT);

  it('a learner completes the path and sees the competence held until a year later', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${world.url}/dev/lms/launch?role=learner&link=${linkId}`);
    await page.frameLocator('#tool-frame').locator('[data-learner="path"] h1').waitFor(SLOW);
    await page.goto(page.frame({ url: /\/learn\/enrolments\// })!.url());

    // Before: nothing documented.
    await page.goto(page.url().replace(/\/learn\/enrolments\/[^?]+/, '/learn/competence'));
    await page.locator('[data-my-competence] [data-empty]').waitFor(SLOW);
    await expectAccessible(page, 'Min kompetanse, empty');
    await page.goBack();

    await page.locator('#continue').click();
    await page.getByRole('button', { name: 'Merk som fullført' }).click();
    await page.waitForURL(/saved=/);

    await page.goto(page.url().replace(/\/learn\/enrolments\/[^?]+/, '/learn'));
    await page.locator('[data-my-competence-link]').click();
    const expires = addMonths(osloDate(new Date()), 12);
    const expiresText = new Intl.DateTimeFormat('nb-NO', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${expires}T12:00:00Z`));
    // The holding is written by the path-events subscriber just after the completion.
    await expect.poll(async () => {
      await page.reload();
      return page.locator('[data-held="brannvern"]').count();
    }, SLOW).toBe(1);
    const cells = await page.locator('[data-held="brannvern"] > *').allTextContents();
    expect(cells).toEqual(['Brannvern', 'Gyldig', expect.any(String), expiresText, 'Fullførte «Brannvern for alle», versjon 1']);
    expect(await page.locator('[data-held="forstehjelp"]').count()).toBe(0);
    await expectAccessible(page, 'Min kompetanse');

    await page.getByRole('link', { name: 'Nynorsk' }).click();
    await page.locator('html[lang="nn"]').waitFor(SLOW);
    expect(await page.locator('h1').textContent()).toBe('Min kompetanse');
    expect(await page.locator('[data-held="brannvern"] td').nth(2).textContent()).toBe(
      new Intl.DateTimeFormat('nn-NO', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${expires}T12:00:00Z`)),
    );
    await expectAccessible(page, 'Min kompetanse (nn)');
  });
});
