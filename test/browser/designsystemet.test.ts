import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewStep } from '../../src/paths/drafts.js';
import { zipFixture } from '../content/support/package-zip.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { attribute, hiddenFields, SECRET } from '../lti/support/lti-http.js';
import { ensurePlayerBuilt } from '../scorm/support/build-player.js';
import { openAttempt, uploadPackage } from '../scorm/support/server.js';
import { axeViolations, hasChromium, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The class names of the hand-written stylesheet that Designsystemet replaced (and of the markup
 * that used them). A page that still uses one of them has not been moved to Designsystemet. The
 * SCORM player's frame (player-css.ts) keeps its own few classes, so they are not listed.
 */
const OLD_CLASSES = [
  'skip-link', 'site-header', 'brand', 'languages', 'facts', 'error-page', 'reference', 'visually-hidden',
  'designer', 'crumbs', 'notice', 'actions', 'add-step', 'button', 'secondary', 'danger', 'field', 'field-invalid', 'choices', 'choice',
  'choice-inline', 'hint', 'muted', 'field-error', 'error-summary', 'note', 'buttons', 'search', 'path-list', 'signups', 'steps',
  'preview-steps', 'step', 'step-main', 'step-title', 'step-meta', 'step-actions', 'step-state', 'table-wrap', 'preview', 'description',
  'group', 'row', 'wide', 'exports', 'answers', 'report-question',
  'learner', 'learner-path', 'learner-step', 'problem', 'path-description', 'path-progress', 'path-completed', 'step-next',
  'step-next-label', 'step-completed', 'step-locked', 'step-recommended', 'rating', 'step-form', 'step-video', 'step-video-frame',
  'transfer-report', 'transfer-refused', 'transfer-form', 'next', 'import-form', 'dev-links', 'deep-link-items', 'item-details',
  'dev-lms', 'dev-lms-warning', 'dev-lms-municipality', 'learner-mine', 'my-paths', 'to-my-paths', 'outcome', 'outcome-passed',
  'outcome-failed', 'outcome-completed', 'outcome-incomplete', 'start-page',
];

/** What shows that a page reached by a roundabout way is the page named. */
const MARKS: Readonly<Record<string, string>> = {
  'learner path back from the SCORM player': '[data-outcome]',
  'my learning paths': '[data-my-paths]',
  'admin start page': 'a[data-action-link="/admin/theme"]',
  'development LMS, unknown municipality': '[data-unknown-municipality]',
  'LTI login: open in a new window': '[data-new-window]',
  'LTI launch lost': 'main [data-launch-lost]',
};

const VIEWPORTS = [{ width: 360, height: 740 }, { width: 1280, height: 900 }] as const;
const SCHEMES = ['light', 'dark'] as const;
const LANGUAGES = ['nb', 'nn'] as const;

/** What a page must be: Designsystemet's, without the old classes, axe-clean, and no wider than the screen. */
async function checkPage(page: Page, name: string, scheme: 'light' | 'dark'): Promise<void> {
  // A page reached by a form's answer can be in the DOM before its stylesheets have loaded.
  await page.waitForLoadState('load');
  const found = await page.evaluate((old) => {
    const used = new Set<string>();
    for (const element of Array.from(document.querySelectorAll('[class]'))) for (const c of Array.from(element.classList)) if (old.includes(c)) used.add(c);
    const skip = document.querySelector('.ds-skip-link');
    const background = getComputedStyle(document.body).backgroundColor;
    return {
      used: [...used],
      // Designsystemet's stylesheet is there: the skip link is its component, hidden until focused.
      skipLink: skip ? getComputedStyle(skip).position : 'none',
      background,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  }, OLD_CLASSES);
  expect(found.used, `${name}: old classes`).toEqual([]);
  expect(found.skipLink, `${name}: Designsystemet's skip link`).toBe('absolute');
  // Dark mode follows the system (data-color-scheme="auto"): a dark page background, or a light one.
  const [r, g, b] = (found.background.match(/\d+/g) ?? []).map(Number) as [number, number, number];
  if (scheme === 'dark') expect(r + g + b, `${name}: dark background ${found.background}`).toBeLessThan(150);
  else expect(r + g + b, `${name}: light background ${found.background}`).toBeGreaterThan(700);
  expect(found.overflow, `${name}: wider than the screen`).toBeLessThanOrEqual(0);
  expect(await axeViolations(page), `${name}: axe`).toEqual([]);
}

/**
 * Pages of a launch in an LMS's frame that a plain GET does not reach: the browser asks for them
 * with a marker, and the answer is the tool's own, fetched as the frame would (Sec-Fetch-Dest:
 * iframe, no cookie) or as a launch whose binding cookie is gone.
 */
const FRAMED = 'as-framed';

async function serveFramedPage(url: string, route: Route): Promise<void> {
  const asked = new URL(route.request().url());
  const lang = asked.searchParams.get('lang') ?? 'nb';
  let response: Response;
  if (asked.searchParams.get(FRAMED) === 'login') {
    asked.searchParams.delete(FRAMED);
    response = await fetch(asked, { headers: { 'sec-fetch-dest': 'iframe' } });
  } else {
    // A fresh login each time: the platform's storage is offered, and the launch brings no cookie.
    const course = await (await fetch(`${url}/dev/lms/launch?role=learner`)).text();
    const login = await (await fetch(attribute(course, /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/))).text();
    const authorization = await (await fetch(attribute(login, /data-next="([^"]+)"/))).text();
    const action = attribute(authorization, /<form method="post" action="([^"]+)"/);
    response = await fetch(`${action}?lang=${lang}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hiddenFields(authorization), storage_checked: '1' }),
    });
  }
  await route.fulfill({ status: response.status, contentType: 'text/html; charset=utf-8', body: await response.text() });
}

describe.skipIf(!hasChromium)(`every page on Designsystemet (${BACKEND})`, { timeout: 900_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  /** Pages reached by a plain GET, by name. */
  const pages: [string, string][] = [];
  let designerToken: string;
  let adminToken: string;
  let pathId: string;
  const contexts = new Map<string, BrowserContext>();

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
      { type: 'session', title: 'Øvelse med slukkeapparat', required: false, config: { date: '2031-05-02', startTime: '09:00', endTime: '11:00', place: 'Brannstasjonen', capacity: 12 } },
      { type: 'self-assessment', title: 'Hvor trygg er du?', required: true, config: { statements: [{ id: 's1', competence: 'brannvern', text: 'Jeg vet hvor nærmeste slukkeutstyr er.' }], recommendations: [] } },
      { type: 'evaluation', title: 'Evaluering', required: true, config: { questions: [
        { id: 'nytte', kind: 'scale', text: 'Hvor nyttig var dette?', min: 1, max: 4 },
        { id: 'kommentar', kind: 'text', text: 'Kommentar', maxLength: 500 },
      ] } },
    ];
    const published = await publishPath(testDb.database, kari.tenantId, steps, { title: 'Brannvern for alle ansatte', settings: { dueAfterDays: 14 }, resolve: (ids, index) => (index === 4 ? { requires: [ids[1]!] } : {}) });
    pathId = published.pathId;
    const linkId = (await world.lms.addLink({ title: 'Brannvern', custom: { laeringslop_path: pathId } })).id;
    const learner = await launch(url, 'learner', linkId);
    const enrolment = new URL(learner.location!, url).pathname;
    const keep = `session=${learner.sessionToken}`;
    designerToken = (await launch(url, 'designer')).sessionToken!;
    adminToken = (await launch(url, 'admin')).sessionToken!;
    const managerToken = (await launch(url, 'manager')).sessionToken!;
    const region = await testDb.database.db.selectFrom('tenants').select('id').where('kind', '=', 'region').executeTakeFirstOrThrow();
    const regionAdmin = await testDb.database.db.insertInto('people').values({ tenant_id: region.id, name: 'Rita Region', given_name: null, family_name: null, email: null, locale: null }).returning('id').executeTakeFirstOrThrow();
    const regionToken = await new SessionTokens(SECRET).issue({ personId: regionAdmin.id, tenantId: region.id, role: 'admin', contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
    // The tool's login as the development LMS's frame opens it, without the platform's storage.
    const frameLoginUrl = attribute(await (await fetch(`${url}/dev/lms/launch?role=learner`)).text(), /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/);
    const noStorage = new URL(frameLoginUrl);
    noStorage.searchParams.delete('lti_storage_target');
    noStorage.searchParams.delete('lang');
    const d = (path: string, query = '') => `${path}?session=${designerToken}${query}`;
    const base = `/design/paths/${pathId}`;
    const [scorm, web, session, selfAssessment, evaluation] = published.stepIds as [string, string, string, string, string];
    const player = await openAttempt(url, { tenantId: kari.tenantId, personId: kari.personId, packageId });
    pages.push(
      ['start page', '/'],
      ['not found', '/no-such-page'],
      ['problem type', '/problems/not-found'],
      ['refusal without session', '/design'],
      ['development LMS', '/dev/lms'],
      ['content import', '/dev/content'],
      ['learner path', `${enrolment}?${keep}`],
      ['learner path back from the SCORM player', `${enrolment}?${keep}&returned=${published.stepIds[0]}`],
      ['my learning paths', `/learn?${keep}`],
      ['manager start page', `/manage?session=${managerToken}`],
      ['admin start page', `/admin?session=${adminToken}`],
      ['managers and grants', `/admin/managers?session=${adminToken}&q=a&unitq=a`],
      ['region start page', `/admin?session=${regionToken}`],
      ['region figures', `/region?session=${regionToken}`],
      ['development LMS, unknown municipality', '/dev/lms?kommune=9999'],
      ['development LMS, launch refused', '/dev/lms/launch?kommune=9999'],
      // A framed login whose frame keeps no cookie, and a launch that lost its browser binding (framed.ts).
      ['LTI login: open in a new window', `${noStorage.pathname}${noStorage.search}&cookie_check=refused&${FRAMED}=login`],
      ['LTI launch lost', `/lti/launch?${FRAMED}=lost`],
      ...published.stepIds.map((id, i) => [`learner step ${i + 1}`, `${enrolment}/steps/${id}?${keep}`] as [string, string]),
      ['learner unavailable', `/learn/unavailable?${keep}&reason=path-not-found`],
      ['SCORM player', new URL(player.playerUrl, url).pathname + new URL(player.playerUrl, url).search],
      ['designer list', d('/design')],
      ['designer list sorted', d('/design', '&sort=title-asc')],
      ['new path', d('/design/paths/new')],
      ['path', d(base)],
      ['settings', d(`${base}/settings`)],
      ['preview', d(`${base}/preview`)],
      ['publish', d(`${base}/publish`)],
      ['versions', d(`${base}/versions`)],
      ['exports', d(`${base}/exports`)],
      ['duplicate', d(`${base}/duplicate`)],
      ...(['scorm', 'web', 'session', 'self-assessment', 'evaluation'] as const).map((type) => [`new ${type} step`, d(`${base}/steps/new`, `&type=${type}`)] as [string, string]),
      ['edit step', d(`${base}/steps/${web}`)],
      ['edit self-assessment', d(`${base}/steps/${selfAssessment}`)],
      ['remove step', d(`${base}/steps/${scorm}/remove`)],
      ['sign-ups', d(`${base}/steps/${session}/signups`)],
      ['evaluation report', d(`${base}/steps/${evaluation}/report`)],
      ['path import', d('/design/import')],
      ['package upload', d('/design/packages/upload', `&path=${pathId}`)],
      ['theme', `/admin/theme?session=${adminToken}`],
      ['launch links', `/admin/links?session=${adminToken}`],
      ['e-mail domains', `/admin/email-domains?session=${adminToken}`],
      ['privacy', `/admin/privacy?session=${adminToken}&q=a`],
      ['person privacy page', `/admin/privacy/people/${kari.personId}?session=${adminToken}`],
      ['audit log', `/admin/audit?session=${adminToken}`],
    );
  }, 300_000);
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });
  const chromium = suiteBrowser();
  beforeAll(async () => {
    for (const viewport of VIEWPORTS) {
      for (const scheme of SCHEMES) {
        const context = await chromium.browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport, colorScheme: scheme });
        await context.route((u) => u.searchParams.has(FRAMED), (route) => serveFramedPage(url, route));
        contexts.set(`${viewport.width}-${scheme}`, context);
      }
    }
  });
  afterAll(async () => {
    for (const context of contexts.values()) await context.close();
  });

  for (const viewport of VIEWPORTS) {
    for (const scheme of SCHEMES) {
      it(`every page at ${viewport.width} px in ${scheme} mode, in bokmål and nynorsk`, async () => {
        const page = await contexts.get(`${viewport.width}-${scheme}`)!.newPage();
        for (const [name, path] of pages) {
          for (const lang of LANGUAGES) {
            await page.goto(`${url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
            expect(await page.locator('html').getAttribute('lang'), `${name} in ${lang}`).toBe(lang);
            if (MARKS[name]) expect(await page.locator(MARKS[name]).count(), `${name} in ${lang}`).toBe(1);
            await checkPage(page, `${name} (${lang}, ${viewport.width} px, ${scheme})`, scheme);
          }
        }
        await page.close();
      });

      it(`a refused form at ${viewport.width} px in ${scheme} mode: the error summary on top links to the field`, async () => {
        const page = await contexts.get(`${viewport.width}-${scheme}`)!.newPage();
        for (const lang of LANGUAGES) {
          await page.goto(`${url}/design/paths/new?session=${designerToken}&lang=${lang}`);
          await page.locator('main form button[type="submit"]').click();
          await page.locator('[data-error-summary]').waitFor();
          expect(await page.locator('#title').getAttribute('aria-invalid')).toBe('true');
          await checkPage(page, `refused new path (${lang})`, scheme);
          await page.locator('[data-error-summary] a[href="#title"]').click();
          expect(await page.evaluate(() => document.activeElement?.id)).toBe('title');

          await page.goto(`${url}/admin/theme?session=${adminToken}&lang=${lang}`);
          await page.locator('#accent').fill('#ffcc00');
          await page.locator('button[value="accent"]').click();
          await page.locator('[data-error-summary]').waitFor();
          expect(await page.locator('#accent-error').textContent()).toContain('4,5:1');
          await checkPage(page, `refused colour (${lang})`, scheme);
        }
        await page.close();
      });
    }
  }

  it('a municipality\'s accent colour reaches its pages, in light and dark, still axe-clean', async () => {
    const page = await contexts.get('1280-light')!.newPage();
    await page.goto(`${url}/admin/theme?session=${adminToken}`);
    await page.locator('#accent').fill('#1b6e37');
    await page.locator('button[value="accent"]').click();
    await page.locator('[data-theme-notice]').waitFor();
    await page.goto(`${url}/design?session=${designerToken}`);
    const primary = await page.locator('main .ds-button[data-variant="primary"]').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(primary).toBe('rgb(27, 110, 55)');
    await checkPage(page, 'designer list with the accent', 'light');
    const dark = await contexts.get('360-dark')!.newPage();
    await dark.goto(`${url}/design/paths/${pathId}?session=${designerToken}`);
    await checkPage(dark, 'path with the accent, dark', 'dark');
    await dark.close();
    await page.close();
  });
});
