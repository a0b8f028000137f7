import type { Kysely } from 'kysely';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { competenceHoldingsSubscriber } from '../../src/competence/holdings.js';
import { addRequirement } from '../../src/competence/requirements.js';
import type { Database } from '../../src/db/database.js';
import type { Schema } from '../../src/db/schema.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { capturingLogger } from '../support/app.js';
import { publishPath } from '../learner/support.js';
import { addEmployee } from '../access/support.js';
import type { Unit } from '../access/support.js';

/** The report's day in the tests: requirements, holdings and completions are placed around it. */
export const REPORT_DAY = '2027-06-01';

export interface ReportUnits {
  sh: Unit;
  sh1: Unit;
  ht: Unit;
}

/**
 * Competence in orgWorld's Ås: Brannvern required for Helsefagarbeider (mandatory), Førstehjelp for
 * the Sykehjem subtree (recommended). Bjørn holds Brannvern until 2027-07-10 (expiring on the
 * report day); Anne completes a path granting Brannvern on 2027-02-01; an employee whose name and job
 * title start with spreadsheet formula characters works in Avdeling 1.
 */
export async function addReportCompetence(database: Database, tenantId: string, units: ReportUnits, people: { anne: string; bjorn: string }): Promise<{ injector: string }> {
  const db: Kysely<Schema> = database.db;
  await applyCatalogueImport(db, tenantId, 'område;kode;kompetanse;navn_nn;gyldighet_måneder\nFelles;brannvern;Brannvern;Brannvern;24\nFelles;forstehjelp;Førstehjelp;Førstehjelp;24\n', OPERATOR);
  const fire = (await findCompetence(db, tenantId, 'brannvern'))!;
  const aid = (await findCompetence(db, tenantId, 'forstehjelp'))!;
  await addRequirement(db, tenantId, { competence: fire.id, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory' }, OPERATOR);
  await addRequirement(db, tenantId, { competence: aid.id, unitCode: 'SH', mandatory: 'recommended' }, OPERATOR);
  await db.insertInto('competence_holdings').values({
    tenant_id: tenantId, person_id: people.bjorn, competence_id: fire.id, level: null, source: 'registered', achieved_on: '2025-07-10', expires_on: '2027-07-10',
    path_completion_id: null, path_version_id: null, declaration_id: null, evidence: '{}', renews_id: null, recorded_by_kind: 'operator', recorded_by_id: null,
  }).execute();
  const injector = await addEmployee(db, tenantId, '-1007', { name: '=HYPERLINK("http://evil.example/","klikk")' }, [{ unit: units.sh1, jobTitle: '@SUM(1+1)', percentage: 75.5 }]);
  const web: NewStep = { type: 'web', title: 'Film', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;
  const { pathId, stepIds } = await publishPath(database, tenantId, [web], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });
  const clock = { now: () => new Date('2027-02-01T09:00:00Z') };
  const { enrolmentId } = await enrol(db, tenantId, { personId: people.anne, pathId }, clock);
  await deliverOutcome(db, tenantId, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } }, clock);
  const completion = await db.selectFrom('path_completions').select('id').where('person_id', '=', people.anne).executeTakeFirstOrThrow();
  await competenceHoldingsSubscriber(db, capturingLogger().logger)({ id: 1, type: 'path-completed', payload: { completionId: completion.id } });
  return { injector };
}
