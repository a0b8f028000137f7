/**
 * Upload refusals as people see them in Chromium, in bokmål and nynorsk: the development upload
 * page, the designer's package upload and the path archive import say what is wrong in our words
 * (an empty file has its own message), and the pages pass axe-core on a 360 px screen.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePlayerBuilt } from '../scorm/support/build-player.js';
import { axeViolations, hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { startScormServer } from '../scorm/support/server.js';
import { SECRET, sessionFor, writeArchive } from '../archive/support.js';

const SLOW = { timeout: 30_000 };
const LIBRARY_TEXT = /signature|central directory|unexpected|at position/i;

const TEXTS = {
  nb: {
    upload: 'Last opp',
    empty: 'Pakken ble ikke tatt imot: Filen er tom (0 byte). Velg zip-filen på nytt; ble den kanskje ikke ferdig lagret?',
    notZip: 'Pakken ble ikke tatt imot: Filen er ikke en zip-fil, eller den er ufullstendig. Velg en zip-fil, eksportert på nytt hvis det trengs.',
    damaged: 'Pakken ble ikke tatt imot: Zip-filen er skadet og kan ikke leses. Lag eller eksporter zip-filen på nytt.',
    archiveEmpty: "Arkivet ble ikke importert: Arkivet 'tom.zip' ble ikke godtatt: Filen er tom (0 byte).",
  },
  nn: {
    upload: 'Last opp',
    empty: 'Pakken vart ikkje teken imot: Fila er tom (0 byte). Vel zip-fila på nytt; vart ho kanskje ikkje ferdig lagra?',
    notZip: 'Pakken vart ikkje teken imot: Fila er ikkje ei zip-fil, eller ho er ufullstendig. Vel ei zip-fil, eksportert på nytt om det trengst.',
    damaged: 'Pakken vart ikkje teken imot: Zip-fila er skadd og kan ikkje lesast. Lag eller eksporter zip-fila på nytt.',
    archiveEmpty: "Arkivet vart ikkje importert: Arkivet 'tom.zip' vart ikkje godteke: Fila er tom (0 byte).",
  },
} as const;

let testDb: TestDatabase;
let running: Awaited<ReturnType<typeof startScormServer>>;
let browser: Browser;
let token: string;
let damagedZip: Buffer;

beforeAll(async () => {
  ensurePlayerBuilt();
  testDb = await createTestDatabase();
  running = await startScormServer(testDb.database, { KEY_ENCRYPTION_SECRET: SECRET });
  token = await sessionFor(await seedTenantAndPerson(testDb.database.db, 'Tromsø'));
  const zip = fs.readFileSync(await writeArchive([{ name: 'imsmanifest.xml', data: '<manifest/>' }]));
  damagedZip = Buffer.from(zip);
  damagedZip.write('XX', damagedZip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])), 'latin1');
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await running?.stop();
  await testDb?.dispose();
}, 120_000);

async function checkPage(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} is wider than the screen`).toBeLessThanOrEqual(360);
  expect(await page.locator('main').textContent()).not.toMatch(LIBRARY_TEXT);
}

const file = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/zip', buffer });

describe.skipIf(!hasChromium)(`upload refusals in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  for (const lang of ['nb', 'nn'] as const) {
    it(`says what is wrong with the file, in ${lang}`, async () => {
      const texts = TEXTS[lang];
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
      try {
        const page = await context.newPage();
        // The development upload page: an empty file is sent and named as empty; text is not a zip.
        await page.goto(`${running.server.url}/dev/content?lang=${lang}`);
        await page.locator('#import-file').setInputFiles(file('tom.zip', Buffer.alloc(0)));
        await page.getByRole('button', { name: texts.upload }).click();
        await expect.poll(() => page.locator('#import-status').textContent(), SLOW).toBe(texts.empty);
        await checkPage(page, `dev upload, empty file (${lang})`);
        await page.locator('#import-file').setInputFiles(file('tekst.zip', Buffer.from('ikke en zip '.repeat(30))));
        await page.getByRole('button', { name: texts.upload }).click();
        await expect.poll(() => page.locator('#import-status').textContent(), SLOW).toBe(texts.notZip);

        // The designer's package upload: a damaged zip.
        await page.goto(`${running.server.url}/design/packages/upload?session=${token}&lang=${lang}`);
        await page.locator('#transfer-form input[type="file"]').setInputFiles(file('skadet.zip', damagedZip));
        await page.locator('#transfer-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#transfer-status').textContent(), SLOW).toBe(texts.damaged);
        await checkPage(page, `designer upload, damaged zip (${lang})`);

        // The path archive import: an empty file.
        await page.goto(`${running.server.url}/design/import?session=${token}&lang=${lang}`);
        await page.locator('#transfer-form input[type="file"]').setInputFiles(file('tom.zip', Buffer.alloc(0)));
        await page.locator('#transfer-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#transfer-status').textContent(), SLOW).toContain(texts.archiveEmpty);
        await checkPage(page, `archive import, empty file (${lang})`);
      } finally {
        await context.close();
      }
    });
  }
});
