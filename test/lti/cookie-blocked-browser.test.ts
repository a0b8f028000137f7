/**
 * Framed launches from a platform like Moodle 4.5 (no postMessage storage, the login initiation
 * posted from the LMS's frame, each login hint accepted once) in Chromium with third-party cookies
 * blocked: the LMS at http://localhost:<port> frames the tool at http://127.0.0.1:<port>, another
 * site. Where the browser keeps partitioned cookies the launch finishes in the frame; where the
 * frame refuses the tool's cookies altogether, the login finds that out before the platform sees it
 * and a new window starts a fresh login. Either way the platform sees each login hint once.
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDevLms } from '../../src/dev-lms/register.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { capturingLogger, testConfig } from '../support/app.js';
import { axeViolations, cookiesKept, hasChromium, launchBrowserBlockingThirdPartyCookies, launchContextRefusingFramedCookies } from '../support/browser.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { devTenant, publishedPath } from '../designer/support/designer-http.js';
import { freePort, launchThroughHttp, SECRET, startStandaloneDevLms } from './support/lti-http.js';

/** A request to the platform's authorization endpoint and what it answered. */
interface AuthCall {
  url: string;
  launchId: string;
  status: number;
}

// Browser tests on a shared two-core machine: generous time, no timed assertions.
describe.skipIf(!hasChromium)(`framed launch with the tool's cookie blocked, against a one-time login hint (${BACKEND})`, { timeout: 180_000 }, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  let lms: Awaited<ReturnType<typeof startStandaloneDevLms>>;
  let browser: Browser;
  let toolUrl: string;
  let pathLinkId: string;
  let pathIds: string[];
  const authCalls: AuthCall[] = [];
  const captured = capturingLogger('info');

  /** Every call any page of the context makes to the platform's authorization endpoint. */
  function watchAuthCalls(context: BrowserContext): void {
    context.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin !== lms.url || url.pathname !== '/dev/lms/auth') return;
      const launchId = (JSON.parse(url.searchParams.get('lti_message_hint') ?? '{}') as { launchid?: string }).launchid ?? '';
      authCalls.push({ url: response.url(), launchId, status: response.status() });
    });
  }

  const toolFrame = (page: Page): Frame | undefined => page.frames().find((f) => f.parentFrame() && f.url().startsWith(toolUrl));
  const accepted = () => captured.lines().filter((l) => l['msg'] === 'lti launch accepted');
  const newWindowDecisions = () => captured.lines().filter((l) => l['msg'] === 'lti login needs a new window: the frame keeps no cookie');
  /** The launch id the course page's frame starts with (the LMS's `launchid` in lti_message_hint). */
  const launchIdOf = (href: string) => (JSON.parse(new URL(href, toolUrl).searchParams.get('lti_message_hint') ?? '{}') as { launchid?: string }).launchid;

  /** A tool page, not a refusal or a lost launch, shown where `frame` is. */
  async function expectToolPage(frame: Frame | Page, pathname: RegExp): Promise<void> {
    expect(new URL(frame.url()).origin).toBe(toolUrl);
    expect(new URL(frame.url()).pathname).toMatch(pathname);
    expect(await frame.locator('main').count()).toBe(1);
    expect(await frame.locator('[data-refusal], [data-launch-lost]').count()).toBe(0);
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const toolPort = await freePort();
    toolUrl = `http://127.0.0.1:${toolPort}`;
    tool = await startServer({ config: testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET }), logger: captured.logger, database: testDb.database });
    lms = await startStandaloneDevLms(testDb.database, toolUrl, await freePort(), 'localhost');
    await registerDevLms(testDb.database.db, lms.lms);
    const db = testDb.database.db;
    const tenant = await devTenant(db);
    const path = await publishedPath(db, tenant, 'Brannvern for alle ansatte');
    pathLinkId = (await lms.lms.addLink({ title: 'Brannvern', custom: { laeringslop_path: path.id } })).id;
    pathIds = [path.id, (await publishedPath(db, tenant, 'Informasjonssikkerhet i kommunen')).id];
    browser = await launchBrowserBlockingThirdPartyCookies();
  });
  afterAll(async () => {
    await browser?.close();
    await lms?.close();
    await tool?.close();
    await testDb?.dispose();
  });

  describe('partitioned cookies kept (Chromium and Firefox today)', () => {
    let context: BrowserContext;
    beforeAll(async () => {
      context = await browser.newContext({ bypassCSP: true });
      watchAuthCalls(context);
    });
    afterAll(async () => {
      await context?.close();
    });

    it('(a) a learner launch finishes inside the frame with the partitioned cookie, without platform storage', async () => {
      const page = await context.newPage();
      const calls = authCalls.length;
      await page.goto(`${lms.url}/dev/lms/launch?role=learner&storage=none&link=${encodeURIComponent(pathLinkId)}`);
      await expect.poll(() => toolFrame(page)?.url() ?? '', { timeout: 60_000 }).toMatch(/\/learn\/enrolments\//);
      const frame = toolFrame(page)!;
      await frame.waitForLoadState();
      await expectToolPage(frame, /^\/learn\/enrolments\/[0-9a-f-]+$/);
      // The premise: in this frame third-party cookies are blocked, partitioned ones kept.
      expect(await cookiesKept(frame)).toEqual({ partitioned: true, unpartitioned: false });
      expect(accepted().at(-1)).toMatchObject({ role: 'learner', binding: 'cookie', messageType: 'LtiResourceLinkRequest' });
      expect(newWindowDecisions()).toHaveLength(0);
      // One login, one call to the platform, answered.
      expect(authCalls.slice(calls).map((c) => c.status)).toEqual([200]);
      expect(await axeViolations(frame)).toEqual([]);
      await page.close();
    });

    it('(b) Deep Linking runs inside the frame the same way and returns the choice to the LMS', async () => {
      const page = await context.newPage();
      const calls = authCalls.length;
      await page.goto(`${lms.url}/dev/lms`);
      await page.click('[data-launch="deeplink-no-storage"]');
      const frame = page.frameLocator('#tool-frame');
      await expect.poll(() => frame.locator('button[data-item]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      expect(accepted().at(-1)).toMatchObject({ role: 'designer', binding: 'cookie', messageType: 'LtiDeepLinkingRequest' });
      expect(await axeViolations(toolFrame(page)!)).toEqual([]);
      await frame.locator(`button[data-item="${pathIds[1]}"]`).click();
      await expect.poll(() => frame.locator('[data-content-item]').count(), { timeout: 60_000 }).toBe(1);
      expect(await frame.locator('[data-content-item]').textContent()).toContain('Informasjonssikkerhet i kommunen');
      expect(authCalls.slice(calls).map((c) => c.status)).toEqual([200]);
      expect(newWindowDecisions()).toHaveLength(0);
      await page.close();
    });

    it('when the platform offers storage but never answers, the login goes on with the cookie, not yet spent', async () => {
      const page = await context.newPage();
      const calls = authCalls.length;
      await page.goto(`${lms.url}/dev/lms/launch?role=learner&storage=silent&link=${encodeURIComponent(pathLinkId)}`);
      await expect.poll(() => toolFrame(page)?.url() ?? '', { timeout: 60_000 }).toMatch(/\/learn\/enrolments\//);
      const frame = toolFrame(page)!;
      await frame.waitForLoadState();
      await expectToolPage(frame, /^\/learn\/enrolments\/[0-9a-f-]+$/);
      expect(accepted().at(-1)).toMatchObject({ role: 'learner', binding: 'cookie' });
      expect(authCalls.slice(calls).map((c) => c.status)).toEqual([200]);
      await page.close();
    });

    it('needs no script of the tool: with JavaScript off, the check and the launch are plain HTTP', async () => {
      const noScript = await browser.newContext({ javaScriptEnabled: false });
      watchAuthCalls(noScript);
      const page = await noScript.newPage();
      const calls = authCalls.length;
      await page.goto(`${lms.url}/dev/lms/launch?role=learner&storage=none&link=${encodeURIComponent(pathLinkId)}`);
      const frame = page.frameLocator('#tool-frame');
      // The LMS's own pages submit by script; without it the person presses their button.
      await frame.locator('form[action$="/lti/login"] button').click();
      await frame.locator('form[action$="/lti/launch"] button').click();
      await expect.poll(() => toolFrame(page)?.url() ?? '', { timeout: 60_000 }).toMatch(/\/learn\/enrolments\//);
      await expectToolPage(toolFrame(page)!, /^\/learn\/enrolments\/[0-9a-f-]+$/);
      expect(accepted().at(-1)).toMatchObject({ role: 'learner', binding: 'cookie' });
      expect(authCalls.slice(calls).map((c) => c.status)).toEqual([200]);
      await noScript.close();
    });

    it('refuses a login-CSRF post from another site in this browser: the binding proves the browser', async () => {
      // The attacker's own complete login, state, id_token and binding secret…
      const attacker = await launchThroughHttp(toolUrl, `${lms.url}/dev/lms`, 'learner', { cookie: false });
      const binding = decodeURIComponent(attacker.cookie.split('=')[1]!);
      // …posted by the victim's browser from a page on the attacker's site.
      const page = await context.newPage();
      const fields = { ...attacker.fields, binding };
      await page.route('http://attacker.example/**', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<form method="post" action="${toolUrl}/lti/launch">${Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, '&quot;')}">`).join('')}</form>`,
        }),
      );
      await page.goto('http://attacker.example/');
      await Promise.all([page.waitForURL(`${toolUrl}/lti/launch`), page.evaluate(() => document.querySelector('form')!.submit())]);
      expect(await page.locator('[data-refusal="state-mismatch"]').count()).toBe(1);
      await page.close();
    });
  });

  describe('cookies refused in the frame altogether (as Safari treats a framed site)', () => {
    let refusing: Awaited<ReturnType<typeof launchContextRefusingFramedCookies>>;
    beforeAll(async () => {
      refusing = await launchContextRefusingFramedCookies(toolUrl, lms.url, { locale: 'nn-NO' });
      watchAuthCalls(refusing.context);
    });
    afterAll(async () => {
      await refusing?.close();
    });

    /** Opens the course page, waits for the tool's new-window page in the frame, and checks it. */
    async function framedFallback(launchPath: string): Promise<{ page: Page; frame: Frame; href: string; launchId: string }> {
      const calls = authCalls.length;
      const decisions = newWindowDecisions().length;
      const page = await refusing.context.newPage();
      await page.goto(`${lms.url}${launchPath}`);
      await expect.poll(async () => (await toolFrame(page)?.locator('[data-new-window]').count()) ?? 0, { timeout: 60_000 }).toBe(1);
      const frame = toolFrame(page)!;
      // The premise: this frame keeps no cookie of the tool, partitioned or not.
      expect(await cookiesKept(frame)).toEqual({ partitioned: false, unpartitioned: false });
      // Decided at login: the platform has not seen this login.
      expect(newWindowDecisions()).toHaveLength(decisions + 1);
      expect(authCalls.slice(calls)).toEqual([]);
      // In the launcher's language (Accept-Language nn-NO), and accessible.
      expect(await frame.locator('html').getAttribute('lang')).toBe('nn');
      expect(await frame.locator('[data-new-window]').textContent()).toBe('Opne i nytt vindauge');
      expect(await axeViolations(frame)).toEqual([]);
      const href = (await frame.locator('[data-new-window]').getAttribute('href'))!;
      expect(await frame.locator('[data-new-window]').getAttribute('target')).toBe('_blank');
      const fresh = new URL(href, toolUrl);
      expect(fresh.pathname).toBe('/lti/login');
      expect(fresh.searchParams.get('cookie_check')).toBeNull();
      const launchId = launchIdOf(href)!;
      expect(launchId).toBeTruthy();
      return { page, frame, href, launchId };
    }

    /** Clicks "open in a new window" and returns the new window. */
    async function openNewWindow(frame: Frame): Promise<Page> {
      const [popup] = await Promise.all([refusing.context.waitForEvent('page'), frame.locator('[data-new-window]').click()]);
      return popup;
    }

    it('(c) a learner: the login decides before the platform, the new window starts a fresh login and ends on the path', async () => {
      const { page, frame, launchId } = await framedFallback(`/dev/lms/launch?role=learner&storage=none&link=${encodeURIComponent(pathLinkId)}`);
      const popup = await openNewWindow(frame);
      await popup.waitForURL(/\/learn\/enrolments\//, { timeout: 60_000 });
      await popup.waitForLoadState();
      await expectToolPage(popup, /^\/learn\/enrolments\/[0-9a-f-]+$/);
      // A window of its own keeps the tool's cookie.
      expect(await cookiesKept(popup)).toMatchObject({ unpartitioned: true });
      expect(accepted().at(-1)).toMatchObject({ role: 'learner', binding: 'cookie', messageType: 'LtiResourceLinkRequest' });
      // The platform saw this login hint once, from the new window, and accepted it.
      expect(authCalls.filter((c) => c.launchId === launchId).map((c) => c.status)).toEqual([200]);
      await popup.close();
      await page.close();
    });

    it('(c) Deep Linking: the same, and the choice reaches the LMS from the new window', async () => {
      const { page, frame: nynorsk, launchId } = await framedFallback('/dev/lms/launch?role=designer&message=deeplink&storage=none');
      // Another language runs the check again, still without the platform.
      const calls = authCalls.length;
      await nynorsk.locator('a[hreflang="en"]').click();
      await expect.poll(async () => (await toolFrame(page)?.locator('html[lang="en"] [data-new-window]').count()) ?? 0, { timeout: 60_000 }).toBe(1);
      const frame = toolFrame(page)!;
      expect(await frame.locator('[data-new-window]').textContent()).toBe('Open in a new window');
      expect(launchIdOf((await frame.locator('[data-new-window]').getAttribute('href'))!)).toBe(launchId);
      expect(authCalls.slice(calls)).toEqual([]);
      const popup = await openNewWindow(frame);
      await expect.poll(() => popup.locator('button[data-item]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      expect(accepted().at(-1)).toMatchObject({ role: 'designer', binding: 'cookie', messageType: 'LtiDeepLinkingRequest' });
      await popup.locator(`button[data-item="${pathIds[0]}"]`).click();
      await expect.poll(() => popup.locator('[data-content-item]').count(), { timeout: 60_000 }).toBe(1);
      expect(await popup.locator('[data-content-item]').textContent()).toContain('Brannvern for alle ansatte');
      expect(authCalls.filter((c) => c.launchId === launchId).map((c) => c.status)).toEqual([200]);
      await popup.close();
      await page.close();
    });

    it('(d) the platform refuses a replayed login hint, and the tool never sent one', async () => {
      // Every login hint of this file reached the platform once and was accepted…
      const launchIds = authCalls.map((c) => c.launchId);
      expect(launchIds.length).toBeGreaterThanOrEqual(4);
      expect(new Set(launchIds).size).toBe(launchIds.length);
      expect(authCalls.every((c) => c.status === 200)).toBe(true);
      // …and sending one again, as a new window with the same login would, is "Invalid request".
      const replay = await fetch(authCalls.at(-1)!.url);
      expect(replay.status).toBe(400);
      expect(await replay.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('Invalid request') });
    });
  });
});
