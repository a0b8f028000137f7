import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { composeCapabilities } from '../../src/compose.js';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { emitPathEvent } from '../../src/paths/events.js';
import type { PathEvent } from '../../src/paths/ports.js';
import { capturingLogger, testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, parallelDatabase, person, publishedPath, webStep, type World } from './fixtures.js';

describe(`path event dispatcher (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  const { logger } = capturingLogger();
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  /**
   * On server PostgreSQL an event becomes deliverable once every transaction older than its own
   * has ended, in any database of the cluster (the machine is shared), so passes repeat until
   * the expected deliveries arrived.
   */
  async function runUntil(dispatchers: PathEventDispatcher[], done: () => boolean): Promise<void> {
    await vi.waitFor(async () => {
      for (const dispatcher of dispatchers) await dispatcher.runOnce();
      if (!done()) throw new Error('not yet delivered');
    }, { timeout: 15_000, interval: 50 });
  }

  async function completeOnePath() {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep(), webStep()]);
    const { enrolmentId } = await enrol(db, world.inRegion, { personId: await person(db, world.inRegion), pathId });
    for (const stepId of stepIds) await deliverOutcome(db, world.inRegion, { enrolmentId, stepId, idempotencyKey: stepId, outcome: { kind: 'web', event: 'done' } });
    return enrolmentId;
  }

  it('delivers every event to each subscriber in order, with its own cursor, at least once', async () => {
    const enrolmentId = await completeOnePath();
    const dispatcher = new PathEventDispatcher({ db: testDb.database.db, logger });
    const passback: PathEvent[] = [];
    const flaky: PathEvent[] = [];
    let failures = 0;
    dispatcher.subscribe('lti-passback', async (event) => void passback.push(event));
    dispatcher.subscribe('xapi', async (event) => {
      if (event.type === 'step-completed' && failures === 0) {
        failures += 1;
        throw new Error('LRS unreachable');
      }
      flaky.push(event);
    });
    const mine = (events: PathEvent[]) => events.filter((e) => e.enrolmentId === enrolmentId).map((e) => e.type);
    await runUntil([dispatcher], () => mine(passback).length === 4 && failures === 1);
    expect(mine(passback)).toEqual(['path-started', 'step-completed', 'step-completed', 'path-completed']);
    expect(passback.find((e) => e.type === 'path-completed')?.payload).toMatchObject({ score: null });
    // The failing subscriber stopped at the event it could not take and gets it again, in order.
    await runUntil([dispatcher], () => mine(flaky).length === 4);
    expect(mine(flaky)).toEqual(['path-started', 'step-completed', 'step-completed', 'path-completed']);
    // Nothing is delivered twice once handled.
    const before = passback.length;
    expect(await dispatcher.runOnce()).toBe(0);
    expect(passback).toHaveLength(before);
    // A new dispatcher (a restart) resumes from the stored cursors.
    const restarted = new PathEventDispatcher({ db: testDb.database.db, logger });
    const after: PathEvent[] = [];
    restarted.subscribe('lti-passback', async (event) => void after.push(event));
    await completeOnePath();
    await runUntil([restarted], () => after.length >= 4);
    expect(after.map((e) => e.type)).toEqual(['path-started', 'step-completed', 'step-completed', 'path-completed']);
    expect(() => restarted.subscribe('lti-passback', async () => undefined)).toThrow(/already registered/);
    expect(() => restarted.subscribe('Bad Name', async () => undefined)).toThrow(/must be/);
  });

  it('two instances running at once never deliver the same event to one subscriber twice', async () => {
    await completeOnePath();
    const parallel = parallelDatabase(testDb);
    try {
      const seen: number[] = [];
      const a = new PathEventDispatcher({ db: parallel.database.db, logger });
      const b = new PathEventDispatcher({ db: parallel.database.db, logger });
      for (const d of [a, b]) d.subscribe('competence', async (event) => void seen.push(event.id));
      const total = Number((await testDb.database.db.selectFrom('path_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      await vi.waitFor(async () => {
        await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
        if (seen.length < total) throw new Error('not yet delivered');
      }, { timeout: 15_000, interval: 50 });
      expect(seen.length).toBe(total);
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      await parallel.close();
    }
  });

  it('leaves a subscriber alone while another instance holds its lease, and takes over when it runs out', async () => {
    const db = testDb.database.db;
    await completeOnePath();
    const dispatcher = new PathEventDispatcher({ db, logger });
    const seen: number[] = [];
    dispatcher.subscribe('leased', async (event) => void seen.push(event.id));
    await db.insertInto('path_event_cursors').values({ subscriber: 'leased', lease_owner: 'another-instance', leased_until: new Date(Date.now() + 60_000) }).execute();
    expect(await dispatcher.runOnce()).toBe(0);
    expect(seen).toEqual([]);
    await db.updateTable('path_event_cursors').set({ leased_until: new Date(Date.now() - 1000) }).where('subscriber', '=', 'leased').execute();
    await runUntil([dispatcher], () => seen.length > 0);
    const cursor = await db.selectFrom('path_event_cursors').select(['lease_owner', 'last_id']).where('subscriber', '=', 'leased').executeTakeFirstOrThrow();
    expect(cursor.lease_owner).toBeNull();
    expect(cursor.last_id).toBe(seen.at(-1));
  });

  it.runIf(BACKEND === 'postgres')('does not skip an event whose transaction commits after a later one', async () => {
    const db = testDb.database.db;
    const enrolmentId = await completeOnePath();
    const enrolment = await db.selectFrom('path_enrolments').select(['id', 'tenant_id', 'person_id', 'path_id', 'version_id']).where('id', '=', enrolmentId).executeTakeFirstOrThrow();
    const dispatcher = new PathEventDispatcher({ db, logger });
    const seen: PathEvent[] = [];
    dispatcher.subscribe('late-commit', async (event) => void seen.push(event));
    await runUntil([dispatcher], () => seen.some((e) => e.enrolmentId === enrolmentId && e.type === 'path-completed'));
    seen.length = 0;

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => (written = resolve));
    const slow = db.transaction().execute(async (trx) => {
      await emitPathEvent(trx, 'step-completed', enrolment, null, { marker: 'slow' });
      written();
      await gate;
    });
    await inserted;
    await db.transaction().execute((trx) => emitPathEvent(trx, 'step-completed', enrolment, null, { marker: 'fast' }));
    await dispatcher.runOnce();
    expect(seen.map((e) => e.payload['marker'])).toEqual([]);
    release();
    await slow;
    await runUntil([dispatcher], () => seen.length >= 2);
    expect(seen.map((e) => e.payload['marker'])).toEqual(['slow', 'fast']);
  });

  it('runs as background work that start and stop control', async () => {
    const enrolmentId = await completeOnePath();
    const dispatcher = new PathEventDispatcher({ db: testDb.database.db, logger, pollIntervalMs: 20 });
    const seen: string[] = [];
    dispatcher.subscribe('background', async (event) => void (event.enrolmentId === enrolmentId && seen.push(event.type)));
    dispatcher.start();
    await vi.waitFor(() => expect(seen).toContain('path-completed'), { timeout: 10_000 });
    await dispatcher.stop();
    // The composed service starts its dispatcher and stops it again.
    const capabilities = await composeCapabilities({ config: testConfig(), database: testDb.database, logger });
    await capabilities.stop();
  });

  it('a background subscriber rests as long as its last batch took while another is behind, and goes on at once when none is', async () => {
    const db = testDb.database.db;
    let clock = 1_000_000;
    const dispatcher = new PathEventDispatcher({ db, logger, batchSize: 2, now: () => clock });
    const documented: number[] = [];
    const stated: number[] = [];
    dispatcher.subscribe('documenting', async (event) => void documented.push(event.id));
    dispatcher.subscribeBatch('statements', async (batch) => {
      clock += 100; // each batch takes 100 ms
      for (const event of batch) stated.push(event.id);
    }, { batchSize: 1, background: true });
    await completeOnePath();
    await completeOnePath();
    const total = Number((await db.selectFrom('path_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(total).toBeGreaterThan(6);

    // Nobody behind yet: both go; documenting took a full batch (it is behind), statements one event.
    await dispatcher.runOnce();
    expect([documented.length, stated.length]).toEqual([2, 1]);
    // Its batch took 100 ms: it rests 100 ms while documenting is behind.
    clock += 50;
    await dispatcher.runOnce();
    expect([documented.length, stated.length]).toEqual([4, 1]);
    clock += 50;
    await dispatcher.runOnce();
    expect([documented.length, stated.length]).toEqual([6, 2]);
    // It is not held back for longer than it rests: it keeps up while the other stays behind.
    for (let round = 0; round < 3 && documented.length < total; round += 1) {
      clock += 200;
      const before = stated.length;
      await dispatcher.runOnce();
      expect(stated.length).toBe(before + 1);
    }
    // Documenting caught up (its last batch was not full): statements go on at once, no rest.
    while (documented.length < total) await dispatcher.runOnce();
    await dispatcher.runOnce();
    const afterCatchUp = stated.length;
    await dispatcher.runOnce();
    await dispatcher.runOnce();
    expect(stated.length).toBe(Math.min(total, afterCatchUp + 2));
  });
});
