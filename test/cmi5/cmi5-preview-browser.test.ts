import type { BrowserContext } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { cookiesKept, expectNoAxeViolations, hasChromium, launchBrowserBlockingThirdPartyCookies, launchContextRefusingFramedCookies, suiteBrowser } from '../support/browser.js';
import { freePort, startStandaloneDevLms } from '../lti/support/lti-http.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { uploadPackage } from '../scorm/support/server.js';
import { waitFor } from '../scorm/support/wait.js';
import { cmi5CourseZip, TEST_AU } from './support/course.js';

const SLOW = { timeout: 20_000 };

/** The rows a learner's progress lives in: a preview must change none of them. */
const PROGRESS_TABLES = ['path_enrolments', 'path_step_progress', 'path_outcome_receipts', 'path_completions', 'path_events', 'lti_ags_outbox'] as const;

/**
 * A designer's Browse/Review preview of a cmi5 AU (cmi5 §10.2.2), as the designer sees it: the AU
 * (our own test AU) reads LMS.LaunchData, sends initialized and terminated, and goes to the
 * returnURL; the designer lands on a page they can read, and nothing counts as a learner's progress.
 */
describe.skipIf(!hasChromium)(`a designer previews a cmi5 AU in Chromium and comes back (${BACKEND})`, { timeout: 240_000 }, () => {
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

  const progressRows = async () => {
    const counts: Record<string, number> = {};
    for (const table of PROGRESS_TABLES) counts[table] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db())).rows[0]!.n;
    return counts;
  };

  const previewStatements = async (personId: string) => {
    const registrations = await db().selectFrom('cmi5_registrations').select(['registration', 'enrolment_id']).where('person_id', '=', personId).execute();
    expect(registrations.map((r) => r.enrolment_id)).toEqual([null]);
    return (await db().selectFrom('xapi_statements').select('verb_id').where('registration', '=', registrations[0]!.registration).orderBy('seq').execute()).map((r) => r.verb_id);
  };

  it('Browse in the same window and Review in a window of its own both lead back to the step page with a notice; without the cookie the return page needs no session; nothing counts as progress', async () => {
    const designer = (await launch(url, 'designer')).sessionToken!;
    const me = await sessionInfo(url, designer);
    const uploaded = await uploadPackage(url, me.tenantId, cmi5CourseZip());
    expect(uploaded.status).toBe(201);
    const { id: packageId } = (await uploaded.json()) as { id: string };
    const { pathId, stepIds } = await publishPath(testDb.database, me.tenantId, [{ type: 'cmi5', title: 'Smittevern', required: true, config: { packageId, allowedOrigins: [] } } as NewStep], { title: 'Smittevern i hjemmetjenesten' });
    const stepId = stepIds[0]!;
    const stepPath = `/design/paths/${pathId}/steps/${stepId}`;
    // A learner is enrolled in the path already: their rows must stay as they are too.
    await launch(url, 'learner', (await world.lms.addLink({ title: 'Smittevern', custom: { laeringslop_path: pathId } })).id);
    const before = await progressRows();
    expect(before['path_enrolments']).toBeGreaterThan(0);

    const context = await chromium.browser.newContext({ bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${url}${stepPath}?session=${designer}`);
    await page.locator('[data-cmi5-preview]').waitFor();
    await noViolations(page, 'step settings with the preview');

    // Browse: the introduction (AnyWindow) takes this window.
    const returned = page.waitForRequest((r) => r.url().includes('/preview/return'), SLOW);
    await page.getByRole('button', { name: 'Bla gjennom «Innføring»' }).click();
    await page.locator('body[data-launch-mode="Browse"]').waitFor(SLOW);
    await page.getByRole('button', { name: 'Jeg har lest innføringen' }).click(SLOW);
    const returnUrl = new URL((await returned).url());
    expect(returnUrl.origin + returnUrl.pathname).toBe(`${url}${stepPath}/preview/return`);
    expect(returnUrl.search).toBe('?lang=nb');
    // The designer is back on the step's page, with its session, and told the preview ended.
    await page.waitForURL((u) => u.pathname === stepPath && u.searchParams.get('notice') === 'cmi5.preview.ended', SLOW);
    expect(await page.locator('#notice').textContent()).toBe('Forhåndsvisningen er avsluttet. Ingenting av den er registrert på noen deltaker.');
    expect(await page.locator('h1').textContent()).toBe('Rediger steg: Smittevern');
    await noViolations(page, 'step settings after the preview');
    await waitFor('the preview terminated', async () => (await previewStatements(me.personId)).includes(CMI5.verbs.terminated));
    expect(await previewStatements(me.personId)).toEqual([CMI5.verbs.launched, CMI5.verbs.initialized, CMI5.verbs.terminated]);

    // Review: the test (OwnWindow) opens in a window of its own and leads back there.
    const [popup] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Gjennomgå «Prøve»' }).click()]);
    await popup.locator('body[data-launch-mode="Review"]').waitFor(SLOW);
    await popup.getByRole('button', { name: 'Lever prøven' }).click(SLOW);
    await popup.waitForURL((u) => u.pathname === stepPath && u.searchParams.get('notice') === 'cmi5.preview.ended', SLOW);
    await noViolations(popup, 'step settings in the review window');
    await waitFor('the review terminated', async () => (await previewStatements(me.personId)).filter((v) => v === CMI5.verbs.terminated).length === 2);
    const verbs = await previewStatements(me.personId);
    expect(verbs.filter((v) => v !== CMI5.verbs.launched && v !== CMI5.verbs.initialized && v !== CMI5.verbs.terminated)).toEqual([]);
    expect(await progressRows()).toEqual(before);
    await context.close();

    // Without the cookie (another browser, or one that kept none in the LMS's frame): a page that needs no session.
    const stranger = await chromium.browser.newContext({ bypassCSP: true });
    const plain = await stranger.newPage();
    const texts = {
      nb: ['Forhåndsvisningen er avsluttet', 'Du kan lukke dette vinduet'],
      nn: ['Førehandsvisinga er avslutta', 'Du kan lukke dette vindauget'],
      en: ['The preview has ended', 'You can close this window'],
    } as const;
    for (const [lang, [heading, close]] of Object.entries(texts)) {
      const answer = await plain.goto(`${url}${stepPath}/preview/return?lang=${lang}`);
      expect(answer!.status()).toBe(200);
      expect(new URL(plain.url()).pathname).toBe(`${stepPath}/preview/return`);
      expect(await plain.locator('h1').textContent()).toBe(heading);
      expect(await plain.locator('[data-preview-ended]').textContent()).toContain(close);
      expect(await plain.content()).not.toContain('session=');
      await noViolations(plain, `preview ended without a session (${lang})`);
    }
    await stranger.close();
  });

  it('takes only a designer\'s session from the cookie, and only to the step page that checks the path is theirs', async () => {
    const designer = (await launch(url, 'designer')).sessionToken!;
    const learner = (await launch(url, 'learner')).sessionToken!;
    const me = await sessionInfo(url, designer);
    const uploaded = await uploadPackage(url, me.tenantId, cmi5CourseZip('andre.zip'));
    const { id: packageId } = (await uploaded.json()) as { id: string };
    const { pathId, stepIds } = await publishPath(testDb.database, me.tenantId, [{ type: 'cmi5', title: 'Prøven', required: true, config: { packageId, nodeId: TEST_AU, allowedOrigins: [] } } as NewStep]);
    const stepPath = `/design/paths/${pathId}/steps/${stepIds[0]}`;
    const previewed = await fetch(`${url}${stepPath}/preview`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ session: designer, au: TEST_AU, mode: 'Browse', lang: 'en' }),
    });
    expect(previewed.status).toBe(303);
    const cookie = previewed.headers.get('set-cookie')!;
    expect(cookie).toContain(`Path=${stepPath}/preview/return`);
    expect(cookie).toMatch(/HttpOnly/);
    // The AU's URL carries no session of the designer's.
    expect(previewed.headers.get('location')).not.toContain(designer);
    const name = cookie.split('=')[0]!;
    const back = (value: string, lang = 'en') => fetch(`${url}${stepPath}/preview/return?lang=${lang}`, { redirect: 'manual', headers: { cookie: `${name}=${encodeURIComponent(value)}` } });

    const home = await back(designer);
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe(`${stepPath}?session=${encodeURIComponent(designer)}&lang=en&notice=cmi5.preview.ended`);
    // A learner's session in the cookie, or a forged one, gets no designer page: the plain page.
    for (const value of [learner, 'not-a-session']) {
      const answer = await back(value);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('The preview has ended');
    }
    // The cookie is named for its step: another step's return takes nothing from it.
    const elsewhere = await fetch(`${url}/design/paths/${pathId}/steps/${crypto.randomUUID()}/preview/return`, { redirect: 'manual', headers: { cookie: `${name}=${designer}` } });
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).not.toContain(designer);
  });

  it('inside the LMS\'s frame on another site: back to the step page where the browser keeps partitioned cookies, else the page that needs no session', async () => {
    const lms = await startStandaloneDevLms(testDb.database, url, await freePort(), 'localhost');
    await registerDevLms(db(), lms.lms);
    const partitioning = await launchBrowserBlockingThirdPartyCookies();
    const refusing = await launchContextRefusingFramedCookies(url, lms.url, { locale: 'nb-NO' });
    try {
      const kinds: [string, BrowserContext, 'step' | 'ended'][] = [
        ['third-party cookies blocked, partitioned kept', await partitioning.newContext({ bypassCSP: true, locale: 'nb-NO' }), 'step'],
        ['every cookie of the tool refused in the frame', refusing.context, 'ended'],
      ];
      for (const [kind, context, lands] of kinds) {
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        await page.goto(`${lms.url}/dev/lms`);
        await page.click('[data-launch="designer"]');
        const frame = page.frameLocator('#tool-frame');
        await frame.locator('h1[data-role="designer"]').waitFor();
        const toolFrame = () => page.frames().find((f) => f.url().startsWith(url))!;
        const token = new URL(toolFrame().url()).searchParams.get('session')!;
        const me = await sessionInfo(url, token);
        const uploaded = await uploadPackage(url, me.tenantId, cmi5CourseZip(`ramme-${lands}.zip`));
        const { id: packageId } = (await uploaded.json()) as { id: string };
        const { pathId, stepIds } = await publishPath(testDb.database, me.tenantId, [{ type: 'cmi5', title: 'I rammen', required: true, config: { packageId, allowedOrigins: [] } } as NewStep]);
        const stepPath = `/design/paths/${pathId}/steps/${stepIds[0]}`;
        await toolFrame().goto(`${url}${stepPath}?session=${token}`);
        await frame.locator('[data-cmi5-preview]').waitFor();
        expect(await cookiesKept(toolFrame()), kind).toEqual({ partitioned: lands === 'step', unpartitioned: false });

        await frame.getByRole('button', { name: 'Bla gjennom «Innføring»' }).click();
        await frame.locator('body[data-launch-mode="Browse"]').waitFor(SLOW);
        await frame.getByRole('button', { name: 'Jeg har lest innføringen' }).click(SLOW);
        if (lands === 'step') {
          await expect.poll(() => toolFrame()?.url() ?? '', SLOW).toContain(`${stepPath}?session=`);
          expect(await frame.locator('#notice').textContent()).toBe('Forhåndsvisningen er avsluttet. Ingenting av den er registrert på noen deltaker.');
        } else {
          await expect.poll(() => toolFrame()?.url() ?? '', SLOW).toContain(`${stepPath}/preview/return`);
          await frame.locator('[data-preview-ended]').waitFor();
          expect(await frame.locator('h1').textContent()).toBe('Forhåndsvisningen er avsluttet');
        }
        await noViolations(toolFrame(), `${kind}: where the preview led back to`);
        await page.close();
      }
      // The page without a session may show in whatever frame the AU ran in: nothing on it to click into.
      const plain = await fetch(`${url}/design/paths/${crypto.randomUUID()}/steps/${crypto.randomUUID()}/preview/return`);
      expect(plain.headers.get('content-security-policy')).toMatch(/frame-ancestors \*(;|$)/);
    } finally {
      await refusing.close();
      await partitioning.close();
      await lms.close();
    }
  });
});
