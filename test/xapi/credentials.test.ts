import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { CLIENT_CACHE_MS, XapiAuthenticator, listXapiClients, revokeXapiClient, verifySecret } from '../../src/xapi/credentials.js';
import { as, createLrsFixture, statementAbout, type LrsFixture } from './lrs-fixture.js';

let f: LrsFixture;
beforeAll(async () => {
  f = await createLrsFixture();
});
afterAll(() => f.dispose());

describe('xAPI client credentials', () => {
  it('stores only an scrypt hash of the secret', async () => {
    const row = await f.testDatabase.database.db.selectFrom('xapi_clients').select(['secret_hash']).where('key', '=', f.a.key).executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^scrypt\$/);
    expect(row.secret_hash).not.toContain(f.a.secret);
    expect(await verifySecret(f.a.secret, row.secret_hash)).toBe(true);
    expect(await verifySecret(`${f.a.secret}x`, row.secret_hash)).toBe(false);
  });

  it('a wrong secret is 401, also while the right one is remembered', async () => {
    expect((await as(f.app, f.a).get('/xapi/statements')).status).toBe(200);
    const wrong = await request(f.app).get('/xapi/statements').auth(f.a.key, 'wrong').set('X-Experience-API-Version', '1.0.3');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const otherKey = await request(f.app).get('/xapi/statements').auth(f.b.key, f.a.secret).set('X-Experience-API-Version', '1.0.3');
    expect(otherKey.status).toBe(401);
  });

  it('a verified client is remembered for CLIENT_CACHE_MS, so a revocation takes effect within it', async () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    const authenticator = new XapiAuthenticator(f.testDatabase.database.db, () => now);
    const client = await f.client(f.tenantA, ['all']);
    expect((await authenticator.authenticate(client.key, client.secret, '192.0.2.1'))?.key).toBe(client.key);
    expect(await authenticator.authenticate(client.key, `${client.secret}x`, '192.0.2.1')).toBeUndefined();
    expect(await revokeXapiClient(f.testDatabase.database.db, client.key)).toBe(true);
    now += CLIENT_CACHE_MS - 1;
    expect((await authenticator.authenticate(client.key, client.secret, '192.0.2.1'))?.key).toBe(client.key);
    now += 2;
    expect(await authenticator.authenticate(client.key, client.secret, '192.0.2.1')).toBeUndefined();
    now += 60 * CLIENT_CACHE_MS;
    expect(await authenticator.authenticate(client.key, client.secret, '192.0.2.1')).toBeUndefined();
  });

  it('a revoked client is refused over HTTP within seconds', { timeout: 30_000 }, async () => {
    const client = await f.client(f.tenantA, ['all']);
    expect((await as(f.app, client).get('/xapi/statements')).status).toBe(200);
    const revokedAt = Date.now();
    expect(await revokeXapiClient(f.testDatabase.database.db, client.key)).toBe(true);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < CLIENT_CACHE_MS + 10_000) {
      status = (await as(f.app, client).get('/xapi/statements')).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(CLIENT_CACHE_MS + 10_000);
    expect((await as(f.app, client).post('/xapi/statements').send(statementAbout({ mbox: 'mailto:a@b.no' }))).status).toBe(401);
  });

  it('scopes: state and profile clients reach only their resources; all/read cannot write', async () => {
    const state = await f.client(f.tenantA, ['state']);
    const profile = await f.client(f.tenantA, ['profile']);
    const reader = await f.client(f.tenantA, ['all/read']);
    const stateUrl = `/xapi/activities/state?activityId=https://x.no/a&agent=${encodeURIComponent('{"mbox":"mailto:a@b.no"}')}&stateId=s`;
    const profileUrl = '/xapi/activities/profile?activityId=https://x.no/a&profileId=p';
    expect((await as(f.app, state).put(stateUrl).send({ a: 1 })).status).toBe(204);
    expect((await as(f.app, state).put(profileUrl).set('If-None-Match', '*').send({ a: 1 })).status).toBe(403);
    expect((await as(f.app, profile).put(profileUrl).set('If-None-Match', '*').send({ a: 1 })).status).toBe(204);
    expect((await as(f.app, profile).get('/xapi/statements')).status).toBe(403);
    expect((await as(f.app, reader).get(stateUrl)).status).toBe(200);
    expect((await as(f.app, reader).post('/xapi/statements').send(statementAbout({ mbox: 'mailto:a@b.no' }))).status).toBe(403);
  });
});

describe('npm run cli -- xapi-client add|list|revoke', () => {
  let dataDir: string;
  const env = { ...process.env };
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xapi-cli-'));
    process.env['DATA_DIR'] = dataDir;
    delete process.env['DATABASE_URL'];
  });
  afterAll(() => {
    process.env = env;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds a client for a municipality, shows the secret once, lists and revokes it', { timeout: 180_000 }, async () => {
    const csv = path.join(dataDir, 'kommuner.csv');
    fs.writeFileSync(csv, 'kommunenummer;kommunenavn;fylkesnummer;fylkesnavn\n0301;Oslo;03;Oslo\n');
    const lines: string[] = [];
    const out = (line: string) => lines.push(line);
    await runCli(['tenant', 'import-municipalities', csv], out);
    lines.length = 0;
    await runCli(['xapi-client', 'add', '--tenant', '0301', '--name', 'Oslo HR', '--scopes', 'statements/read,state'], out);
    const key = /key:\s+(\S+)/.exec(lines.join('\n'))?.[1];
    const secret = /secret:\s+(\S+)/.exec(lines.join('\n'))?.[1];
    expect(key).toBeTruthy();
    expect(secret).toBeTruthy();
    lines.length = 0;
    await runCli(['xapi-client', 'list'], out);
    expect(lines.join('\n')).toContain(key);
    expect(lines.join('\n')).not.toContain(secret);
    lines.length = 0;
    await runCli(['xapi-client', 'revoke', key as string], out);
    expect(lines.join('\n')).toContain(`revoked ${key as string}`);
    await expect(runCli(['xapi-client', 'add', '--tenant', '9999', '--name', 'x'], out)).rejects.toThrow(/9999/);
    await expect(runCli(['xapi-client', 'add', '--tenant', '0301', '--name', 'x', '--scopes', 'everything'], out)).rejects.toThrow(/unknown scope/);
  });
});

it('listXapiClients filters by tenant', async () => {
  const clients = await listXapiClients(f.testDatabase.database.db, f.tenantB);
  expect(clients.map((c) => c.key)).toEqual([f.b.key]);
});
