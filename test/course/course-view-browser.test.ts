import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { expectAccessible, hasChromium, PHONE_CONTEXT, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, startLearnerWorld, type LearnerWorld } from '../learner/support.js';

const SLOW = { timeout: 60_000 };
const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });

/**
 * An instructor launches a path link from the development LMS and sees the whole course (its NRPS
 * roster) against the path: one learner completed, one at the second step, the rest never launched;
 * bokmål and nynorsk, 360 px, axe-core clean.
 */
describe.skipIf(!hasChromium)(`the teacher's course view in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let linkId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    world = await startLearnerWorld(testDb.database);
    const kongsberg = (await findMunicipality(db, '3303'))!.id;
    const { pathId, stepIds } = await publishPath(testDb.database, kongsberg, [web('Les instruksen'), web('Se filmen om rømning')], { title: 'Brannvern for alle' });
    linkId = (await world.lms.addLink({ title: 'Brannvern for alle', custom: { laeringslop_path: pathId } })).id;
    // Kari launches and completes the path; Per launches and does the first step.
    for (const [second, steps] of [[false, 2], [true, 1]] as const) {
      const launched = await launch(world.url, 'learner', linkId, second);
      const enrolmentId = /\/learn\/enrolments\/([0-9a-f-]{36})/.exec(launched.location ?? '')![1]!;
      for (const stepId of stepIds.slice(0, steps)) {
        await deliverOutcome(db, kongsberg, { enrolmentId, stepId, idempotencyKey: `browser:${stepId}`, outcome: { kind: 'web', event: 'done' } });
      }
    }
  }, 180_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser(PHONE_CONTEXT);

  it('an instructor launched from the development LMS sees the course’s members with their status', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${world.url}/dev/lms/launch?role=designer&link=${linkId}`);
    const frame = page.frameLocator('#tool-frame');
    await frame.locator('[data-course] h1').waitFor(SLOW);
    expect(await frame.locator('h1').textContent()).toBe('Deltakerne i emnet');
    // The tool's page on its own, as axe and the viewport see it.
    await page.goto(page.frame({ url: /\/teach\/links\// })!.url());
    await page.locator('[data-course] h1').waitFor(SLOW);

    const status = (userId: string) => page.locator(`tr[data-learner="${userId}"]`).getAttribute('data-status');
    expect(await status('101')).toBe('completed');
    expect(await status('105')).toBe('in-progress');
    expect(await status('220')).toBe('not-started');
    expect(await page.locator('tr[data-learner="105"] td').first().textContent()).toBe('I gang');
    expect(await page.locator('tr[data-learner="105"] td').nth(1).textContent()).toBe('Steg 1 av 2 fullført. Neste: Se filmen om rømning');
    expect(await page.locator('tr[data-learner="220"] [data-never-launched]').textContent()).toBe('Har aldri åpnet Læringsløp');
    expect(await page.locator('tr[data-learner="101"] th').textContent()).toBe('Kari Nordmann');
    // 23 learners: Kari and Per, who launched, and 21 who never did; the teachers and the mentor are counted apart.
    expect(await page.locator('tr[data-learner]').count()).toBe(23);
    expect(await page.locator('[data-count="not-started"]').textContent()).toBe('Ikke startet: 21');
    // In status order (in progress, not started, completed), by name as people count: 1, 2 … 10.
    const names = await page.locator('tr[data-learner] th').allTextContents();
    expect(names.slice(0, 4)).toEqual(['Per Hansen', 'Deltaker 1', 'Deltaker 2', 'Deltaker 3']);
    expect(names.at(-1)).toBe('Kari Nordmann');
    const addresses = await page.locator('textarea[data-addresses]').inputValue();
    expect(addresses).toContain('per.hansen@kongsberg.kommune.example');
    expect(addresses).not.toContain('kari.nordmann');
    // The development course's last learner has no address (Moodle's "email": ""): named instead.
    expect(await page.locator('[data-no-email] li').allTextContents()).toEqual(['Deltaker 21']);
    await expectAccessible(page, 'course view (nb)');

    const csv = await page.request.get(await page.locator('a[data-csv]').getAttribute('href').then((href) => new URL(href!, page.url()).toString()));
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect(await csv.text()).toContain('Kari Nordmann;kari.nordmann@kongsberg.kommune.example;Fullført');

    await page.getByRole('link', { name: 'Nynorsk' }).click();
    await page.locator('html[lang="nn"]').waitFor(SLOW);
    expect(await page.locator('h1').textContent()).toBe('Deltakarane i emnet');
    expect(await page.locator('tr[data-learner="220"] td').first().textContent()).toBe('Ikkje starta');
    await expectAccessible(page, 'course view (nn)');
  });
});
