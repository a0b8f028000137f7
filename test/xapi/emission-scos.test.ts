import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { statementId } from '../../src/xapi/emission/statements.js';
import { xapiProfile } from '../../src/xapi/emission/profile.js';
import { validateStatement } from '../../src/xapi/validation/statement.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { emitPathEvents, SCENARIO_ISSUER, SCENARIO_PUBLIC_URL as PUBLIC_URL, scoScenario, tenantStatements, type ScoScenario } from './emission-scenarios.js';
import { templateFor, templateViolations, type XapiProfile } from './profile-rules.js';

type Json = Record<string, unknown>;
const ADL = 'http://adlnet.gov/expapi/verbs';

describe(`xAPI statements for each SCO of a SCORM step (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let db: Kysely<Schema>;
  let scenario: ScoScenario;
  const { logger } = capturingLogger();

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = testDb.database.db;
    scenario = await scoScenario(testDb.database);
  });
  afterAll(() => testDb?.dispose());

  it('the commits and the step\'s completion write no statement: they come from the outbox afterwards', async () => {
    expect(scenario.events.map((e) => e.type)).toEqual(['path-started', 'step-completed', 'path-completed']);
    expect(await tenantStatements(db, scenario.tenantId)).toEqual([]);
  });

  it('says each SCO\'s completion, success, score and session time, with the step as parent', async () => {
    const step = scenario.events[1]!;
    // registered; the step completed and failed (one SCO failed); two for each SCO; the path completed.
    await emitPathEvents(db, logger, async () => (await tenantStatements(db, scenario.tenantId)).length === 8);
    const stored = await tenantStatements(db, scenario.tenantId);
    const scoOnes = stored.filter((s) => ((s.statement['object'] as Json)['id'] as string).includes('/scos/'));
    // SCORM 1.2 "failed" and "passed" are each completed, with success false and true.
    expect(scoOnes.map((s) => [((s.statement['object'] as Json)['id'] as string).split('/').pop(), ((s.statement['verb'] as Json)['id'] as string).split('/').pop()]))
      .toEqual([['del1', 'completed'], ['del1', 'failed'], ['del2', 'completed'], ['del2', 'passed']]);
    expect(scoOnes.map((s) => s.statementId)).toEqual(['sco/del1', 'sco/del1/success', 'sco/del2', 'sco/del2/success'].map((slot) => statementId(step.id, slot as `sco/${string}`)));
    const [del1, del1Failed, del2, del2Passed] = scoOnes.map((s) => s.statement);
    expect(del1!['object']).toEqual({ objectType: 'Activity', id: `${PUBLIC_URL}/xapi/activities/packages/${scenario.packageId}/scos/del1`, definition: { type: 'http://adlnet.gov/expapi/activities/lesson' } });
    expect(del1!['result']).toEqual({ completion: true, score: { scaled: 0.4, raw: 40 }, duration: 'PT2M5.5S' });
    expect(del1Failed!['result']).toEqual({ success: false, score: { scaled: 0.4, raw: 40 }, duration: 'PT2M5.5S' });
    // The session the SCO got its outcome in, not the earlier one.
    expect(del2!['result']).toEqual({ completion: true, score: { scaled: 0.85, min: 0, max: 100, raw: 85 }, duration: 'PT1H2M3S' });
    expect(del2Passed!['result']).toEqual({ success: true, score: { scaled: 0.85, min: 0, max: 100, raw: 85 }, duration: 'PT1H2M3S' });
    expect(del2Passed!['verb']).toMatchObject({ id: `${ADL}/passed` });
    const context = del2!['context'] as Json;
    expect(context['registration']).toBe(scenario.enrolmentId);
    const activities = context['contextActivities'] as Record<string, Json[]>;
    expect(activities['parent']!.map((a) => a['id'])).toEqual([`${PUBLIC_URL}/xapi/activities/paths/${step.pathId}/steps/${scenario.stepId}`]);
    expect(activities['grouping']!.map((a) => a['id'])).toEqual([`${PUBLIC_URL}/xapi/activities/paths/${step.pathId}`, `${PUBLIC_URL}/xapi/activities/paths/${step.pathId}/versions/1`]);
    expect(context['extensions']).toMatchObject({
      [`${PUBLIC_URL}/profiles/xapi/extensions/sco`]: 'del2',
      [`${PUBLIC_URL}/profiles/xapi/extensions/content-package`]: scenario.packageId,
      [`${PUBLIC_URL}/profiles/xapi/extensions/municipality`]: { id: scenario.tenantId },
    });
    expect(del2!['actor']).toEqual({ objectType: 'Agent', account: { homePage: SCENARIO_ISSUER, name: `sco-${scenario.personId.slice(0, 8)}` } });
    const profile = xapiProfile(PUBLIC_URL) as unknown as XapiProfile;
    for (const { statement } of stored) {
      expect(() => validateStatement(statement)).not.toThrow();
      expect(templateViolations(profile, statement), JSON.stringify(statement)).toEqual([]);
    }
    expect(scoOnes.map((s) => templateFor(profile, s.statement)!.id.split('/').pop())).toEqual(['sco-completed', 'sco-failed', 'sco-completed', 'sco-passed']);
    // The step's own statement is still the step's (parent: the path), told apart from the SCOs' by its parent.
    const stepStatement = stored.find((s) => s.statementId === statementId(step.id, 'main'))!.statement;
    expect(templateFor(profile, stepStatement)!.id.split('/').pop()).toBe('content-completed');
  });

  it('a replay stores nothing new, also when the SCOs moved on since', async () => {
    const before = await tenantStatements(db, scenario.tenantId);
    await db.updateTable('scorm_sco_states').set({ score_raw: 10, score_scaled: 0.1, open_session_seconds: 1 }).where('sco_id', '=', 'del2').execute();
    await db.updateTable('path_event_cursors').set({ last_xid: 0, last_id: 0 }).execute();
    const last = scenario.events.at(-1)!.id;
    await emitPathEvents(db, logger, async () => Number((await db.selectFrom('path_event_cursors').select('last_id').executeTakeFirstOrThrow()).last_id) >= last);
    expect(await tenantStatements(db, scenario.tenantId)).toEqual(before);
  });
});
