import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OLDEST_RUNNING_XID, settled } from '../../src/db/commit-order.js';
import type { Schema } from '../../src/db/schema.js';
import { BACKEND, createServerDatabase, createTestDatabase, SERVER_URL, type ServerDatabase, type TestDatabase } from '../support/database.js';

/** A connection that opens a transaction, takes a transaction id and keeps it running until `end`. */
async function runningTransaction(url: string): Promise<{ xid: bigint; end(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  const { rows } = await client.query<{ xid: string }>('select pg_current_xact_id()::text as xid');
  return {
    xid: BigInt(rows[0]!.xid),
    async end() {
      await client.query('commit');
      await client.end();
    },
  };
}

describe(`commit-order horizon (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let db: Kysely<Schema>;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = testDb.database.db;
    await sql`create table commit_order_probe (id serial primary key, xid bigint not null default (pg_current_xact_id()::text::bigint))`.execute(db);
  });
  afterAll(() => testDb?.dispose());

  const horizon = async () => BigInt((await sql<{ h: string }>`select ${OLDEST_RUNNING_XID}::text as h`.execute(db)).rows[0]!.h);
  const serverXmin = async () => BigInt((await sql<{ h: string }>`select pg_snapshot_xmin(pg_current_snapshot())::text as h`.execute(db)).rows[0]!.h);
  const write = async () => BigInt((await sql<{ xid: string }>`insert into commit_order_probe default values returning xid::text`.execute(db)).rows[0]!.xid);
  /**
   * The horizon of a moment, asked until `holds` (at most 2 s): a transaction of another test's
   * database that ends between the snapshot and the read of pg_stat_activity is not found there and
   * still counts for that one read (the horizon errs towards waiting), so on a busy shared server
   * one read may be one transaction behind. A transaction that keeps running never lets it hold.
   */
  async function horizonOnceIt(holds: (h: bigint) => boolean): Promise<bigint> {
    let h = await horizon();
    for (let i = 0; i < 100 && !holds(h); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      h = await horizon();
    }
    return h;
  }
  const settledOnceIt = async (xid: bigint) => {
    for (let i = 0; i < 100; i++) {
      if (await isSettled(xid)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  };
  const isSettled = async (xid: bigint) => (await sql<{ id: number }>`select id from commit_order_probe where xid = ${xid.toString()}::bigint and ${settled()}`.execute(db)).rows.length === 1;

  it('passes a committed write once nothing older runs', async () => {
    const xid = await write();
    expect(await horizonOnceIt((h) => h > xid)).toBeGreaterThan(xid);
    expect(await settledOnceIt(xid)).toBe(true);
  });

  it.skipIf(!SERVER_URL)('is held back by an older transaction of this database until it ends', async () => {
    const older = await runningTransaction(testDb.url!);
    try {
      const xid = await write();
      expect(xid).toBeGreaterThan(older.xid);
      expect(await horizon()).toBeLessThanOrEqual(older.xid);
      expect(await isSettled(xid)).toBe(false);
    } finally {
      await older.end();
    }
    expect(await horizonOnceIt((h) => h > older.xid)).toBeGreaterThan(older.xid);
  });

  describe.skipIf(!SERVER_URL)('with a transaction running in another database of the server', () => {
    let other: ServerDatabase;
    beforeAll(async () => {
      other = await createServerDatabase(SERVER_URL!);
    });
    afterAll(() => other?.drop());

    it('is not held back by it (the server-wide xmin is)', async () => {
      const elsewhere = await runningTransaction(other.url);
      try {
        const xid = await write();
        expect(xid).toBeGreaterThan(elsewhere.xid);
        // The server's own horizon waits for the other database's transaction …
        expect(await serverXmin()).toBeLessThanOrEqual(elsewhere.xid);
        // … this database's does not: the write is readable in commit order now.
        expect(await horizonOnceIt((h) => h > xid)).toBeGreaterThan(xid);
        expect(await settledOnceIt(xid)).toBe(true);
        // A transaction of this database that began later still holds it back.
        const mine = await runningTransaction(testDb.url!);
        try {
          expect(await horizonOnceIt((h) => h === mine.xid)).toBe(mine.xid);
        } finally {
          await mine.end();
        }
      } finally {
        await elsewhere.end();
      }
    });
  });
});
