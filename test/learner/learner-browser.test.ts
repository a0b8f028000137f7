import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStep } from '../../src/paths/drafts.js';
import { zipFixture } from '../content/support/package-zip.js';
import { ensurePlayerBuilt } from '../scorm/support/build-player.js';
import { uploadPackage } from '../scorm/support/server.js';
import { waitFor } from '../scorm/support/wait.js';
import { axeViolations, expectAccessible, hasChromium, PHONE_CONTEXT, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from './support.js';

const SLOW = { timeout: 30_000 };

/**
 * A learner walks a whole path in Chromium: launched from the development LMS's course link, the
 * SCORM step really run in the player, then the web, self-assessment and evaluation steps; the
 * score reaches the LMS gradebook through the AGS outbox.
 */
describe.skipIf(!hasChromium)(`a learner's path in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let linkId: string;
  let stepIds: string[];
  const db = () => testDb.database.db;

  beforeAll(async () => {
    ensurePlayerBuilt();
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    const kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    const uploaded = await uploadPackage(url, kari.tenantId, await zipFixture('scorm12-single'));
    const packageId = ((await uploaded.json()) as { id: string }).id;
    const steps: NewStep[] = [
      { type: 'scorm', title: 'Brannvern – e-læring', required: true, estimatedMinutes: 20, config: { packageId, completion: { rule: 'passed' } } },
      { type: 'web', title: 'Les branninstruksen', required: true, estimatedMinutes: 5, config: { resource: { kind: 'link', url: 'https://www.dsb.no/' }, done: { by: 'mark-as-done' } } },
      { type: 'self-assessment', title: 'Hvor trygg er du?', required: true, config: { statements: [
        { id: 's1', competence: 'brannvern', text: 'Jeg vet hvor nærmeste slukkeutstyr er.' },
        { id: 's2', competence: 'brannvern', text: 'Jeg kan varsle riktig ved brann.' },
      ], recommendations: [] } },
      { type: 'evaluation', title: 'Evaluering', required: true, config: { questions: [
        { id: 'nytte', kind: 'scale', text: 'Hvor nyttig var dette?', min: 1, max: 4 },
        { id: 'kommentar', kind: 'text', text: 'Kommentar', maxLength: 500 },
      ] } },
    ];
    ({ stepIds } = await publishPath(testDb.database, kari.tenantId, steps, {
      title: 'Brannvern for alle ansatte',
      settings: { dueAfterDays: 14 },
      resolve: (ids, index) => (index === 1 ? { requires: [ids[0]!] } : {}),
    }));
    const path = (await db().selectFrom('paths').select('id').where('title', '=', 'Brannvern for alle ansatte').executeTakeFirstOrThrow()).id;
    linkId = (await world.lms.addLink({ title: 'Brannvern', custom: { laeringslop_path: path } })).id;
  }, 180_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  }, 120_000);
  const chromium = suiteBrowser(PHONE_CONTEXT);

  /** Launches in the LMS page's iframe; returns the learner page's URL (with its session). */
  async function launchInFrame(page: Page, who: 'learner' | 'second learner'): Promise<Frame> {
    await page.goto(`${url}/dev/lms/launch?role=learner&link=${linkId}${who === 'second learner' ? '&user=2' : ''}`);
    await page.frameLocator('#tool-frame').locator('[data-learner="path"] h1').waitFor({ timeout: 60_000 });
    return page.frame({ url: /\/learn\/enrolments\// })!;
  }


  /** Opens the course in the new window the step's form targets; runs `inside` there, then closes it. */
  async function inPlayer(page: Page, inside: (player: Page) => Promise<void>): Promise<void> {
    const [player] = await Promise.all([chromium.context.waitForEvent('page'), page.locator('#open-course').click()]);
    await player.waitForLoadState();
    await inside(player);
    await player.close({ runBeforeUnload: true });
  }

  const scoStatus = (player: Page) => player.frameLocator('#sco-frame').locator('#status').textContent();
  const stepRow = (stepId: string) => db().selectFrom('path_step_progress').selectAll().where('step_id', '=', stepId);

  it('walks every step, completes, passes the score back to the LMS, and shows the completed state on relaunch', async () => {
    const page = await chromium.context.newPage();
    const frame = await launchInFrame(page, 'learner');
    expect(await frame.locator('h1').textContent()).toBe('Brannvern for alle ansatte');
    expect(await frame.locator('#path-progress').getAttribute('value')).toBe('0');
    expect(await axeViolations(frame)).toEqual([]);
    const home = frame.url();
    const enrolmentId = new URL(home).pathname.split('/')[3]!;

    // The rest at the top level (the same URLs the frame uses), on a 360 px screen.
    await page.goto(home);
    await expectAccessible(page, 'path page');
    await page.goto(`${home}&lang=en`);
    expect(await page.locator('[data-path-progress] p').textContent()).toBe('0 of 4 steps completed');
    await expectAccessible(page, 'path page (en)');
    await page.goto(home);
    await page.locator(`[data-step="${stepIds[1]}"] a`).click();
    expect(await page.locator('[data-locked]').textContent()).toContain('Brannvern – e-læring');
    await expectAccessible(page, 'locked web step');

    // SCORM: the course runs in the player window; its passed status completes the step.
    await page.goto(home);
    await page.locator('#continue').click();
    expect(new URL(page.url()).pathname).toBe(`/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`);
    await expectAccessible(page, 'scorm step');
    await inPlayer(page, async (player) => {
      await expect.poll(() => player.frameLocator('#sco-frame').locator('#entry').textContent(), SLOW).toBe('ab-initio');
      expect(await player.locator('#player-back').textContent()).toBe('Tilbake til læringsløpet');
      await player.frameLocator('#sco-frame').locator('#complete').click();
      // A one-SCO course that ends leads back to the path, which says what it came to.
      await player.waitForURL(/\/learn\/enrolments\/[0-9a-f-]+\?.*returned=/, SLOW);
      expect(await player.locator('[data-outcome]').getAttribute('data-outcome', SLOW)).toBe('passed');
      expect(await player.locator('[data-outcome] p').textContent(SLOW)).toBe('Bestått med 90 %.');
      expect(await player.locator(`[data-step="${stepIds[0]}"]`).getAttribute('data-status')).toBe('completed');
      await expectAccessible(player, 'path page after the course');
      await waitFor('the SCORM step completed by its stored commit', async () => (await stepRow(stepIds[0]!).where('enrolment_id', '=', enrolmentId).executeTakeFirst())?.status === 'completed', 30_000);
    });

    // The scored step reached, the LMS gets the score so far (before the learner goes on, so
    // the path is not completed yet when the passback reads it).
    await waitFor('the score so far in the LMS gradebook', async () =>
      (await db().selectFrom('dev_lms_scores').select('id').where('user_id', '=', '101').where('activity_progress', '=', 'InProgress').execute()).length > 0, 60_000);

    // Web: mark as done.
    await page.goto(home);
    expect(await page.locator(`[data-step="${stepIds[0]}"]`).getAttribute('data-status')).toBe('completed');
    await page.locator('#continue').click();
    await expectAccessible(page, 'web step');
    await page.getByRole('button', { name: 'Merk som fullført' }).click();
    await page.waitForURL(/saved=/);
    expect(await page.locator('[role="status"]').textContent()).toBe('Lagret.');

    // Self-assessment and evaluation, by label, as a keyboard or screen-reader user finds them.
    await page.locator('#continue').click();
    await expectAccessible(page, 'self-assessment step');
    await page.goto(`${page.url()}&lang=nn`);
    await expectAccessible(page, 'self-assessment step (nn)');
    await page.getByRole('group', { name: 'Jeg vet hvor nærmeste slukkeutstyr er.' }).getByLabel('3 – I stor grad').check();
    await page.getByRole('group', { name: 'Jeg kan varsle riktig ved brann.' }).getByLabel('4 – I svært stor grad').check();
    await page.getByRole('button', { name: 'Send eigenvurderinga' }).click();
    await page.waitForURL(/saved=/);
    expect(await page.locator('html').getAttribute('lang')).toBe('nn');
    await page.goto(home);
    await page.locator('#continue').click();
    await expectAccessible(page, 'evaluation step');
    await page.getByRole('group', { name: 'Hvor nyttig var dette?' }).getByLabel('4').check();
    await page.getByLabel('Kommentar').fill('Nyttig og kort.');
    await page.getByRole('button', { name: 'Send evalueringen' }).click();
    await page.waitForURL(/saved=/);

    // Completed, with the SCORM score as the path score.
    expect(await page.locator('[data-completed]').textContent()).toContain('Resultat: 90 av 100.');
    expect(await page.locator('#continue').count()).toBe(0);
    await expectAccessible(page, 'completed path');
    await page.goto(`${home}&lang=en`);
    await expectAccessible(page, 'completed path (en)');

    // The gradebook: the score so far after the SCORM step, then the completed result.
    const kari = await sessionInfo(url, new URL(home).searchParams.get('session')!);
    await waitFor('the completed score in the LMS gradebook', async () => {
      const scores = await db().selectFrom('dev_lms_scores').selectAll().where('user_id', '=', '101').where('activity_progress', '=', 'Completed').execute();
      return scores.length > 0;
    }, 60_000);
    const scores = await db().selectFrom('dev_lms_scores').select(['score_given', 'activity_progress', 'grading_progress']).where('user_id', '=', '101').orderBy('id').execute();
    expect(scores).toEqual([
      { score_given: 90, activity_progress: 'InProgress', grading_progress: 'Pending' },
      { score_given: 90, activity_progress: 'Completed', grading_progress: 'FullyGraded' },
    ]);
    expect(await db().selectFrom('path_completions').selectAll().where('person_id', '=', kari.personId).execute()).toHaveLength(1);

    // Relaunch: the completed state.
    const again = await launchInFrame(page, 'learner');
    await expect.poll(() => again.locator('[data-completed]').count(), SLOW).toBe(1);
    expect(await again.locator('#path-progress').getAttribute('value')).toBe('4');
    await page.close();
  });

  it('a second learner (Per Hansen) stops halfway and "continue" leads back to the course, which resumes', async () => {
    const page = await chromium.context.newPage();
    const frame = await launchInFrame(page, 'second learner');
    const home = frame.url();
    const enrolmentId = new URL(home).pathname.split('/')[3]!;
    await page.goto(home);
    await page.locator('#continue').click();
    await inPlayer(page, async (player) => {
      await expect.poll(() => player.frameLocator('#sco-frame').locator('#entry').textContent(), SLOW).toBe('ab-initio');
      await player.frameLocator('#sco-frame').locator('#progress').click();
      await expect.poll(() => scoStatus(player), SLOW).toContain('commit=true');
      await waitFor('the progress commit reached the path', async () => (await stepRow(stepIds[0]!).where('enrolment_id', '=', enrolmentId).executeTakeFirst())?.status === 'in_progress', 30_000);
    });

    const back = await launchInFrame(page, 'second learner');
    expect(await back.locator(`[data-step="${stepIds[0]}"]`).getAttribute('data-status')).toBe('in-progress');
    expect(await back.locator('#continue').textContent()).toBe('Fortsett der du slapp');
    await page.goto(back.url());
    await page.locator('#continue').click();
    expect(new URL(page.url()).pathname).toBe(`/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`);
    expect(await page.locator('#open-course').textContent()).toBe('Fortsett kurset (nytt vindu)');
    await inPlayer(page, async (player) => {
      await expect.poll(() => player.frameLocator('#sco-frame').locator('#entry').textContent(), SLOW).toBe('resume');
      // Back to the path while the course runs. The score 50 stored before stands against the
      // masteryscore 80 (SCORM 1.2 RTE §3.4.4: the LMS sets failed), and the path says so.
      await player.locator('#player-back').click();
      await player.waitForURL(/\/learn\/enrolments\/[0-9a-f-]+\?.*returned=/, SLOW);
      expect(await player.locator('[data-outcome]').getAttribute('data-outcome', SLOW)).toBe('failed');
      expect(await player.locator('[data-outcome] p').textContent(SLOW)).toBe('Ikke bestått: 50 %, krav 80 %.');
      expect(await player.locator(`[data-step="${stepIds[0]}"]`).getAttribute('data-status')).toBe('in-progress');
    });
    await page.close();
  });

  it('in nynorsk, a course finished below the pass mark leads back to the path saying so (Per Hansen)', async () => {
    const page = await chromium.context.newPage();
    const frame = await launchInFrame(page, 'second learner');
    const enrolmentId = new URL(frame.url()).pathname.split('/')[3]!;
    await page.goto(`${frame.url().replace(/\/learn\/enrolments\/[0-9a-f-]+/, `/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`)}&lang=nn`);
    // The SCO scores 70 (its best so far) against the package's masteryscore 80.
    await page.evaluate(() => localStorage.setItem('sco-complete-score', '70'));
    try {
      await inPlayer(page, async (player) => {
        await expect.poll(() => player.frameLocator('#sco-frame').locator('#version').textContent(), SLOW).toBe('1.2');
        expect(await player.locator('#player-back').textContent()).toBe('Tilbake til læringsløpet');
        expect(await player.locator('html').getAttribute('lang')).toBe('nn');
        expect(await axeViolations(player)).toEqual([]);
        await player.frameLocator('#sco-frame').locator('#complete').click();
        await player.waitForURL(/\/learn\/enrolments\/[0-9a-f-]+\?.*returned=/, SLOW);
        expect(await player.locator('html').getAttribute('lang')).toBe('nn');
        expect(await player.locator('[data-outcome]').getAttribute('data-outcome', SLOW)).toBe('failed');
        expect(await player.locator('[data-outcome] p').textContent(SLOW)).toBe('Ikkje bestått: 70 %, krav 80 %.');
        expect(await player.locator(`[data-step="${stepIds[0]}"]`).getAttribute('data-status')).toBe('in-progress');
        await expectAccessible(player, 'path page after a failed course (nn)');
      });
    } finally {
      await page.evaluate(() => localStorage.removeItem('sco-complete-score'));
    }
    await page.close();
  });

  it('every step type\'s page passes axe-core in bokmål and English at 360 px', async () => {
    const kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    const packageId = (await db().selectFrom('path_scorm_attempts').select('package_id').executeTakeFirstOrThrow()).package_id;
    const { pathId, stepIds: ids } = await publishPath(testDb.database, kari.tenantId, [
      { type: 'scorm', title: 'Kurs', required: true, config: { packageId, completion: { rule: 'completed' } } },
      { type: 'web', title: 'Film om brannøvelse', required: true, config: { resource: { kind: 'video', url: 'https://video.example.no/ovelse.mp4' }, done: { by: 'minimum-time', seconds: 300 } } },
      { type: 'self-assessment', title: 'Egenvurdering', required: true, config: { statements: [{ id: 'x', competence: 'brann', text: 'Jeg kan bruke et brannteppe.' }], recommendations: [] } },
      { type: 'evaluation', title: 'Evaluering', required: true, config: { questions: [{ id: 'q', kind: 'scale', text: 'Nyttig?', min: 1, max: 5 }, { id: 't', kind: 'text', text: 'Kommentar', maxLength: 300 }] } },
      { type: 'session', title: 'Øvelse på brannstasjonen', required: false, config: { date: '2026-12-02', startTime: '13:00', endTime: '15:00', place: 'Kongsberg brannstasjon', capacity: 12 } },
    ], { title: 'Alle trinntyper' });
    const link = await world.lms.addLink({ title: 'Alle trinntyper', custom: { laeringslop_path: pathId } });
    const home = `${url}${(await launch(url, 'learner', link.id)).location!}`;
    const page = await chromium.context.newPage();
    for (const lang of ['nb', 'en']) {
      for (const [index, stepId] of ids.entries()) {
        await page.goto(`${home.replace('?', `/steps/${stepId}?`)}&lang=${lang}`);
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        await expectAccessible(page, `step ${index} (${lang})`);
      }
    }
    await page.close();
  });

  it('the refusal page passes axe-core', async () => {
    const page = await chromium.context.newPage();
    const link = await world.lms.addLink({ title: 'Borte', custom: { laeringslop_path: '00000000-0000-4000-8000-000000000000' } });
    const launched = await launch(url, 'learner', link.id);
    await page.goto(`${url}${launched.location!}`);
    expect(await page.locator('[data-unavailable]').count()).toBe(1);
    await expectAccessible(page, 'refusal page');
    await page.goto(`${url}${launched.location!}&lang=en`);
    await expectAccessible(page, 'refusal page (en)');
    await page.close();
  });
});
