import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { tempFile } from '../content/support/package-zip.js';
import { buildTinCanPackage, COURSE_ACTIVITY_ID } from '../fixtures/tincan/build-package.js';
import { startToolWithCrossSiteDevLms, type ToolWithCrossSiteDevLms } from '../lti/support/lti-http.js';
import { waitFor } from '../scorm/support/wait.js';
import { expectNoAxeViolations, hasChromium, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const SLOW = { timeout: 60_000 };

/**
 * An xAPI course of our own making (two pages and a quiz that sends `passed` with a score) in a
 * path, through the development LMS: a designer uploads it and makes it an "xAPI course" step; a
 * learner reads the first page, leaves, relaunches and resumes on the second, passes the quiz; the
 * step, the path, the LMS gradebook and the LRS show the result.
 */
describe.skipIf(!hasChromium)(`an xAPI (Tin Can) course in a path, through the development LMS (${BACKEND})`, { timeout: 600_000 }, () => {
  let testDb: TestDatabase;
  let started: ToolWithCrossSiteDevLms;
  let lms: ToolWithCrossSiteDevLms['lms'];
  let toolUrl: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    started = await startToolWithCrossSiteDevLms(testDb.database);
    ({ lms, toolUrl } = started);
  }, 180_000);
  afterAll(async () => {
    await started?.close();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser();

  it('a learner completes the course, resumes it midway on a relaunch, and the step, path, gradebook and LRS show the result', async () => {
    const context = await chromium.browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);

    // The designer uploads the package and makes a path of one xAPI course step.
    await page.goto(lms.lms.startLaunch('designer'));
    await page.locator('h1[data-role="designer"]').waitFor();
    const token = new URL(page.url()).searchParams.get('session')!;
    await page.goto(`${toolUrl}/design/packages/upload?session=${token}`);
    await page.locator('#transfer-file').setInputFiles(await buildTinCanPackage(tempFile('handhygiene.zip')));
    await page.getByRole('button', { name: 'Last opp' }).click();
    await expect.poll(() => page.locator('#transfer-status').textContent(), SLOW).toMatch(/^Importert: Håndhygiene i pleie og omsorg \(id [0-9a-f-]{36}\)$/);
    const packageId = /id ([0-9a-f-]{36})/.exec((await page.locator('#transfer-status').textContent())!)![1]!;

    await page.goto(`${toolUrl}/design?session=${token}`);
    await page.click('text=Lag nytt læringsløp');
    await page.fill('#title', 'Smittevern');
    await page.fill('#description', 'Et xAPI-kurs om håndhygiene.');
    await page.click('button[type="submit"]');
    await page.locator('h1', { hasText: 'Smittevern' }).waitFor();
    const pathId = /\/design\/paths\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.click('[data-add-step="xapi"]');
    await page.fill('#title', 'Håndhygiene (xAPI)');
    await page.selectOption('#packageId', packageId);
    expect(await page.locator('input[name="countedVerbs"]:checked').getAttribute('value')).toBe('completed-or-passed');
    await expectNoAxeViolations(page, 'xAPI step form');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(1);
    await page.click('[data-action="publish"]');
    await page.click('[data-confirm-publish]');
    await page.locator('[data-version="1"]').waitFor();

    await page.goto(`${lms.url}/dev/lms`);
    await page.click('[data-launch="deeplink"]');
    await page.frameLocator('#tool-frame').locator(`button[data-item="${pathId}"]`).click();
    await page.frameLocator('#tool-frame').locator('[data-content-item]').waitFor();
    const link = (await db().selectFrom('dev_lms_links').select(['id', 'custom']).execute()).find((l) => l.custom['laeringslop_path'] === pathId)!;

    // The learner opens the placed link; the course opens in its own window.
    await page.goto(`${lms.url}/dev/lms`);
    await page.click(`[data-launch-link="${link.id}"][data-role="learner"]`);
    await page.frameLocator('#tool-frame').locator('[data-learner="path"] h1').waitFor();
    const home = page.frame({ url: /\/learn\/enrolments\// })!.url();
    const enrolmentId = new URL(home).pathname.split('/')[3]!;
    await page.goto(home);
    await page.locator('#continue').click();
    await expectNoAxeViolations(page, 'xAPI step page');
    const [first] = await Promise.all([context.waitForEvent('page'), page.locator('#open-course').click()]);
    const course = first.frameLocator('#sco-frame');
    await expect.poll(() => course.locator('#status').textContent(), SLOW).toBe('Lagret side 1');
    await expectNoAxeViolations(first, 'xAPI player');
    await course.locator('#next-1').click();
    await expect.poll(() => course.locator('#status').textContent(), SLOW).toBe('Lagret side 2');
    await first.close();

    // Relaunch: the course resumes on page 2 (its State bookmark in the same registration).
    await page.goto(home.replace(`/learn/enrolments/${enrolmentId}`, `/learn/enrolments/${enrolmentId}/steps/${await stepId()}`));
    const [second] = await Promise.all([context.waitForEvent('page'), page.locator('#open-course').click()]);
    const resumed = second.frameLocator('#sco-frame');
    await expect.poll(() => resumed.locator('body').getAttribute('data-resumed'), SLOW).toBe('2');
    await resumed.locator('#next-2').click();
    await resumed.getByLabel('Før og etter pasientkontakt').check();
    await resumed.getByRole('button', { name: 'Send inn' }).click();
    await expect.poll(() => resumed.locator('#result').textContent(), SLOW).toBe('Bestått');
    // Back to the path from the player.
    await second.locator('#player-back').click();
    await second.waitForURL(/\/learn\/enrolments\/[0-9a-f-]+\?/, SLOW);
    expect(await second.locator(`[data-step] >> nth=0`).getAttribute('data-status')).toBe('completed');
    expect(await second.locator('[data-completed]').textContent()).toContain('Resultat: 90 av 100.');
    await expectNoAxeViolations(second, 'completed path');

    // The step and the path in the database; one registration for both launches.
    const progress = await db().selectFrom('path_step_progress').select(['status', 'score']).where('enrolment_id', '=', enrolmentId).execute();
    expect(progress).toEqual([{ status: 'completed', score: 0.9 }]);
    const registrations = await db().selectFrom('path_xapi_registrations').select('registration').where('enrolment_id', '=', enrolmentId).execute();
    expect(registrations).toHaveLength(1);

    // The LMS gradebook.
    await waitFor('the completed score in the LMS', async () =>
      (await db().selectFrom('dev_lms_scores').select('id').where('user_id', '=', '101').where('activity_progress', '=', 'Completed').execute()).length === 1, 60_000);
    const scores = await db().selectFrom('dev_lms_scores').select('score_given').where('user_id', '=', '101').where('activity_progress', '=', 'Completed').execute();
    expect(scores).toEqual([{ score_given: 90 }]);

    // The LRS: the municipality's own reader finds the passed statement with its score.
    const learner = await db().selectFrom('path_enrolments').select(['tenant_id', 'person_id']).where('id', '=', enrolmentId).executeTakeFirstOrThrow();
    const hr = await createXapiClient(db(), { tenantId: learner.tenant_id, name: 'HR', scopes: ['statements/read'] });
    const answer = await fetch(`${toolUrl}/xapi/statements?${new URLSearchParams({ verb: 'http://adlnet.gov/expapi/verbs/passed', registration: registrations[0]!.registration })}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${hr.client.key}:${hr.secret}`).toString('base64')}`, 'X-Experience-API-Version': '1.0.3' },
    });
    const { statements } = (await answer.json()) as { statements: { actor: { account: { name: string } }; object: { id: string }; result: { score: { scaled: number } } }[] };
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ actor: { account: { name: learner.person_id } }, object: { id: COURSE_ACTIVITY_ID }, result: { score: { scaled: 0.9 } } });
    await context.close();

    async function stepId(): Promise<string> {
      const version = await db().selectFrom('path_versions').select('definition').where('path_id', '=', pathId).where('status', '=', 'published').executeTakeFirstOrThrow();
      return (version.definition as { steps: { id: string }[] }).steps[0]!.id;
    }
  });
});
