import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { PlatformKeys } from '../../src/lti/platform-keys.js';
import { LtiRefusal } from '../../src/lti/refusal.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { newKey, TestPlatform } from './support/attack-platform.js';

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
});
