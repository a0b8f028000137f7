import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';

/** Unique four-digit municipality numbers per test database (9xxx: no official municipality uses them). */
let next = 9000;
const kommunenummer = () => String((next += 1));

export async function addMunicipality(db: Kysely<Schema>, name: string): Promise<string> {
  const row = await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: kommunenummer(), name, county_number: null, county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function addRegion(db: Kysely<Schema>, name: string, members: readonly string[]): Promise<string> {
  const row = await db.insertInto('tenants').values({ kind: 'region', kommunenummer: null, name, county_number: null, county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow();
  if (members.length > 0) await db.insertInto('region_municipalities').values(members.map((m) => ({ region_id: row.id, municipality_id: m }))).execute();
  return row.id;
}

export interface Unit {
  id: string;
  path: string[];
}

/** An org unit under `parent` (or a top unit), with its ancestor path as the organisation keeps it. */
export async function addUnit(db: Kysely<Schema>, tenantId: string, parent: Unit | null, code: string, name: string): Promise<Unit> {
  const id = crypto.randomUUID();
  const path = [...(parent?.path ?? []), id];
  await db.insertInto('org_units').values({ id, tenant_id: tenantId, parent_id: parent?.id ?? null, code, name, path }).execute();
  return { id, path };
}

export async function addPerson(db: Kysely<Schema>, tenantId: string, name: string): Promise<string> {
  const row = await db.insertInto('people').values({ tenant_id: tenantId, name, given_name: null, family_name: null, email: null, locale: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export interface EmploymentInput {
  unit: Unit;
  jobTitle: string;
  percentage: number;
  leads?: boolean;
  start?: string;
  end?: string | null;
}

/** An employee (of an existing person, or a new one) with their employments. */
export async function addEmployee(db: Kysely<Schema>, tenantId: string, number: string, person: string | { name: string }, employments: readonly EmploymentInput[]): Promise<string> {
  const personId = typeof person === 'string' ? person : await addPerson(db, tenantId, person.name);
  const employee = await db.insertInto('employees').values({ tenant_id: tenantId, person_id: personId, employee_number: number, sourced_id: null }).returning('id').executeTakeFirstOrThrow();
  if (employments.length > 0) {
    await db
      .insertInto('employments')
      .values(employments.map((e) => ({
        tenant_id: tenantId, employee_id: employee.id, org_unit_id: e.unit.id, job_title: e.jobTitle, percentage: e.percentage,
        start_date: e.start ?? '2020-01-01', end_date: e.end ?? null, leads_unit: e.leads ?? false,
      })))
      .execute();
  }
  return personId;
}

/**
 * Two municipalities in one region. Ås: kommune → Helse og omsorg → {Sykehjem → Avdeling 1, Hjemmetjeneste};
 * kommune → Oppvekst → Skole. Ingrid leads Sykehjem by HR data; others work below and beside it.
 * Berg: one unit with two people (a small group for the region view).
 */
export async function orgWorld(db: Kysely<Schema>) {
  const as = await addMunicipality(db, 'Ås');
  const berg = await addMunicipality(db, 'Berg');
  const region = await addRegion(db, 'Follo og Berg', [as, berg]);
  const root = await addUnit(db, as, null, 'AS', 'Ås kommune');
  const ho = await addUnit(db, as, root, 'HO', 'Helse og omsorg');
  const sh = await addUnit(db, as, ho, 'SH', 'Sykehjem');
  const sh1 = await addUnit(db, as, sh, 'SH1', 'Avdeling 1');
  const ht = await addUnit(db, as, ho, 'HT', 'Hjemmetjeneste');
  const opp = await addUnit(db, as, root, 'OPP', 'Oppvekst');
  const sk = await addUnit(db, as, opp, 'SK', 'Skole');
  const ingrid = await addEmployee(db, as, '1001', { name: 'Ingrid Leder' }, [{ unit: sh, jobTitle: 'Enhetsleder', percentage: 100, leads: true }]);
  const anne = await addEmployee(db, as, '1002', { name: 'Anne Sykepleier' }, [{ unit: sh, jobTitle: 'Sykepleier', percentage: 80 }]);
  const bjorn = await addEmployee(db, as, '1003', { name: 'Bjørn Fagarbeider' }, [
    { unit: sh1, jobTitle: 'Helsefagarbeider', percentage: 40 },
    { unit: ht, jobTitle: 'Helsefagarbeider', percentage: 30 },
  ]);
  const cecilie = await addEmployee(db, as, '1004', { name: 'Cecilie Hjemme' }, [{ unit: ht, jobTitle: 'Sykepleier', percentage: 100 }]);
  const dag = await addEmployee(db, as, '1005', { name: 'Dag Lærer' }, [{ unit: sk, jobTitle: 'Lærer', percentage: 100 }]);
  const ended = await addEmployee(db, as, '1006', { name: 'Eva Sluttet' }, [{ unit: sh1, jobTitle: 'Assistent', percentage: 50, end: '2021-12-31' }]);
  const bergUnit = await addUnit(db, berg, null, 'B', 'Berg kommune');
  const bergLeader = await addEmployee(db, berg, '2001', { name: 'Gro Berg' }, [{ unit: bergUnit, jobTitle: 'Enhetsleder', percentage: 100, leads: true }]);
  const bergWorker = await addEmployee(db, berg, '2002', { name: 'Hans Berg' }, [{ unit: bergUnit, jobTitle: 'Assistent', percentage: 30 }]);
  const asAdmin = await addPerson(db, as, 'Per Admin');
  return {
    as, berg, region, asAdmin,
    units: { root, ho, sh, sh1, ht, opp, sk, bergUnit },
    people: { ingrid, anne, bjorn, cecilie, dag, ended, bergLeader, bergWorker },
  };
}
export type OrgWorld = Awaited<ReturnType<typeof orgWorld>>;
