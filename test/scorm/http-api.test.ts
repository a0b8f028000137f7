import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { hostilePackages, zipFixture } from '../content/support/package-zip.js';
import { seedTenantAndPerson } from './support/seed.js';
import { openAttempt, startScormServer, uploadPackage } from './support/server.js';

let testDb: TestDatabase;
let running: Awaited<ReturnType<typeof startScormServer>>;
let base: string;
let ids: { tenantId: string; personId: string };

beforeAll(async () => {
  testDb = await createTestDatabase();
  running = await startScormServer(testDb.database);
  base = running.server.url;
  ids = await seedTenantAndPerson(testDb.database.db);
}, 120_000);
afterAll(async () => {
  await running.stop();
  await testDb.dispose();
});

describe('package import API', () => {
  it('imports an uploaded zip and lists it for its tenant only', async () => {
    const response = await uploadPackage(base, ids.tenantId, await zipFixture('scorm12-norsk'));
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; title: string };
    expect(created.title).toBe('Førstehjelp på arbeidsplassen – æøå ÆØÅ');
    const list = (await (await fetch(`${base}/api/content/packages?tenant=${ids.tenantId}`)).json()) as { id: string }[];
    expect(list.map((p) => p.id)).toContain(created.id);
    const other = await seedTenantAndPerson(testDb.database.db, 'Asker');
    expect(await (await fetch(`${base}/api/content/packages?tenant=${other.tenantId}`)).json()).toEqual([]);
    expect((await fetch(`${base}/api/content/packages/${created.id}?tenant=${other.tenantId}`)).status).toBe(404);
  });

  it('answers a hostile package with problem+json naming the file, in bokmål, nynorsk and English', async () => {
    const slip = hostilePackages().find((h) => h.name === 'zip-slip')!;
    const response = await uploadPackage(base, ids.tenantId, slip.file);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { type: string; code: string; file: string; messages: Record<string, string> };
    expect(problem).toMatchObject({ type: '/problems/content-package-invalid', code: 'path-escapes', file: '../../evil.sh' });
    expect(problem.messages['nb']).toMatch(/peker ut av pakken/);
    expect(problem.messages['nn']).toMatch(/peikar ut av pakken/);
    expect(problem.messages['en']).toMatch(/points outside the package/);
  });

  for (const hostile of hostilePackages()) {
    it(`refuses the ${hostile.name} package over HTTP with its message`, async () => {
      const response = await uploadPackage(base, ids.tenantId, hostile.file);
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { code: string; messages: Record<string, string> };
      expect(problem.code).toBe(hostile.code);
      expect(problem.messages['nb']).toMatch(hostile.nb);
    });
  }

  it('stops an upload over the configured limit with 413', async () => {
    const small = await startServer({ config: testConfig({ DATA_DIR: running.dataDir + '-small', CONTENT_UPLOAD_LIMIT_BYTES: '2048' }), logger: createLogger('silent'), database: testDb.database });
    try {
      const response = await uploadPackage(small.url, ids.tenantId, await zipFixture('scorm12-single'));
      expect(response.status).toBe(413);
      expect(((await response.json()) as { code: string }).code).toBe('upload-too-large');
    } finally {
      await small.close();
    }
  });
});

describe('content and runtime routes', { timeout: 60_000 }, () => {
  it('serves the player, the package files with their own CSP, and takes commits as JSON and as a text/plain beacon', async () => {
    const upload = (await (await uploadPackage(base, ids.tenantId, await zipFixture('scorm12-norsk'))).json()) as { id: string };
    const attempt = await openAttempt(base, { ...ids, packageId: upload.id });
    const player = await fetch(`${base}${attempt.playerUrl}`, { redirect: 'manual' });
    expect(player.status).toBe(303);
    const page = await fetch(`${base}${player.headers.get('location')}`);
    expect(page.status).toBe(200);
    const markup = await page.text();
    expect(markup).toContain('Første side: hjerte–lunge-redning');
    expect(markup).toContain('/content/_player/player.js');

    const file = await fetch(`${base}/content/${attempt.token}/files/sider/f%C3%B8rste%20side.html`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-security-policy')).toContain("'unsafe-inline'");
    expect(await file.text()).toContain('Førstehjelp');
    expect((await fetch(`${base}/content/${attempt.token}/files/sider/../../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/content/${attempt.token}/files/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);

    const launch = (await (await fetch(`${base}/content/${attempt.token}/runtime/forste/launch`, { method: 'POST' })).json()) as { session: number; cmi: Record<string, string> };
    expect(launch.cmi['cmi.core.entry']).toBe('ab-initio');
    const json = await fetch(`${base}/content/${attempt.token}/runtime/forste/commit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: launch.session, seq: 1, cmi: { 'cmi.core.lesson_status': 'incomplete' } }),
    });
    expect(await json.json()).toEqual({ result: true, errorCode: 0 });
    const beacon = await fetch(`${base}/content/${attempt.token}/runtime/forste/commit`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: Buffer.from(JSON.stringify({ session: launch.session, seq: 2, terminate: true, cmi: { 'cmi.suspend_data': 'blåbærsyltetøy ÆØÅ', 'cmi.core.exit': 'suspend' } }), 'utf8'),
    });
    expect(await beacon.json()).toEqual({ result: true, errorCode: 0 });
    const bad = await fetch(`${base}/content/${attempt.token}/runtime/forste/commit`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{nope' });
    expect(bad.status).toBe(400);
    const invalid = await fetch(`${base}/content/${attempt.token}/runtime/forste/commit`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session: launch.session, seq: 3, cmi: { 'cmi.core.lesson_status': 'finished' } }),
    });
    expect(await invalid.json()).toMatchObject({ result: false, errorCode: 405 });
    const resumed = (await (await fetch(`${base}/content/${attempt.token}/runtime/forste/launch`, { method: 'POST' })).json()) as { cmi: Record<string, string> };
    expect(resumed.cmi).toMatchObject({ 'cmi.core.entry': 'resume', 'cmi.suspend_data': 'blåbærsyltetøy ÆØÅ', 'cmi.core.lesson_status': 'incomplete' });
  });

  it('refuses a missing or forged token, and another attempt cannot be written with it', async () => {
    expect((await fetch(`${base}/content/forged/runtime/x/commit`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await fetch(`${base}/content/forged/files/index.html`)).status).toBe(403);
  });

  it('does not mount the import API or the test-only attempt route in production', async () => {
    const production = await startServer({
      config: testConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://laering.example.no', DATABASE_URL: 'postgres://unused@127.0.0.1/unused', KEY_ENCRYPTION_SECRET: 'a-production-secret-that-is-long-enough-1234', CONTENT_SAME_ORIGIN: 'allow', DATA_DIR: running.dataDir + '-prod' }),
      logger: createLogger('silent'),
      database: testDb.database,
    });
    try {
      const attempt = await fetch(`${production.url}/api/dev/scorm/attempts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(attempt.status).toBe(404);
      expect((await fetch(`${production.url}/api/content/packages?tenant=${ids.tenantId}`, { method: 'POST' })).status).toBe(404);
    } finally {
      await production.close();
    }
  });

  it('with CONTENT_ORIGIN set, serves content only on that host', async () => {
    const split = await startServer({ config: testConfig({ DATA_DIR: running.dataDir + '-split', CONTENT_ORIGIN: 'http://innhald.localhost:9' }), logger: createLogger('silent'), database: testDb.database });
    try {
      expect((await fetch(`${split.url}/content/_player/player.css`)).status).toBe(404);
      // fetch may not set Host; node:http may.
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: split.port, path: '/content/_player/player.css', headers: { Host: 'innhald.localhost:9' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(status).toBe(200);
    } finally {
      await split.close();
    }
  });
});
