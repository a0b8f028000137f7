import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { getDraft } from '../../src/paths/drafts.js';
import { enrol } from '../../src/paths/enrolments.js';
import { signUpForSession } from '../../src/paths/sessions.js';
import { createPerson } from '../../src/people/people.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { capturingLogger, testConfig } from '../support/app.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, SECRET, startStandaloneDevLms } from '../lti/support/lti-http.js';
import { devTenant, importFixturePackage } from './support/designer-http.js';
import { evaluationPool } from '../paths/fixtures.js';


/** Every designer page must pass axe-core and fit a 360 px phone without sideways scrolling. */
async function checkPage(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('load');
  const violations = await axeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${name} is wider than the screen`).toBeLessThanOrEqual(360);
}

// Browser tests on a shared two-core machine: generous time, waiting for states, never sleeping.
describe.skipIf(!hasChromium)(`designer in Chromium, launched through the development LMS (${BACKEND})`, { timeout: 480_000 }, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  let lms: Awaited<ReturnType<typeof startStandaloneDevLms>>;
  let browser: Browser;
  let toolUrl: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const toolPort = await freePort();
    toolUrl = `http://127.0.0.1:${toolPort}`;
    tool = await startServer({ config: testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET }), logger: capturingLogger('info').logger, database: testDb.database });
    lms = await startStandaloneDevLms(testDb.database, toolUrl, await freePort(), 'localhost');
    await registerDevLms(testDb.database.db, lms.lms);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await lms?.close();
    await tool?.close();
    await testDb?.dispose();
  });

  it('creates, fills, reorders, previews and publishes a path, then places it in the course with Deep Linking', async () => {
    const tenantId = await devTenant(db());
    const scormPackage = await importFixturePackage(db(), tenantId);
    const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);

    // Launch as a designer from the course in a window of its own.
    await page.goto(lms.lms.startLaunch('designer'));
    await page.locator('h1[data-role="designer"]').waitFor();
    const token = new URL(page.url()).searchParams.get('session')!;
    const visit = async (pathname: string, name: string, ready: string) => {
      await page.goto(`${toolUrl}${pathname}?session=${token}`);
      await page.locator(ready).first().waitFor();
      await checkPage(page, name);
    };
    await checkPage(page, 'list');

    await page.click('text=Lag nytt læringsløp');
    await page.locator('form[action="/design/paths"]').waitFor();
    await checkPage(page, 'create');
    await page.fill('#description', 'Personvern og taushetsplikt i hverdagen.');
    await page.click('button[type="submit"]');
    await page.locator('[data-error-summary]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true);
    expect(await page.inputValue('#description')).toBe('Personvern og taushetsplikt i hverdagen.');
    await checkPage(page, 'create with errors');
    await page.fill('#title', 'Taushetsplikt for nyansatte');
    await page.click('button[type="submit"]');
    await page.locator('h1', { hasText: 'Taushetsplikt for nyansatte' }).waitFor();
    await checkPage(page, 'path without steps');
    const pathId = /\/design\/paths\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    // A web step, a self-assessment, an evaluation, a session and a SCORM step.
    await page.click('[data-add-step="web"]');
    await page.locator('form[data-step-form="web"]').waitFor();
    await checkPage(page, 'web step form');
    await page.fill('#title', 'Les veilederen');
    await page.fill('#url', 'ikke en adresse');
    await page.click('button[value="save"]');
    await page.locator('#url-error').waitFor();
    await checkPage(page, 'web step form with errors');
    await page.fill('#url', 'https://www.ks.no/');
    await page.fill('#estimatedMinutes', '15');
    await page.click('button[value="save"]');
    await page.locator('[data-step-id]').first().waitFor();

    await page.click('[data-add-step="self-assessment"]');
    await page.locator('form[data-step-form="self-assessment"]').waitFor();
    await checkPage(page, 'self-assessment form');
    await page.fill('#title', 'Hva kan du fra før?');
    await page.fill('#statements-0-text', 'Jeg vet hva taushetsplikten omfatter.');
    await page.fill('#statements-0-competence', 'taushetsplikt');
    await page.click('button[value="more-rows"]');
    await page.locator('#statements-4-text').waitFor();
    expect(await page.inputValue('#statements-0-text')).toBe('Jeg vet hva taushetsplikten omfatter.');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(2);

    await page.click('[data-add-step="evaluation"]');
    await page.locator('form[data-step-form="evaluation"]').waitFor();
    await checkPage(page, 'evaluation form');
    await page.fill('#title', 'Hva synes du?');
    await page.fill('#questions-0-text', 'Hvor nyttig var kurset?');
    await page.fill('#questions-1-text', 'Hva kan bli bedre?');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(3);

    await page.click('[data-add-step="session"]');
    await page.locator('form[data-step-form="session"]').waitFor();
    await checkPage(page, 'session form');
    await page.fill('#title', 'Samling');
    await page.fill('#date', '2027-02-01');
    await page.fill('#place', 'Rådhuset, møterom 2');
    await page.click('#required-1');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(4);

    await page.click('[data-add-step="scorm"]');
    await page.locator('form[data-step-form="scorm"]').waitFor();
    await checkPage(page, 'scorm form');
    expect(await page.locator('[data-upload-link]').getAttribute('href')).toContain('/design/packages/upload?session=');
    await page.fill('#title', 'E-læringsmodul');
    await page.selectOption('#packageId', scormPackage.id);
    await page.click('#completionRule-1');
    await page.click('button[value="save"]');
    await expect.poll(() => page.locator('[data-step-id]').count()).toBe(5);
    await checkPage(page, 'path with steps');

    const order = async () => (await getDraft(db(), tenantId, pathId)).steps.map((s) => s.title);
    const domOrder = () => page.locator('[data-step-title]').allTextContents();
    expect(await order()).toEqual(['Les veilederen', 'Hva kan du fra før?', 'Hva synes du?', 'Samling', 'E-læringsmodul']);

    // Keyboard: the "Move down" button of the first step, pressed twice; focus stays on it.
    const first = page.locator('[data-step-id]').first();
    const firstId = (await first.getAttribute('data-step-id'))!;
    await page.locator(`#step-${firstId} [data-move-button="down"]`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['Hva kan du fra før?', 'Les veilederen', 'Hva synes du?', 'Samling', 'E-læringsmodul']);
    await expect.poll(() => page.locator('#notice').textContent()).toBe('«Les veilederen» er flyttet til plass 2 av 5.');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-move-button'))).toBe('down');
    await page.keyboard.press('Enter');
    await expect.poll(order).toEqual(['Hva kan du fra før?', 'Hva synes du?', 'Les veilederen', 'Samling', 'E-læringsmodul']);
    await expect.poll(domOrder).toEqual(await order());
    await expect.poll(() => page.locator('#notice').textContent()).toBe('«Les veilederen» er flyttet til plass 3 av 5.');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-step-id]')?.getAttribute('data-step-id'))).toBe(firstId);

    // Mouse: drag the SCORM module onto the top half of the first step.
    const scormId = (await page.locator('[data-step-id]').last().getAttribute('data-step-id'))!;
    const topId = (await page.locator('[data-step-id]').first().getAttribute('data-step-id'))!;
    // (dragging is a desktop mouse gesture: the list fits a desktop screen, so no scrolling mid-drag)
    await page.setViewportSize({ width: 1280, height: 1200 });
    await page.dragAndDrop(`#step-${scormId} [data-step-title]`, `#step-${topId}`, { targetPosition: { x: 20, y: 5 } });
    await expect.poll(order).toEqual(['E-læringsmodul', 'Hva kan du fra før?', 'Hva synes du?', 'Les veilederen', 'Samling']);
    await expect.poll(() => page.locator('#notice').textContent()).toBe('«E-læringsmodul» er flyttet til plass 1 av 5.');
    await expect.poll(domOrder).toEqual(await order());
    await page.setViewportSize({ width: 360, height: 800 });

    // The self-assessment can now recommend later steps.
    const selfAssessment = (await getDraft(db(), tenantId, pathId)).steps[1]!;
    await visit(`/design/paths/${pathId}/steps/${selfAssessment.id}`, 'self-assessment edit form', 'form[data-step-form="self-assessment"]');
    await page.fill('#recommendations-0-competence', 'taushetsplikt');
    await page.selectOption('#recommendations-0-belowLevel', '3');
    await page.check('#recommendations-0-stepIds-1');
    await page.click('button[value="save"]');
    await page.locator('[data-step-id]').first().waitFor();
    expect((await getDraft(db(), tenantId, pathId)).steps[1]).toMatchObject({ config: { recommendations: [{ competence: 'taushetsplikt', belowLevel: 3 }] } });

    await page.click('[data-action="settings"]');
    await page.locator('#completionKind').waitFor();
    await checkPage(page, 'settings');
    await page.click('#completionKind-1');
    await page.fill('#completionCount', '9');
    await page.click('button[value="save"]');
    await page.locator('#completionCount-error').waitFor();
    await checkPage(page, 'settings with errors');
    await page.fill('#completionCount', '4');
    await page.click('button[value="save"]');
    await page.locator('[data-step-id]').first().waitFor();

    await page.click('[data-action="preview"]');
    await page.locator('[data-preview-step]').first().waitFor();
    expect(await page.locator('[data-preview-step] [data-step-title]').allTextContents()).toEqual(await order());
    await checkPage(page, 'preview');
    await page.goBack();

    await page.click('[data-action="publish"]');
    await page.locator('[data-confirm-publish]').waitFor();
    await checkPage(page, 'publish confirmation');
    await page.click('[data-confirm-publish]');
    await page.locator('[data-version="1"]').waitFor();
    await checkPage(page, 'versions');

    // Learners: one signs up for the session, five answer the evaluation (the report's threshold).
    const steps = (await getDraft(db(), tenantId, pathId)).steps;
    const sessionStep = steps.find((s) => s.type === 'session')!;
    const evaluationStep = steps.find((s) => s.type === 'evaluation')!;
    const [scale, text] = evaluationStep.type === 'evaluation' ? evaluationStep.config.questions : [];
    const evaluations = evaluationPool(db(), SECRET);
    for (let i = 0; i < 5; i += 1) {
      const personId = (await createPerson(db(), tenantId, { name: `Ansatt ${i}` })).id;
      const { enrolmentId } = await enrol(db(), tenantId, { personId, pathId });
      if (i === 0) await signUpForSession(db(), tenantId, enrolmentId, sessionStep.id);
      await evaluations.answer(tenantId, { enrolmentId, stepId: evaluationStep.id, idempotencyKey: `answer-${i}`, answers: { [scale!.id]: 3 + (i % 2), [text!.id]: `Forslag ${i}` } });
    }
    await evaluations.releaseDue();
    await visit(`/design/paths/${pathId}/steps/${sessionStep.id}/signups`, 'sign-ups', '[data-enrolment]');
    await page.check('[data-enrolment] input[value="yes"]');
    await page.click('[data-enrolment] button[type="submit"]');
    await expect.poll(() => page.locator('[data-attendance]').textContent()).toBe('Møtt');
    await checkPage(page, 'sign-ups after registering');
    await visit(`/design/paths/${pathId}/steps/${evaluationStep.id}/report`, 'evaluation report', '[data-report="ready"]');
    expect(await page.locator('[data-mean]').textContent()).toBe('3,4');
    await visit(`/design/paths/${pathId}/duplicate`, 'duplicate', '#title');
    await visit(`/design/paths/${pathId}/steps/${steps[0]!.id}/remove`, 'remove confirmation', 'h1');
    await visit('/design', 'list with a path', `[data-path-id="${pathId}"]`);
    await context.close();

    // Deep Linking inside the LMS's iframe: the published path is offered and its id reaches the LMS.
    const lmsContext = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
    const lmsPage = await lmsContext.newPage();
    await lmsPage.goto(`${lms.url}/dev/lms`);
    await lmsPage.click('[data-launch="deeplink"]');
    const frame = lmsPage.frameLocator('#tool-frame');
    await frame.locator(`button[data-item="${pathId}"]`).waitFor({ timeout: 60_000 });
    await frame.locator(`button[data-item="${pathId}"]`).click();
    await frame.locator('[data-content-item]').waitFor({ timeout: 60_000 });
    const placed = await frame.locator('[data-content-item]').textContent();
    expect(placed).toContain('Taushetsplikt for nyansatte');
    expect(placed).toContain(`"laeringslop_path":"${pathId}"`);
    const lineItems = await db().selectFrom('dev_lms_line_items').select(['resource_id', 'label']).where('resource_id', '=', pathId).execute();
    expect(lineItems).toEqual([{ resource_id: pathId, label: 'Taushetsplikt for nyansatte' }]);
    await lmsContext.close();
  });

  it('runs inside the LMS iframe: a designer launch shows the designer start page in the frame', async () => {
    const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
    const page = await context.newPage();
    await page.goto(`${lms.url}/dev/lms`);
    await page.click('[data-launch="designer"]');
    const frame = page.frameLocator('#tool-frame');
    await frame.locator('h1[data-role="designer"]').waitFor({ timeout: 60_000 });
    const toolFrame = page.frames().find((f) => f.url().startsWith(`${toolUrl}/design`))!;
    expect(await axeViolations(toolFrame)).toEqual([]);
    await frame.locator('text=Lag nytt læringsløp').click();
    await frame.locator('form[action="/design/paths"]').waitFor({ timeout: 60_000 });
    await context.close();
  });
});
