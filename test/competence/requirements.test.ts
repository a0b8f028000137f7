import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, personActor } from '../../src/audit/audit-log.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { addRequirement, endRequirement, listRequirements, parseDay, RequirementRefused, type RequirementFields } from '../../src/competence/requirements.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

describe(`competence requirements (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let region: string;
  let kongsberg: string;
  let notodden: string;
  let tromso: string;
  let fire: string;
  let aid: string;
  let tromsoOwn: string;
  const db = () => testDb.database.db;
  const refusal = async (tenantId: string, fields: RequirementFields) => {
    const error = await addRequirement(db(), tenantId, fields, OPERATOR).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequirementRefused);
    return Object.fromEntries((error as RequirementRefused).problems);
  };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const tenant = async (kind: 'region' | 'municipality', name: string, kommunenummer: string | null) =>
      (await db().insertInto('tenants').values({ kind, name, kommunenummer }).returning('id').executeTakeFirstOrThrow()).id;
    region = await tenant('region', 'Kongsbergregionen', null);
    kongsberg = await tenant('municipality', 'Kongsberg', '3303');
    notodden = await tenant('municipality', 'Notodden', '4005');
    tromso = await tenant('municipality', 'Tromsø', '5501');
    await db().insertInto('region_municipalities').values([{ region_id: region, municipality_id: kongsberg }, { region_id: region, municipality_id: notodden }]).execute();
    await applyCatalogueImport(db(), region, 'område;kode;kompetanse;gyldighet_måneder;nivå 1;nivå 2\nFelles;brannvern;Brannvern;24;Kjenner rutinene;Kan lede evakuering\nFelles;forstehjelp;Førstehjelp;24;;\n', OPERATOR);
    await applyCatalogueImport(db(), tromso, 'område;kode;kompetanse\nFelles;nordlys;Nordlysguiding\n', OPERATOR);
    fire = (await findCompetence(db(), kongsberg, 'brannvern'))!.id;
    aid = (await findCompetence(db(), kongsberg, 'forstehjelp'))!.id;
    tromsoOwn = (await findCompetence(db(), tromso, 'nordlys'))!.id;
    const unit = await db().insertInto('org_units').values({ tenant_id: kongsberg, code: 'HJT', name: 'Hjemmetjenesten', path: [] }).returning('id').executeTakeFirstOrThrow();
    await db().updateTable('org_units').set({ path: [unit.id] }).where('id', '=', unit.id).execute();
  });
  afterAll(async () => testDb.dispose());

  it('reads Norwegian and ISO days, and only real ones', () => {
    expect(parseDay('31.12.2027')).toBe('2027-12-31');
    expect(parseDay('1.3.2028')).toBe('2028-03-01');
    expect(parseDay('2028-02-29')).toBe('2028-02-29');
    expect(parseDay('29.02.2027')).toBeUndefined();
    expect(parseDay('2027-13-01')).toBeUndefined();
    expect(parseDay('i morgen')).toBeUndefined();
  });

  it('adds requirements for a job role, a unit or both, with level, grace period and a target', async () => {
    const admin = personActor((await db().insertInto('people').values({ tenant_id: kongsberg }).returning('id').executeTakeFirstOrThrow()).id);
    await addRequirement(db(), kongsberg, { competence: fire, jobTitle: 'Helsefagarbeider', minLevel: '2', mandatory: 'mandatory', graceDays: '90', targetPercent: '80,5', targetDate: '31.12.2027' }, admin);
    await addRequirement(db(), kongsberg, { competence: aid, unitCode: 'HJT', mandatory: 'recommended', validityMonths: '12', acceptsDeclared: 'yes' }, admin);
    const listed = await listRequirements(db(), kongsberg);
    expect(listed.map((r) => [r.competence.code, r.jobTitle, r.orgUnit?.code ?? null, r.minLevel, r.mandatory, r.graceDays, r.validityMonths, r.acceptsDeclared, r.target])).toEqual([
      ['brannvern', 'Helsefagarbeider', null, 2, true, 90, null, false, { percent: 80.5, date: '2027-12-31' }],
      ['forstehjelp', null, 'HJT', null, false, null, 12, true, null],
    ]);
    const audits = await db().selectFrom('audit_events').select(['action', 'actor_id']).where('tenant_id', '=', kongsberg).where('action', 'like', 'competence.requirement.%').execute();
    expect(audits).toEqual([{ action: 'competence.requirement.added', actor_id: admin.id }, { action: 'competence.requirement.added', actor_id: admin.id }]);
  });

  it('refuses what cannot be a requirement, naming each field', async () => {
    expect(await refusal(kongsberg, {})).toEqual({ competence: 'competence-missing', jobTitle: 'scope-missing', mandatory: 'mandatory-missing' });
    // Another municipality's own competence is not in Kongsberg's catalogue.
    expect(await refusal(kongsberg, { competence: tromsoOwn, jobTitle: 'Guide', mandatory: 'mandatory' })).toEqual({ competence: 'competence-unknown' });
    expect(await refusal(kongsberg, { competence: 'not-an-id', jobTitle: 'Guide', mandatory: 'mandatory' })).toEqual({ competence: 'competence-unknown' });
    expect(await refusal(kongsberg, { competence: fire, unitCode: 'NOPE', mandatory: 'mandatory', minLevel: '3' })).toEqual({ unitCode: 'unit-unknown', minLevel: 'level-beyond' });
    expect(await refusal(kongsberg, { competence: aid, jobTitle: 'Sykepleier', mandatory: 'mandatory', minLevel: '1' })).toEqual({ minLevel: 'level-without-levels' });
    expect(await refusal(kongsberg, { competence: aid, jobTitle: 'Sykepleier', mandatory: 'ja', validityMonths: '0', graceDays: 'tre', targetPercent: '120' })).toEqual({
      mandatory: 'mandatory-missing', validityMonths: 'validity-invalid', graceDays: 'grace-invalid', targetPercent: 'target-percent-invalid',
    });
    expect(await refusal(kongsberg, { competence: aid, jobTitle: 'Sykepleier', mandatory: 'mandatory', targetPercent: '80' })).toEqual({ targetDate: 'target-incomplete' });
    expect(await refusal(kongsberg, { competence: aid, jobTitle: 'Sykepleier', mandatory: 'mandatory', targetPercent: '80', targetDate: '30.02.2027' })).toEqual({ targetDate: 'target-date-invalid' });
    expect(await refusal(kongsberg, { competence: fire, jobTitle: 'helsefagarbeider', mandatory: 'recommended' })).toEqual({ '': 'duplicate' });
    // A unit belongs to a municipality: a region's requirement names job roles only.
    expect(await refusal(region, { competence: fire, unitCode: 'HJT', mandatory: 'mandatory' })).toEqual({ unitCode: 'unit-in-region' });
  });

  it("a region's requirements apply in its member municipalities only, and only their keeper ends them", async () => {
    const id = await addRequirement(db(), region, { competence: aid, jobTitle: 'Assistent', mandatory: 'mandatory' }, OPERATOR);
    expect((await listRequirements(db(), notodden)).map((r) => [r.competence.code, r.jobTitle, r.ownerTenantId])).toEqual([['forstehjelp', 'Assistent', region]]);
    expect((await listRequirements(db(), kongsberg)).map((r) => r.id)).toContain(id);
    expect(await listRequirements(db(), tromso)).toEqual([]);
    expect(await endRequirement(db(), kongsberg, id, OPERATOR)).toBe(false);
    expect(await endRequirement(db(), region, id, OPERATOR)).toBe(true);
    expect(await endRequirement(db(), region, id, OPERATOR)).toBe(false);
    expect(await listRequirements(db(), notodden)).toEqual([]);
    // Ended, not deleted.
    expect(await db().selectFrom('competence_requirements').select('ended_at').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ ended_at: expect.any(Date) });
  });
});
