import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLaunch } from '../../src/lti/identity.js';
import { savePlatform, type Platform } from '../../src/lti/platforms.js';
import { enrol } from '../../src/paths/enrolments.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { decideLink } from '../../src/people/launch-links.js';
import { listLinkConflicts, setEmployeeNumberTrust } from '../../src/people/link-conflicts.js';
import { addEmailDomain } from '../../src/tenants/email-domains.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, publishedPath, webStep, type World } from '../paths/fixtures.js';
import { auditActions, employee, holdings, launchClaims } from './support.js';

const ADMIN = ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator'];

describe(`linking launches to employees (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  let moodle: Platform;
  let trusted: Platform;
  let regional: Platform;
  let n = 0;
  const sub = () => `launcher-${(n += 1)}`;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const db = testDb.database.db;
    world = await createWorld(db);
    const registration = (tenantId: string, issuer: string) => ({
      tenantId, name: issuer, issuer, clientId: 'c', authEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, jwksUrl: `${issuer}/jwks`, deploymentIds: ['1'],
    });
    moodle = await savePlatform(db, registration(world.inRegion, 'https://moodle.links.example'));
    trusted = await savePlatform(db, registration(world.inRegion, 'https://trusted.links.example'));
    regional = await savePlatform(db, registration(world.region, 'https://ks-laering.links.example'));
    await setEmployeeNumberTrust(db, trusted.issuer, true);
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  const accountPerson = (platform: Platform, subject: string) =>
    testDb.database.db.selectFrom('lti_users').select('person_id').where('issuer', '=', platform.issuer).where('subject', '=', subject).executeTakeFirstOrThrow().then((r) => r.person_id);

  it('links a first launch by e-mail address, whatever its case, audited with the method', async () => {
    const db = testDb.database.db;
    const hr = await employee(db, world.inRegion, 'E-1', { email: 'Kari.Hansen@Kommune-A.example' });
    const s = sub();
    const identity = await recordLaunch(db, moodle, launchClaims(moodle, s, { email: 'kari.hansen@kommune-a.example' }));
    expect(identity.personId).toBe(hr.personId);
    expect(await accountPerson(moodle, s)).toBe(hr.personId);
    expect(await auditActions(db, hr.personId)).toEqual([
      { action: 'person.linked', actor_kind: 'system', object_kind: 'employee', object_id: hr.employeeId, details: { method: 'email', issuer: moodle.issuer } },
    ]);
    // Made once: the next launch is the linked person, nothing audited again.
    expect((await recordLaunch(db, moodle, launchClaims(moodle, s, { email: 'kari.hansen@kommune-a.example' }))).personId).toBe(hr.personId);
    expect(await auditActions(db, hr.personId)).toHaveLength(1);
  });

  it('trusts person_sourcedid before the e-mail address', async () => {
    const db = testDb.database.db;
    const bySourced = await employee(db, world.inRegion, 'E-2', { sourcedId: 'SIS-2' });
    const byEmail = await employee(db, world.inRegion, 'E-3', { email: 'e3@kommune-a.example' });
    const identity = await recordLaunch(db, moodle, launchClaims(moodle, sub(), { sourcedId: 'SIS-2', email: 'e3@kommune-a.example' }));
    expect(identity.personId).toBe(bySourced.personId);
    expect((await auditActions(db, bySourced.personId))[0]?.details).toMatchObject({ method: 'sourcedid' });
    expect(await auditActions(db, byEmail.personId)).toEqual([]);
  });

  it('trusts ansattnummer first on a platform marked to substitute it, when nothing else names another employee', async () => {
    const db = testDb.database.db;
    const hr = await employee(db, world.inRegion, 'E-4', { email: 'e4@kommune-a.example', sourcedId: 'SIS-4' });
    const identity = await recordLaunch(db, trusted, launchClaims(trusted, sub(), { custom: { ansattnummer: 'E-4' }, sourcedId: 'SIS-4' }));
    expect(identity.personId).toBe(hr.personId);
    expect((await auditActions(db, hr.personId))[0]?.details).toMatchObject({ method: 'employee-number' });
    // A value the platform did not substitute is no value.
    const literal = await recordLaunch(db, trusted, launchClaims(trusted, sub(), { custom: { ansattnummer: '$User.idnumber' } }));
    expect(await holdings(db, literal.personId)).toEqual({ 'lti_users.person_id': 1 });
  });

  it('attack: a learner sending a colleague\'s ansattnummer as a custom parameter is not linked to them', async () => {
    const db = testDb.database.db;
    const victim = await employee(db, world.inRegion, 'E-5', { email: 'victim@kommune-a.example' });
    const attacker = await employee(db, world.inRegion, 'E-6', { email: 'attacker@kommune-a.example' });
    // On an ordinary platform the parameter is ignored: the attacker's own address decides.
    const ordinary = await recordLaunch(db, moodle, launchClaims(moodle, sub(), { custom: { ansattnummer: 'E-5' }, email: 'attacker@kommune-a.example' }));
    expect(ordinary.personId).toBe(attacker.personId);
    const noEmail = await recordLaunch(db, moodle, launchClaims(moodle, sub(), { custom: { ansattnummer: 'E-5' } }));
    expect(noEmail.personId).not.toBe(victim.personId);
    // On a trusted platform a teacher's parameter that the launcher's address does not confirm is a conflict, never a link.
    const s = sub();
    const onTrusted = await recordLaunch(db, trusted, launchClaims(trusted, s, { custom: { ansattnummer: 'E-5' }, email: 'someone-else@kommune-a.example' }));
    expect(onTrusted.personId).not.toBe(victim.personId);
    expect((await listLinkConflicts(db, world.inRegion)).find((c) => c.personId === onTrusted.personId)).toMatchObject({ reason: 'employee-number-disagrees' });
    const other = await employee(db, world.inRegion, 'E-7', { email: 'e7@kommune-a.example' });
    const disagreeing = await recordLaunch(db, trusted, launchClaims(trusted, sub(), { custom: { ansattnummer: 'E-5' }, email: 'e7@kommune-a.example' }));
    expect([victim.personId, other.personId]).not.toContain(disagreeing.personId);
    const conflicts = await listLinkConflicts(db, world.inRegion);
    expect(conflicts.find((c) => c.personId === disagreeing.personId)).toMatchObject({ reason: 'employee-number-disagrees', method: 'employee-number' });
    // And once the victim has launched, their employee is taken: nobody else links to them.
    await recordLaunch(db, moodle, launchClaims(moodle, 'victim-own', { email: 'victim@kommune-a.example' }));
    const late = await recordLaunch(db, trusted, launchClaims(trusted, sub(), { custom: { ansattnummer: 'E-5' } }));
    expect(late.personId).not.toBe(victim.personId);
    expect((await listLinkConflicts(db, world.inRegion)).find((c) => c.personId === late.personId)).toMatchObject({ reason: 'employee-linked-elsewhere' });
    expect(await auditActions(db, victim.personId)).toHaveLength(1);
  });

  it('lists conflicts for the administrator and links nobody: one address for two employees, an unknown ansattnummer', async () => {
    const db = testDb.database.db;
    const twinA = await employee(db, world.inRegion, 'E-8', { email: 'shared@kommune-a.example' });
    const twinB = await employee(db, world.inRegion, 'E-9', { email: 'SHARED@kommune-a.example' });
    const ambiguous = await recordLaunch(db, moodle, launchClaims(moodle, sub(), { email: 'shared@kommune-a.example' }));
    const unknown = await recordLaunch(db, trusted, launchClaims(trusted, sub(), { custom: { ansattnummer: 'NOBODY' } }));
    expect([twinA.personId, twinB.personId]).not.toContain(ambiguous.personId);
    const conflicts = await listLinkConflicts(db, world.inRegion);
    expect(conflicts.find((c) => c.personId === ambiguous.personId)).toMatchObject({ reason: 'email-ambiguous', method: 'email', launches: 1 });
    expect(conflicts.find((c) => c.personId === ambiguous.personId)?.employees.map((e) => e.employeeNumber).sort()).toEqual(['E-8', 'E-9']);
    expect(conflicts.find((c) => c.personId === unknown.personId)).toMatchObject({ reason: 'employee-number-unknown', employees: [] });
    // Another municipality's administrator sees none of them.
    expect(await listLinkConflicts(db, world.alsoInRegion)).toEqual([]);
    expect(await auditActions(db, twinA.personId)).toEqual([]);
  });

  it('moves what an unlinked launcher did to the employee when they are linked later, and settles their conflict', async () => {
    const db = testDb.database.db;
    const s = sub();
    // Launches without an address: not linked, served as before.
    const first = await recordLaunch(db, moodle, launchClaims(moodle, s));
    const path = await publishedPath(db, world, [webStep(), webStep()]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: first.personId, pathId: path.pathId });
    for (const step of path.stepIds) await deliverOutcome(db, world.inRegion, { enrolmentId, stepId: step, idempotencyKey: step, outcome: { kind: 'web', event: 'done' } });
    const hr = await employee(db, world.inRegion, 'E-10', { email: 'late@kommune-a.example' });
    const before = await holdings(db, first.personId);
    expect(before).toMatchObject({ 'path_enrolments.person_id': 1, 'path_completions.person_id': 1, 'lti_users.person_id': 1 });
    expect(await holdings(db, hr.personId)).toEqual({ 'employees.person_id': 1 });

    const linked = await recordLaunch(db, moodle, launchClaims(moodle, s, { email: 'late@kommune-a.example' }));
    expect(linked.personId).toBe(hr.personId);
    expect(await holdings(db, hr.personId)).toEqual({ ...before, 'employees.person_id': 1 });
    expect(await db.selectFrom('people').select('id').where('id', '=', first.personId).execute()).toEqual([]);
    expect((await auditActions(db, hr.personId))[0]?.details).toMatchObject({ method: 'email', mergedPersonId: first.personId, enrolmentsMoved: 1 });
  });

  it('serves an unlinked launcher exactly as before: no conflict, no audit, their own person', async () => {
    const db = testDb.database.db;
    const s = sub();
    const identity = await recordLaunch(db, moodle, launchClaims(moodle, s, { email: 'not-in-hr@example.org', sourcedId: 'UNKNOWN' }));
    expect(await holdings(db, identity.personId)).toEqual({ 'lti_users.person_id': 1 });
    expect(await auditActions(db, identity.personId)).toEqual([]);
    expect((await listLinkConflicts(db, world.inRegion)).some((c) => c.personId === identity.personId)).toBe(false);
  });

  it('decides in order and never guesses (the rule on its own)', () => {
    const c = (employee_id: string, by: 'employee-number' | 'sourcedid' | 'email', taken = false) => ({ employee_id, person_id: `p-${employee_id}`, by, taken });
    expect(decideLink({ employeeNumber: '1', sourcedId: 's', email: 'e' }, [c('a', 'employee-number'), c('a', 'sourcedid'), c('a', 'email')], true)).toMatchObject({ kind: 'link', method: 'employee-number', employeeId: 'a' });
    expect(decideLink({ employeeNumber: '1', email: 'e' }, [c('a', 'employee-number'), c('b', 'email')], false)).toMatchObject({ kind: 'link', method: 'email', employeeId: 'b' });
    expect(decideLink({ sourcedId: 's' }, [c('a', 'sourcedid'), c('b', 'sourcedid')], false)).toMatchObject({ kind: 'conflict', reason: 'sourcedid-ambiguous' });
    expect(decideLink({ email: 'e' }, [c('a', 'email', true)], false)).toMatchObject({ kind: 'conflict', reason: 'employee-linked-elsewhere' });
    expect(decideLink({ email: 'e' }, [], false)).toEqual({ kind: 'none' });
  });

  describe('a region\'s shared platform', () => {
    it('places a launch by kommunenummer, else by the e-mail domain map; a person per municipality', async () => {
      const db = testDb.database.db;
      const kommunenummer = (await db.selectFrom('tenants').select('kommunenummer').where('id', '=', world.alsoInRegion).executeTakeFirstOrThrow()).kommunenummer!;
      const byNumber = await recordLaunch(db, regional, launchClaims(regional, sub(), { custom: { kommunenummer } }));
      expect(byNumber.tenantId).toBe(world.alsoInRegion);
      await addEmailDomain(db, world.inRegion, 'kommune-a.example');
      const hr = await employee(db, world.inRegion, 'E-11', { email: 'region@kommune-a.example' });
      const byDomain = await recordLaunch(db, regional, launchClaims(regional, sub(), { email: 'Region@Kommune-A.example' }));
      expect(byDomain.tenantId).toBe(world.inRegion);
      // Placed in the municipality, the launcher is linked there too.
      expect(byDomain.personId).toBe(hr.personId);
      // kommunenummer wins over the domain.
      const both = await recordLaunch(db, regional, launchClaims(regional, sub(), { email: 'x@kommune-a.example', custom: { kommunenummer } }));
      expect(both.tenantId).toBe(world.alsoInRegion);
    });

    it('refuses with the page when neither maps, and records nothing; staff stay in the region', async () => {
      const db = testDb.database.db;
      const s = sub();
      await expect(recordLaunch(db, regional, launchClaims(regional, s, { email: 'someone@unknown.example' }))).rejects.toMatchObject({ code: 'municipality-unmapped', emailDomain: 'unknown.example' });
      await expect(recordLaunch(db, regional, launchClaims(regional, s))).rejects.toMatchObject({ code: 'municipality-unmapped', emailDomain: null });
      expect(await db.selectFrom('lti_users').select('subject').where('subject', '=', s).execute()).toEqual([]);
      const admin = await recordLaunch(db, regional, launchClaims(regional, sub(), { roles: ADMIN, email: 'x@kommune-a.example' }));
      expect(admin.tenantId).toBe(world.region);
    });

    it('never places a launch in a municipality outside the region by its domain', async () => {
      const db = testDb.database.db;
      await addEmailDomain(db, world.outside, 'outside.example');
      await expect(recordLaunch(db, regional, launchClaims(regional, sub(), { email: 'a@outside.example' }))).rejects.toMatchObject({ code: 'municipality-unmapped' });
    });
  });
});
