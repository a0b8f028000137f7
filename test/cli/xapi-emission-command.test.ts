import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runXapiEmissionCommand } from '../../src/cli/xapi-emission-command.js';
import { XapiClientUsageError } from '../../src/cli/xapi-client-command.js';
import { createLogger } from '../../src/logger.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { createPerson } from '../../src/people/people.js';
import { createMissingMunicipalities } from '../../src/tenants/official-municipalities.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { publishPath } from '../learner/support.js';
import { webStep } from '../paths/fixtures.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { emitPathEvents, SCENARIO_PUBLIC_URL } from '../xapi/emission-scenarios.js';

describe(`npm run cli -- xapi-emission (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    await createMissingMunicipalities(testDb.database.db);
  });
  afterAll(async () => testDb?.dispose());

  async function run(sub: string | undefined, options: { tenant?: string; json?: boolean }): Promise<string[]> {
    const lines: string[] = [];
    await runXapiEmissionCommand(testDb.database, SCENARIO_PUBLIC_URL, sub, { json: false, ...options }, (line) => lines.push(line));
    return lines;
  }

  it('lists the parked statements and re-drives them; those refused again stay; another municipality\'s are not touched', async () => {
    const db = testDb.database.db;
    const kongsberg = (await findMunicipality(db, '3303'))!.id;
    const learner = (await createPerson(db, kongsberg, { name: 'Elev' })).id;
    await db.insertInto('lti_users').values({ issuer: 'moodle-skole', subject: 'elev-7', tenant_id: kongsberg, person_id: learner }).execute();
    const { pathId, stepIds } = await publishPath(testDb.database, kongsberg, [webStep()]);
    const { enrolmentId } = await enrol(db, kongsberg, { personId: learner, pathId });
    await deliverOutcome(db, kongsberg, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } });
    const parked = () => db.selectFrom('xapi_emission_parked').select('statement_id').where('tenant_id', '=', kongsberg).execute();
    await emitPathEvents(db, createLogger('silent'), async () => (await parked()).length === 3);

    const listed = await run('parked', { tenant: '3303' });
    expect(listed[0]).toBe('parked: 3');
    expect(listed.slice(1).every((line) => line.includes('path event') && line.includes('must be an absolute IRI'))).toBe(true);
    expect(JSON.parse((await run('parked', { tenant: '3303', json: true })).join('\n'))).toMatchObject({ count: 3 });

    expect(await run('redrive', { tenant: '3303' })).toEqual(['0 statement(s) stored; 3 still parked']);
    expect(await run('redrive', { tenant: '0301' })).toEqual(['0 statement(s) stored; 0 still parked']);
    expect(await parked()).toHaveLength(3);

    await db.updateTable('lti_users').set({ issuer: 'https://moodle.kongsberg.no' }).where('person_id', '=', learner).execute();
    expect(await run('redrive', { tenant: kongsberg })).toEqual(['3 statement(s) stored; 0 still parked']);
    expect(await parked()).toEqual([]);
    expect(await db.selectFrom('xapi_statements').select('statement_id').where('registration', '=', enrolmentId).execute()).toHaveLength(3);
    // Again: nothing to do, nothing new.
    expect(await run('redrive', { tenant: '3303' })).toEqual(['0 statement(s) stored; 0 still parked']);
  });

  it('refuses an unknown sub-command and an unknown municipality', async () => {
    await expect(run('retry', { tenant: '3303' })).rejects.toThrow(XapiClientUsageError);
    await expect(run(undefined, { tenant: '3303' })).rejects.toThrow(/parked or redrive/);
    await expect(run('parked', { tenant: '9999' })).rejects.toThrow(/no municipality/);
  });
});
