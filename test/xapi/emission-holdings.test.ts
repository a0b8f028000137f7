import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { listCatalogue } from '../../src/competence/catalogue.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import { registerHolding } from '../../src/competence/registered.js';
import type { Schema } from '../../src/db/schema.js';
import { createPerson } from '../../src/people/people.js';
import { HoldingStatementEmitter } from '../../src/xapi/emission/holding-emitter.js';
import { holdingStatementId } from '../../src/xapi/emission/holding-statements.js';
import { xapiProfile } from '../../src/xapi/emission/profile.js';
import { parkedEmissions } from '../../src/xapi/emission/writer.js';
import { OwnStatements } from '../../src/xapi/own-statements.js';
import { validateStatement } from '../../src/xapi/validation/statement.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { emitHoldingEvents, holdingScenario, SCENARIO_ISSUER, SCENARIO_PUBLIC_URL as PUBLIC_URL, tenantStatements, type HoldingScenario } from './emission-scenarios.js';
import { templateFor, templateViolations, type XapiProfile } from './profile-rules.js';

type Json = Record<string, unknown>;
const OWN = `${PUBLIC_URL}/profiles/xapi`;
const TODAY = '2026-12-06';

describe(`xAPI statements for competence holdings granted, revoked and expired (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let db: Kysely<Schema>;
  let scenario: HoldingScenario;
  let otherTenant: string;
  const { logger } = capturingLogger();
  const holdingStatements = async (tenantId = scenario.tenantId) => (await tenantStatements(db, tenantId)).filter((s) => ((s.statement['object'] as Json)['id'] as string).includes('/competences/'));

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = testDb.database.db;
    const { tenantId, personId } = await seedTenantAndPerson(db, 'Kongsberg');
    otherTenant = (await seedTenantAndPerson(db, 'Drammen')).tenantId;
    await db.insertInto('lti_users').values({ issuer: SCENARIO_ISSUER, subject: 'kari-7', tenant_id: tenantId, person_id: personId }).execute();
    scenario = await holdingScenario(testDb.database, tenantId, personId, logger, TODAY);
  });
  afterAll(() => testDb?.dispose());

  it('writes the events in the transactions that record the holdings; the sweep adds the expiry once', async () => {
    const events = await db.selectFrom('competence_holding_events').select(['holding_id', 'type']).where('tenant_id', '=', scenario.tenantId).orderBy('xid').orderBy('id').execute();
    const { completion, expired, revoked } = scenario.holdings;
    expect(events).toEqual([
      { holding_id: completion, type: 'granted' }, { holding_id: expired, type: 'granted' }, { holding_id: revoked, type: 'granted' }, { holding_id: revoked, type: 'revoked' },
    ]);
    // Two sweeps at once (two instances of the tool) announce it once; later sweeps find nothing.
    const other = new HoldingStatementEmitter({ db, statements: new OwnStatements(db, PUBLIC_URL), publicUrl: PUBLIC_URL, logger, today: () => TODAY });
    const swept = await Promise.all([scenario.emitter.sweepExpired(), other.sweepExpired()]);
    expect(swept.sort()).toEqual([0, 1]);
    expect(await scenario.emitter.sweepExpired()).toBe(0);
    const expiries = await db.selectFrom('competence_holding_events').select('holding_id').where('type', '=', 'expired').execute();
    expect(expiries).toEqual([{ holding_id: expired }]);
    // The completion's holding (valid 12 months) and the revoked one wait, and the revoked one never expires.
    expect((await db.selectFrom('competence_holding_expiries').select('holding_id').execute()).map((r) => r.holding_id)).toEqual([completion]);
  });

  it('stores one statement per event in the person\'s municipality\'s LRS, of the documented shape', async () => {
    await emitHoldingEvents(scenario.emitter, async () => (await holdingStatements()).length === 5);
    const stored = await holdingStatements();
    const { completion, expired, revoked } = scenario.holdings;
    expect(stored.map((s) => s.statementId)).toEqual([
      holdingStatementId(completion, 'granted'), holdingStatementId(expired, 'granted'), holdingStatementId(revoked, 'granted'),
      holdingStatementId(revoked, 'revoked'), holdingStatementId(expired, 'expired'),
    ]);
    const [fromPath, registered, , revocation, expiry] = stored.map((s) => s.statement);
    const brannvern = (await listCatalogue(db, scenario.tenantId)).flatMap((a) => a.competences).find((c) => c.code === 'brannvern')!;
    expect(fromPath!['actor']).toEqual({ objectType: 'Agent', account: { homePage: SCENARIO_ISSUER, name: 'kari-7' } });
    expect(fromPath!['verb']).toEqual({ id: `${OWN}/verbs/granted`, display: { en: 'granted', nb: 'fikk godkjent' } });
    expect(fromPath!['object']).toEqual({ objectType: 'Activity', id: `${PUBLIC_URL}/xapi/activities/competences/${brannvern.id}`, definition: { type: `${OWN}/activity-types/competence`, name: { nb: 'Brannvern' } } });
    const context = fromPath!['context'] as Json;
    // The completion's enrolment is the registration; its path and version the grouping.
    expect(context['registration']).toBe(scenario.enrolmentId);
    expect(((context['contextActivities'] as Record<string, Json[]>)['grouping']!).map((a) => (a['definition'] as Json)['type'])).toEqual(['http://adlnet.gov/expapi/activities/course', `${OWN}/activity-types/path-version`]);
    const completionId = (await db.selectFrom('path_completions').select('id').where('enrolment_id', '=', scenario.enrolmentId).executeTakeFirstOrThrow()).id;
    const extensions = context['extensions'] as Json;
    expect(extensions[`${OWN}/extensions/evidence`]).toEqual({ source: 'path-completion', completionId });
    expect(extensions[`${OWN}/extensions/holding`]).toMatchObject({ id: completion, competence: 'brannvern', level: null, renews: null });
    expect(extensions[`${OWN}/extensions/municipality`]).toMatchObject({ id: scenario.tenantId, name: 'Kongsberg' });
    // A registered holding: its number and issuer as evidence, no registration, no path.
    const registeredContext = registered!['context'] as Json;
    expect(registeredContext['registration']).toBeUndefined();
    expect(registeredContext['contextActivities']).toBeUndefined();
    expect((registeredContext['extensions'] as Json)[`${OWN}/extensions/evidence`]).toEqual({ source: 'registered', number: 'HLR-17', issuer: 'Norsk Resuscitasjonsråd' });
    expect((registeredContext['extensions'] as Json)[`${OWN}/extensions/holding`]).toEqual({ id: expired, competence: 'hlr', level: null, achievedOn: '2024-02-01', expiresOn: '2026-02-01', renews: null });
    // Expired at the start of the expiry day in Norway; revoked without the reason.
    expect(expiry!['timestamp']).toBe('2026-01-31T23:00:00.000Z');
    expect(expiry!['verb']).toMatchObject({ id: `${OWN}/verbs/expired` });
    expect(revocation!['verb']).toMatchObject({ id: `${OWN}/verbs/revoked` });
    expect(JSON.stringify(stored)).not.toContain('feil person');
    const profile = xapiProfile(PUBLIC_URL) as unknown as XapiProfile;
    for (const { statement } of stored) {
      expect(() => validateStatement(statement)).not.toThrow();
      expect(templateViolations(profile, statement), JSON.stringify(statement)).toEqual([]);
    }
    expect(stored.map((s) => templateFor(profile, s.statement)!.id.split('/').pop())).toEqual(['holding-granted', 'holding-granted', 'holding-granted', 'holding-revoked', 'holding-expired']);
    expect(await holdingStatements(otherTenant)).toEqual([]);
  });

  it('stores nothing new when the events come again (a restart before the cursor moved), and expires a holding once its day comes', async () => {
    const before = await holdingStatements();
    await db.updateTable('competence_holding_event_cursors').set({ last_xid: 0, last_id: 0 }).execute();
    const restarted = new HoldingStatementEmitter({ db, statements: new OwnStatements(db, PUBLIC_URL), publicUrl: PUBLIC_URL, logger, today: () => TODAY });
    while (await restarted.runOnce() > 0) { /* every batch again */ }
    expect(await holdingStatements()).toEqual(before);
    // A year on, the completion's holding expires: once, whichever instance sweeps.
    const later = new HoldingStatementEmitter({ db, statements: new OwnStatements(db, PUBLIC_URL), publicUrl: PUBLIC_URL, logger, today: () => '2027-12-06' });
    await emitHoldingEvents(later, async () => (await holdingStatements()).length === 6);
    expect((await holdingStatements()).at(-1)!.statementId).toBe(holdingStatementId(scenario.holdings.completion, 'expired'));
    expect(await later.sweepExpired()).toBe(0);
  });

  it('parks a holding\'s statement that can never be stored, and goes on', async () => {
    const person = (await createPerson(db, scenario.tenantId, { name: 'Ola' })).id;
    // An LMS entered by hand with an issuer that is no IRI: the actor is invalid xAPI.
    await db.insertInto('lti_users').values({ issuer: 'moodle-skole', subject: 'ola', tenant_id: scenario.tenantId, person_id: person }).execute();
    const hlr = (await listCatalogue(db, scenario.tenantId)).flatMap((a) => a.competences).find((c) => c.code === 'hlr')!.id;
    await registerHolding(db, new EvidenceStore('/nonexistent'), scenario.tenantId, person, { competence: hlr, level: '', achievedOn: '01.06.2026', expiresOn: '', number: '', issuer: 'Røde Kors' }, OPERATOR, TODAY);
    const kari = scenario.personId;
    await registerHolding(db, new EvidenceStore('/nonexistent'), scenario.tenantId, kari, { competence: hlr, level: '', achievedOn: '02.06.2026', expiresOn: '', number: '', issuer: 'Røde Kors' }, OPERATOR, TODAY);
    await emitHoldingEvents(scenario.emitter, async () => (await holdingStatements()).length === 7);
    const parked = await parkedEmissions(db, scenario.tenantId);
    expect(parked.count).toBe(1);
    expect(parked.parked[0]).toMatchObject({ source: 'holding', reason: 'xAPI: statement.actor.account.homePage: must be an absolute IRI' });
    const row = await db.selectFrom('xapi_emission_parked').select(['event_id', 'holding_event_id']).executeTakeFirstOrThrow();
    expect(row.event_id).toBeNull();
    expect(row.holding_event_id).not.toBeNull();
  });
});
