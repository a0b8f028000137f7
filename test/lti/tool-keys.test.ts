import { compactVerify, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/lti/secret-box.js';
import { ToolKeys } from '../../src/lti/tool-keys.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

describe(`tool keys (${BACKEND})`, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('seals and opens with AES-256-GCM, and refuses a tampered value or another purpose', () => {
    const box = new SecretBox('a-secret-of-at-least-thirty-two-characters', 'one');
    const sealed = box.seal('privat nøkkel');
    expect(sealed).not.toContain('privat');
    expect(box.open(sealed)).toBe('privat nøkkel');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('forfalsket').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox('a-secret-of-at-least-thirty-two-characters', 'two').open(sealed)).toThrow();
  });

  it('creates a key on first start, stores the private key encrypted and publishes the public half', async () => {
    let now = new Date('2026-11-23T12:00:00Z');
    const keys = new ToolKeys(testDb.database.db, new SecretBox('a-secret-of-at-least-thirty-two-characters', 'lti-tool-key'), () => now);
    const kid = await keys.ensureKey();
    expect(await keys.ensureKey()).toBe(kid);
    const row = await testDb.database.db.selectFrom('lti_tool_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.private_key_encrypted).toMatch(/^v1\./);
    expect(row.private_key_encrypted).not.toContain('PRIVATE KEY');
    const jwks = await keys.jwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual([kid]);
    expect(jwks.keys[0]).not.toHaveProperty('d');

    // What the key signs verifies with the published key.
    const signing = await keys.signingKey();
    const jwt = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'RS256', kid: signing.kid }).sign(signing.key);
    await expect(compactVerify(jwt, await importJWK(jwks.keys[0]!, 'RS256'))).resolves.toBeDefined();

    // Rotation: a new current key; the old one stays published for the grace period, then goes.
    const rotated = await keys.rotate(3600_000);
    expect(rotated.retired).toEqual([kid]);
    expect((await keys.signingKey()).kid).toBe(rotated.kid);
    expect((await keys.jwks()).keys.map((k) => k.kid).sort()).toEqual([kid, rotated.kid].sort());
    now = new Date('2026-11-23T13:00:01Z');
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid]);
  });

  it('cannot open the stored key with another secret', async () => {
    const other = new ToolKeys(testDb.database.db, new SecretBox('another-secret-of-at-least-thirty-two-chars', 'lti-tool-key'));
    await expect(other.signingKey()).rejects.toThrow();
  });
});
