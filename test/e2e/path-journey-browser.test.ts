import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFixture } from '../content/support/package-zip.js';
import { startToolWithCrossSiteDevLms, type ToolWithCrossSiteDevLms } from '../lti/support/lti-http.js';
import { waitFor } from '../scorm/support/wait.js';
import { ensurePlayerBuilt } from '../scorm/support/build-player.js';
import { expectNoAxeViolations, hasChromium, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const SLOW = { timeout: 60_000 };

/**
 * The whole journey through the development LMS in one browser: a designer uploads a SCORM
 * package, builds a path of a SCORM step, a web resource, a self-assessment and an evaluation,
 * publishes it and places it in the course with Deep Linking; a learner opens the placed link,
 * walks every step (the SCORM course really runs), the path completes, the score arrives in the
 * LMS gradebook, and a relaunch shows the completed path.
 */
describe.skipIf(!hasChromium)(`from designer to learner through the development LMS (${BACKEND})`, { timeout: 600_000 }, () => {
  let testDb: TestDatabase;
  let started: ToolWithCrossSiteDevLms;
  let lms: ToolWithCrossSiteDevLms['lms'];
  let toolUrl: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    ensurePlayerBuilt();
    testDb = await createTestDatabase();
    started = await startToolWithCrossSiteDevLms(testDb.database);
    ({ lms, toolUrl } = started);
  }, 180_000);
  afterAll(async () => {
    await started?.close();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser();

  it('a designer builds, publishes and places a path; a learner completes it and the LMS gets the score', async () => {
    const context = await chromium.browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);

    // The designer, launched from the course.
    await page.goto(lms.lms.startLaunch('designer'));
    await page.locator('h1[data-role="designer"]').waitFor();
    const token = new URL(page.url()).searchParams.get('session')!;

    // Upload the SCORM package with the progress bar.
    await page.goto(`${toolUrl}/design/packages/upload?session=${token}`);
    await page.locator('#transfer-file').setInputFiles(await zipFixture('scorm12-single'));
    await page.getByRole('button', { name: 'Last opp' }).click();
    await expect.poll(() => page.locator('#transfer-status').textContent(), SLOW).toMatch(/^Importert: Brannvern for ansatte \(id [0-9a-f-]{36}\)$/);
    const packageId = /id ([0-9a-f-]{36})/.exec((await page.locator('#transfer-status').textContent())!)![1]!;
    await expectNoAxeViolations(page, 'upload done');

    // A new path with four steps.
    await page.goto(`${toolUrl}/design?session=${token}`);
    await page.click('text=Lag nytt læringsløp');
    await page.fill('#title', 'Brannvern – hele løpet');
    await page.fill('#description', 'Kurs, lesing, egenvurdering og evaluering.');
    await page.click('button[type="submit"]');
    await page.locator('h1', { hasText: 'Brannvern – hele løpet' }).waitFor();
    const pathId = /\/design\/paths\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    await page.click('[data-add-step="scorm"]');
    await page.fill('#title', 'E-læring: brannvern');
    await page.selectOption('#packageId', packageId);
    await page.click('#completionRule-1'); // passed
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(1);

    await page.click('[data-add-step="web"]');
    await page.fill('#title', 'Les branninstruksen');
    await page.fill('#url', 'https://www.dsb.no/');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(2);

    await page.click('[data-add-step="self-assessment"]');
    await page.fill('#title', 'Hvor trygg er du?');
    await page.fill('#statements-0-text', 'Jeg vet hvor nærmeste slokkeutstyr er.');
    await page.fill('#statements-0-competence', 'Brannvern');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(3);

    await page.click('[data-add-step="evaluation"]');
    await page.fill('#title', 'Hva synes du?');
    await page.fill('#questions-0-text', 'Hvor nyttig var løpet?');
    await page.fill('#questions-1-text', 'Hva kan bli bedre?');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(4);

    await page.click('[data-action="publish"]');
    await page.click('[data-confirm-publish]');
    await page.locator('[data-version="1"]').waitFor();

    // Deep Linking in the course: the designer places the published path.
    await page.goto(`${lms.url}/dev/lms`);
    await page.click('[data-launch="deeplink"]');
    const picker = page.frameLocator('#tool-frame');
    await picker.locator(`button[data-item="${pathId}"]`).click();
    await picker.locator('[data-content-item]').waitFor();
    const placed = await db().selectFrom('dev_lms_links').select(['id', 'custom']).execute();
    const link = placed.find((l) => l.custom['laeringslop_path'] === pathId)!;
    expect(link).toBeDefined();

    // The learner opens the placed link in the course.
    await page.goto(`${lms.url}/dev/lms`);
    await page.click(`[data-launch-link="${link.id}"][data-role="learner"]`);
    await page.frameLocator('#tool-frame').locator('[data-learner="path"] h1').waitFor();
    const learnerFrame = page.frame({ url: /\/learn\/enrolments\// })!;
    expect(await learnerFrame.locator('h1').textContent()).toBe('Brannvern – hele løpet');
    const home = learnerFrame.url();

    // SCORM: the course runs in its own window; its passed status completes the step.
    await page.goto(home);
    await expectNoAxeViolations(page, 'learner path page');
    await page.locator('#continue').click();
    const [player] = await Promise.all([context.waitForEvent('page'), page.locator('#open-course').click()]);
    await expect.poll(() => player.frameLocator('#sco-frame').locator('#entry').textContent(), SLOW).toBe('ab-initio');
    await player.frameLocator('#sco-frame').locator('#complete').click();
    // The course ends: the player leads back to the path, which says what it came to.
    await player.waitForURL(/\/learn\/enrolments\/[0-9a-f-]+\?.*returned=/, SLOW);
    expect(await player.locator('[data-outcome] p').textContent(SLOW)).toBe('Bestått med 90 %.');
    const enrolmentId = new URL(home).pathname.split('/')[3]!;
    await waitFor('the SCORM step completed', async () =>
      (await db().selectFrom('path_step_progress').select('status').where('enrolment_id', '=', enrolmentId).where('status', '=', 'completed').execute()).length === 1, 30_000);
    await player.close({ runBeforeUnload: true });

    // Web, self-assessment, evaluation.
    await page.goto(home);
    await page.locator('#continue').click();
    await page.getByRole('button', { name: 'Merk som fullført' }).click();
    await page.waitForURL(/saved=/);
    await page.locator('#continue').click();
    await page.getByRole('group', { name: 'Jeg vet hvor nærmeste slokkeutstyr er.' }).getByLabel('3 – I stor grad').check();
    await page.getByRole('button', { name: 'Send egenvurderingen' }).click();
    await page.waitForURL(/saved=/);
    await page.locator('#continue').click();
    await page.getByRole('group', { name: 'Hvor nyttig var løpet?' }).getByLabel('4').check();
    await page.getByLabel('Hva kan bli bedre?').fill('Mer om slokkeapparater.');
    await page.getByRole('button', { name: 'Send evalueringen' }).click();
    await page.waitForURL(/saved=/);
    expect(await page.locator('[data-completed]').textContent()).toContain('Resultat: 90 av 100.');
    await expectNoAxeViolations(page, 'completed path');

    // The LMS gradebook has the completed score on the placed link's line item.
    await waitFor('the completed score in the LMS', async () =>
      (await db().selectFrom('dev_lms_scores').select('id').where('user_id', '=', '101').where('activity_progress', '=', 'Completed').execute()).length === 1, 60_000);
    const scores = await db()
      .selectFrom('dev_lms_scores as s')
      .innerJoin('dev_lms_line_items as li', 'li.id', 's.line_item_id')
      .select(['s.score_given', 's.grading_progress', 'li.resource_link_id'])
      .where('s.user_id', '=', '101')
      .where('s.activity_progress', '=', 'Completed')
      .execute();
    expect(scores).toEqual([{ score_given: 90, grading_progress: 'FullyGraded', resource_link_id: link.id }]);
    await page.goto(`${lms.url}/dev/lms`);
    expect(await page.locator('[data-score]', { hasText: 'Brannvern – hele løpet' }).first().textContent()).toContain('90 / 100');

    // A relaunch shows the completed path.
    await page.click(`[data-launch-link="${link.id}"][data-role="learner"]`);
    await expect.poll(() => page.frameLocator('#tool-frame').locator('[data-completed]').count(), SLOW).toBe(1);
    await context.close();
  });
});
