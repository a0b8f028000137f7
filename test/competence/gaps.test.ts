import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { personRequirements, requirementStatus, type Employment } from '../../src/competence/gaps.js';
import { competenceHoldingsSubscriber, type Holding } from '../../src/competence/holdings.js';
import { addRequirement, listRequirements, type Requirement } from '../../src/competence/requirements.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { publishedPathsGranting } from '../../src/paths/paths.js';
import { createPerson } from '../../src/people/people.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { publishPath } from '../learner/support.js';

const requirement = (over: Partial<Requirement> = {}): Requirement => ({
  id: 'r', ownerTenantId: 't', competence: { id: 'c', code: 'brannvern', name: { nb: 'Brannvern', nn: null, en: null } }, jobTitle: 'Helsefagarbeider', orgUnit: null,
  minLevel: null, mandatory: true, validityMonths: null, graceDays: null, acceptsDeclared: false, target: null, ...over,
});
const holding = (over: Partial<Holding> = {}): Holding => ({
  id: 'h', personId: 'p', competence: { id: 'c', code: 'brannvern', name: { nb: 'Brannvern', nn: null, en: null } }, level: null, source: 'path-completion',
  achievedOn: '2027-02-01', expiresOn: '2028-02-01', path: null, evidence: {}, renewsId: null, revocation: null, ...over,
});
const job: Employment = { jobTitle: 'helsefagarbeider', unitPath: ['u1', 'u2'], startDate: '2027-01-01' };

describe('where a person stands against a requirement', () => {
  it('met, expiring within the window, expired from the expiry day on', () => {
    const status = (day: string) => requirementStatus(requirement(), [holding()], [job], day, 90).status;
    expect(status('2027-02-01')).toBe('met');
    expect(status('2027-11-02')).toBe('met');
    expect(status('2027-11-03')).toBe('expiring');
    expect(status('2028-01-31')).toBe('expiring');
    expect(status('2028-02-01')).toBe('expired');
    expect(status('2027-01-31')).toBe('missing');
  });

  it("the requirement's validity overrides the holding's, and the newest counting holding decides", () => {
    const short = requirement({ validityMonths: 6 });
    expect(requirementStatus(short, [holding()], [job], '2027-08-01', 0)).toMatchObject({ status: 'expired', validUntil: '2027-08-01' });
    const renewed = holding({ id: 'h2', achievedOn: '2027-07-15', expiresOn: '2028-07-15' });
    expect(requirementStatus(short, [holding(), renewed], [job], '2027-08-01', 0)).toMatchObject({ status: 'met', validUntil: '2028-01-15', holding: { id: 'h2' } });
    expect(requirementStatus(requirement(), [holding({ revocation: { at: new Date(), reason: 'feil' } })], [job], '2027-03-01', 0).status).toBe('missing');
  });

  it('a newcomer is within grace until the last day of it, counted from the first applicable employment', () => {
    const graced = requirement({ graceDays: 90 });
    expect(requirementStatus(graced, [], [job], '2027-03-31', 0)).toMatchObject({ status: 'grace', graceEnds: '2027-03-31' });
    expect(requirementStatus(graced, [], [job], '2027-04-01', 0).status).toBe('missing');
    expect(requirementStatus(graced, [holding({ expiresOn: '2027-02-15' })], [job], '2027-04-01', 0).status).toBe('expired');
  });

  it('a declaration counts only where the requirement accepts it; levels are compared', () => {
    const declared = holding({ source: 'declared', level: 3, expiresOn: null });
    expect(requirementStatus(requirement(), [declared], [job], '2027-03-01', 0).status).toBe('declared-only');
    expect(requirementStatus(requirement({ acceptsDeclared: true }), [declared], [job], '2027-03-01', 0).status).toBe('met');
    expect(requirementStatus(requirement({ acceptsDeclared: true, minLevel: 4 }), [declared], [job], '2027-03-01', 0).status).toBe('missing');
    // A completed path documents the competence whatever level is asked.
    expect(requirementStatus(requirement({ minLevel: 4 }), [holding()], [job], '2027-03-01', 0).status).toBe('met');
  });
});

describe(`a person's requirements from their employments (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let tenantId: string;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    tenantId = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    await applyCatalogueImport(db(), tenantId, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\nFelles;forstehjelp;Førstehjelp;24\nFelles;hms;HMS og vernearbeid;\n', OPERATOR);
  });
  afterAll(async () => testDb.dispose());

  it('applies role and unit-subtree requirements, and a completed path meets one', async () => {
    const health = await db().insertInto('org_units').values({ tenant_id: tenantId, code: 'HO', name: 'Helse og omsorg', path: [] }).returning('id').executeTakeFirstOrThrow();
    const home = await db().insertInto('org_units').values({ tenant_id: tenantId, code: 'HJT', name: 'Hjemmetjenesten', parent_id: health.id, path: [] }).returning('id').executeTakeFirstOrThrow();
    await db().updateTable('org_units').set({ path: [health.id] }).where('id', '=', health.id).execute();
    await db().updateTable('org_units').set({ path: [health.id, home.id] }).where('id', '=', home.id).execute();
    const kari = (await createPerson(db(), tenantId, { name: 'Kari Nordmann' })).id;
    const employee = await db().insertInto('employees').values({ tenant_id: tenantId, person_id: kari, employee_number: '1001' }).returning('id').executeTakeFirstOrThrow();
    await db().insertInto('employments').values([
      { tenant_id: tenantId, employee_id: employee.id, org_unit_id: home.id, job_title: 'Helsefagarbeider', percentage: 40, start_date: '2027-01-01' },
      { tenant_id: tenantId, employee_id: employee.id, org_unit_id: home.id, job_title: 'Renholder', percentage: 20, start_date: '2020-01-01', end_date: '2026-12-31' },
    ]).execute();
    const fire = (await findCompetence(db(), tenantId, 'brannvern'))!.id;
    const aid = (await findCompetence(db(), tenantId, 'forstehjelp'))!.id;
    const hms = (await findCompetence(db(), tenantId, 'hms'))!.id;
    await addRequirement(db(), tenantId, { competence: fire, jobTitle: 'helsefagarbeider', mandatory: 'mandatory', graceDays: '90' }, OPERATOR);
    await addRequirement(db(), tenantId, { competence: aid, unitCode: 'HO', mandatory: 'recommended' }, OPERATOR);
    await addRequirement(db(), tenantId, { competence: hms, jobTitle: 'Leder', mandatory: 'mandatory' }, OPERATOR);
    await addRequirement(db(), tenantId, { competence: hms, jobTitle: 'Renholder', mandatory: 'mandatory' }, OPERATOR);
    // Required since long before the days asked below, whenever the test runs.
    await sql`update competence_requirements set created_at = '2020-01-01T00:00:00Z' where tenant_id = ${tenantId}::uuid`.execute(db());

    const statuses = async (day: string) => (await personRequirements(db(), tenantId, kari, day)).map((p) => [p.requirement.competence.code, p.status]).sort();
    expect(await statuses('2027-01-15')).toEqual([['brannvern', 'grace'], ['forstehjelp', 'missing']]);
    // The day before, the cleaning job (ended that day, in the same unit) applied: HMS for its role, first aid for its unit.
    expect(await statuses('2026-12-31')).toEqual([['forstehjelp', 'missing'], ['hms', 'missing']]);

    const { pathId, stepIds } = await publishPath(testDb.database, tenantId, [{ type: 'web', title: 'Film', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep], {
      title: 'Brannvern for alle', settings: { grants: [{ competence: 'Brannvern', validMonths: 12 }] },
    });
    expect(await publishedPathsGranting(db(), tenantId, ['brannvern', 'Brannvern'])).toEqual([{ id: pathId, title: 'Brannvern for alle', grants: ['brannvern'] }]);
    const clock = { now: () => new Date('2027-02-01T09:00:00Z') };
    const { enrolmentId } = await enrol(db(), tenantId, { personId: kari, pathId }, clock);
    await deliverOutcome(db(), tenantId, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } }, clock);
    const completion = await db().selectFrom('path_completions').select('id').executeTakeFirstOrThrow();
    await competenceHoldingsSubscriber(db(), capturingLogger().logger)({ id: 1, type: 'path-completed', payload: { completionId: completion.id } });

    expect(await statuses('2027-06-01')).toEqual([['brannvern', 'met'], ['forstehjelp', 'missing']]);
    expect(await statuses('2028-01-15')).toEqual([['brannvern', 'expiring'], ['forstehjelp', 'missing']]);
    expect(await statuses('2028-02-01')).toEqual([['brannvern', 'expired'], ['forstehjelp', 'missing']]);
    // Someone without employments has no requirements.
    expect(await personRequirements(db(), tenantId, (await createPerson(db(), tenantId, {})).id, '2027-06-01')).toEqual([]);

    // A day counts the requirements in force then: added on or before it, not ended by it (Oslo days).
    const firstAid = await db().selectFrom('competence_requirements').select('id').where('tenant_id', '=', tenantId).where('competence_id', '=', aid).executeTakeFirstOrThrow();
    await sql`update competence_requirements set created_at = '2027-03-01T08:00:00Z', ended_at = '2027-09-30T22:30:00Z' where id = ${firstAid.id}::uuid`.execute(db());
    expect(await statuses('2027-02-28')).toEqual([['brannvern', 'met']]);
    expect(await statuses('2027-03-01')).toEqual([['brannvern', 'met'], ['forstehjelp', 'missing']]);
    // Ended at 00:30 on 1 October in Oslo: in force on 30 September, not on 1 October.
    expect(await statuses('2027-09-30')).toEqual([['brannvern', 'met'], ['forstehjelp', 'missing']]);
    expect(await statuses('2027-10-01')).toEqual([['brannvern', 'met']]);
    expect((await listRequirements(db(), tenantId)).map((r) => r.competence.code).sort()).toEqual(['brannvern', 'hms', 'hms']);
  });
});
