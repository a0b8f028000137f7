import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { CLAIM, type LaunchClaims } from '../../src/lti/claims.js';
import { recordLaunch } from '../../src/lti/identity.js';
import { savePlatform, type Platform } from '../../src/lti/platforms.js';
import { findMunicipality, importMunicipalities } from '../../src/tenants/tenants.js';

describe(`recording who launched (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let platform: Platform;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    await importMunicipalities(db, [{ kommunenummer: '3303', name: 'Kongsberg', countyNumber: '33', countyName: 'Buskerud' }]);
    const tenant = await findMunicipality(db, '3303');
    platform = await savePlatform(db, {
      tenantId: tenant!.id, name: 'Moodle', issuer: 'https://moodle.record.example', clientId: 'c', authEndpoint: 'https://moodle.record.example/auth',
      tokenEndpoint: 'https://moodle.record.example/token', jwksUrl: 'https://moodle.record.example/jwks', deploymentIds: ['1'],
    });
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  const claims = (sub: string, extra: Partial<LaunchClaims> = {}): LaunchClaims => ({
    iss: platform.issuer, sub, aud: 'c', nonce: 'n', messageType: 'LtiResourceLinkRequest', deploymentId: '1', targetLinkUri: 'http://127.0.0.1/lti/launch',
    roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], custom: {}, raw: { [CLAIM.version]: '1.3.0' },
    name: 'Ola Nordmann', locale: 'nb', context: { id: 'course-1', title: 'Kurs' }, resourceLink: { id: 'link-1' }, ...extra,
  });

  it('makes one person, course and link of many first launches at once', async () => {
    const identities = await Promise.all(Array.from({ length: 6 }, () => recordLaunch(testDb.database.db, platform, claims('same-person'))));
    expect(new Set(identities.map((i) => i.personId)).size).toBe(1);
    expect(new Set(identities.map((i) => i.contextId)).size).toBe(1);
    expect(new Set(identities.map((i) => i.resourceLinkId)).size).toBe(1);
    const people = await testDb.database.db.selectFrom('people').select(['id', 'name', 'locale']).where('name', '=', 'Ola Nordmann').execute();
    expect(people).toEqual([{ id: identities[0]!.personId, name: 'Ola Nordmann', locale: 'nb' }]);
  });

  it('keeps what a later launch leaves out and updates what it changes', async () => {
    const db = testDb.database.db;
    const first = await recordLaunch(db, platform, claims('changing', { email: 'a@kongsberg.example' }));
    const second = await recordLaunch(db, platform, claims('changing', { name: 'Ola N.', context: { id: 'course-1', title: 'Nytt kurs' } }));
    expect(second).toMatchObject({ personId: first.personId, contextId: first.contextId, resourceLinkId: first.resourceLinkId });
    const person = await db.selectFrom('people').select(['name', 'email']).where('id', '=', first.personId).executeTakeFirstOrThrow();
    expect(person).toEqual({ name: 'Ola N.', email: 'a@kongsberg.example' });
    const course = await db.selectFrom('lti_contexts').select('title').where('id', '=', first.contextId!).executeTakeFirstOrThrow();
    expect(course.title).toBe('Nytt kurs');
  });

  it('refuses a municipality the platform does not serve and records nothing', async () => {
    const db = testDb.database.db;
    await expect(recordLaunch(db, platform, claims('stranger', { custom: { kommunenummer: '0301' } }))).rejects.toMatchObject({ code: 'unknown-tenant' });
    expect(await db.selectFrom('lti_users').select('subject').where('subject', '=', 'stranger').execute()).toEqual([]);
  });
});
