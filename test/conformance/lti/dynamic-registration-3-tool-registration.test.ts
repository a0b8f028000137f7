/**
 * LTI Dynamic Registration 1.0 §3: the tool fetches the platform's OpenID configuration (§3.4),
 * checks its issuer (§3.5.1), posts its registration with the registration token (§3.6) and stores
 * the client id and deployment the platform returns — only after an operator-issued invitation and
 * a confirmation on the tool's page. Each invitation registers one platform.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { listPlatforms } from '../../../src/lti/platforms.js';
import { createRegistrationInvite, listRegistrationInvites, revokeRegistrationInvite } from '../../../src/lti/registration-invites.js';
import { derivedKey } from '../../../src/lti/secret-box.js';
import { startServer, type RunningServer } from '../../../src/server.js';
import { findMunicipality, importMunicipalities } from '../../../src/tenants/tenants.js';
import { capturingLogger, testConfig } from '../../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../../support/database.js';
import { attribute, freePort, hiddenFields, SECRET } from '../../lti/support/lti-http.js';

describe(`LTI dynamic registration (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let tool: RunningServer;
  let toolUrl: string;
  let platformServer: http.Server;
  let platformUrl: string;
  let issuerOverride: string | undefined;
  const registrations: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
  let tenantId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const port = await freePort();
    toolUrl = `http://127.0.0.1:${port}`;
    tool = await startServer({ config: testConfig({ PORT: String(port), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET }), logger: capturingLogger().logger, database: testDb.database });
    await importMunicipalities(testDb.database.db, [{ kommunenummer: '3303', name: 'Kongsberg', countyNumber: '33', countyName: 'Buskerud' }]);
    tenantId = (await findMunicipality(testDb.database.db, '3303'))!.id;

    platformServer = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        if (req.headers.authorization !== 'Bearer reg-token-1') {
          res.statusCode = 401;
          res.end('{}');
          return;
        }
        res.end(JSON.stringify({
          issuer: issuerOverride ?? platformUrl,
          authorization_endpoint: `${platformUrl}/mod/lti/auth.php`,
          token_endpoint: `${platformUrl}/mod/lti/token.php`,
          jwks_uri: `${platformUrl}/mod/lti/certs.php`,
          registration_endpoint: `${platformUrl}/mod/lti/openid-registration.php`,
          'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'moodle', version: '4.5' },
        }));
        return;
      }
      if (req.url === '/mod/lti/openid-registration.php' && req.method === 'POST') {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          registrations.push({ authorization: req.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
          // A new client id per registration, as Moodle does: a replayed invitation would add a platform.
          res.end(JSON.stringify({ client_id: `moodle-client-${registrations.length + 6}`, 'https://purl.imsglobal.org/spec/lti-tool-configuration': { deployment_id: '3' } }));
        });
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => platformServer.listen(0, '127.0.0.1', resolve));
    platformUrl = `http://127.0.0.1:${(platformServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => platformServer.close(resolve));
    await tool.close();
    await testDb.dispose();
  });

  const newInvite = (days = 7) => createRegistrationInvite(testDb.database.db, { publicUrl: toolUrl, keyEncryptionSecret: SECRET }, tenantId, days);
  const confirm = (page: string) =>
    fetch(`${toolUrl}/lti/register`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(hiddenFields(page)) });
  const expectUnusable = async (response: Response) => {
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).toContain('data-refusal="invite-unusable"');
    expect(body).toContain('Registreringsinvitasjonen er allerede brukt, trukket tilbake eller utløpt');
  };

  const registerUrl = async (invite?: string) => {
    const url = new URL(invite ?? (await newInvite()).url);
    url.searchParams.set('openid_configuration', `${platformUrl}/.well-known/openid-configuration`);
    url.searchParams.set('registration_token', 'reg-token-1');
    return url.toString();
  };

  it('shows a confirmation page, and registers only when confirmed', async () => {
    const response = await fetch(await registerUrl());
    const page = await response.text();
    expect(response.status).toBe(200);
    expect(page).toContain('Bekreft registrering');
    expect(page).toContain('Kongsberg');
    expect(attribute(page, /<dd data-issuer>([^<]+)</)).toBe(platformUrl);
    expect(registrations).toHaveLength(0);
    expect(await listPlatforms(testDb.database.db)).toHaveLength(0);

    const confirmed = await confirm(page);
    const done = await confirmed.text();
    expect(confirmed.status).toBe(200);
    expect(done).toContain('data-registered');
    expect(done).toContain('/lti/assets/registration-close.js');

    expect(registrations).toHaveLength(1);
    const { authorization, body } = registrations[0]!;
    expect(authorization).toBe('Bearer reg-token-1');
    expect(body).toMatchObject({
      initiate_login_uri: `${toolUrl}/lti/login`,
      redirect_uris: [`${toolUrl}/lti/launch`],
      jwks_uri: `${toolUrl}/lti/jwks`,
      token_endpoint_auth_method: 'private_key_jwt',
      'https://purl.imsglobal.org/spec/lti-tool-configuration': { target_link_uri: `${toolUrl}/lti/launch` },
    });
    expect(String(body['scope'])).toContain('https://purl.imsglobal.org/spec/lti-ags/scope/score');

    const platforms = await listPlatforms(testDb.database.db);
    expect(platforms).toMatchObject([{ issuer: platformUrl, clientId: 'moodle-client-7', deploymentIds: ['3'], tenantId, authEndpoint: `${platformUrl}/mod/lti/auth.php`, jwksUrl: `${platformUrl}/mod/lti/certs.php` }]);
    // Named after the site, not after the product family that every Moodle shares.
    expect(platforms[0]!.name).toBe(`${new URL(platformUrl).host} (moodle 4.5)`);
  });

  it('refuses a registration without an operator invitation, or with a forged one', async () => {
    const withoutInvite = new URL(await registerUrl());
    withoutInvite.searchParams.delete('invite');
    const refused = await fetch(withoutInvite);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('data-refusal="not-permitted"');

    const forged = await fetch(await registerUrl(`${toolUrl}/lti/register?invite=eyJhbGciOiJIUzI1NiJ9.eyJ0ZW4iOiJ4In0.AAAA`));
    expect(forged.status).toBe(403);
  });

  it('registers one platform per invitation: a replay of a used invitation is refused, the page and the confirmation alike', async () => {
    const before = (await listPlatforms(testDb.database.db)).length;
    const page = await (await fetch(await registerUrl())).text();
    expect((await confirm(page)).status).toBe(200);
    const platformCalls = registrations.length;

    await expectUnusable(await confirm(page));
    const url = new URL(await registerUrl());
    url.searchParams.set('invite', new URLSearchParams(hiddenFields(page)).get('invite')!);
    await expectUnusable(await fetch(url));
    expect(registrations).toHaveLength(platformCalls);
    expect(await listPlatforms(testDb.database.db)).toHaveLength(before + 1);
    const used = (await listRegistrationInvites(testDb.database.db, { all: true })).find((i) => i.state === 'used' && i.usedBy?.clientId === `moodle-client-${platformCalls + 6}`);
    expect(used).toMatchObject({ tenantName: 'Kongsberg', usedBy: { issuer: platformUrl } });
  });

  it('saves one platform when one invitation is confirmed twice at once', async () => {
    const before = (await listPlatforms(testDb.database.db)).length;
    const page = await (await fetch(await registerUrl())).text();
    const answers = await Promise.all([confirm(page), confirm(page)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    expect(await listPlatforms(testDb.database.db)).toHaveLength(before + 1);
  });

  it('refuses a revoked invitation, an expired one and one signed before invitations were stored', async () => {
    const revoked = await newInvite();
    const page = await (await fetch(await registerUrl(revoked.url))).text();
    expect(await revokeRegistrationInvite(testDb.database.db, revoked.id)).toBe('revoked');
    await expectUnusable(await fetch(await registerUrl(revoked.url)));
    await expectUnusable(await confirm(page));

    const expired = await newInvite();
    await testDb.database.db.updateTable('lti_registration_invites').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', expired.id).execute();
    await expectUnusable(await fetch(await registerUrl(expired.url)));
    expect(await revokeRegistrationInvite(testDb.database.db, expired.id)).toBe('expired');

    const unstored = await new SignJWT({ ten: tenantId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('laeringslop/registration-invite')
      .setIssuedAt()
      .setExpirationTime('7d')
      .sign(derivedKey(SECRET, 'lti-registration-invite'));
    await expectUnusable(await fetch(await registerUrl(`${toolUrl}/lti/register?invite=${unstored}`)));
    const open = (await listRegistrationInvites(testDb.database.db, { all: false })).map((i) => i.id);
    expect(open).not.toContain(revoked.id);
    expect(open).not.toContain(expired.id);
  });

  it('refuses a configuration whose issuer is not the origin it was fetched from', async () => {
    issuerOverride = 'https://moodle.evil.example';
    try {
      const response = await fetch(await registerUrl());
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('data-refusal="wrong-issuer"');
    } finally {
      issuerOverride = undefined;
    }
  });

  it('refuses, with a page and not a 500, a configuration URL that does not answer, answers an error or answers no JSON; the invitation stays usable', async () => {
    const { url: inviteUrl } = await newInvite();
    const closed = `http://127.0.0.1:${await freePort()}/.well-known/openid-configuration`;
    for (const configuration of [closed, `${platformUrl}/nothing-here`, 'not a url']) {
      const url = new URL(inviteUrl);
      url.searchParams.set('openid_configuration', configuration);
      const response = await fetch(url, { headers: { 'accept-language': 'nn' } });
      expect(response.status).toBe(502);
      const body = await response.text();
      expect(body).toContain('data-refusal="platform-unreachable"');
      expect(body).toContain('invitasjonen er ikkje brukt opp');
    }
    const response = await fetch(await registerUrl(inviteUrl));
    expect(response.status).toBe(200);
  });
});
