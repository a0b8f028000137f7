import { PUBLIC } from '../../src/access/rules.js';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/server.js';
import { testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

describe(`graceful shutdown (${BACKEND})`, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('finishes requests in flight, answers not ready meanwhile, then refuses new connections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const slow = Router().get('/slow', async (_req, res) => {
      entered();
      await gate;
      res.json({ finished: true });
    });
    const server = await startServer({ config: testConfig(), logger: createLogger('silent'), database: testDb.database, routers: [slow], routeDecisions: { 'GET /slow': PUBLIC } });

    const inFlight = fetch(server.url + '/slow');
    await inside;
    const closing = server.close();
    let closed = false;
    void closing.then(() => (closed = true));

    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);

    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    await closing;
    await expect(fetch(server.url + '/healthz')).rejects.toThrow();
    // The caller's database stays open: the server closes only what it opened.
    expect((await testDb.database.db.selectFrom('tenants').select('id').execute()).length).toBeGreaterThanOrEqual(0);
  });
});
