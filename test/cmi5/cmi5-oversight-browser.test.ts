import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { expectAccessible, hasChromium, PHONE_CONTEXT, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { uploadPackage } from '../scorm/support/server.js';
import { cmi5CourseZip, INTRO_AU, TEST_AU } from './support/course.js';

const SLOW = { timeout: 60_000 };

/**
 * The course's teacher, launched from the development LMS, goes from the course view to a learner's
 * cmi5 courses, waives the test AU for a reason and ends the learner's hanging session of the
 * introduction; bokmål, nynorsk and English, 360 px, axe-core clean.
 */
describe.skipIf(!hasChromium)(`a teacher waives a cmi5 AU and ends a session in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let linkId: string;
  let registration: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    const kongsberg = (await findMunicipality(testDb.database.db, '3303'))!.id;
    const packageId = ((await (await uploadPackage(world.url, kongsberg, cmi5CourseZip())).json()) as { id: string }).id;
    const { pathId, stepIds } = await publishPath(testDb.database, kongsberg, [{ type: 'cmi5', title: 'Smittevern', required: true, config: { packageId } } as NewStep], { title: 'Smittevern i hjemmetjenesten' });
    linkId = (await world.lms.addLink({ title: 'Smittevern', custom: { laeringslop_path: pathId } })).id;
    // Kari opens the introduction and closes the window at once: a session that never ends by itself.
    const launched = await launch(world.url, 'learner', linkId);
    const stepUrl = launched.location!.replace('?', `/steps/${stepIds[0]}?`);
    const page = await (await fetch(`${world.url}${stepUrl}`, { headers: { accept: 'text/html' } })).text();
    const opened = await postForm(world.url, stepUrl.split('?')[0]!, { ...formFields(page, 'open'), au: INTRO_AU });
    registration = new URL(opened.headers.get('location')!).searchParams.get('registration')!;
  }, 180_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser(PHONE_CONTEXT);

  it('from the course view to the learner\'s cmi5 courses: waive the test, end the hanging session', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${world.url}/dev/lms/launch?role=designer&link=${linkId}`);
    await page.frameLocator('#tool-frame').locator('[data-course] h1').waitFor(SLOW);
    await page.goto(page.frame({ url: /\/teach\/links\// })!.url());
    await page.locator('[data-course] h1').waitFor(SLOW);
    await expectAccessible(page, 'course view with cmi5 (nb)');
    await page.locator('[data-cmi5-learner]').first().click();
    await page.locator('[data-cmi5-oversight] h1').waitFor(SLOW);
    expect(await page.locator('h1').textContent()).toBe('cmi5-kurs for Kari Nordmann');
    expect(await page.locator(`[data-au-row="${INTRO_AU}"] [data-open-session]`).count()).toBe(1);
    await expectAccessible(page, 'learner cmi5 courses (nb)');

    await page.locator(`form[data-action="waive"][data-au="${TEST_AU}"] select`).selectOption('Equivalent Outside Activity');
    await page.locator(`form[data-action="waive"][data-au="${TEST_AU}"] button`).click();
    await page.locator('[data-notice]').waitFor(SLOW);
    expect(await page.locator('[data-notice]').textContent()).toBe('Delen er fritatt.');
    expect(await page.locator(`[data-au-row="${TEST_AU}"] [data-status]`).textContent()).toBe('Fritatt (Tilsvarende opplæring utenfor verktøyet)');
    expect(await page.locator(`form[data-action="waive"][data-au="${TEST_AU}"]`).count()).toBe(0);

    await page.locator(`[data-au-row="${INTRO_AU}"] form[data-action="abandon"] button`).click();
    await page.locator('[data-notice]').waitFor(SLOW);
    expect(await page.locator('[data-notice]').textContent()).toBe('Økten er avsluttet.');
    expect(await page.locator(`[data-au-row="${INTRO_AU}"] [data-open-session]`).count()).toBe(0);
    await expectAccessible(page, 'learner cmi5 courses after the actions (nb)');

    const verbs = (await testDb.database.db.selectFrom('xapi_statements').select('verb_id').where('registration', '=', registration).orderBy('seq').execute()).map((r) => r.verb_id);
    expect(verbs).toEqual([CMI5.verbs.launched, CMI5.verbs.waived, CMI5.verbs.abandoned]);

    for (const [lang, heading, column] of [['nn', 'cmi5-kurs for Kari Nordmann', 'Krav'], ['en', 'cmi5 courses of Kari Nordmann', 'Requirement']] as const) {
      const url = new URL(page.url());
      url.searchParams.delete('notice');
      url.searchParams.set('lang', lang);
      await page.goto(url.href);
      await page.locator('[data-cmi5-oversight] h1').waitFor(SLOW);
      expect(await page.locator('h1').textContent()).toBe(heading);
      expect(await page.locator(`[data-au-row="${TEST_AU}"] dt`).first().textContent()).toBe(column);
      await expectAccessible(page, `learner cmi5 courses (${lang})`);
    }
  });
});
