import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

const require = createRequire(import.meta.url);

/** Debian's Chromium; CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Browser tests run wherever Chromium is installed. In CI a missing Chromium is a failure, not a
 * skip: .ci/run installs it.
 */
export const hasChromium = fs.existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env['CI']) {
  throw new Error(`Chromium is not at ${CHROMIUM_PATH}; .ci/run should have installed it`);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A phone's screen in bokmål; CSP bypassed so axe-core can be added to the page. */
export const PHONE_CONTEXT: BrowserContextOptions = { bypassCSP: true, locale: 'nb-NO', viewport: { width: 360, height: 740 } };

/** The Chromium of a describe, and the one context its tests open pages in (when asked for). */
export interface SuiteBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
}

/**
 * Launches Chromium in a beforeAll and closes it in an afterAll, with a context of `contextOptions`
 * when given. Call it after the describe's own beforeAll and afterAll: hooks before run in the order
 * written and hooks after in reverse, so the browser starts once the world it visits is set up and
 * closes before that world is torn down.
 */
export function suiteBrowser(contextOptions?: BrowserContextOptions): SuiteBrowser {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    if (contextOptions) context = await browser.newContext(contextOptions);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
  }, 60_000);
  return {
    get browser() {
      if (!browser) throw new Error('the browser is launched in beforeAll');
      return browser;
    },
    get context() {
      if (!context) throw new Error('suiteBrowser() was given no context options');
      return context;
    },
  };
}

/** Chromium as browsers ship now for many people: third-party cookies blocked, partitioned ones kept. */
export async function launchBrowserBlockingThirdPartyCookies(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--test-third-party-cookie-phaseout'] });
}

/**
 * A Chromium that refuses every cookie of `site` in frames of `embedder`, partitioned ones too,
 * while `site` keeps its cookies as a top-level window: as Safari treats a framed site. It is a
 * cookie exception of a persistent profile (primary pattern the site, secondary the top-level
 * site), written to the profile's Preferences before the browser starts.
 */
export async function launchContextRefusingFramedCookies(site: string, embedder: string, options: { locale?: string } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  fs.mkdirSync(path.join(profile, 'Default'));
  const exceptions = { [`${site},${embedder}`]: { setting: 2 } };
  fs.writeFileSync(path.join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { content_settings: { exceptions: { cookies: exceptions } } } }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--test-third-party-cookie-phaseout'],
    bypassCSP: true,
    ...(options.locale ? { locale: options.locale } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Whether a frame (or page) keeps a cookie it sets itself: a partitioned one, and an ordinary one.
 * Used to show a test's browser really behaves as the test says.
 */
export async function cookiesKept(frame: Frame | Page): Promise<{ partitioned: boolean; unpartitioned: boolean }> {
  return frame.evaluate(() => {
    const name = `kept${Math.random().toString(36).slice(2)}`;
    document.cookie = `${name}p=1; Path=/; Secure; SameSite=None; Partitioned`;
    document.cookie = `${name}u=1; Path=/; Secure; SameSite=None`;
    const jar = document.cookie;
    const result = { partitioned: jar.includes(`${name}p=1`), unpartitioned: jar.includes(`${name}u=1`) };
    document.cookie = `${name}p=; Path=/; Secure; SameSite=None; Partitioned; Max-Age=0`;
    document.cookie = `${name}u=; Path=/; Secure; SameSite=None; Max-Age=0`;
    return result;
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) in the page (or one frame of it) and returns the violations. */
export async function axeViolations(page: Page | Frame): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })) }));
  });
}

/** The page (or frame), once loaded, has no axe-core violations; the message names them. */
export async function expectNoAxeViolations(page: Page | Frame, what: string): Promise<void> {
  await page.waitForLoadState('load');
  const violations = await axeViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** The page has no axe-core violations and, at a phone's width, no horizontal scroll. */
export async function expectAccessible(page: Page, what: string, maxWidth = 360): Promise<void> {
  await expectNoAxeViolations(page, what);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what}: no horizontal scroll at ${maxWidth} px`).toBeLessThanOrEqual(maxWidth);
}
