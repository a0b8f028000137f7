/**
 * The designer's forms and path page as a new user met them, in Chromium in bokmål and nynorsk:
 * Enter in a field saves (never "Flere rader"), the path page says whether the draft has changes the
 * published version lacks, and a step type has one name, the same for designers and learners.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDraft } from '../../src/paths/drafts.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { startToolWithDevLms } from '../lti/support/lti-http.js';
import { devTenant, publishedPath } from './support/designer-http.js';

async function checkPage(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('load');
  const violations = await axeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} is wider than the screen`).toBeLessThanOrEqual(360);
}

const TEXTS = {
  nb: {
    selfAssessment: 'Egenvurdering', web: 'Nettressurs', evaluation: 'Evaluering',
    unchanged: (n: number) => `Utkastet er likt versjon ${n}; ingen endringer venter på publisering.`,
    changed: 'Utkastet har endringer som ikke er publisert.',
    listChanged: 'Publisert versjon 1; utkastet har endringer som ikke er publisert',
  },
  nn: {
    selfAssessment: 'Eigenvurdering', web: 'Nettressurs', evaluation: 'Evaluering',
    unchanged: (n: number) => `Utkastet er likt versjon ${n}; ingen endringar ventar på publisering.`,
    changed: 'Utkastet har endringar som ikkje er publiserte.',
    listChanged: 'Publisert versjon 1; utkastet har endringar som ikkje er publiserte',
  },
} as const;

describe.skipIf(!hasChromium)(`designer forms and path status in Chromium (${BACKEND})`, { timeout: 480_000 }, () => {
  let testDb: TestDatabase;
  let started: Awaited<ReturnType<typeof startToolWithDevLms>>;
  let browser: Browser;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    started = await startToolWithDevLms(testDb.database);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await started?.server.close();
    await testDb?.dispose();
  });

  /** Launches from the development LMS's course page (in its frame) and returns the frame's URL. */
  async function launchedUrl(page: Page, query: string, ready: string, match: RegExp): Promise<string> {
    await page.goto(`${started.url}/dev/lms/launch?${query}`);
    await page.frameLocator('#tool-frame').locator(ready).first().waitFor();
    return page.frames().find((f: Frame) => match.test(f.url()))!.url();
  }

  for (const lang of ['nb', 'nn'] as const) {
    it(`Enter saves every form, the draft's state shows, step types have one name (${lang})`, async () => {
      const texts = TEXTS[lang];
      const tenantId = await devTenant(db());
      const path = await publishedPath(db(), tenantId, `Taushetsplikt (${lang})`);
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 800 } });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        const start = new URL(await launchedUrl(page, `role=designer&lang=${lang}`, 'h1[data-role="designer"]', /\/design/));
        const token = start.searchParams.get('session')!;
        const pathUrl = `${started.url}/design/paths/${path.id}?session=${token}&lang=${lang}`;

        // Published and untouched: the draft is the published version.
        await page.goto(pathUrl);
        expect(await page.locator('[data-draft-state]').getAttribute('data-draft-state')).toBe('unchanged');
        expect(await page.locator('[data-draft-state]').textContent()).toBe(texts.unchanged(1));
        expect(await page.locator('[data-add-step="self-assessment"]').textContent()).toBe(texts.selfAssessment);
        expect(await page.locator('[data-step-meta]').first().textContent()).toContain(texts.web);
        await checkPage(page, `published path page (${lang})`);

        // A self-assessment: Enter in the title adds the step, it does not ask for more rows.
        await page.locator('[data-add-step="self-assessment"]').click();
        await page.locator('form[data-step-form="self-assessment"]').waitFor();
        expect(await page.locator('h1').textContent()).toContain(texts.selfAssessment);
        await page.fill('#statements-0-text', 'Jeg kjenner reglene.');
        await page.fill('#statements-0-competence', 'taushetsplikt');
        await page.fill('#title', 'Hva kan du?');
        await page.press('#title', 'Enter');
        await page.waitForURL(/notice=step\.added/);
        expect(await page.locator('[data-step-id]').count()).toBe(2);
        expect(await page.locator('[data-step-meta]').nth(1).textContent()).toContain(texts.selfAssessment);

        // The draft now differs from version 1, on the path page and in the list.
        expect(await page.locator('[data-draft-state]').getAttribute('data-draft-state')).toBe('changed');
        expect(await page.locator('[data-draft-state] strong').textContent()).toBe(texts.changed);
        await checkPage(page, `path page with unpublished changes (${lang})`);
        await page.goto(`${started.url}/design?session=${token}&lang=${lang}`);
        expect(await page.locator(`[data-path-id="${path.id}"] [data-status]`).textContent()).toBe(texts.listChanged);

        // An evaluation: Enter in the title adds it too.
        await page.goto(pathUrl);
        await page.locator('[data-add-step="evaluation"]').click();
        await page.locator('form[data-step-form="evaluation"]').waitFor();
        await page.fill('#questions-0-text', 'Var det nyttig?');
        await page.fill('#title', 'Evaluering');
        await page.press('#title', 'Enter');
        await page.waitForURL(/notice=step\.added/);
        expect(await page.locator('[data-step-id]').count()).toBe(3);

        // Editing the self-assessment: Enter in a statement's competence saves it.
        const selfId = (await getDraft(db(), tenantId, path.id)).steps[1]!.id;
        await page.goto(`${started.url}/design/paths/${path.id}/steps/${selfId}?session=${token}&lang=${lang}`);
        await page.fill('#statements-0-competence', 'personvern');
        await page.press('#statements-0-competence', 'Enter');
        await page.waitForURL(/notice=step\.saved/);
        expect((await getDraft(db(), tenantId, path.id)).steps[1]!.config).toMatchObject({ statements: [{ competence: 'personvern' }] });

        // Settings: Enter in the due days saves, with the competence rows of the form.
        await page.goto(`${started.url}/design/paths/${path.id}/settings?session=${token}&lang=${lang}`);
        await page.fill('#grants-0-competence', 'taushetsplikt');
        await page.fill('#dueAfterDays', '30');
        await page.press('#dueAfterDays', 'Enter');
        await page.waitForURL(/notice=settings\.saved/);
        const draft = await getDraft(db(), tenantId, path.id);
        expect(draft.dueAfterDays).toBe(30);
        expect(draft.grants).toEqual([{ competence: 'taushetsplikt', validMonths: null }]);

        // "Flere rader" still asks for more rows when it is the button pressed.
        await page.goto(`${started.url}/design/paths/${path.id}/settings?session=${token}&lang=${lang}`);
        await page.locator('button[value="more-rows"]').click();
        await page.locator('#grants-4-competence').waitFor();
        await checkPage(page, `settings with more rows (${lang})`);

        // Published again: nothing waits.
        await page.goto(`${started.url}/design/paths/${path.id}/publish?session=${token}&lang=${lang}`);
        await page.locator('[data-confirm-publish]').click();
        await page.goto(pathUrl);
        expect(await page.locator('[data-draft-state]').textContent()).toBe(texts.unchanged(2));

        // The learner sees the same step type names.
        const link = await started.lms.addLink({ title: `Taushetsplikt (${lang})`, custom: { laeringslop_path: path.id } });
        const learnerUrl = await launchedUrl(page, `role=learner&link=${link.id}&lang=${lang}`, '[data-learner="path"] h1', /\/learn\/enrolments\//);
        await page.goto(learnerUrl);
        const metas = await page.locator('[data-step-meta]').allTextContents();
        expect(metas[0]).toContain(texts.web);
        expect(metas[1]).toContain(texts.selfAssessment);
        expect(metas[2]).toContain(texts.evaluation);
        await checkPage(page, `learner path page (${lang})`);
      } finally {
        await context.close();
      }
    });
  }
});
