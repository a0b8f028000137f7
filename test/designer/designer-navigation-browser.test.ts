import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Frame, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { createLogger } from '../../src/logger.js';
import { addStep, publish } from '../../src/paths/drafts.js';
import { createPath } from '../../src/paths/paths.js';
import { createPerson } from '../../src/people/people.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { zipFixture } from '../content/support/package-zip.js';
import { freePort, SECRET, startStandaloneDevLms } from '../lti/support/lti-http.js';
import { testConfig } from '../support/app.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { importFixturePackage } from './support/designer-http.js';

const LONG = { timeout: 60_000 };
type Lms = Awaited<ReturnType<typeof startStandaloneDevLms>>;

/** The texts the pages must show, per language (written out, so a wrong language fails). */
const TEXTS = {
  nb: { all: 'Alle læringsløp', ours: '(oss)', open: 'Åpne læringsløpet «', imported: 'Importert: ', back: 'Tilbake til «', uploaded: 'lastet opp', download: 'Last ned versjon', draft: 'Last ned utkastet', newest: 'den nyeste', owner: 'Eier: ' },
  nn: { all: 'Alle læringsløp', ours: '(oss)', open: 'Opne læringsløpet «', imported: 'Importert: ', back: 'Tilbake til «', uploaded: 'lasta opp', download: 'Last ned versjon', draft: 'Last ned utkastet', newest: 'den nyaste', owner: 'Eigar: ' },
} as const;
type Lang = keyof typeof TEXTS;

async function clean(frame: Frame | Page, name: string): Promise<void> {
  await frame.waitForLoadState('load');
  const violations = await axeViolations(frame);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** axe-core needs script: check the page as it was served without script, in a page that has it. */
async function cleanWithoutScript(page: Page, name: string): Promise<void> {
  const served = await page.content();
  const checker = await page.context().browser()!.newContext();
  const copy = await checker.newPage();
  const url = new URL('/design/no-script-copy', page.url()).href;
  await copy.route(url, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: served }));
  await copy.goto(url);
  await clean(copy, name);
  await checker.close();
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

// Browser tests on a shared two-core machine: generous time, waiting for states, never sleeping.
describe.skipIf(!hasChromium)(`designer pages lead somewhere and tell same-named things apart, in the LMS iframe (${BACKEND})`, { timeout: 480_000 }, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  const lmses: Partial<Record<Lang, Lms>> = {};
  let browser: Browser;
  let toolUrl: string;
  let dataDir: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'designer-navigation-'));
    const toolPort = await freePort();
    toolUrl = `http://127.0.0.1:${toolPort}`;
    tool = await startServer({ config: testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET, DATA_DIR: dataDir }), logger: createLogger('silent'), database: testDb.database });
    // One LMS per language (its launches carry that locale), on another site, as a real LMS frames the tool.
    for (const lang of ['nb', 'nn'] as const) {
      const lms = await startStandaloneDevLms(testDb.database, toolUrl, await freePort(), 'localhost', { locale: lang });
      await registerDevLms(testDb.database.db, lms.lms);
      lmses[lang] = lms;
    }
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    for (const lms of Object.values(lmses)) await lms.close();
    await tool?.close();
    await testDb?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Two paths named `title` (ours in two versions, and a neighbour's shared in the region), and two same-named packages. */
  async function sameNamedThings(title: string) {
    const kongsberg = (await findMunicipality(db(), '3303'))!;
    const flesberg = (await findMunicipality(db(), '3334'))!;
    const author = (await createPerson(db(), kongsberg.id, { name: 'Forfatter' })).id;
    const ours = await createPath(db(), kongsberg.id, { title, language: 'nb', createdBy: author });
    await addStep(db(), kongsberg.id, ours.id, { type: 'web', title: 'Les veilederen', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
    await publish(db(), kongsberg.id, ours.id, author);
    await publish(db(), kongsberg.id, ours.id, author);
    const neighbour = (await createPerson(db(), flesberg.id, { name: 'Nabo' })).id;
    const theirs = await createPath(db(), flesberg.id, { title, language: 'nb', createdBy: neighbour, sharing: 'region' });
    await addStep(db(), flesberg.id, theirs.id, { type: 'web', title: 'Les', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
    await publish(db(), flesberg.id, theirs.id, neighbour);
    await importFixturePackage(db(), kongsberg.id);
    await importFixturePackage(db(), kongsberg.id);
    return { kongsberg, flesberg, ours, theirs };
  }

  async function launchInFrame(lang: Lang, kind: 'designer' | 'deeplink'): Promise<{ page: Page; frame: FrameLocator; toolFrame: () => Frame; token: () => string }> {
    const context = await browser.newContext({ bypassCSP: true, locale: lang === 'nb' ? 'nb-NO' : 'nn-NO' });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${lmses[lang]!.url}/dev/lms`);
    await page.click(`[data-launch="${kind}"]`);
    const frame = page.frameLocator('#tool-frame');
    const toolFrame = () => page.frames().find((f) => f.url().startsWith(toolUrl))!;
    return { page, frame, toolFrame, token: () => new URL(toolFrame().url()).searchParams.get('session')! };
  }

  for (const lang of ['nb', 'nn'] as const) {
    const text = TEXTS[lang];

    it(`${lang}: the path list, the package picker and the Deep Linking picker show owner, version and date`, async () => {
      const title = `Brannvern ${lang}`;
      const { kongsberg, flesberg, ours, theirs } = await sameNamedThings(title);
      const { page, frame, toolFrame } = await launchInFrame(lang, 'designer');
      await frame.locator('h1[data-role="designer"]').waitFor(LONG);
      await frame.locator(`[data-path-id="${theirs.id}"]`).waitFor(LONG);
      const owner = async (id: string) => frame.locator(`[data-path-id="${id}"] [data-owner]`).textContent();
      expect(await owner(ours.id)).toBe(`${kongsberg.name} ${text.ours}`);
      expect(await owner(theirs.id)).toBe(flesberg.name);
      expect(await frame.locator(`[data-path-id="${ours.id}"] [data-published]`).textContent()).toMatch(/\d/);
      expect(await frame.locator(`[data-path-id="${ours.id}"]`).textContent()).toContain(' 2');
      await clean(toolFrame(), `${lang} list`);

      // The package picker of a new SCORM step: two packages of the same title, each with its upload time.
      await toolFrame().goto(`${toolUrl}/design/paths/${ours.id}/steps/new?type=scorm&session=${new URL(toolFrame().url()).searchParams.get('session')}`);
      await frame.locator('#packageId').waitFor(LONG);
      const options = await frame.locator('#packageId option:not([value=""])').allTextContents();
      expect(options.length).toBeGreaterThanOrEqual(2);
      for (const option of options) expect(option).toContain(text.uploaded);
      await clean(toolFrame(), `${lang} package picker`);
      await page.context().close();

      // Deep Linking: the two same-named paths, told apart by owner and version.
      const picker = await launchInFrame(lang, 'deeplink');
      await picker.frame.locator(`button[data-item="${theirs.id}"]`).waitFor(LONG);
      const details = async (id: string) => picker.frame.locator(`li:has(button[data-item="${id}"]) [data-item-details]`).textContent();
      expect(await details(ours.id)).toContain(`${text.owner}${kongsberg.name}`);
      expect(await details(ours.id)).toContain(' 2 ·');
      expect(await details(theirs.id)).toContain(`${text.owner}${flesberg.name}`);
      expect(await details(theirs.id)).toContain(' 1 ·');
      await clean(picker.toolFrame(), `${lang} deep-linking picker`);
      await picker.page.context().close();
    });

    it(`${lang}: export names the version; import and upload lead back to all paths and on to the path`, async () => {
      const title = `Taushetsplikt ${lang}`;
      const { ours } = await sameNamedThings(title);
      const { page, frame, toolFrame, token } = await launchInFrame(lang, 'designer');
      await frame.locator('h1[data-role="designer"]').waitFor(LONG);

      // Export: from the path page to a page that names each version.
      await frame.locator(`[data-path-id="${ours.id}"] [data-path-link]`).click();
      await frame.locator('[data-action="export"]').click();
      await frame.locator('[data-export="draft"]').waitFor(LONG);
      const exports = await frame.locator('[data-export]').evaluateAll((items) => items.map((li) => li.getAttribute('data-export')));
      expect(exports).toEqual(['2', '1', 'draft']);
      expect(await frame.locator('[data-export="2"]').textContent()).toContain(`${text.download} 2`);
      expect(await frame.locator('[data-export="2"]').textContent()).toContain(text.newest);
      expect(await frame.locator('[data-export="draft"]').textContent()).toContain(text.draft);
      await clean(toolFrame(), `${lang} exports`);
      const href = await frame.locator('[data-export="1"] a').getAttribute('href');
      const archive = await fetch(`${toolUrl}${href}`);
      expect(archive.headers.get('content-disposition')).toContain('-v1.zip');
      const archiveFile = path.join(dataDir, `${lang}.zip`);
      fs.writeFileSync(archiveFile, Buffer.from(await archive.arrayBuffer()));

      // Import (with script): "Importert" once, then the way on to the imported path.
      await toolFrame().goto(`${toolUrl}/design/import?session=${token()}`);
      await frame.locator('#transfer-file').setInputFiles(archiveFile);
      await frame.locator('#transfer-form button[type="submit"]').click();
      await frame.locator('[data-open-path]').waitFor(LONG);
      const main = (await frame.locator('main').textContent())!;
      expect(occurrences(main, `${text.imported}${title}`)).toBe(1);
      expect(await frame.locator('[data-open-path]').textContent()).toBe(`${text.open}${title}»`);
      await clean(toolFrame(), `${lang} import report`);
      const imported = await frame.locator('[data-open-path]').getAttribute('data-open-path');
      expect(imported).not.toBe(ours.id);
      await frame.locator('[data-open-path]').click();
      await frame.locator('h1', { hasText: title }).waitFor(LONG);
      expect(new URL(toolFrame().url()).pathname).toBe(`/design/paths/${imported}`);

      // Back to all paths from the import page.
      await toolFrame().goto(`${toolUrl}/design/import?session=${token()}`);
      await frame.locator('nav.ds-breadcrumbs a', { hasText: text.all }).click();
      await frame.locator('h1[data-role="designer"]').waitFor(LONG);

      // Upload, opened from a path's SCORM step form: back to that path, with or without an upload.
      await toolFrame().goto(`${toolUrl}/design/paths/${ours.id}/steps/new?type=scorm&session=${token()}`);
      await frame.locator('[data-upload-link]').click();
      await frame.locator('#transfer-file').waitFor(LONG);
      expect(await frame.locator('nav.ds-breadcrumbs').textContent()).toContain(title);
      await frame.locator('#transfer-file').setInputFiles(await zipFixture('scorm12-single'));
      await frame.locator('#transfer-form button[type="submit"]').click();
      await expect.poll(() => frame.locator('#transfer-status').getAttribute('data-state'), LONG).toBe('ok');
      expect(await frame.locator('[data-back-to-path]').textContent()).toContain(`${text.back}${title}»`);
      await clean(toolFrame(), `${lang} upload done`);
      await frame.locator('[data-back-to-path]').click();
      await frame.locator('h1', { hasText: title }).waitFor(LONG);
      await page.context().close();
    });

    it(`${lang}: without script, the import answer is a page with "Importert" once and both ways out`, async () => {
      const title = `Uten skript ${lang}`;
      const { ours } = await sameNamedThings(title);
      // A session from a launch, then the pages with script turned off.
      const launched = await launchInFrame(lang, 'designer');
      await launched.frame.locator('h1[data-role="designer"]').waitFor(LONG);
      const token = launched.token();
      await launched.page.context().close();
      const archive = await fetch(`${toolUrl}/design/paths/${ours.id}/export?version=2&session=${token}`);
      const archiveFile = path.join(dataDir, `${lang}-no-script.zip`);
      fs.writeFileSync(archiveFile, Buffer.from(await archive.arrayBuffer()));

      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      await page.goto(`${toolUrl}/design/import?session=${token}&lang=${lang}`);
      await page.locator('#transfer-file').setInputFiles(archiveFile);
      await page.locator('#transfer-form button[type="submit"]').click();
      await page.locator('[data-open-path]').waitFor(LONG);
      expect(occurrences((await page.locator('main').textContent())!, `${text.imported}${title}`)).toBe(1);
      await cleanWithoutScript(page, `${lang} import report without script`);
      expect(await page.locator('nav.ds-breadcrumbs a', { hasText: text.all }).getAttribute('href')).toContain(`lang=${lang}`);
      await page.locator('[data-open-path]').click();
      await page.locator('h1', { hasText: title }).waitFor(LONG);
      await page.goBack();
      await page.locator('nav.ds-breadcrumbs a', { hasText: text.all }).click();
      await page.locator('h1[data-role="designer"]').waitFor(LONG);
      await context.close();
    });
  }
});
