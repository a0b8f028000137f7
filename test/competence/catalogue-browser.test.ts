import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { expectAccessible, hasChromium, PHONE_CONTEXT, suiteBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { startToolWithDevLms } from '../lti/support/lti-http.js';

const SLOW = { timeout: 60_000 };

/**
 * A municipality administrator, launched from the development LMS, imports a catalogue file:
 * a refused file lists its lines, a good one is previewed and imported; bokmål and nynorsk, 360 px.
 */
describe.skipIf(!hasChromium)(`the competence catalogue in Chromium (${BACKEND})`, { timeout: 240_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalogue-browser-'));

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  const chromium = suiteBrowser(PHONE_CONTEXT);

  it('an administrator goes from the start page to the catalogue, is told the bad lines, then imports and sees it (nb, nn)', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${url}/dev/lms/launch?role=admin`);
    await page.frameLocator('#tool-frame').locator('h1[data-role="admin"]').waitFor(SLOW);
    const adminUrl = page.frames().find((f) => /\/admin\?/.test(f.url()))!.url();
    await page.goto(adminUrl);
    await page.getByRole('link', { name: 'Kompetansekatalog' }).click();
    await page.locator('h1', { hasText: 'Kompetansekatalog' }).waitFor(SLOW);
    await expectAccessible(page, 'empty catalogue');

    const bad = path.join(dir, 'feil.csv');
    fs.writeFileSync(bad, Buffer.from('område;kompetanse;gyldighet_måneder\nFelles;Førstehjelp;24\nFelles;Brannvern;to år\n', 'latin1'));
    await page.setInputFiles('#file', bad);
    await page.getByRole('button', { name: 'Se hva som endres' }).click();
    await page.locator('h1', { hasText: 'Forhåndsvisning av import' }).waitFor(SLOW);
    expect(await page.locator('[data-problem-line="3"]').textContent()).toContain('Gyldighet «to år» er ikke et antall måneder fra 1 til 600.');
    await expectAccessible(page, 'refused file');
    await page.getByRole('link', { name: 'Kompetansekatalog' }).last().click();

    const good = path.join(dir, 'katalog.csv');
    fs.writeFileSync(good, 'område;kode;kompetanse;navn_nn;type;gyldighet_måneder;nivå 1;nivå 2\nFelles;forstehjelp;Førstehjelp;Førstehjelp;kurs;24;Kan varsle;Kan starte HLR\nHelse og omsorg;legemiddel;Legemiddelhåndtering;Legemiddelhandtering;autorisasjon;;;\n');
    await page.setInputFiles('#file', good);
    await page.getByRole('button', { name: 'Se hva som endres' }).click();
    await page.locator('[data-catalogue-plan]').waitFor(SLOW);
    expect(await page.locator('[data-catalogue-plan] li').first().textContent()).toBe('Nye kompetanser: 2: Førstehjelp, Legemiddelhåndtering');
    await expectAccessible(page, 'preview');
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.locator('[data-catalogue-notice]').waitFor(SLOW);
    expect(await page.locator('[data-catalogue-notice]').textContent()).toContain('Importert: 2 nye og 0 endrede kompetanser.');
    expect(await page.locator('[data-competence="legemiddel"] td').nth(1).textContent()).toBe('Autorisasjon eller sertifikat');
    await expectAccessible(page, 'catalogue');

    await page.getByRole('link', { name: 'Nynorsk' }).click();
    await page.locator('html[lang="nn"]').waitFor(SLOW);
    expect(await page.locator('[data-competence="legemiddel"] th').textContent()).toBe('Legemiddelhandtering');
    expect(await page.locator('[data-competence="forstehjelp"] td').nth(2).textContent()).toBe('24 månader');
    await expectAccessible(page, 'catalogue (nn)');

    // Requirements: a refused form keeps what was typed and says why, by field.
    await page.locator('[data-requirements-link]').click();
    await page.locator('h1', { hasText: 'Kompetansekrav' }).waitFor(SLOW);
    await page.getByLabel('Kompetanse', { exact: true }).selectOption({ label: 'Felles: Førstehjelp' });
    await page.getByLabel('Stilling').first().fill('Helsefagarbeidar');
    await page.getByLabel('Minste nivå').fill('5');
    await page.getByRole('button', { name: 'Legg til kravet' }).click();
    await page.locator('[data-error-summary]').waitFor(SLOW);
    expect(await page.getByLabel('Stilling').first().inputValue()).toBe('Helsefagarbeidar');
    expect(await page.locator('#minLevel-error').textContent()).toContain('Kompetansen har ikkje så mange nivå.');
    await expectAccessible(page, 'requirements refused (nn)');
    await page.getByLabel('Minste nivå').fill('2');
    await page.getByRole('button', { name: 'Legg til kravet' }).click();
    await page.locator('[data-requirements-notice]').waitFor(SLOW);
    expect(await page.locator('[data-requirement="forstehjelp"] td').first().textContent()).toBe('Stilling: Helsefagarbeidar');
    await expectAccessible(page, 'requirements (nn)');
  });
});
