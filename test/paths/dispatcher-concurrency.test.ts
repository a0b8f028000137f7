import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import type { PathEvent } from '../../src/paths/ports.js';
import { capturingLogger } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, person, publishedPath, webStep, type World } from './fixtures.js';

/** A subscriber registered with `concurrency` (the competence subscriber): several people at once, each person's events in order. */
describe(`path event dispatcher, several people at a time (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  const { logger } = capturingLogger();
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  it('delivers each person’s events in commit order, handles people side by side, and moves the cursor only past what was handled', async () => {
    const db = testDb.database.db;
    const { pathId, stepIds } = await publishedPath(db, world, [webStep(), webStep()]);
    const learners: string[] = [];
    for (let i = 0; i < 5; i++) {
      const learner = await person(db, world.inRegion);
      learners.push(learner);
      const { enrolmentId } = await enrol(db, world.inRegion, { personId: learner, pathId });
      for (const stepId of stepIds) await deliverOutcome(db, world.inRegion, { enrolmentId, stepId, idempotencyKey: stepId, outcome: { kind: 'web', event: 'done' } });
    }
    const committed = await db.selectFrom('path_events').select(['id', 'person_id']).orderBy('xid').orderBy('id').execute();

    const dispatcher = new PathEventDispatcher({ db, logger, batchSize: 100 });
    const seen: PathEvent[] = [];
    let inFlight = 0;
    let mostAtOnce = 0;
    let failed = false;
    dispatcher.subscribe('per-person', async (event) => {
      inFlight += 1;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        // The third learner's first completed step fails once: it and what follows for that learner come again.
        if (!failed && event.personId === learners[2] && event.type === 'step-completed') {
          failed = true;
          throw new Error('catalogue unreachable');
        }
        seen.push(event);
      } finally {
        inFlight -= 1;
      }
    }, { concurrency: 3 });

    // On server PostgreSQL an event waits for every older transaction of the server: pass until the failure came.
    await vi.waitFor(async () => {
      await dispatcher.runOnce();
      if (!failed) throw new Error('not yet delivered');
    }, { timeout: 15_000, interval: 50 });
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(3);
    // The cursor stops before the failed event: everything from it on comes again.
    const failedAt = committed.findIndex((e) => e.person_id === learners[2] && !seen.some((s) => s.id === e.id));
    const cursor = await db.selectFrom('path_event_cursors').select(['last_id', 'lease_owner']).where('subscriber', '=', 'per-person').executeTakeFirstOrThrow();
    expect(cursor.lease_owner).toBeNull();
    expect(Number(cursor.last_id)).toBe(failedAt === 0 ? 0 : committed[failedAt - 1]!.id);

    await vi.waitFor(async () => {
      await dispatcher.runOnce();
      if (!committed.every((e) => seen.some((s) => s.id === e.id))) throw new Error('not yet delivered');
    }, { timeout: 15_000, interval: 50 });
    // Each person's events in commit order (the first time each was handled), every event at least once.
    for (const learner of learners) {
      const order = committed.filter((e) => e.person_id === learner).map((e) => e.id);
      const firstSeen = [...new Set(seen.filter((e) => e.personId === learner).map((e) => e.id))];
      expect(firstSeen).toEqual(order);
    }
    // Nothing more to deliver once every event was handled.
    expect(await dispatcher.runOnce()).toBe(0);
  });
});
