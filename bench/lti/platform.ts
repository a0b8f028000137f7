import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { CLAIM } from '../../src/lti/claims.js';
import { savePlatform } from '../../src/lti/platforms.js';

const ISSUER = 'https://moodle.bench.example';
const CLIENT_ID = 'bench-client';
const DEPLOYMENT_ID = '1';
const KID = 'bench-key-1';
// bench/run.ts starts the tool with PUBLIC_URL=http://127.0.0.1.
const LAUNCH_URL = 'http://127.0.0.1/lti/launch';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Who is launched, from which resource link, with which custom parameters. */
export interface PlatformLaunch {
  readonly sub: string;
  readonly name: string;
  readonly resourceLinkId: string;
  readonly custom?: Record<string, string>;
  /** More claims of the id_token (a bench variant's: an employee number, an e-mail). */
  readonly claims?: Record<string, unknown>;
}

/** Where a launch ended: the tool's 303 and the session token in it. */
export interface Landed {
  readonly location: string;
  readonly sessionToken: string;
}

/**
 * An LMS (Moodle's shape of claims) played by the bench process: it serves its JWKS, is registered
 * for a tenant, and signs each id_token with RS256 as the platform would. The lti-launch scenarios
 * drive the login and launch requests themselves (autocannon); scenarios that need people launched
 * the real way before their timed part launch one at a time through launch().
 */
export class BenchPlatform {
  /** The login request that starts a launch (GET, answered 302 to the platform with state and nonce). */
  static readonly loginPath = (loginHint: string) =>
    `/lti/login?${new URLSearchParams({ iss: ISSUER, login_hint: loginHint, target_link_uri: LAUNCH_URL, client_id: CLIENT_ID, lti_message_hint: '{"cmid":1,"launchid":"x"}' })}`;

  private constructor(
    private readonly server: http.Server,
    private readonly key: KeyObject,
    /** The key the tool verifies the id_tokens with. */
    readonly publicKey: KeyObject,
  ) {}

  static async register(db: Kysely<Schema>, tenantId: string): Promise<BenchPlatform> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const jwk = { ...createPublicKey(publicKey).export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
    const server = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    await savePlatform(db, { tenantId, name: 'Bench Moodle', issuer: ISSUER, clientId: CLIENT_ID, authEndpoint: `${ISSUER}/mod/lti/auth.php`, tokenEndpoint: `${ISSUER}/mod/lti/token.php`, jwksUrl, deploymentIds: [DEPLOYMENT_ID] });
    return new BenchPlatform(server, createPrivateKey(privateKey), createPublicKey(publicKey));
  }

  /** A signed id_token of a learner's launch for the login's nonce. */
  idToken(who: PlatformLaunch, nonce: string): string {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: KID })}.${b64({
      ...who.claims,
      iss: ISSUER, aud: CLIENT_ID, sub: who.sub, iat: now, exp: now + 60, nonce, name: who.name, locale: 'nb',
      [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0', [CLAIM.deploymentId]: DEPLOYMENT_ID,
      [CLAIM.targetLinkUri]: LAUNCH_URL, [CLAIM.resourceLink]: { id: who.resourceLinkId }, [CLAIM.context]: { id: 'course-1', title: 'Kurs' },
      [CLAIM.roles]: [LEARNER], [CLAIM.custom]: who.custom ?? {},
    })}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(this.key).toString('base64url')}`;
  }

  /** A learner's launch through the tool's login and launch; throws when the tool does not answer 302 and 303. */
  async launch(toolUrl: string, who: PlatformLaunch): Promise<Landed> {
    const login = await fetch(toolUrl + BenchPlatform.loginPath(who.sub), { redirect: 'manual' });
    if (login.status !== 302) throw new Error(`login answered ${login.status}`);
    const redirect = new URL(login.headers.get('location') ?? '');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const launched = await fetch(`${toolUrl}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ id_token: this.idToken(who, redirect.searchParams.get('nonce') ?? ''), state: redirect.searchParams.get('state') ?? '' }),
      redirect: 'manual',
    });
    const location = launched.headers.get('location');
    if (launched.status !== 303 || !location) throw new Error(`launch answered ${launched.status}: ${(await launched.text()).slice(0, 300)}`);
    const sessionToken = new URL(location, toolUrl).searchParams.get('session');
    if (!sessionToken) throw new Error(`launch landed on ${location} without a session`);
    return { location, sessionToken };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
