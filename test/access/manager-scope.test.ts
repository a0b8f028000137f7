import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, session } from '../../src/access/rules.js';
import { GrantError, grantManager, listGrants, revokeManager } from '../../src/access/manager-grants.js';
import { managerScope } from '../../src/access/manager-scope.js';
import { regionAggregates, shownCount } from '../../src/access/region-view.js';
import { OPERATOR, personActor } from '../../src/audit/audit-log.js';
import { activeEmploymentsIn } from '../../src/organisation/unit-scope.js';
import { osloDate } from '../../src/oslo-date.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { addEmployee, addPerson, orgWorld, type OrgWorld } from './support.js';

const TODAY = '2026-06-01';

describe(`manager scopes, grants and region aggregates (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let w: OrgWorld;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    w = await orgWorld(db());
  });
  afterAll(async () => testDb?.dispose());

  it('a unit leader by HR data sees their unit and its whole subtree, nothing beside or above it', async () => {
    const scope = await managerScope(db(), w.as, w.people.ingrid, TODAY);
    expect(scope.ledUnitIds).toEqual([w.units.sh.id]);
    expect([...scope.unitIds].sort()).toEqual([w.units.sh.id, w.units.sh1.id].sort());
    const people = await activeEmploymentsIn(db(), w.as, [...scope.unitIds], TODAY);
    // Bjørn's home-care employment is outside the scope; Eva's ended one is history.
    expect(people.map((e) => `${e.employeeNumber}:${e.unitId === w.units.sh.id ? 'SH' : 'SH1'}`).sort()).toEqual(['1001:SH', '1002:SH', '1003:SH1']);
  });

  it('leadership follows the employment dates (Europe/Oslo calendar)', async () => {
    const future = await addEmployee(db(), w.as, '1100', { name: 'Kommende Leder' }, [{ unit: w.units.opp, jobTitle: 'Kommunalsjef', percentage: 100, leads: true, start: '2027-01-01' }]);
    expect((await managerScope(db(), w.as, future, TODAY)).unitIds.size).toBe(0);
    expect([...(await managerScope(db(), w.as, future, '2027-01-01')).unitIds].sort()).toEqual([w.units.opp.id, w.units.sk.id].sort());
    expect(osloDate(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });

  it('a grant adds a unit with its subtree, is audited, and a revoked grant is kept as history', async () => {
    const grantId = await grantManager(db(), { tenantId: w.as, personId: w.people.ingrid, unitId: w.units.ht.id, actor: personActor(w.asAdmin) });
    const scope = await managerScope(db(), w.as, w.people.ingrid, TODAY);
    expect(scope.grantedUnitIds).toEqual([w.units.ht.id]);
    expect(scope.unitIds.has(w.units.ht.id)).toBe(true);
    await expect(grantManager(db(), { tenantId: w.as, personId: w.people.ingrid, unitId: w.units.ht.id, actor: OPERATOR })).rejects.toMatchObject({ code: 'already-granted' });

    await revokeManager(db(), { tenantId: w.as, grantId, actor: personActor(w.asAdmin) });
    expect((await managerScope(db(), w.as, w.people.ingrid, TODAY)).unitIds.has(w.units.ht.id)).toBe(false);
    const all = await listGrants(db(), w.as, { includeRevoked: true });
    expect(all.find((g) => g.id === grantId)).toMatchObject({ revokedBy: w.asAdmin, grantedBy: w.asAdmin, unitCode: 'HT' });
    expect(await listGrants(db(), w.as)).toEqual([]);
    const audit = await db().selectFrom('audit_events').select(['action', 'subject_person_id', 'object_id', 'actor_id', 'details']).where('tenant_id', '=', w.as).orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.subject_person_id, a.object_id, a.actor_id])).toEqual([
      ['manager.granted', w.people.ingrid, w.units.ht.id, w.asAdmin],
      ['manager.revoked', w.people.ingrid, w.units.ht.id, w.asAdmin],
    ]);
    await expect(revokeManager(db(), { tenantId: w.as, grantId, actor: OPERATOR })).rejects.toMatchObject({ code: 'grant-not-found' });
  });

  it('refuses a unit of another municipality with the answer for a unit that does not exist, and another municipality’s person', async () => {
    const refused = await grantManager(db(), { tenantId: w.as, personId: w.people.ingrid, unitId: w.units.bergUnit.id, actor: OPERATOR }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GrantError);
    expect((refused as GrantError).code).toBe('unit-not-in-municipality');
    await expect(grantManager(db(), { tenantId: w.as, personId: w.people.ingrid, unitId: crypto.randomUUID(), actor: OPERATOR })).rejects.toMatchObject({ code: 'unit-not-in-municipality' });
    await expect(grantManager(db(), { tenantId: w.as, personId: w.people.bergWorker, unitId: w.units.sh.id, actor: OPERATOR })).rejects.toMatchObject({ code: 'person-not-in-municipality' });
    // Berg's grant cannot be revoked from Ås.
    const bergGrant = await grantManager(db(), { tenantId: w.berg, personId: w.people.bergWorker, unitId: w.units.bergUnit.id, actor: OPERATOR });
    await expect(revokeManager(db(), { tenantId: w.as, grantId: bergGrant, actor: OPERATOR })).rejects.toMatchObject({ code: 'grant-not-found' });
    expect((await db().selectFrom('manager_grants').select('revoked_at').where('id', '=', bergGrant).executeTakeFirstOrThrow()).revoked_at).toBeNull();
    // An operator's grant has no granting person.
    expect((await listGrants(db(), w.berg))[0]).toMatchObject({ grantedBy: null, personId: w.people.bergWorker });
  });

  it('decides by role, tenant and unit scope: other tenants and units are not found', async () => {
    const scope = await managerScope(db(), w.as, w.people.ingrid, TODAY);
    const manager = { personId: w.people.ingrid, tenantId: w.as, tenantKind: 'municipality' as const, role: 'manager' as const };
    const rule = session('manager');
    expect(authorize(undefined, rule)).toEqual({ allowed: false, refusal: 'no-session' });
    expect(authorize({ ...manager, role: 'learner' }, rule)).toEqual({ allowed: false, refusal: 'role' });
    expect(authorize(manager, rule, { unitIds: [w.units.sh1.id], scope })).toEqual({ allowed: true });
    expect(authorize(manager, rule, { unitIds: [w.units.sk.id], scope })).toEqual({ allowed: false, refusal: 'not-found' });
    expect(authorize(manager, rule, { unitIds: [w.units.sh1.id] })).toEqual({ allowed: false, refusal: 'not-found' });
    expect(authorize(manager, rule, { tenantId: w.berg })).toEqual({ allowed: false, refusal: 'not-found' });
    expect(authorize(manager, { kind: 'lrs-basic' })).toEqual({ allowed: true });
  });

  it('a region sees each member municipality in aggregates, small groups as fewer than 5', async () => {
    // Five more nurses in Ås make the nurses a group that can be shown.
    for (let i = 0; i < 5; i += 1) await addEmployee(db(), w.as, `13${i}`, { name: `Sykepleier ${i}` }, [{ unit: w.units.ht, jobTitle: 'Sykepleier', percentage: 100 }]);
    const [as, berg] = await regionAggregates(db(), w.region, TODAY);
    expect(as).toMatchObject({ name: 'Ås', headcount: { exact: 10 }, units: 7 });
    // 100 + 80 + (40 + 30) + 100 + 100 + 5 × 100 (Eva ended; the coming leader starts in 2027).
    expect(as!.fte).toBe(9.5);
    expect(as!.byJobTitle.find((j) => j.jobTitle === 'Sykepleier')!.headcount).toEqual({ exact: 7 });
    expect(as!.byJobTitle.find((j) => j.jobTitle === 'Lærer')!.headcount).toEqual({ fewerThan: 5 });
    expect(as!.partTime).toEqual({ 'under-50': { exact: 0 }, '50-75': { fewerThan: 5 }, '76-99': { fewerThan: 5 }, '100': { exact: 8 } });
    expect(berg).toMatchObject({ name: 'Berg', headcount: { fewerThan: 5 }, fte: null });
    expect(JSON.stringify([as, berg])).not.toMatch(/Ingrid|Gro|Hans|1001|2002/);
    expect(shownCount(0)).toEqual({ exact: 0 });
  });

  it('a person of the tool with no employee row has no scope', async () => {
    const stranger = await addPerson(db(), w.as, 'Uten ansettelse');
    expect((await managerScope(db(), w.as, stranger, TODAY)).units).toEqual([]);
  });
});
