/**
 * The development LMS starts launches as anyone, administrators of real municipalities included: it
 * is served only when asked for (DEV_LMS=on) or, by default, when PUBLIC_URL is a loopback address,
 * and then only to requests from this machine.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, SECRET } from '../lti/support/lti-http.js';

/** An address of this machine that is not loopback, so a request to it comes from a non-loopback address. */
const outsideAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe(`development LMS exposure (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.close();
    await testDb.dispose();
  });

  async function start(env: Record<string, string>): Promise<number> {
    await server?.close();
    const port = await freePort();
    server = await startServer({ config: testConfig({ PORT: String(port), KEY_ENCRYPTION_SECRET: SECRET, ...env }), logger: createLogger('silent'), database: testDb.database });
    return port;
  }

  const get = async (url: string) => {
    const response = await fetch(url, { headers: { 'accept-language': 'nb' }, redirect: 'manual' });
    return { status: response.status, body: await response.text() };
  };
  // "Start as administrator": the dev LMS's launch of the admin role, which signs an id_token.
  const adminLaunch = (base: string) => get(`${base}/dev/lms/launch?role=admin`);
  // The other development tools act without a session too: import into any municipality, attempts for anyone.
  const post = async (url: string, body: string, type: string) =>
    (await fetch(url, { method: 'POST', body, headers: { 'content-type': type, accept: 'application/json' } })).status;
  const devToolStatuses = async (base: string) => ({
    uploadPage: (await get(`${base}/dev/content`)).status,
    packageImport: await post(`${base}/api/content/packages?tenant=00000000-0000-4000-8000-000000000000&name=x.zip`, 'not a zip', 'application/zip'),
    packageList: (await get(`${base}/api/content/packages`)).status,
    attempt: await post(`${base}/api/dev/scorm/attempts`, '{}', 'application/json'),
  });
  const NOT_SERVED = { uploadPage: 404, packageImport: 404, packageList: 404, attempt: 404 };

  it('is not served when PUBLIC_URL is a public address, and the start page says how to turn it on', async () => {
    const port = await start({ NODE_ENV: 'development', PUBLIC_URL: 'https://laering.kongsberg.kommune.example' });
    const base = `http://127.0.0.1:${port}`;
    expect((await get(`${base}/dev/lms`)).status).toBe(404);
    expect((await adminLaunch(base)).status).toBe(404);
    expect((await get(`${base}/dev/lms/jwks`)).status).toBe(404);
    expect(await devToolStatuses(base)).toEqual(NOT_SERVED);
    const home = await get(`${base}/`);
    expect(home.body).toContain('data-dev-lms="off"');
    expect(home.body).not.toContain('href="/dev/content"');
    expect(home.body).toContain('DEV_LMS=on');
    expect(home.body).not.toContain('href="/dev/lms"');
  });

  it('is served by default on a loopback PUBLIC_URL, to this machine only', async () => {
    const port = await start({ PUBLIC_URL: 'http://localhost:3000', HOST: '0.0.0.0' });
    const local = `http://127.0.0.1:${port}`;
    const page = await get(`${local}/dev/lms`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Utviklings-LMS');
    expect((await adminLaunch(local)).body).toContain('id="tool-frame"');
    const home = await get(`${local}/`);
    expect(home.body).toContain('data-dev-lms="loopback"');
    expect(home.body).toContain('href="/dev/lms"');
    expect(home.body).toContain('href="/dev/content"');
    const localTools = await devToolStatuses(local);
    expect(localTools.uploadPage).toBe(200);
    expect(localTools.packageList).not.toBe(404);
    expect(localTools.packageImport).not.toBe(404);
    if (!outsideAddress) return; // no non-loopback interface on this machine
    const remote = `http://${outsideAddress}:${port}`;
    expect((await get(`${remote}/dev/lms`)).status).toBe(404);
    expect((await adminLaunch(remote)).status).toBe(404);
    expect(await devToolStatuses(remote)).toEqual(NOT_SERVED);
    // The rest of the tool answers there.
    expect((await get(`${remote}/healthz`)).status).toBe(200);
  });

  it('is served to everyone when turned on explicitly, and says so', async () => {
    const port = await start({ NODE_ENV: 'development', PUBLIC_URL: 'https://laering.test.example', DEV_LMS: 'on', HOST: '0.0.0.0' });
    const base = `http://${outsideAddress ?? '127.0.0.1'}:${port}`;
    expect((await get(`${base}/dev/lms`)).status).toBe(200);
    const home = await get(`${base}/`);
    expect(home.body).toContain('data-dev-lms="on"');
    expect(home.body).toContain('også som administrator');
  });

  it('is off when turned off on a loopback PUBLIC_URL', async () => {
    const port = await start({ DEV_LMS: 'off' });
    expect((await get(`http://127.0.0.1:${port}/dev/lms`)).status).toBe(404);
    expect(await devToolStatuses(`http://127.0.0.1:${port}`)).toEqual(NOT_SERVED);
  });
});
