import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Database } from '../../../src/db/database.js';
import { DevLms } from '../../../src/dev-lms/dev-lms.js';
import { registerDevLms } from '../../../src/dev-lms/register.js';
import { devLmsRouter } from '../../../src/dev-lms/router.js';
import { createLogger, type Logger } from '../../../src/logger.js';
import { startServer, type RunningServer } from '../../../src/server.js';
import { capturingLogger, testConfig } from '../../support/app.js';

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const SECRET = 'test-key-encryption-secret-0123456789-abcdef';

/** The tool on a known port (so its public URL is real) with the development LMS mounted in it. */
export async function startToolWithDevLms(database: Database, port?: number, logger?: Logger): Promise<{ server: RunningServer; url: string; lms: DevLms; logLines: () => Record<string, unknown>[] }> {
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  const captured = capturingLogger('info');
  const server = await startServer({
    config: testConfig({ PORT: String(p), PUBLIC_URL: url, KEY_ENCRYPTION_SECRET: SECRET }),
    logger: logger ?? captured.logger,
    database,
  });
  const lms = new DevLms({ db: database.db, baseUrl: `${url}/dev/lms`, toolUrl: url, secret: SECRET });
  await registerDevLms(database.db, lms);
  return { server, url, lms, logLines: captured.lines };
}

/** The development LMS alone on its own port (so it can be down while the tool runs). */
export async function startStandaloneDevLms(database: Database, toolUrl: string, port: number, host = '127.0.0.1', options: { locale?: string } = {}): Promise<{ url: string; lms: DevLms; close(): Promise<void> }> {
  const url = `http://${host}:${port}`;
  const lms = new DevLms({ db: database.db, baseUrl: `${url}/dev/lms`, toolUrl, secret: SECRET, ...(options.locale ? { locale: options.locale } : {}) });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  app.use(devLmsRouter(lms));
  const server = http.createServer(app);
  // On every interface, so `localhost` works whichever address family it resolves to.
  await new Promise<void>((resolve) => server.listen(port, host === 'localhost' ? '::' : host, resolve));
  return {
    url,
    lms,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The tool on a port of its own, its public URL real. */
export async function startToolOnFreePort(database: Database): Promise<{ tool: RunningServer; toolUrl: string }> {
  const toolPort = await freePort();
  const toolUrl = `http://127.0.0.1:${toolPort}`;
  const tool = await startServer({ config: testConfig({ PORT: String(toolPort), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET }), logger: createLogger('silent'), database });
  return { tool, toolUrl };
}

export interface ToolWithCrossSiteDevLms {
  tool: RunningServer;
  toolUrl: string;
  lms: Awaited<ReturnType<typeof startStandaloneDevLms>>;
  /** Stops the LMS, then the tool. */
  close(): Promise<void>;
}

/** The tool, and the development LMS registered with it on another site (localhost vs 127.0.0.1), as a real LMS frames the tool. */
export async function startToolWithCrossSiteDevLms(database: Database): Promise<ToolWithCrossSiteDevLms> {
  const { tool, toolUrl } = await startToolOnFreePort(database);
  const lms = await startStandaloneDevLms(database, toolUrl, await freePort(), 'localhost');
  await registerDevLms(database.db, lms.lms);
  return {
    tool,
    toolUrl,
    lms,
    async close() {
      await lms.close();
      await tool.close();
    },
  };
}

export function decodeEntities(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function attribute(htmlText: string, pattern: RegExp): string {
  const match = pattern.exec(htmlText);
  if (!match?.[1]) throw new Error(`no ${pattern} in page:\n${htmlText.slice(0, 2000)}`);
  return decodeEntities(match[1]);
}

export function hiddenFields(htmlText: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of htmlText.matchAll(/<input type="hidden" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)">/g)) fields[m[1]!] = decodeEntities(m[2]!);
  return fields;
}

export interface LaunchResult {
  status: number;
  body: string;
  sessionToken: string | undefined;
  loginUrl: string;
  authUrl: string;
  fields: Record<string, string>;
  cookie: string;
  /** Where a redirecting launch leads (a learner's path, the designer pages). */
  location: string | null;
}

/**
 * A browser's launch through real HTTP: the dev LMS course page → the tool's login initiation →
 * the LMS's authorization endpoint → the form_post to /lti/launch with the binding cookie.
 */
export async function launchThroughHttp(toolUrl: string, lmsBase: string, role: string, options: { message?: 'deeplink'; link?: string; secondLearner?: boolean; tamper?: (f: Record<string, string>) => void; cookie?: boolean; headers?: Record<string, string> } = {}): Promise<LaunchResult> {
  const coursePage = await (await fetch(`${lmsBase}/launch?role=${role}${options.message ? `&message=${options.message}` : ''}${options.link ? `&link=${encodeURIComponent(options.link)}` : ''}${options.secondLearner ? '&user=2' : ''}`)).text();
  const loginUrl = attribute(coursePage, /<iframe id="tool-frame" title="[^"]*" src="([^"]+)"/);
  const login = await fetch(loginUrl, { redirect: 'manual' });
  const setCookie = login.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  const loginPage = await login.text();
  const authUrl = login.status === 302 ? login.headers.get('location')! : attribute(loginPage, /data-next="([^"]+)"/);
  const authPage = await (await fetch(authUrl)).text();
  const action = attribute(authPage, /<form method="post" action="([^"]+)"/);
  const fields = hiddenFields(authPage);
  options.tamper?.(fields);
  const launch = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(options.cookie === false ? {} : { cookie }), ...options.headers },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  const body = await launch.text();
  // A launch that leads somewhere answers 303 with the session in the Location; a page carries it.
  const location = launch.headers.get('location');
  const session = /session=([A-Za-z0-9._-]+)/.exec(location ?? body)?.[1] ?? /name="session" value="([^"]+)"/.exec(body)?.[1];
  return { status: launch.status, body, sessionToken: session, loginUrl, authUrl, fields, cookie, location };
}
