import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../../../src/db/database.js';
import { CLAIM } from '../../../src/lti/claims.js';
import { savePlatform, type Platform } from '../../../src/lti/platforms.js';
import { importMunicipalities, findMunicipality } from '../../../src/tenants/tenants.js';

export interface PlatformKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newKey(kid: string): Promise<PlatformKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/**
 * A platform the tests control completely: its JWKS server can publish other keys or go down, and
 * it signs whatever claims an attack needs.
 */
export class TestPlatform {
  published: PlatformKey[] = [];
  up = true;
  jwksRequests = 0;
  readonly issuer = 'https://lms.kommune.example';
  readonly clientId = 'tool-client-1';
  readonly deploymentId = 'deployment-1';
  #server: http.Server | undefined;
  jwksUrl = '';
  platform!: Platform;

  async start(database: Database, key: PlatformKey): Promise<void> {
    this.published = [key];
    this.#server = http.createServer((_req, res) => {
      this.jwksRequests += 1;
      if (!this.up) {
        res.statusCode = 503;
        res.end('down');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.published.map((k) => k.publicJwk) }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.jwksUrl = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}/jwks`;
    if (!(await findMunicipality(database.db, '0301'))) {
      await importMunicipalities(database.db, [{ kommunenummer: '0301', name: 'Oslo', countyNumber: '03', countyName: 'Oslo' }]);
    }
    const oslo = await findMunicipality(database.db, '0301');
    this.platform = await savePlatform(database.db, {
      tenantId: oslo!.id,
      name: 'Test-LMS',
      issuer: this.issuer,
      clientId: this.clientId,
      authEndpoint: `${this.issuer}/auth`,
      tokenEndpoint: `${this.issuer}/token`,
      jwksUrl: this.jwksUrl,
      deploymentIds: [this.deploymentId],
    });
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
  }

  /** Claims of a valid resource-link launch, for the given nonce. */
  claims(nonce: string, toolUrl: string): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: this.issuer,
      aud: this.clientId,
      sub: 'user-42',
      iat: now,
      exp: now + 60,
      nonce,
      name: 'Test Testesen',
      [CLAIM.messageType]: 'LtiResourceLinkRequest',
      [CLAIM.version]: '1.3.0',
      [CLAIM.deploymentId]: this.deploymentId,
      [CLAIM.targetLinkUri]: `${toolUrl}/lti/launch`,
      [CLAIM.resourceLink]: { id: 'link-1', title: 'Lenke' },
      [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      [CLAIM.context]: { id: 'course-1', title: 'Kurs' },
    };
  }

  sign(claims: Record<string, unknown>, key: PlatformKey, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
  }
}

/** Starts a login at the tool and returns what the platform receives (state, nonce) and the cookie. */
export async function initiateLogin(toolUrl: string, platform: TestPlatform, clientId = platform.clientId): Promise<{ state: string; nonce: string; cookie: string }> {
  const url = new URL(`${toolUrl}/lti/login`);
  url.searchParams.set('iss', platform.issuer);
  url.searchParams.set('login_hint', 'user-42');
  url.searchParams.set('target_link_uri', `${toolUrl}/lti/launch`);
  url.searchParams.set('client_id', clientId);
  const response = await fetch(url, { redirect: 'manual' });
  if (response.status !== 302) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  const location = new URL(response.headers.get('location')!);
  return {
    state: location.searchParams.get('state')!,
    nonce: location.searchParams.get('nonce')!,
    cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!,
  };
}

/** The launch's own answer: a page (a refusal, the deep-linking picker), or a 303 to where it leads (`location`). */
export async function postLaunch(toolUrl: string, fields: Record<string, string>, cookie?: string): Promise<{ status: number; body: string; location: string | null }> {
  const response = await fetch(`${toolUrl}/lti/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'nb', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
  return { status: response.status, body: await response.text(), location: response.headers.get('location') };
}
