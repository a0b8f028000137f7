import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { CLAIM, type LaunchClaims } from '../../src/lti/claims.js';
import { launchSubject, peekLaunchSubject, recordLaunch } from '../../src/lti/identity.js';
import { savePlatform, type Platform } from '../../src/lti/platforms.js';
import { findMunicipality, importMunicipalities, importRegions } from '../../src/tenants/tenants.js';

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

  it('uses a snapshot read ahead only for the very subject it was read for', async () => {
    const db = testDb.database.db;
    const victim = await recordLaunch(db, platform, claims('victim'));
    const victimSnapshot = { subject: launchSubject(claims('victim')), snapshot: await snapshotOf('victim') };
    // A read-ahead taken from one token must never decide who another launch is.
    const attacker = await recordLaunch(db, platform, claims('attacker'), victimSnapshot);
    expect(attacker.personId).not.toBe(victim.personId);
    const sameAgain = await recordLaunch(db, platform, claims('victim'), victimSnapshot);
    expect(sameAgain.personId).toBe(victim.personId);
  });

  it('is the same person through a second registration of the same platform (a new client id and deployment)', async () => {
    const db = testDb.database.db;
    const first = await recordLaunch(db, platform, claims('re-registered', { name: 'Kari Nordmann' }));
    const again = await savePlatform(db, { ...registrationOf(platform), clientId: 'c-after-re-registration', deploymentIds: ['7'] });
    const second = await recordLaunch(db, again, claims('re-registered', { aud: again.clientId, deploymentId: '7' }));
    expect(second.personId).toBe(first.personId);
    // Another platform (another issuer) with the same sub is someone else.
    const other = await savePlatform(db, { ...registrationOf(platform), issuer: 'https://canvas.record.example', clientId: 'c' });
    expect((await recordLaunch(db, other, claims('re-registered', { iss: other.issuer }))).personId).not.toBe(first.personId);
    expect(await db.selectFrom('lti_users').select(['issuer', 'person_id']).where('subject', '=', 're-registered').orderBy('issuer', 'desc').execute()).toEqual([
      { issuer: platform.issuer, person_id: first.personId },
      { issuer: other.issuer, person_id: expect.not.stringMatching(first.personId) },
    ]);
  });

  it('is a person of the municipality the launch is for: a region platform makes one per municipality', async () => {
    const db = testDb.database.db;
    await importMunicipalities(db, [{ kommunenummer: '3334', name: 'Flesberg', countyNumber: '33', countyName: 'Buskerud' }]);
    await importRegions(db, [{ region: 'Numedal', kommunenummer: '3303' }, { region: 'Numedal', kommunenummer: '3334' }]);
    const region = await db.selectFrom('tenants').select('id').where('name', '=', 'Numedal').executeTakeFirstOrThrow();
    const regional = await savePlatform(db, { ...registrationOf(platform), tenantId: region.id, issuer: 'https://region.record.example', clientId: 'r' });
    const launch = (kommunenummer: string) => recordLaunch(db, regional, claims('commuter', { iss: regional.issuer, custom: { kommunenummer } }));
    const inKongsberg = await launch('3303');
    const inFlesberg = await launch('3334');
    expect(inFlesberg.personId).not.toBe(inKongsberg.personId);
    expect((await launch('3303')).personId).toBe(inKongsberg.personId);
    const tenants = await db.selectFrom('people').select(['id', 'tenant_id']).where('id', 'in', [inKongsberg.personId, inFlesberg.personId]).execute();
    expect(new Map(tenants.map((t) => [t.id, t.tenant_id]))).toEqual(new Map([[inKongsberg.personId, inKongsberg.tenantId], [inFlesberg.personId, inFlesberg.tenantId]]));
  });

  const registrationOf = (p: Platform) => ({ tenantId: p.tenantId, name: p.name, issuer: p.issuer, clientId: p.clientId, authEndpoint: p.authEndpoint, tokenEndpoint: p.tokenEndpoint, jwksUrl: p.jwksUrl, deploymentIds: p.deploymentIds });

  it('reads the subject of a token without trusting it, and nothing of what is not one', () => {
    const payload = { sub: 's-1', [CLAIM.context]: { id: 'c-1' }, [CLAIM.resourceLink]: { id: 'l-1' }, [CLAIM.custom]: { kommunenummer: '3303' } };
    const token = `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    expect(peekLaunchSubject(token)).toEqual({ sub: 's-1', contextId: 'c-1', resourceLinkId: 'l-1', kommunenummer: '3303', employeeNumber: undefined, sourcedId: undefined, email: undefined, staff: false });
    const hr = { ...payload, email: 'a@b.no', [CLAIM.lis]: { person_sourcedid: 'S-9' }, [CLAIM.custom]: { ansattnummer: ' 42 ' }, [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'] };
    expect(peekLaunchSubject(`e30.${Buffer.from(JSON.stringify(hr)).toString('base64url')}.sig`)).toMatchObject({ employeeNumber: '42', sourcedId: 'S-9', email: 'a@b.no', staff: true, kommunenummer: undefined });
    expect(peekLaunchSubject('not-a-token')).toBeUndefined();
    expect(peekLaunchSubject(`e30.${Buffer.from('{"sub":42}').toString('base64url')}.x`)).toBeUndefined();
    expect(peekLaunchSubject(`e30.${Buffer.from('[1,2').toString('base64url')}.x`)).toBeUndefined();
  });

  /** What the launch's claim statement would have read for this subject. */
  async function snapshotOf(sub: string) {
    const db = testDb.database.db;
    const user = await db.selectFrom('lti_users').innerJoin('people', 'people.id', 'lti_users.person_id')
      .select(['lti_users.person_id', 'lti_users.tenant_id', 'people.name', 'people.given_name', 'people.family_name', 'people.email', 'people.locale'])
      .where('lti_users.subject', '=', sub).executeTakeFirstOrThrow();
    const link = await db.selectFrom('lti_resource_links').selectAll().where('resource_link_id', '=', 'link-1').executeTakeFirstOrThrow();
    const context = await db.selectFrom('lti_contexts').selectAll().where('context_id', '=', 'course-1').executeTakeFirstOrThrow();
    return {
      tenant_id: platform.tenantId, tenant_name: 'Kongsberg', person_id: user.person_id, person_tenant_id: user.tenant_id,
      name: user.name, given_name: user.given_name, family_name: user.family_name, email: user.email, locale: user.locale as 'nb',
      context_row_id: context.id, context_title: context.title, context_label: context.label, memberships_url: context.memberships_url,
      link_row_id: link.id, link_context_id: link.context_id, link_title: link.title, link_custom: link.custom as Record<string, string> | null,
      lineitem_url: link.lineitem_url, lineitems_url: link.lineitems_url, ags_scopes: link.ags_scopes,
    };
  }
});
