import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { waitFor } from '../scorm/support/wait.js';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from './support.js';

const web = (title: string): NewStep =>
  ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep);

/**
 * A learner whose first-aid holding from a path is about to expire takes the path again in
 * Chromium: the renewal section and the new attempt's page are accessible in bokmål and nynorsk at
 * a phone's width.
 */
describe.skipIf(!hasChromium)(`taking a path again in Chromium (${BACKEND})`, { timeout: 180_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let context: BrowserContext;
  let pathPage: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    const url = world.url;
    const kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    await applyCatalogueImport(db(), kari.tenantId, 'område;kode;kompetanse;gyldighet_måneder\nFelles;forstehjelp;Førstehjelp;\n', OPERATOR);
    // A month's validity: expiring within the renewal window as soon as it is documented.
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les om førstehjelp')], { title: 'Førstehjelp', settings: { grants: [{ competence: 'forstehjelp', validMonths: 1 }] } });
    const link = await world.lms.addLink({ title: 'Førstehjelp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    pathPage = `${url}${launched.location!}`;
    const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;
    const stepPage = await (await fetch(pathPage.replace('?', `/steps/${stepIds[0]}?`))).text();
    await postForm(url, `/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`, formFields(stepPage, 'done'));
    await waitFor('the completion is documented', async () => (await db().selectFrom('competence_holdings').select('id').where('person_id', '=', kari.personId).execute()).length === 1);
    browser = await launchBrowser();
    context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 60_000);

  it('offers the renewal, starts a new attempt with a click, and both pages pass axe in nb and nn', async () => {
    const page = await context.newPage();
    await page.goto(`${pathPage}&lang=nn`);
    await page.locator('[data-renewal="expiring"]').waitFor();
    expect(await page.locator('#renew-heading').textContent()).toBe('Forny kompetansen');
    await expectAccessible(page, 'path page with renewal (nn)');
    await page.goto(pathPage);
    await expectAccessible(page, 'path page with renewal (nb)');
    await page.getByRole('button', { name: 'Ta løpet på nytt' }).click();
    await page.locator('[data-attempt="2"]').waitFor();
    expect(await page.locator('[data-renewal]').count()).toBe(0);
    expect(await page.locator('[data-earlier-completion]').count()).toBe(1);
    await expectAccessible(page, 'new attempt (nb)');
    await page.goto(`${page.url()}&lang=nn`);
    expect(await page.locator('#earlier-heading').textContent()).toBe('Tidlegare fullført');
    await expectAccessible(page, 'new attempt (nn)');
    // Mine læringsløp: the path once, as its second attempt.
    await page.locator('[data-my-paths-link]').click();
    await page.locator('[data-my-paths]').waitFor();
    expect(await page.locator('[data-enrolment]').count()).toBe(1);
    expect(await page.locator('[data-attempt="2"]').count()).toBe(1);
    await expectAccessible(page, 'my paths with a second attempt (nn)');
  });
});
