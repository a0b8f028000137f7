import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xapiRouter } from '../../src/web/xapi/router.js';
import { ADDRESS_FAILURES, addressGroup, KEY_FAILURES } from '../../src/xapi/auth-throttle.js';
import { VERIFIED_IDLE_MS, XapiAuthenticator } from '../../src/xapi/credentials.js';
import { XapiError } from '../../src/xapi/errors.js';
import { testApp, testConfig } from '../support/app.js';
import { createLrsFixture, VERSION_HEADER, type Credentials, type LrsFixture } from './lrs-fixture.js';

/**
 * Issue 13 item 6: failed authentications are throttled per client address and per key (429 with
 * Retry-After), an attacker who hammers a key from elsewhere never locks out its real client at its
 * usual address, and remembered correct credentials pass without a secret check.
 */
let f: LrsFixture;
let app: Express;
beforeAll(async () => {
  f = await createLrsFixture();
  // Behind the production proxy setting, the client address is the one a loopback proxy forwards.
  const config = { ...testConfig({ PUBLIC_URL: f.publicUrl }), nodeEnv: 'production' as const };
  app = testApp(f.testDatabase.database, {
    config,
    // A stopped clock: however slow the machine, no failure is given back while a test counts them.
    routers: [xapiRouter({ db: f.testDatabase.database.db, publicUrl: config.publicUrl, bodyLimitBytes: config.bodyLimitBytes, now: () => STOPPED })],
  });
});
afterAll(() => f.dispose());

const STOPPED = Date.parse('2026-03-02T08:00:00Z');
const from = (address: string, credentials: Credentials) =>
  request(app).get('/xapi/statements?limit=1').set('X-Forwarded-For', address).set(VERSION_HEADER).auth(credentials.key, credentials.secret);

describe('throttling failed authentications over HTTP', { timeout: 60_000 }, () => {
  it('one address: wrong secrets are 401 up to the burst, then 429 problem+json with Retry-After, for any key', async () => {
    const target = await f.client(f.tenantA, ['all']);
    const statuses: number[] = [];
    for (let i = 0; i < ADDRESS_FAILURES.burst; i += 1) statuses.push((await from('203.0.113.1', { ...target, secret: `gjetning-${i}` })).status);
    expect(statuses).toEqual(Array(ADDRESS_FAILURES.burst).fill(401));
    const refused = await from('203.0.113.1', { ...target, secret: 'enda en' });
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.type).toBe('/problems/xapi-too-many-requests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(ADDRESS_FAILURES.refillMs / 1000));
    // Guessing keys instead of secrets is the same brake.
    expect((await from('203.0.113.1', { key: 'finnes-ikke', secret: 'x' })).status).toBe(429);
    // Another address is not affected.
    expect((await from('203.0.113.2', target)).status).toBe(200);
  });

  it('concurrent guesses cannot slip past the burst', async () => {
    const target = await f.client(f.tenantA, ['all']);
    const statuses = await Promise.all(Array.from({ length: 3 * ADDRESS_FAILURES.burst }, (_, i) => from('203.0.113.50', { ...target, secret: `samtidig-${i}` })));
    const counts = statuses.reduce<Record<number, number>>((acc, res) => ({ ...acc, [res.status]: (acc[res.status] ?? 0) + 1 }), {});
    expect(counts[401]).toBe(ADDRESS_FAILURES.burst);
    expect(counts[429]).toBe(2 * ADDRESS_FAILURES.burst);
  });

  it('an attacker hammering a key from many addresses is stopped; the real client at its usual address is not', async () => {
    const real = await f.client(f.tenantA, ['all']);
    expect((await from('198.51.100.7', real)).status).toBe(200);
    let address = 0;
    const attack = () => from(`192.0.2.${(address += 1)}`, { ...real, secret: 'gjetning' });
    for (let i = 0; i < KEY_FAILURES.burst; i += 1) expect((await attack()).status).toBe(401);
    const refused = await attack();
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    // The real client keeps working from its usual address, and so do other clients.
    expect((await from('198.51.100.7', real)).status).toBe(200);
    expect((await from('192.0.2.201', f.b)).status).toBe(200);
  });
});

describe('XapiAuthenticator with a clock', { timeout: 60_000 }, () => {
  it('the known address passes even after the remembered credentials lapsed, while the key is throttled everywhere else', async () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    const authenticator = new XapiAuthenticator(f.testDatabase.database.db, () => now);
    const real = await f.client(f.tenantA, ['all']);
    expect((await authenticator.authenticate(real.key, real.secret, '198.51.100.9'))?.key).toBe(real.key);
    now += VERIFIED_IDLE_MS + 1;
    for (let i = 0; i < KEY_FAILURES.burst; i += 1) {
      expect(await authenticator.authenticate(real.key, `feil-${i}`, `2001:db8:${i}::1`)).toBeUndefined();
    }
    await expect(authenticator.authenticate(real.key, 'feil', '2001:db8:ff::1')).rejects.toMatchObject({ kind: 'too-many-requests' });
    // The secret is checked afresh (scrypt) at the known address, and passes.
    expect((await authenticator.authenticate(real.key, real.secret, '198.51.100.9'))?.key).toBe(real.key);
  });

  it('remembered correct credentials pass even from an address that is throttled (a shared NAT with an attacker)', async () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    const authenticator = new XapiAuthenticator(f.testDatabase.database.db, () => now);
    const real = await f.client(f.tenantA, ['all']);
    const nat = '198.51.100.77';
    expect(await authenticator.authenticate(real.key, real.secret, nat)).toBeDefined();
    for (let i = 0; i < ADDRESS_FAILURES.burst; i += 1) expect(await authenticator.authenticate('ukjent', `x${i}`, nat)).toBeUndefined();
    const refused = await authenticator.authenticate('ukjent', 'x', nat).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(XapiError);
    expect((refused as XapiError).retryAfterSeconds).toBe(Math.ceil(ADDRESS_FAILURES.refillMs / 1000));
    // Repeated correct logins are absorbed by what is remembered, long after the client cache lapsed.
    for (let minute = 0; minute < 30; minute += 1) {
      now += 60_000;
      expect((await authenticator.authenticate(real.key, real.secret, nat))?.key).toBe(real.key);
    }
    // The address recovers one failure per refill period.
    now += ADDRESS_FAILURES.refillMs;
    expect(await authenticator.authenticate('ukjent', 'y', nat)).toBeUndefined();
  });

  it('an IPv6 client counts as its /64; IPv4-mapped addresses as IPv4', () => {
    expect(addressGroup('2001:db8:1:2:aaaa::1')).toBe(addressGroup('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressGroup('2001:db8:1:2::1')).not.toBe(addressGroup('2001:db8:1:3::1'));
    expect(addressGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });
});
