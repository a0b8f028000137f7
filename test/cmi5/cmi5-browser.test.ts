import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { getProgress } from '../../src/paths/enrolments.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { uploadPackage } from '../scorm/support/server.js';
import { waitFor } from '../scorm/support/wait.js';
import { cmi5CourseZip, INTRO_AU, TEST_AU } from './support/course.js';

const SLOW = { timeout: 20_000 };

describe.skipIf(!hasChromium)(`a cmi5 course of our own making, walked in Chromium (${BACKEND})`, { timeout: 180_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let browser: Browser;
  let url: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);

  const statementsOf = async (registration: string) =>
    (await db().selectFrom('xapi_statements').select('verb_id').where('registration', '=', registration).orderBy('seq').execute()).map((r) => r.verb_id);

  it('launches both AUs from the step (one in the window, one in its own), completes the step with the test score, records satisfied and an abandoned session', async () => {
    const kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    const uploaded = await uploadPackage(url, kari.tenantId, cmi5CourseZip());
    expect(uploaded.status).toBe(201);
    const { id: packageId } = (await uploaded.json()) as { id: string };
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [{ type: 'cmi5', title: 'Smittevern', required: true, config: { packageId } } as NewStep]);
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    const stepUrl = `${url}${launched.location!.replace('?', `/steps/${stepIds[0]}?`)}`;
    const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;

    const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 800 } });
    const page: Page = await context.newPage();
    for (const lang of ['nb', 'nn']) {
      await page.goto(`${stepUrl}&lang=${lang}`);
      expect(await axeViolations(page)).toEqual([]);
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
        .select(['s.score_given', 's.score_maximum']).where('li.resource_link_id', '=', link.id).execute();
      return rows.length ? rows : undefined;
    }, 30_000);
    expect(Number(graded[0]!.score_given) / Number(graded[0]!.score_maximum)).toBeCloseTo(0.9);
    await waitFor('the test terminated', async () => (await statementsOf(registration)).filter((v) => v === CMI5.verbs.terminated).length === 2);
    const verbs = await statementsOf(registration);
    expect(verbs.filter((v) => v === CMI5.verbs.satisfied)).toHaveLength(2);
    expect(verbs.filter((v) => v === CMI5.verbs.launched)).toHaveLength(2);
    await page.goto(stepUrl);
    await expect.poll(() => page.locator(`[data-au="${TEST_AU}"]`).getAttribute('data-satisfied')).toBe('yes');
    expect(await axeViolations(page)).toEqual([]);

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
