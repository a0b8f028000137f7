import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { listXapiClients, revokeXapiClient, verifySecret } from '../../src/xapi/credentials.js';
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

  it('a wrong secret is 401, and a revoked client is refused at once', async () => {
    const wrong = await request(f.app).get('/xapi/statements').auth(f.a.key, 'wrong').set('X-Experience-API-Version', '1.0.3');
    expect(wrong.status).toBe(401);
    const client = await f.client(f.tenantA, ['all']);
    expect((await as(f.app, client).get('/xapi/statements')).status).toBe(200);
    expect(await revokeXapiClient(f.testDatabase.database.db, client.key)).toBe(true);
    expect((await as(f.app, client).get('/xapi/statements')).status).toBe(401);
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
