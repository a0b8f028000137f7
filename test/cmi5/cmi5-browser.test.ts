import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import { getProgress } from '../../src/paths/enrolments.js';
import { expectNoAxeViolations, hasChromium, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { waitFor } from '../scorm/support/wait.js';
import { BLOCK_ID, cmi5CourseZip, INTRO_AU, TEST_AU } from './support/course.js';

const SLOW = { timeout: 20_000 };

/**
 * Issue 18's "done means" in one browser: a designer launched from the development LMS uploads our
 * own cmi5 course through the upload page, reads its tree, makes it a step of a new path, publishes
 * it and places it in the course with Deep Linking; a learner launched from that link walks both
 * AUs, and the step, the path, the gradebook and the LRS show the result; an abandoned session is
 * recorded.
 */
describe.skipIf(!hasChromium)(`a cmi5 course of our own making, from the designer to the learner in Chromium (${BACKEND})`, { timeout: 300_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
  }, 180_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser();
  const noViolations = expectNoAxeViolations;

  const statementsOf = async (registration: string) =>
    (await db().selectFrom('xapi_statements').select('verb_id').where('registration', '=', registration).orderBy('seq').execute()).map((r) => r.verb_id);

  /** The designer's part: upload, tree, path with a cmi5 step, publish, Deep Linking. The placed link's id. */
  async function designerPlacesTheCourse(page: Page): Promise<{ pathId: string; linkId: string }> {
    // Launched from the course page of the development LMS, in its frame as Moodle shows it.
    await page.goto(`${url}/dev/lms/launch?role=designer`);
    await page.frameLocator('#tool-frame').locator('h1[data-role="designer"]').waitFor();
    const start = page.frame({ url: /\/design\b/ })!.url();
    const token = new URL(start).searchParams.get('session')!;
    await page.goto(start);
    await noViolations(page, 'designer start page');

    // The course zip through the upload page; its answer shows the course tree.
    await page.goto(`${url}/design/packages/upload?session=${token}`);
    await noViolations(page, 'upload page');
    await page.locator('#transfer-file').setInputFiles(cmi5CourseZip());
    await page.getByRole('button', { name: 'Last opp' }).click();
    await expect.poll(() => page.locator('#transfer-status').textContent(), SLOW).toMatch(/^Importert: Smittevern i hjemmetjenesten \(id [0-9a-f-]{36}\)$/);
    const packageId = /id ([0-9a-f-]{36})/.exec((await page.locator('#transfer-status').textContent())!)![1]!;
    const tree = page.locator('[data-cmi5-tree]');
    await tree.waitFor();
    expect(await tree.getByRole('heading').textContent()).toBe('Kursets oppbygning: blokker og AU-er med moveOn-krav');
    expect(await tree.locator('li').allTextContents()).toEqual([
      'Del 1 (blokk)',
      'Innføring (AU · moveOn Completed)',
      'Prøve (AU · moveOn CompletedAndPassed · bestått ved 80 %)',
    ]);
    expect(await tree.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-node')))).toEqual([BLOCK_ID, INTRO_AU, TEST_AU]);
    await noViolations(page, 'upload page with the course tree');

    // A new path with the whole course as its one step.
    await page.goto(`${url}/design?session=${token}`);
    await page.click('text=Lag nytt læringsløp');
    await page.locator('form[action="/design/paths"]').waitFor();
    await page.fill('#title', 'Smittevern i hjemmetjenesten');
    await page.fill('#description', 'Innføring og prøve for nyansatte i hjemmetjenesten.');
    await page.click('button[type="submit"]');
    await page.locator('h1', { hasText: 'Smittevern i hjemmetjenesten' }).waitFor();
    const pathId = /\/design\/paths\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await noViolations(page, 'new path');

    await page.click('[data-add-step="cmi5"]');
    await page.locator('#packageId').waitFor();
    await noViolations(page, 'cmi5 step form');
    // The chooser offers the course, its block and each AU with its moveOn.
    const choices = await page.locator('#packageId option').allTextContents();
    expect(choices).toEqual(expect.arrayContaining([
      'Smittevern i hjemmetjenesten · hele kurset',
      expect.stringMatching(/Innføring \(AU · moveOn Completed\)$/),
      expect.stringMatching(/Prøve \(AU · moveOn CompletedAndPassed · bestått ved 80 %\)$/),
    ]));
    await page.fill('#title', 'Smittevern');
    await page.selectOption('#packageId', packageId);
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count(), SLOW).toBe(1);
    await noViolations(page, 'path with the cmi5 step');

    await page.click('[data-action="publish"]');
    await page.locator('[data-confirm-publish]').waitFor();
    await noViolations(page, 'publish confirmation');
    await page.click('[data-confirm-publish]');
    await page.locator('[data-version="1"]').waitFor();
    await noViolations(page, 'published path');

    // Deep Linking in the course: the designer places the published path.
    await page.goto(`${url}/dev/lms`);
    await page.click('[data-launch="deeplink"]');
    const picker = page.frameLocator('#tool-frame');
    await picker.locator(`button[data-item="${pathId}"]`).waitFor();
    // The tool's picker in the LMS's frame is the designer's page here.
    const pickerFrame = async () => (await (await page.locator('#tool-frame').elementHandle())!.contentFrame())!;
    await noViolations(await pickerFrame(), 'Deep Linking picker');
    await picker.locator(`button[data-item="${pathId}"]`).click();
    await picker.locator('[data-content-item]').waitFor();
    await noViolations(await pickerFrame(), 'Deep Linking answer');
    const placed = (await db().selectFrom('dev_lms_links').select(['id', 'custom']).execute()).find((l) => l.custom['laeringslop_path'] === pathId);
    expect(placed).toBeDefined();
    return { pathId, linkId: placed!.id };
  }

  it('a designer uploads the course and places it in a path; a learner launched from the course completes both AUs; step, path, gradebook and LRS show it; an abandoned session is recorded', async () => {
    const context = await chromium.browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 800 } });
    const designerPage = await context.newPage();
    designerPage.setDefaultTimeout(60_000);
    const { linkId } = await designerPlacesTheCourse(designerPage);
    await designerPage.close();

    const launched = await launch(url, 'learner', linkId);
    const kari = await sessionInfo(url, launched.sessionToken!);
    const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;
    const stepId = (await getProgress(db(), kari.tenantId, enrolmentId)).steps[0]!.stepId;
    const stepUrl = `${url}${launched.location!.replace('?', `/steps/${stepId}?`)}`;

    const page: Page = await context.newPage();
    for (const lang of ['nb', 'nn']) {
      await page.goto(`${stepUrl}&lang=${lang}`);
      await noViolations(page, `learner's step page (${lang})`);
    }
    await page.goto(stepUrl);
    // AnyWindow: the AU takes the step page's window and leads back to it when it terminates.
    await page.getByRole('button', { name: 'Start «Innføring»' }).click();
    await page.getByRole('button', { name: 'Jeg har lest innføringen' }).click(SLOW);
    // returnURL: back to the path, which says what came back.
    await page.waitForURL((u) => u.pathname === `/learn/enrolments/${enrolmentId}` && u.searchParams.has('returned'), SLOW);
    const registration = (await db().selectFrom('cmi5_registrations').select('registration').where('enrolment_id', '=', enrolmentId).executeTakeFirstOrThrow()).registration;
    await waitFor('the introduction terminated', async () => (await statementsOf(registration)).includes(CMI5.verbs.terminated));

    // OwnWindow: the test opens in a window of its own.
    await page.goto(stepUrl);
    await expect.poll(() => page.locator(`[data-au="${INTRO_AU}"]`).getAttribute('data-satisfied')).toBe('yes');
    const [popup] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Start «Prøve» (nytt vindu)' }).click()]);
    await popup.getByRole('button', { name: 'Lever prøven' }).click(SLOW);
    await waitFor('the step completed', async () => (await getProgress(db(), kari.tenantId, enrolmentId)).steps[0]!.status === 'completed');
    const progress = await getProgress(db(), kari.tenantId, enrolmentId);
    expect(progress.steps[0]!.score).toBeCloseTo(0.9);
    expect(progress.status).toBe('completed');
    // The gradebook of the development LMS gets the path's score (the mean of the scored steps).
    const graded = await waitFor('the development LMS has the result', async () => {
      const rows = await db().selectFrom('dev_lms_scores as s').innerJoin('dev_lms_line_items as li', 'li.id', 's.line_item_id')
        .select(['s.score_given', 's.score_maximum']).where('li.resource_link_id', '=', linkId).execute();
      return rows.length ? rows : undefined;
    }, 30_000);
    expect(Number(graded[0]!.score_given) / Number(graded[0]!.score_maximum)).toBeCloseTo(0.9);
    await waitFor('the test terminated', async () => (await statementsOf(registration)).filter((v) => v === CMI5.verbs.terminated).length === 2);
    const verbs = await statementsOf(registration);
    expect(verbs.filter((v) => v === CMI5.verbs.satisfied)).toHaveLength(2);
    expect(verbs.filter((v) => v === CMI5.verbs.launched)).toHaveLength(2);
    await page.goto(stepUrl);
    await expect.poll(() => page.locator(`[data-au="${TEST_AU}"]`).getAttribute('data-satisfied')).toBe('yes');
    await noViolations(page, 'learner\'s completed step');

    // A session left open (the learner goes elsewhere) is abandoned when the AU is launched again.
    await page.getByRole('button', { name: 'Start «Innføring»' }).click();
    await page.getByRole('button', { name: 'Jeg har lest innføringen' }).waitFor(SLOW);
    await page.goto(stepUrl);
    await page.getByRole('button', { name: 'Start «Innføring»' }).click();
    await page.getByRole('button', { name: 'Jeg har lest innføringen' }).waitFor(SLOW);
    expect((await statementsOf(registration)).filter((v) => v === CMI5.verbs.abandoned)).toHaveLength(1);
    await context.close();
  });
});
