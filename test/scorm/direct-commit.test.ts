/**
 * The commit served ahead of Express (src/web/scorm/direct-commit.ts) answers exactly as the runtime
 * API router does. Each request is sent twice: as the player sends it (served directly) and with a
 * query string, which the direct route leaves to the app. Express adds an ETag to JSON answers and
 * the direct route does not, which shows that each path really served its request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFixture } from '../content/support/package-zip.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from './support/seed.js';
import { openAttempt, startScormServer, uploadPackage } from './support/server.js';

let testDb: TestDatabase;
let running: Awaited<ReturnType<typeof startScormServer>>;
let base: string;
let token: string;
let session: number;
let seq = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  running = await startScormServer(testDb.database);
  base = running.server.url;
  const ids = await seedTenantAndPerson(testDb.database.db);
  const upload = (await (await uploadPackage(base, ids.tenantId, await zipFixture('scorm12-norsk'))).json()) as { id: string };
  token = (await openAttempt(base, { ...ids, packageId: upload.id })).token;
  session = ((await (await fetch(`${base}/content/${token}/runtime/forste/launch`, { method: 'POST' })).json()) as { session: number }).session;
}, 120_000);
afterAll(async () => {
  await running.stop();
  await testDb.dispose();
});

interface Answer {
  status: number;
  type: string | null;
  body: Record<string, unknown>;
  etag: string | null;
  requestId: string | null;
}

async function send(path: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method: 'POST', ...init, headers: { Accept: 'application/json', ...init.headers } });
  const text = await response.text();
  const body = JSON.parse(text) as Record<string, unknown>;
  // A problem's reference and instance name the request; they differ between the two sends.
  delete body['reference'];
  delete body['instance'];
  return { status: response.status, type: response.headers.get('content-type'), body, etag: response.headers.get('etag'), requestId: response.headers.get('x-request-id') };
}

/** The same request served directly and by the app; `body` is built anew for each send. */
async function both(sco: string, contentType: string, body: () => string, tokenInPath = token): Promise<{ direct: Answer; app: Answer }> {
  const path = `/content/${tokenInPath}/runtime/${sco}/commit`;
  const direct = await send(path, { headers: { 'Content-Type': contentType }, body: body() });
  const app = await send(`${path}?served=app`, { headers: { 'Content-Type': contentType }, body: body() });
  return { direct, app };
}

const commit = (cmi: Record<string, string>, extra: Record<string, unknown> = {}) => () => JSON.stringify({ session, seq: ++seq, cmi, ...extra });

describe('a SCORM commit served ahead of Express', () => {
  it('stores a commit as JSON and as a beacon, answered as the app answers', async () => {
    const json = await both('forste', 'application/json', commit({ 'cmi.core.lesson_status': 'incomplete', 'cmi.suspend_data': 'blåbær' }));
    expect(json.direct).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', body: { result: true, errorCode: 0 }, etag: null });
    expect(json.app).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', body: { result: true, errorCode: 0 } });
    expect(json.app.etag).not.toBeNull();
    expect(json.direct.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const beacon = await both('forste', 'text/plain;charset=UTF-8', commit({ 'cmi.suspend_data': 'ÆØÅ æøå' }));
    expect(beacon.direct).toMatchObject({ status: 200, body: { result: true, errorCode: 0 }, etag: null });
    expect(beacon.app.body).toEqual(beacon.direct.body);

    const resumed = (await (await fetch(`${base}/content/${token}/runtime/forste/launch`, { method: 'POST' })).json()) as { session: number; cmi: Record<string, string> };
    expect(resumed.cmi['cmi.suspend_data']).toBe('ÆØÅ æøå');
    session = resumed.session;
  });

  it('refuses what the app refuses, with the same answer', async () => {
    const cases: [string, string, () => string, string?][] = [
      ['forste', 'application/json', () => '{nope'],
      ['forste', 'application/json', () => '42'],
      ['forste', 'text/plain', () => '{nope'],
      ['forste', 'application/json', commit({ 'cmi.core.lesson_status': 'finished' })],
      ['forste', 'application/json', () => JSON.stringify({ seq: 'one' })],
      ['ingen-slik-sco', 'application/json', commit({ 'cmi.core.lesson_status': 'incomplete' })],
      ['forste', 'application/json', commit({ 'cmi.core.lesson_status': 'incomplete' }), 'forged-token'],
      ['forste', 'application/json', () => JSON.stringify({ session: session - 1, seq: 10_000, cmi: {} })],
    ];
    for (const [sco, type, body, tokenInPath] of cases) {
      const { direct, app } = await both(sco, type, body, tokenInPath);
      // A refused element value is a SCORM error in a 200 answer; the rest are HTTP refusals.
      expect(direct.status >= 400 || direct.body['result'] === false, `${sco} ${type} ${body()}`).toBe(true);
      expect({ ...direct, etag: undefined, requestId: undefined }, `${sco} ${type}`).toEqual({ ...app, etag: undefined, requestId: undefined });
    }
  });

  it('echoes a caller request id that is safe to log, and leaves other kinds of body to the app', async () => {
    const path = `/content/${token}/runtime/forste/commit`;
    const withId = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'lb-1234' }, body: commit({ 'cmi.core.lesson_location': '3' })() });
    expect(withId.headers.get('x-request-id')).toBe('lb-1234');
    // A form body is not a commit the player sends: the app answers it (not JSON, so no commit).
    const form = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ result: false });
    // Over the body limit: the app's 413.
    const huge = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ session, seq: ++seq, cmi: { 'cmi.suspend_data': 'x'.repeat(2 * 1024 * 1024) } }) });
    expect(huge.status).toBe(413);
  });
});
