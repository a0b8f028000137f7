import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePlayerBuilt } from '../scorm/support/build-player.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { startScormServer } from '../scorm/support/server.js';
import { hostilePackages, zipFixture } from './support/package-zip.js';

let testDb: TestDatabase;
let running: Awaited<ReturnType<typeof startScormServer>>;
let browser: Browser;

beforeAll(async () => {
  ensurePlayerBuilt();
  testDb = await createTestDatabase();
  running = await startScormServer(testDb.database);
  await seedTenantAndPerson(testDb.database.db, 'Tromsø');
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await running?.stop();
  await testDb?.dispose();
}, 120_000);

const SLOW = { timeout: 20_000 };

describe.skipIf(!hasChromium)('the development upload page', { timeout: 120_000 }, () => {
  it('uploads with progress and shows the result, or the refusal in the page language', async () => {
    const context = await browser.newContext({ bypassCSP: true, locale: 'nb-NO' });
    const page = await context.newPage();
    await page.goto(`${running.server.url}/dev/content`);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('#import-file').setInputFiles(await zipFixture('scorm2004-4th'));
    await page.getByRole('button', { name: 'Last opp' }).click();
    await expect.poll(() => page.locator('#import-status').textContent(), SLOW).toBe('Importert: Personvern i kommunen (2004 4th Edition, 4 filer)');
    expect(await page.locator('#import-progress').getAttribute('value')).toBe('100');

    await page.goto(`${running.server.url}/dev/content?lang=en`);
    await page.locator('#import-file').setInputFiles(hostilePackages().find((h) => h.name === 'missing-href-target')!.file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => page.locator('#import-status').textContent(), SLOW).toBe("The package was not accepted: The file 'index.html' that the manifest points to does not exist");
    await context.close();
  });
});
