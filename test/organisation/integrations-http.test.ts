import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPlatform, savePlatform } from '../../src/lti/platforms.js';
import { createRegistrationInvite, listRegistrationInvites } from '../../src/lti/registration-invites.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { createXapiClient, listXapiClients, verifySecret } from '../../src/xapi/credentials.js';
import { integrationsRouter } from '../../src/web/integrations/router.js';
import { testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminWorld, client, SECRET, unescape, type AdminWorld } from './support.js';

const MOODLE = {
  name: 'Moodle Kongsberg',
  issuer: 'https://laering.kongsberg.kommune.no',
  'client-id': 'abc123',
  'auth-url': 'https://laering.kongsberg.kommune.no/mod/lti/auth.php',
  'token-url': 'https://laering.kongsberg.kommune.no/mod/lti/token.php',
  'jwks-url': 'https://laering.kongsberg.kommune.no/mod/lti/certs.php',
  'deployment-ids': '1\n2, 2',
};

describe(`the admin's LMS platforms and xAPI clients over HTTP (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: AdminWorld;
  let admin: ReturnType<typeof client>;
  let osloAdmin: ReturnType<typeof client>;
  const db = () => testDb.database.db;
  const config = testConfig({ KEY_ENCRYPTION_SECRET: SECRET, PUBLIC_URL: 'https://laeringslop.example.no' });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await adminWorld(testDb.database, (sessions) => [integrationsRouter({ db: testDb.database.db, sessions, config })]);
    admin = client(world.app, await world.token(world.kongsberg));
    osloAdmin = client(world.app, await world.token(world.oslo));
  });
  afterAll(async () => testDb?.dispose());

  it('creates an xAPI client with its secret shown once, lists it, and revokes it', async () => {
    const empty = await admin.get('/admin/xapi-clients');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('Kommunen har ingen nøkler.');
    expect(empty.text).toContain('https://laeringslop.example.no/xapi/');
    const refused = await admin.post('/admin/xapi-clients', { name: 'HR-systemet', scopes: [] as string[] });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Velg minst én tilgang.');
    expect(refused.text).toContain('value="HR-systemet"');
    const noName = await admin.post('/admin/xapi-clients', { name: ' ', scopes: ['statements/read', 'state'] });
    expect(noName.status).toBe(400);
    expect(noName.text).toMatch(/value="state" checked/);

    const created = await admin.post('/admin/xapi-clients', { name: 'HR-systemet', scopes: ['statements/read', 'statements/write', 'nonsense'] });
    expect(created.status).toBe(201);
    const key = /data-created-key>([0-9a-f]+)</.exec(created.text)![1]!;
    const secret = /data-created-secret>([^<]+)</.exec(created.text)![1]!;
    const [stored] = await listXapiClients(db(), world.kongsberg);
    expect(stored).toMatchObject({ key, name: 'HR-systemet', scopes: ['statements/read', 'statements/write'] });
    const row = await db().selectFrom('xapi_clients').select('secret_hash').where('key', '=', key).executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(secret);
    expect(await verifySecret(unescape(secret), row.secret_hash)).toBe(true);
    // Shown once: the list never shows the secret again.
    const list = await admin.get('/admin/xapi-clients');
    expect(list.text).toContain(`data-client="${key}" data-state="active"`);
    expect(list.text).not.toContain(secret);

    // Oslo's admin cannot revoke or see Kongsberg's client; nor can a designer.
    expect((await osloAdmin.get('/admin/xapi-clients')).text).not.toContain(key);
    expect((await osloAdmin.post('/admin/xapi-clients/revoke', { key })).status).toBe(404);
    const designer = client(world.app, await world.token(world.kongsberg, 'designer'));
    expect((await designer.post('/admin/xapi-clients/revoke', { key })).status).toBe(403);
    expect((await listXapiClients(db(), world.kongsberg))[0]!.revokedAt).toBeNull();

    const revoked = await admin.post('/admin/xapi-clients/revoke', { key });
    expect(revoked.status).toBe(303);
    expect((await listXapiClients(db(), world.kongsberg))[0]!.revokedAt).not.toBeNull();
    expect((await admin.get('/admin/xapi-clients')).text).toContain(`data-client="${key}" data-state="revoked"`);
    const audit = await db().selectFrom('audit_events').select(['action', 'details']).where('tenant_id', '=', world.kongsberg).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['xapi.client.created', 'xapi.client.revoked']);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('an Oslo client addressed by its key from Kongsberg is 404, and unknown keys too', async () => {
    const { client: oslo } = await createXapiClient(db(), { tenantId: world.oslo, name: 'Oslo HR', scopes: ['statements/read'] });
    expect((await admin.post('/admin/xapi-clients/revoke', { key: oslo.key })).status).toBe(404);
    expect((await admin.post('/admin/xapi-clients/revoke', { key: "x' or 1=1 --" })).status).toBe(404);
    expect((await listXapiClients(db(), world.oslo))[0]!.revokedAt).toBeNull();
  });

  it('registers a platform as the CLI does, refuses bad addresses and another tenant’s platform, and removes it', async () => {
    const bad = await admin.post('/admin/platforms', { ...MOODLE, 'auth-url': 'ftp://x', 'deployment-ids': ' ' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Skriv en fullstendig https-adresse');
    expect(bad.text).toContain('Skriv minst én deployment-ID.');
    expect(bad.text).toContain('value="ftp://x"');
    expect(bad.text).toContain('value="Moodle Kongsberg"');

    const saved = await admin.post('/admin/platforms', MOODLE);
    expect(saved.status).toBe(303);
    const platform = (await findPlatform(db(), MOODLE.issuer, 'abc123'))!;
    expect(platform).toMatchObject({ tenantId: world.kongsberg, name: 'Moodle Kongsberg', deploymentIds: ['1', '2'] });
    expect((await admin.get('/admin/platforms')).text).toContain(`data-platform="${platform.id}"`);

    // Oslo registering the same issuer and client id would move it: refused, it stays Kongsberg's.
    const stolen = await osloAdmin.post('/admin/platforms', { ...MOODLE, name: 'Oslo' });
    expect(stolen.status).toBe(409);
    expect(stolen.text).toContain('registrert for en annen kommune eller region');
    expect((await findPlatform(db(), MOODLE.issuer, 'abc123'))!.tenantId).toBe(world.kongsberg);
    expect((await osloAdmin.get('/admin/platforms')).text).not.toContain(platform.id);
    expect((await osloAdmin.post('/admin/platforms/remove', { platform: platform.id })).status).toBe(404);
    expect((await admin.post('/admin/platforms/remove', { platform: 'not-an-id' })).status).toBe(404);

    // The platform the admin is signed in through cannot be removed by them.
    const self = client(world.app, await new SessionTokens(SECRET).issue({ personId: (await db().selectFrom('people').select('id').where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow()).id, tenantId: world.kongsberg, role: 'admin', contextId: null, resourceLinkId: null, platformId: platform.id, locale: 'en' }));
    const own = await self.post('/admin/platforms/remove', { platform: platform.id });
    expect(own.status).toBe(409);
    expect(own.text).toContain('You are signed in through this platform');

    expect((await admin.post('/admin/platforms/remove', { platform: platform.id })).status).toBe(303);
    expect(await findPlatform(db(), MOODLE.issuer, 'abc123')).toBeUndefined();
  });

  it('creates a registration invitation for its own tenant only, shown once, and revokes it', async () => {
    const badDays = await admin.post('/admin/platforms/invites', { days: '0' });
    expect(badDays.status).toBe(400);
    expect(badDays.text).toContain('Skriv et helt antall dager fra 1 til 90.');
    const made = await admin.post('/admin/platforms/invites', { days: '3' });
    expect(made.status).toBe(201);
    expect(unescape(/data-invite-url>([^<]+)</.exec(made.text)![1]!)).toMatch(/^https:\/\/laeringslop\.example\.no\/lti\/register\?invite=/);
    const open = (await listRegistrationInvites(db(), { all: false })).filter((i) => i.tenantId === world.kongsberg);
    expect(open).toHaveLength(1);
    expect((await admin.get('/admin/platforms')).text).toContain(`data-invite="${open[0]!.id}"`);

    const osloInvite = await createRegistrationInvite(db(), config, world.oslo, 7);
    expect((await admin.post('/admin/platforms/invites/revoke', { invite: osloInvite.id })).status).toBe(404);
    expect((await admin.get('/admin/platforms')).text).not.toContain(osloInvite.id);
    expect((await osloAdmin.post('/admin/platforms/invites/revoke', { invite: open[0]!.id })).status).toBe(404);
    expect((await admin.post('/admin/platforms/invites/revoke', { invite: open[0]!.id })).status).toBe(303);
    expect((await listRegistrationInvites(db(), { all: true })).find((i) => i.id === open[0]!.id)!.state).toBe('revoked');
    expect((await listRegistrationInvites(db(), { all: true })).find((i) => i.id === osloInvite.id)!.state).toBe('open');
  });

  it('refuses learners, managers and designers, and pages answer in nynorsk and English', async () => {
    for (const role of ['learner', 'manager', 'designer'] as const) {
      const other = client(world.app, await world.token(world.kongsberg, role));
      expect((await other.get('/admin/platforms')).status, role).toBe(403);
      expect((await other.get('/admin/xapi-clients')).status, role).toBe(403);
      expect((await other.post('/admin/xapi-clients', { name: 'x', scopes: 'all' })).status, role).toBe(403);
    }
    expect((await admin.get('/admin/platforms', { lang: 'nn' })).text).toContain('Registrer ei plattform manuelt');
    expect((await admin.get('/admin/xapi-clients', { lang: 'en' })).text).toContain('LRS keys (xAPI)');
    // A platform registered from the CLI for Oslo is not listed for Kongsberg.
    await savePlatform(db(), { tenantId: world.oslo, name: 'Oslo LMS', issuer: 'https://oslo.example', clientId: 'o', authEndpoint: 'https://oslo.example/a', tokenEndpoint: 'https://oslo.example/t', jwksUrl: 'https://oslo.example/j', deploymentIds: ['1'] });
    expect((await admin.get('/admin/platforms')).text).not.toContain('Oslo LMS');
  });
});
