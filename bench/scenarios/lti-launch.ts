import { createPrivateKey, createPublicKey, createSign, createVerify, generateKeyPairSync, randomInt, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openPostgres } from '../../src/db/postgres.js';
import { CLAIM } from '../../src/lti/claims.js';
import { savePlatform } from '../../src/lti/platforms.js';
import { findMunicipality, importMunicipalities } from '../../src/tenants/tenants.js';
import { runAutocannon, type Scenario } from '../harness.js';

const ISSUER = 'https://moodle.bench.example';
const CLIENT_ID = 'bench-client';
const DEPLOYMENT_ID = '1';
const KID = 'bench-key-1';
// bench/run.ts starts the tool with PUBLIC_URL=http://127.0.0.1.
const LAUNCH_URL = 'http://127.0.0.1/lti/launch';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The cost of one RS256 verification on this machine, in microseconds (the floor of a launch). With
 * parsed keys, as the tool verifies: a PEM string would be parsed again on every call.
 */
function rs256VerifyMicros(publicKey: KeyObject, privateKey: KeyObject): number {
  const input = `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
  const rounds = 2000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) createVerify('RSA-SHA256').update(input).verify(publicKey, signature);
  return Number(process.hrtime.bigint() - start) / rounds / 1000;
}

export const scenario: Scenario = {
  name: 'lti-launch',
  description: 'full LTI 1.3 launch (GET /lti/login → signed id_token → POST /lti/launch with every check) at 50 connections for 10 s',
  async run(context) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    // Parsed once: signing with the PEM string would parse it again for every token (about 1 ms of
    // the load generator's CPU per launch, taken from the tool on this shared machine).
    const signingKey = createPrivateKey(privateKey);
    const verificationKey = createPublicKey(publicKey);
    const jwk = { ...verificationKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
    const jwks = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;

    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 2 });
    try {
      await importMunicipalities(database.db, [{ kommunenummer: '3303', name: 'Kongsberg', countyNumber: '33', countyName: 'Buskerud' }]);
      const tenant = await findMunicipality(database.db, '3303');
      await savePlatform(database.db, { tenantId: tenant!.id, name: 'Bench Moodle', issuer: ISSUER, clientId: CLIENT_ID, authEndpoint: `${ISSUER}/mod/lti/auth.php`, tokenEndpoint: `${ISSUER}/mod/lti/token.php`, jwksUrl, deploymentIds: [DEPLOYMENT_ID] });
    } finally {
      await database.close();
    }

    const loginPath = `/lti/login?${new URLSearchParams({ iss: ISSUER, login_hint: '2', target_link_uri: LAUNCH_URL, client_id: CLIENT_ID, lti_message_hint: '{"cmid":1,"launchid":"x"}' })}`;
    const idToken = (nonce: string) => {
      const now = Math.floor(Date.now() / 1000);
      const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64({
        iss: ISSUER, aud: CLIENT_ID, sub: `user-${randomInt(2000)}`, iat: now, exp: now + 60, nonce, name: 'Bench Bruker', locale: 'nb',
        [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0', [CLAIM.deploymentId]: DEPLOYMENT_ID,
        [CLAIM.targetLinkUri]: LAUNCH_URL, [CLAIM.resourceLink]: { id: 'link-1' }, [CLAIM.context]: { id: 'course-1', title: 'Kurs' },
        [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      })}`;
      return `${input}.${createSign('RSA-SHA256').update(input).sign(signingKey).toString('base64url')}`;
    };
    type Ctx = { state?: string; nonce?: string; cookie?: string };

    try {
      const verifyMicros = rs256VerifyMicros(verificationKey, signingKey);
      const result = await runAutocannon(context, 'lti-launch', {
        path: loginPath,
        connections: 50,
        duration: 10,
        requests: [
          {
            method: 'GET',
            path: loginPath,
            onResponse: (_status: number, _body: string, ctx: Ctx, headers: Record<string, string>) => {
              const location = new URL(headers['location'] ?? headers['Location'] ?? 'http://x/');
              ctx.state = location.searchParams.get('state') ?? '';
              ctx.nonce = location.searchParams.get('nonce') ?? '';
              ctx.cookie = String(headers['set-cookie'] ?? headers['Set-Cookie'] ?? '').split(';')[0] ?? '';
            },
          },
          {
            method: 'POST',
            path: '/lti/launch',
            setupRequest: (req: Record<string, unknown>, ctx: Ctx) => ({
              ...req,
              headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: ctx.cookie ?? '' },
              body: new URLSearchParams({ id_token: idToken(ctx.nonce ?? ''), state: ctx.state ?? '' }).toString(),
            }),
          },
        ],
      } as Parameters<typeof runAutocannon>[2]);
      // The login answers 302 (counted as non-2xx); the launches are the other requests.
      const total = result.requestsPerSecond * result.durationSeconds;
      const launchesPerSecond = Math.round((total - result.non2xx) / result.durationSeconds);
      return {
        ...result,
        notes: `two requests per launch (login 302 counts as non-2xx): ≈ ${launchesPerSecond} launches/s; one RS256 verification here costs ${verifyMicros.toFixed(0)} µs`,
      };
    } finally {
      await new Promise((resolve) => jwks.close(resolve));
    }
  },
};
