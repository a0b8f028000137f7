import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import type { PathEvent, PathEventBatchHandler } from '../../src/paths/ports.js';
import { statementId, uuidV5 } from '../../src/xapi/emission/statements.js';
import { XAPI_EMISSION_SUBSCRIBER, xapiEmissionSubscriber } from '../../src/xapi/emission/subscriber.js';
import { parkedEmissions, STATEMENTS_PER_WRITE, storeEmitted } from '../../src/xapi/emission/writer.js';
import { openPglite } from '../../src/db/pglite.js';
import { OwnStatements } from '../../src/xapi/own-statements.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, person, publishedPath, webStep, type World } from '../paths/fixtures.js';

const PUBLIC_URL = 'https://laering.example.no';

describe(`xAPI emission writes: short transactions, replays, parked statements (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let db: Kysely<Schema>;
  let world: World;
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = testDb.database.db;
    world = await createWorld(db);
  });
  afterAll(() => testDb?.dispose());

  const emission = () => xapiEmissionSubscriber(db, new OwnStatements(db, PUBLIC_URL), PUBLIC_URL, logger);
  function dispatcherWith(handler: PathEventBatchHandler) {
    const dispatcher = new PathEventDispatcher({ db, logger });
    dispatcher.subscribeBatch(XAPI_EMISSION_SUBSCRIBER, handler, { batchSize: 500 });
    return dispatcher;
  }
  /** On server PostgreSQL an event is deliverable once older transactions of the database ended: passes repeat. */
  async function runUntil(dispatcher: PathEventDispatcher, done: () => Promise<boolean>) {
    await vi.waitFor(async () => {
      await dispatcher.runOnce();
      if (!(await done())) throw new Error('not yet emitted');
    }, { timeout: 20_000, interval: 50 });
  }

  /** `count` learners each complete a one-step path: three events each (started, step, path completed). */
  async function completions(count: number, pathId: string, stepId: string): Promise<string[]> {
    const enrolments: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
      await deliverOutcome(db, world.inRegion, { enrolmentId, stepId, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } });
      enrolments.push(enrolmentId);
    }
    return enrolments;
  }
  const eventsOf = (enrolments: string[]) => db.selectFrom('path_events').select(['id', 'enrolment_id', 'type']).where('enrolment_id', 'in', enrolments).orderBy('xid').orderBy('id').execute();
  const statementsOf = (enrolments: string[]) => db.selectFrom('xapi_statements').select(['statement_id', 'registration', 'xid', 'stored'])
    .where('tenant_id', '=', world.inRegion).where('registration', 'in', enrolments).orderBy('seq').execute();

  it('writes a batch in short transactions, and a crash between them stores every statement once, in order', async () => {
    const { pathId, stepIds } = await publishedPath(db, world, [webStep()]);
    const enrolments = await completions(30, pathId, stepIds[0]!);
    const events = await eventsOf(enrolments);
    expect(events.length).toBe(90);
    const handler = emission();
    let crashed = false;
    const dispatcher = dispatcherWith(async (batch: readonly PathEvent[]) => {
      const mine = batch.filter((e) => enrolments.includes(e.enrolmentId));
      if (!crashed && mine.length === events.length) {
        // As if the process died after the first writes of the batch, before the rest and before
        // the cursor moved: the events already written come again with the others.
        crashed = true;
        await handler(batch.slice(0, batch.indexOf(mine[40]!)));
        throw new Error('crashed mid-batch');
      }
      await handler(batch);
    });
    await runUntil(dispatcher, async () => crashed && (await statementsOf(enrolments)).length === events.length);
    expect(await dispatcher.runOnce()).toBe(0);
    const stored = await statementsOf(enrolments);
    // Each event's statement once, with the id derived from it.
    expect(stored.map((s) => s.statement_id).sort()).toEqual(events.map((e) => statementId(Number(e.id), 'main')).sort());
    // Per enrolment, in the order of its events.
    for (const enrolmentId of enrolments) {
      const want = events.filter((e) => e.enrolment_id === enrolmentId).map((e) => statementId(Number(e.id), 'main'));
      expect(stored.filter((s) => s.registration === enrolmentId).map((s) => s.statement_id)).toEqual(want);
    }
    // No write holds more than STATEMENTS_PER_WRITE statements: several transactions for the batch.
    const perTransaction = new Map<number, number>();
    for (const s of stored) perTransaction.set(Number(s.xid), (perTransaction.get(Number(s.xid)) ?? 0) + 1);
    expect(Math.max(...perTransaction.values())).toBeLessThanOrEqual(STATEMENTS_PER_WRITE);
    expect(perTransaction.size).toBeGreaterThanOrEqual(Math.ceil(events.length / STATEMENTS_PER_WRITE));
  });

  it('parks a statement that can never be stored, with its reason, and goes on with the rest', async () => {
    const { pathId, stepIds } = await publishedPath(db, world, [webStep()]);
    // A platform entered by hand with an issuer that is no IRI: its learners' actor is invalid xAPI.
    const [broken, refused, later] = await completions(3, pathId, stepIds[0]!);
    const brokenPerson = (await db.selectFrom('path_enrolments').select('person_id').where('id', '=', broken!).executeTakeFirstOrThrow()).person_id;
    await db.insertInto('lti_users').values({ issuer: 'moodle-skole', subject: 'elev-7', tenant_id: world.inRegion, person_id: brokenPerson }).execute();
    // The database refuses one statement of another learner (as a constraint added after the fact would).
    const refusedEvents = await eventsOf([refused!]);
    const refusedStep = refusedEvents.find((e) => e.type === 'step-completed')!;
    const refusedId = statementId(Number(refusedStep.id), 'main');
    await sql`alter table xapi_statements add constraint emission_test_refuses check (statement_id <> ${sql.lit(refusedId)}::uuid)`.execute(db);
    try {
      const dispatcher = dispatcherWith(emission());
      await runUntil(dispatcher, async () => (await statementsOf([later!])).length === 3);
      const parked = await db.selectFrom('xapi_emission_parked').selectAll().where('tenant_id', '=', world.inRegion).orderBy('event_id').execute();
      const brokenEvents = await eventsOf([broken!]);
      expect(parked.map((p) => p.statement_id)).toEqual([...brokenEvents.map((e) => statementId(Number(e.id), 'main')), refusedId]);
      expect(parked[0]!.reason).toBe('xAPI: statement.actor.account.homePage: must be an absolute IRI');
      expect(parked.at(-1)!.reason).toMatch(/^database: .*emission_test_refuses/);
      expect(parked.at(-1)!.event_id).toBe(refusedStep.id);
      // The refused learner's other statements are stored, in order; the broken one's none.
      expect((await statementsOf([refused!])).map((s) => s.statement_id)).toEqual(refusedEvents.filter((e) => e !== refusedStep).map((e) => statementId(Number(e.id), 'main')));
      expect(await statementsOf([broken!])).toEqual([]);
      expect(lines().some((l) => String(l['msg']).includes('can never be stored'))).toBe(true);

      // A replay parks them again, not twice, and stores nothing new.
      const before = await statementsOf([refused!, later!]);
      await db.updateTable('path_event_cursors').set({ last_xid: 0, last_id: 0 }).where('subscriber', '=', XAPI_EMISSION_SUBSCRIBER).execute();
      await runUntil(dispatcher, async () => {
        const cursor = await db.selectFrom('path_event_cursors').select(['last_id']).where('subscriber', '=', XAPI_EMISSION_SUBSCRIBER).executeTakeFirstOrThrow();
        return Number(cursor.last_id) >= Math.max(...(await eventsOf([later!])).map((e) => Number(e.id)));
      });
      expect(await statementsOf([refused!, later!])).toEqual(before);
      const seen = await parkedEmissions(db, world.inRegion);
      expect(seen.count).toBe(4);
      expect(seen.parked.map((p) => p.statementId).sort()).toEqual(parked.map((p) => p.statement_id).sort());
      // Another municipality sees none of them.
      expect((await parkedEmissions(db, world.outside)).count).toBe(0);
    } finally {
      await sql`alter table xapi_statements drop constraint emission_test_refuses`.execute(db);
    }
  });

  it('parks nothing when the LRS\'s database cannot be reached: the batch fails and comes again', async () => {
    const unreachable = await openPglite({ dataDir: undefined });
    await unreachable.close();
    const event = await db.selectFrom('path_events').select('id').where('tenant_id', '=', world.inRegion).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const id = uuidV5('2b8f1d62-5f0e-4c56-9d0b-6a1f4e3c7a90', 'unreachable');
    const statement = { id, actor: { objectType: 'Agent', account: { homePage: 'https://lms.example.no', name: 'u-1' } }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: `${PUBLIC_URL}/xapi/activities/x` } };
    const before = (await parkedEmissions(db, world.inRegion)).count;
    await expect(storeEmitted(db, new OwnStatements(unreachable.db, PUBLIC_URL), world.inRegion, [{ from: { kind: 'path', id: Number(event.id) }, statement }], logger)).rejects.toThrow();
    expect((await parkedEmissions(db, world.inRegion)).count).toBe(before);
    expect(await db.selectFrom('xapi_emission_parked').select('statement_id').where('statement_id', '=', id).execute()).toEqual([]);
  });
});
