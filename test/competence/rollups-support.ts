import { sql, type Kysely } from 'kysely';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { addRequirement } from '../../src/competence/requirements.js';
import type { Schema } from '../../src/db/schema.js';
import { addEmployee, orgWorld } from '../access/support.js';

/** The day the hand-computed figures are for. */
export const ON = '2027-06-01';

async function hold(db: Kysely<Schema>, tenantId: string, personId: string, competenceId: string, achievedOn: string, expiresOn: string | null, revoked = false): Promise<void> {
  const row = await db
    .insertInto('competence_holdings')
    .values({
      tenant_id: tenantId, person_id: personId, competence_id: competenceId, level: null, source: 'imported', achieved_on: achievedOn, expires_on: expiresOn,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify({ number: 'X' }), renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (revoked) await db.insertInto('competence_holding_revocations').values({ holding_id: row.id, revoked_by_kind: 'operator', revoked_by_id: 'cli', reason: 'Feilregistrert' }).execute();
}

/**
 * The organisation of test/access/support.ts (Ås: HO → SH → SH1, HO → HT, OPP → SK; Berg) with a
 * newcomer (Frida, nurse in home care since 1 May 2027) and three requirements in Ås:
 * R1 fire safety for the HO subtree (mandatory), R2 first aid for nurses (mandatory, 90 days' grace),
 * R3 HMS for health workers (recommended). Holdings on 1 June 2027:
 * Ingrid R1 met; Anne R1 expiring (1 July 2027), R2 missing; Bjørn R1 expired, R3 met;
 * Cecilie R1 missing (her holding revoked), R2 met; Frida R1 missing, R2 grace. Dag: none applies.
 */
export async function coverageWorld(db: Kysely<Schema>) {
  const w = await orgWorld(db);
  const frida = await addEmployee(db, w.as, '1007', { name: 'Frida Ny' }, [{ unit: w.units.ht, jobTitle: 'Sykepleier', percentage: 100, start: '2027-05-01' }]);
  await applyCatalogueImport(db, w.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\nFelles;forstehjelp;Førstehjelp;24\nFelles;hms;HMS og vernearbeid;\n', OPERATOR);
  const c = async (code: string) => (await findCompetence(db, w.as, code))!.id;
  const brannvern = await c('brannvern');
  const forstehjelp = await c('forstehjelp');
  const hms = await c('hms');
  const r1 = await addRequirement(db, w.as, { competence: brannvern, unitCode: 'HO', mandatory: 'mandatory' }, OPERATOR);
  const r2 = await addRequirement(db, w.as, { competence: forstehjelp, jobTitle: 'Sykepleier', mandatory: 'mandatory', graceDays: '90' }, OPERATOR);
  const r3 = await addRequirement(db, w.as, { competence: hms, jobTitle: 'Helsefagarbeider', mandatory: 'recommended' }, OPERATOR);
  // Required since long before the day the figures are for, whenever the test runs.
  await sql`update competence_requirements set created_at = '2020-01-01T00:00:00Z' where tenant_id = ${w.as}::uuid`.execute(db);
  const p = w.people;
  await hold(db, w.as, p.ingrid, brannvern, '2026-01-10', '2028-01-10');
  await hold(db, w.as, p.anne, brannvern, '2025-07-01', '2027-07-01');
  await hold(db, w.as, p.bjorn, brannvern, '2024-01-01', '2026-01-01');
  await hold(db, w.as, p.bjorn, hms, '2023-05-05', null);
  await hold(db, w.as, p.cecilie, brannvern, '2027-01-01', '2029-01-01', true);
  await hold(db, w.as, p.cecilie, forstehjelp, '2027-01-01', '2029-01-01');
  // Dag holds fire safety, but no requirement applies to him: he is counted nowhere.
  await hold(db, w.as, p.dag, brannvern, '2027-01-01', '2029-01-01');
  return { ...w, frida, competences: { brannvern, forstehjelp, hms }, requirements: { r1, r2, r3 } };
}
export type CoverageWorld = Awaited<ReturnType<typeof coverageWorld>>;
