/**
 * In development on a loopback PUBLIC_URL the tool serves uploaded content from a second port (a
 * second origin) by default, so content isolation is what developers use every day: the content
 * plays and commits there, and neither reaches nor is served on the tool's origin.
 */
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitHistory } from '../../src/scorm/outcomes.js';
import { hasChromium, launchBrowser } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { zipFixture } from '../content/support/package-zip.js';
import { ensurePlayerBuilt } from '../scorm/support/build-player.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { openAttempt, startScormServer, uploadPackage } from '../scorm/support/server.js';
import { waitFor } from '../scorm/support/wait.js';

/** A free port whose next port is free too. */
async function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<http.Server | undefined>((resolve) => {
      const server = http.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (;;) {
    const first = (await listen(0))!;
    const port = (first.address() as { port: number }).port;
    const second = port < 65535 ? await listen(port + 1) : undefined;
    await new Promise((resolve) => first.close(resolve));
    if (second) {
      await new Promise((resolve) => second.close(resolve));
      return port;
    }
  }
}

describe.skipIf(!hasChromium)(`development content origin on a second port (${BACKEND})`, { timeout: 180_000 }, () => {
  let testDb: TestDatabase;
  let running: Awaited<ReturnType<typeof startScormServer>>;
  let browser: Browser;
  let toolUrl: string;
  let contentUrl: string;

  beforeAll(async () => {
    ensurePlayerBuilt();
    testDb = await createTestDatabase();
    const port = await freePortPair();
    toolUrl = `http://127.0.0.1:${port}`;
    contentUrl = `http://127.0.0.1:${port + 1}`;
    running = await startScormServer(testDb.database, { NODE_ENV: 'development', PORT: String(port), PUBLIC_URL: toolUrl });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await testDb?.dispose();
  }, 120_000);

  it('plays and stores content on the content origin, which is not the tool’s', async () => {
    expect(running.server.contentPort).toBe(Number(new URL(contentUrl).port));
    const ids = await seedTenantAndPerson(testDb.database.db);
    const uploaded = await uploadPackage(toolUrl, ids.tenantId, await zipFixture('scorm12-single'));
    expect(uploaded.status).toBe(201);
    const { id: packageId } = (await uploaded.json()) as { id: string };
    const attempt = await openAttempt(toolUrl, { ...ids, packageId });
    expect(attempt.playerUrl).toBe(`${contentUrl}/content/${attempt.token}/player`);
    // Content is served on the content origin only.
    expect((await fetch(`${toolUrl}/content/${attempt.token}/player`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${toolUrl}/content/_player/player.css`)).status).toBe(404);
    expect((await fetch(`${contentUrl}/content/_player/player.css`)).status).toBe(200);

    // The real policies, no CSP bypass.
    const context = await browser.newContext({ locale: 'nb-NO' });
    const page = await context.newPage();
    await page.goto(attempt.playerUrl);
    const sco = page.frameLocator('#sco-frame');
    await expect.poll(() => sco.locator('#entry').textContent(), { timeout: 30_000 }).toBe('ab-initio');
    await sco.locator('#progress').click();
    await expect.poll(() => sco.locator('#status').textContent(), { timeout: 30_000 }).toContain('commit=true');
    await waitFor('a stored commit', async () => (await commitHistory(testDb.database.db, ids.tenantId, attempt.attemptId)).some((c) => c.accepted));

    // The content's script cannot read the tool's pages: another origin, and no CORS.
    const frame = page.frames().find((f) => f.url().startsWith(`${contentUrl}/content/`) && f !== page.mainFrame())!;
    expect(new URL(frame.url()).origin).toBe(contentUrl);
    const read = await frame.evaluate(async (tool) => {
      try {
        await (await fetch(`${tool}/`, { credentials: 'include' })).text();
        return 'read';
      } catch {
        return 'refused';
      }
    }, toolUrl);
    expect(read).toBe('refused');
    await context.close();
  });

  it('names the content origin on the start page', async () => {
    const home = await (await fetch(`${toolUrl}/`)).text();
    expect(home).toContain(`<dd data-content-origin>${contentUrl}</dd>`);
  });
});
