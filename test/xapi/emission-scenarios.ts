import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import type { Kysely } from 'kysely';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { grantFromCompletion, listPersonHoldings, revokeHolding } from '../../src/competence/holdings.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import { registerHolding } from '../../src/competence/registered.js';
import type { Database } from '../../src/db/database.js';
import type { Schema } from '../../src/db/schema.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { listEnrolmentEvents } from '../../src/paths/events.js';
import type { PathEvent } from '../../src/paths/ports.js';
import { attemptTokens } from '../../src/scorm/attempt-token.js';
import { ScormStepBridge } from '../../src/web/learner/scorm-bridge.js';
import { HoldingStatementEmitter } from '../../src/xapi/emission/holding-emitter.js';
import { XAPI_EMISSION_SUBSCRIBER, xapiEmissionSubscriber } from '../../src/xapi/emission/subscriber.js';
import { OwnStatements } from '../../src/xapi/own-statements.js';
import { publishPath } from '../learner/support.js';
import { launchOk, runtimeWithPackage } from '../scorm/support/runtime-setup.js';

type Json = Record<string, unknown>;

export const SCENARIO_PUBLIC_URL = 'https://laering.example.no';
export const SCENARIO_ISSUER = 'https://moodle.example.no';

/** Statements of a tenant's LRS, in the order they were stored. */
export async function tenantStatements(db: Kysely<Schema>, tenantId: string): Promise<{ statementId: string; statement: Json; stored: Date }[]> {
  const rows = await db.selectFrom('xapi_statements').select(['statement_id', 'statement', 'stored']).where('tenant_id', '=', tenantId).orderBy('seq').execute();
  return rows.map((r) => ({ statementId: r.statement_id, statement: r.statement as Json, stored: r.stored }));
}

/** Runs the tool's path-events emission until `done` holds (on server PostgreSQL an event waits for older transactions). */
export async function emitPathEvents(db: Kysely<Schema>, logger: Logger, done: () => Promise<boolean>): Promise<void> {
  const dispatcher = new PathEventDispatcher({ db, logger });
  dispatcher.subscribeBatch(XAPI_EMISSION_SUBSCRIBER, xapiEmissionSubscriber(db, new OwnStatements(db, SCENARIO_PUBLIC_URL), SCENARIO_PUBLIC_URL, logger));
  await vi.waitFor(async () => {
    await dispatcher.runOnce();
    if (!(await done())) throw new Error('not yet emitted');
  }, { timeout: 20_000, interval: 50 });
}

export interface ScoScenario {
  readonly tenantId: string;
  readonly personId: string;
  readonly packageId: string;
  readonly enrolmentId: string;
  readonly stepId: string;
  readonly events: PathEvent[];
}

/**
 * A learner takes a two-SCO SCORM 1.2 package (test/fixtures/scorm/scorm12-multi) as a path's
 * step through the real runtime: del2 passed with 85 of 100 after a first session of 10 s and a
 * second of 1 h 2 min 3 s; del1, completed at first, failed with 40 in a second session of
 * 2 min 5.5 s. The bridge delivers the roll-up to the engine, which completes the step and the
 * path. Nothing is emitted yet.
 */
export async function scoScenario(database: Database): Promise<ScoScenario> {
  const db = database.db;
  const { runtime, tenantId, personId, packageId } = await runtimeWithPackage(database, 'scorm12-multi');
  await db.insertInto('lti_users').values({ issuer: SCENARIO_ISSUER, subject: `sco-${personId.slice(0, 8)}`, tenant_id: tenantId, person_id: personId }).execute();
  const { pathId, stepIds } = await publishPath(database, tenantId, [{ type: 'scorm', title: 'Brannvern', required: true, config: { packageId, completion: { rule: 'completed' } } }]);
  const { enrolmentId } = await enrol(db, tenantId, { personId, pathId });
  const opened = await runtime.openAttempt(tenantId, personId, packageId, { fresh: true, packageTenantId: tenantId });
  await db.insertInto('path_scorm_attempts').values({ enrolment_id: enrolmentId, step_id: stepIds[0]!, tenant_id: tenantId, attempt_id: opened.attemptId, package_id: packageId, package_tenant_id: tenantId }).execute();
  const claims = (await attemptTokens('test-secret-test-secret-test-secret-1234').verify(opened.token))!;
  const commit = async (scoId: string, seq: number, cmi: Record<string, string>, terminate = true) => {
    const { session } = await launchOk(runtime, claims, scoId);
    const done = await runtime.commit(claims, scoId, { session, seq, terminate, cmi });
    if (!done.result) throw new Error(`commit of ${scoId} refused: ${JSON.stringify(done)}`);
  };
  // del2 opens once del1 is completed (the package's prerequisites); del1 is taken again after it.
  await commit('del1', 1, { 'cmi.core.lesson_status': 'completed', 'cmi.core.session_time': '00:00:30' });
  await commit('del2', 1, { 'cmi.core.lesson_status': 'incomplete', 'cmi.core.session_time': '00:00:10' });
  await commit('del2', 1, { 'cmi.core.lesson_status': 'passed', 'cmi.core.score.raw': '85', 'cmi.core.score.min': '0', 'cmi.core.score.max': '100', 'cmi.core.session_time': '01:02:03' });
  await commit('del1', 1, { 'cmi.core.lesson_status': 'failed', 'cmi.core.score.raw': '40', 'cmi.core.session_time': '00:02:05.50' });
  const bridge = new ScormStepBridge(db, runtime, createLogger('silent'), '');
  if (await bridge.deliverStored(tenantId, opened.attemptId) !== 'delivered') throw new Error('the SCORM outcome was not delivered');
  const events = await listEnrolmentEvents(db, tenantId, enrolmentId);
  return { tenantId, personId, packageId, enrolmentId, stepId: stepIds[0]!, events };
}

const CATALOGUE = 'område;kode;kompetanse;type;gyldighet_måneder;nivå 1;nivå 2;nivå 3;nivå 4\n'
  + 'Felles;brannvern;Brannvern;kurs;12;;;;\n'
  + 'Felles;hlr;Hjerte-lunge-redning;kurs;24;;;;\n';

export interface HoldingScenario {
  readonly tenantId: string;
  readonly personId: string;
  readonly enrolmentId: string;
  /** From the path completion (brannvern, valid 12 months), registered with an expiry passed (hlr), registered and revoked (hlr). */
  readonly holdings: { readonly completion: string; readonly expired: string; readonly revoked: string };
  readonly emitter: HoldingStatementEmitter;
}

/**
 * A person of a municipality with a competence catalogue: completes a path that grants brannvern,
 * has hlr registered with an expiry that has passed (on `today`), and a later registration of hlr
 * revoked. The holdings' statements are not stored yet: the emitter returned does that.
 */
export async function holdingScenario(database: Database, tenantId: string, personId: string, logger: Logger, today = '2026-12-06'): Promise<HoldingScenario> {
  const db = database.db;
  await applyCatalogueImport(db, tenantId, CATALOGUE, OPERATOR);
  const competences = (await listCatalogue(db, tenantId)).flatMap((a) => a.competences);
  const hlr = competences.find((c) => c.code === 'hlr')!.id;
  const { pathId, stepIds } = await publishPath(database, tenantId, [{ type: 'web', title: 'Øvelse', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } }],
    { title: 'Brannøvelse', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });
  const { enrolmentId } = await enrol(db, tenantId, { personId, pathId });
  await deliverOutcome(db, tenantId, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } });
  const completion = await db.selectFrom('path_completions').select('id').where('enrolment_id', '=', enrolmentId).executeTakeFirstOrThrow();
  await grantFromCompletion(db, completion.id);
  const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
  const store = new EvidenceStore(evidenceDir);
  const form = { competence: hlr, level: '', number: 'HLR-17', issuer: 'Norsk Resuscitasjonsråd' };
  await registerHolding(db, store, tenantId, personId, { ...form, achievedOn: '01.02.2024', expiresOn: '01.02.2026' }, OPERATOR, today);
  await registerHolding(db, store, tenantId, personId, { ...form, achievedOn: '01.03.2026', expiresOn: '01.03.2028' }, OPERATOR, today);
  fs.rmSync(evidenceDir, { recursive: true, force: true });
  const held = await listPersonHoldings(db, tenantId, personId);
  const find = (code: string, achievedOn: string) => held.find((h) => h.competence.code === code && h.achievedOn === achievedOn)!.id;
  const revoked = find('hlr', '2026-03-01');
  await revokeHolding(db, tenantId, revoked, OPERATOR, 'Registrert på feil person');
  const emitter = new HoldingStatementEmitter({ db, statements: new OwnStatements(db, SCENARIO_PUBLIC_URL), publicUrl: SCENARIO_PUBLIC_URL, logger, today: () => today });
  return { tenantId, personId, enrolmentId, holdings: { completion: find('brannvern', held.find((h) => h.competence.code === 'brannvern')!.achievedOn), expired: find('hlr', '2024-02-01'), revoked }, emitter };
}

/** Runs the holding emitter (and its sweep) until `done` holds. */
export async function emitHoldingEvents(emitter: HoldingStatementEmitter, done: () => Promise<boolean>): Promise<void> {
  await vi.waitFor(async () => {
    await emitter.sweepExpired();
    while (await emitter.runOnce() > 0) { /* the next batch */ }
    if (!(await done())) throw new Error('not yet emitted');
  }, { timeout: 20_000, interval: 50 });
}
