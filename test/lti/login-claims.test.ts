/**
 * Launch claims that arrive together are written by one statement (group commit), each with its
 * own answer: its platform, whether its nonce was new, and the read-ahead of its own subject. A
 * nonce claimed twice at once is recorded once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginClaims, type LoginState } from '../../src/lti/oidc-login.js';
import { removePlatform, savePlatform, type Platform } from '../../src/lti/platforms.js';
import { findMunicipality, importMunicipalities } from '../../src/tenants/tenants.js';
import { countingDb } from '../support/counting-db.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

describe(`claiming logins together (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    await importMunicipalities(db, [
      { kommunenummer: '3303', name: 'Kongsberg', countyNumber: '33', countyName: 'Buskerud' },
      { kommunenummer: '0301', name: 'Oslo', countyNumber: '03', countyName: 'Oslo' },
    ]);
    const tenant = await findMunicipality(db, '3303');
    platform = await savePlatform(db, {
      tenantId: tenant!.id, name: 'Moodle', issuer: 'https://moodle.claims.example', clientId: 'c', authEndpoint: 'https://moodle.claims.example/auth',
      tokenEndpoint: 'https://moodle.claims.example/token', jwksUrl: 'https://moodle.claims.example/jwks', deploymentIds: ['1'],
    });
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  const state = (nonce: string, platformId = platform.id): LoginState => ({ platformId, nonce, bindingHash: 'h', storageTarget: null, loginParams: {}, expiresAt: Date.now() + 60_000 });
  const subject = (sub: string, kommunenummer?: string) => ({ sub, contextId: 'course-1', resourceLinkId: 'link-1', kommunenummer, employeeNumber: undefined, sourcedId: undefined, email: undefined, staff: false });

  it('writes claims that arrive together in one statement, each answered for itself', async () => {
    const { db, statements } = countingDb(testDb.database.db);
    const claims = new LoginClaims(db);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => claims.claim(state(`together-${i}`), subject(`s-${i}`))));
    expect(statements()).toBe(1);
    expect(answers.every((a) => a.platform?.id === platform.id && a.nonceRecorded)).toBe(true);
    expect(answers.map((a) => a.known?.subject.sub)).toEqual(Array.from({ length: 12 }, (_, i) => `s-${i}`));
    expect(answers.every((a) => a.known?.snapshot.tenant_name === 'Kongsberg' && a.known.snapshot.person_id === null)).toBe(true);

    // Used nonces stay used: claimed again (together or not) they are replays.
    const again = await Promise.all([claims.claim(state('together-3'), undefined), claims.claim(state('fresh-1'), undefined)]);
    expect(again.map((a) => a.nonceRecorded)).toEqual([false, true]);
  });

  it('records a nonce claimed twice at once only once', async () => {
    const claims = new LoginClaims(testDb.database.db);
    const twice = await Promise.all([claims.claim(state('twice'), undefined), claims.claim(state('twice'), undefined), claims.claim(state('other'), undefined)]);
    expect(twice.map((a) => a.nonceRecorded).sort()).toEqual([false, true, true]);
  });

  it('reads ahead the municipality a launch names, or none that the platform does not serve', async () => {
    const claims = new LoginClaims(testDb.database.db);
    const [own, foreign] = await Promise.all([claims.claim(state('kommune-1'), subject('k-1', '3303')), claims.claim(state('kommune-2'), subject('k-2', '0301'))]);
    expect(own.known?.snapshot.tenant_name).toBe('Kongsberg');
    expect(foreign.known?.snapshot.tenant_id).toBeNull();
  });

  it('answers a claim of a removed platform with no platform, beside claims that succeed', async () => {
    const db = testDb.database.db;
    const gone = await savePlatform(db, {
      tenantId: platform.tenantId, name: 'Gone', issuer: 'https://gone.claims.example', clientId: 'g', authEndpoint: 'https://gone.claims.example/auth',
      tokenEndpoint: 'https://gone.claims.example/token', jwksUrl: 'https://gone.claims.example/jwks', deploymentIds: ['1'],
    });
    expect(await removePlatform(db, gone.issuer, gone.clientId)).toBe(true);
    const claims = new LoginClaims(db);
    const [removed, present] = await Promise.all([claims.claim(state('of-removed', gone.id), undefined), claims.claim(state('of-present'), undefined)]);
    expect(removed).toEqual({ platform: undefined, nonceRecorded: false, known: undefined });
    expect(present.nonceRecorded).toBe(true);
    const rows = await db.selectFrom('lti_nonces').select('nonce').where('nonce', 'in', ['of-removed', 'of-present']).execute();
    expect(rows.map((r) => r.nonce)).toEqual(['of-present']);
  });
});
