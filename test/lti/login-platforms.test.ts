/**
 * Logins that arrive while their platform is being read share that read; nothing is kept after it,
 * so a platform removed in between is refused from the next read on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginPlatforms } from '../../src/lti/oidc-login.js';
import { removePlatform } from '../../src/lti/platforms.js';
import { countingDb } from '../support/counting-db.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { newKey, TestPlatform } from './support/attack-platform.js';

describe(`the platform reads of login initiations (${BACKEND})`, () => {
  let testDb: TestDatabase;
  const platform = new TestPlatform();

  beforeAll(async () => {
    testDb = await createTestDatabase();
    await platform.start(testDb.database, await newKey('reads-key-1'));
  });
  afterAll(async () => {
    await platform.stop();
    await testDb.dispose();
  });

  it('shares one read among logins that arrive together, and keeps nothing after it', async () => {
    const { db, statements } = countingDb(testDb.database.db);
    const platforms = new LoginPlatforms(db);
    const together = await Promise.all(Array.from({ length: 20 }, () => platforms.rows(platform.issuer, platform.clientId)));
    expect(statements()).toBe(1);
    expect(together.every((rows) => rows.length === 1 && rows[0]!.id === platform.platform.id)).toBe(true);

    // Another client id is another read; a read after the first was answered is a new read.
    await Promise.all([platforms.rows(platform.issuer, undefined), platforms.rows(platform.issuer, 'other-client')]);
    expect(statements()).toBe(3);
    await platforms.rows(platform.issuer, platform.clientId);
    expect(statements()).toBe(4);

    expect(await removePlatform(testDb.database.db, platform.issuer, platform.clientId)).toBe(true);
    expect(await platforms.rows(platform.issuer, platform.clientId)).toHaveLength(0);
  });
});
