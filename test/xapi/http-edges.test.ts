import { execFileSync } from 'node:child_process';
import { createHash, createSign } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xapiRouter } from '../../src/web/xapi/router.js';
import { buildMultipart } from '../../src/xapi/multipart.js';
import { testApp, testConfig } from '../support/app.js';
import { as, createLrsFixture, query, statementAbout, type LrsFixture } from './lrs-fixture.js';

let f: LrsFixture;
beforeAll(async () => {
  f = await createLrsFixture();
});
afterAll(() => f.dispose());

describe('HTTP edges of the LRS', () => {
  it('HEAD on a document answers its headers without the body', async () => {
    const url = `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent: { mbox: 'mailto:a@b.no' }, stateId: 's' })}`;
    await as(f.app, f.a).put(url).set('Content-Type', 'text/plain').send('hello').expect(204);
    const head = await as(f.app, f.a).head(url);
    expect(head.status).toBe(200);
    expect(head.headers['etag']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(head.headers['content-length']).toBe('5');
    expect(head.text ?? '').toBe('');
  });

  it('a body over the limit is 413 and nothing is stored', async () => {
    const config = testConfig({ PUBLIC_URL: f.publicUrl, BODY_LIMIT_BYTES: '2048' });
    const app = testApp(f.testDatabase.database, {
      config,
      routers: [xapiRouter({ db: f.testDatabase.database.db, publicUrl: config.publicUrl, bodyLimitBytes: config.bodyLimitBytes })],
    });
    const statement = statementAbout({ mbox: 'mailto:a@b.no' }, { result: { response: 'x'.repeat(4096) } });
    const res = await as(app, f.a).post('/xapi/statements').send(statement);
    expect(res.status).toBe(413);
    expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${statement['id'] as string}`)).status).toBe(404);
    // Without Content-Length (chunked), the limit holds as the body streams in.
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 8; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      });
      const chunked = await fetch(`http://127.0.0.1:${port}/xapi/statements`, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { Authorization: `Basic ${Buffer.from(`${f.a.key}:${f.a.secret}`).toString('base64')}`, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
      } as RequestInit);
      expect(chunked.status).toBe(413);
    } finally {
      server.close();
    }
  });

  it('an unknown resource is 404 and an unsupported method 405, both as problem+json with the version header', async () => {
    const missing = await as(f.app, f.a).get('/xapi/statementz');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    expect(missing.headers['x-experience-api-version']).toBe('1.0.3');
    expect((await as(f.app, f.a).delete('/xapi/statements')).status).toBe(405);
  });
});

describe('signed statements with an x5c certificate', () => {
  let dir: string;
  let key: string;
  let certificate: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xapi-x5c-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=laering-test'], { stdio: 'ignore' });
    key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
    certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function signed(payload: unknown, tamper: boolean): { body: Buffer; statement: Record<string, unknown> } {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', x5c: [certificate] })).toString('base64url');
    const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
    let signature = createSign('RSA-SHA256').update(`${header}.${encoded}`).sign(key).toString('base64url');
    if (tamper) signature = `${signature.slice(0, -4)}AAAA`;
    const jws = Buffer.from(`${header}.${encoded}.${signature}`);
    const attachment = {
      usageType: 'http://adlnet.gov/expapi/attachments/signature',
      display: { en: 'signature' },
      contentType: 'application/octet-stream',
      length: jws.length,
      sha2: createHash('sha256').update(jws).digest('hex'),
    };
    const statement = { ...(payload as Record<string, unknown>), attachments: [attachment] };
    const body = buildMultipart('b0undary', [
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(statement)) },
      { headers: { 'Content-Type': 'application/octet-stream', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': attachment.sha2 }, body: jws },
    ]);
    return { body, statement };
  }

  it('accepts a signature that verifies with the certificate and refuses one that does not', async () => {
    const good = signed(statementAbout({ mbox: 'mailto:a@b.no' }), false);
    const ok = await as(f.app, f.a).post('/xapi/statements').set('Content-Type', 'multipart/mixed; boundary=b0undary').send(good.body);
    expect(ok.status, ok.text).toBe(200);
    const bad = signed(statementAbout({ mbox: 'mailto:a@b.no' }), true);
    const refused = await as(f.app, f.a).post('/xapi/statements').set('Content-Type', 'multipart/mixed; boundary=b0undary').send(bad.body);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/does not verify/);
  });
});
