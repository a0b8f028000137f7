import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { verifyRs256 } from '../../src/lti/compact-jws.js';
import { PlatformKeys } from '../../src/lti/platform-keys.js';
import { LtiRefusal } from '../../src/lti/refusal.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { newKey, TestPlatform } from './support/attack-platform.js';

const claims = { sub: 'x' };

describe(`platform JWKS cache (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let platform: TestPlatform;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    platform = new TestPlatform();
    await platform.start(testDb.database, await newKey('k1'));
  });
  afterAll(async () => {
    await platform.stop();
    await testDb.dispose();
  });

  it('fetches once, then serves from memory; refetches stale keys; falls back to stored keys when down, also after a restart', async () => {
    let now = 1_000_000;
    const logger = createLogger('silent');
    const keys = new PlatformKeys(testDb.database.db, logger, { maxAgeMs: 60_000, refetchIntervalMs: 10_000, now: () => now });
    await keys.key(platform.platform, 'k1');
    await keys.key(platform.platform, 'k1');
    expect(platform.jwksRequests).toBe(1);

    now += 120_000; // stale: refetched
    await keys.key(platform.platform, 'k1');
    expect(platform.jwksRequests).toBe(2);

    platform.up = false;
    now += 120_000; // stale and the platform is down: the cached key still verifies
    await expect(keys.key(platform.platform, 'k1')).resolves.toBeDefined();
    expect(platform.jwksRequests).toBe(3);

    // A restarted tool (empty memory) uses the keys stored in the database while the LMS is down.
    const restarted = new PlatformKeys(testDb.database.db, logger, { maxAgeMs: 60_000, now: () => now + 1_000_000 });
    await expect(restarted.key(platform.platform, 'k1')).resolves.toBeDefined();
    const error = await restarted.key(platform.platform, 'k9').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LtiRefusal);
    expect((error as LtiRefusal).code).toBe('jwks-unavailable');
    platform.up = true;
  });

  it('limits refetches on unknown kids, so forged kids cannot flood the platform', async () => {
    let now = 5_000_000;
    const keys = new PlatformKeys(testDb.database.db, createLogger('silent'), { maxAgeMs: 3600_000, refetchIntervalMs: 10_000, now: () => now });
    await keys.key(platform.platform, 'k1');
    const before = platform.jwksRequests;
    for (let i = 0; i < 5; i += 1) await expect(keys.key(platform.platform, `forged-${i}`)).rejects.toMatchObject({ code: 'unknown-kid' });
    expect(platform.jwksRequests - before).toBeLessThanOrEqual(1);
    now += 11_000;
    await expect(keys.key(platform.platform, 'forged-x')).rejects.toMatchObject({ code: 'unknown-kid' });
    expect(platform.jwksRequests - before).toBeLessThanOrEqual(2);
  });

  it('answers concurrent launches on an empty cache with one database read and one fetch, and the key verifies', async () => {
    const keys = new PlatformKeys(testDb.database.db, createLogger('silent'), { maxAgeMs: 1, now: () => 9_000_000_000_000 });
    const before = platform.jwksRequests;
    const found = await Promise.all(Array.from({ length: 20 }, () => keys.key(platform.platform, 'k1')));
    expect(platform.jwksRequests - before).toBe(1);
    expect(new Set(found).size).toBe(1);
    const token = await platform.sign(claims, platform.published[0]!);
    expect(verifyRs256(token, found[0]!).payload).toMatchObject(claims);
  });

  it('uses a rotated key at once and stops accepting a withdrawn key when the cached set is older than maxAge', async () => {
    // Later than the clocks of the tests before: they stored the key set with their fetch times.
    let now = 10_000_000_000_000;
    const keys = new PlatformKeys(testDb.database.db, createLogger('silent'), { maxAgeMs: 15 * 60_000, refetchIntervalMs: 10_000, now: () => now });
    const original = platform.published[0]!;
    await keys.key(platform.platform, original.kid);
    try {
      // The platform rotates: a new key is published beside the old one; its first token refetches.
      const rotated = await newKey('k2');
      platform.published = [rotated, original];
      now += 11_000;
      const key = await keys.key(platform.platform, 'k2');
      expect(verifyRs256(await platform.sign(claims, rotated), key).payload).toMatchObject(claims);
      // It then withdraws the old key: still cached until the set is 15 minutes old, then refused.
      platform.published = [rotated];
      now += 60_000;
      await expect(keys.key(platform.platform, original.kid)).resolves.toBeDefined();
      now += 15 * 60_000;
      await expect(keys.key(platform.platform, original.kid)).rejects.toMatchObject({ code: 'unknown-kid' });
    } finally {
      platform.published = [original];
    }
  });
});
