import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { readMigrationFiles } from '../../src/db/migrations.js';
import { createLogger } from '../../src/logger.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { testApp, testConfig } from '../support/app.js';

describe(`health endpoints (${BACKEND})`, () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('GET /healthz answers 200 without touching the database', async () => {
    const res = await request(testApp(testDb.database)).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('GET /readyz answers 200 with the database kind when migrations are current', async () => {
    const res = await request(testApp(testDb.database)).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', database: BACKEND, migrations: readMigrationFiles().length });
  });

  it('GET /readyz answers 503 naming the pending migration when the code is ahead of the database', async () => {
    const ahead = [...readMigrationFiles(), { name: '9999_future.sql', sql: 'select 1', checksum: 'x' }];
    const app = createApp({ config: testConfig(), database: testDb.database, logger: createLogger('silent'), migrations: ahead });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/problems/not-ready', pending: ['9999_future.sql'] });
  });

  it('GET /readyz answers 503 while shutting down', async () => {
    const app = createApp({ config: testConfig(), database: testDb.database, logger: createLogger('silent'), migrations: readMigrationFiles(), isShuttingDown: () => true });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/shutting down/);
  });

  it('GET /readyz answers 503 when the database is gone, and /healthz still 200', async () => {
    const gone = await createTestDatabase();
    const app = testApp(gone.database);
    await gone.dispose();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ type: '/problems/not-ready', detail: 'The database is not reachable.' });
    expect((await request(app).get('/healthz')).status).toBe(200);
  });
});
