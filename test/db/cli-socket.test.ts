import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliSocketError, cliSocketDirectory, cliSocketPath, serveCliSocket, type CliSocketServer } from '../../src/db/cli-socket.js';
import { openPglite, type PgliteDatabase } from '../../src/db/pglite.js';
import { createLogger } from '../../src/logger.js';
import { PROTOCOL_3 } from '../../src/db/wire-protocol.js';

// The socket always lends an embedded database, whichever backend the rest of the suite runs on.
describe('the CLI socket: the running tool lends its embedded database (one session) to the CLI', { timeout: 60_000 }, () => {
  let dataDir: string;
  let database: PgliteDatabase;
  let server: CliSocketServer;
  const clients: pg.Client[] = [];

  const open = async (holdTimeoutMs?: number) => {
    server = await serveCliSocket({ database, dataDir, logger: createLogger('silent'), ...(holdTimeoutMs ? { holdTimeoutMs } : {}) });
  };
  const cli = async (config: pg.ClientConfig = {}) => {
    const client = new pg.Client({ host: cliSocketDirectory(dataDir), port: 5432, database: 'laeringslop', ...config });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };
  const rows = async () => (await sql<{ x: string }>`select x from t order by x`.execute(database.db)).rows.map((r) => r.x);
  /** Whether the promise is still pending after a while in which it could have settled. */
  const stillWaiting = async (promise: Promise<unknown>) => {
    let settled = false;
    void promise.then(() => (settled = true), () => (settled = true));
    await sleep(300);
    return !settled;
  };

  // One embedded database for the file (it is slow to create), with fresh tables for each test.
  beforeAll(async () => {
    database = await openPglite({ dataDir: undefined });
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-socket-'));
    await sql`drop table if exists t, u`.execute(database.db);
    await sql`create table t (x text not null)`.execute(database.db);
    await sql`create table u (x text primary key)`.execute(database.db);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves an owner-only socket, replaces one left by a killed run, and removes it when it stops', async () => {
    fs.mkdirSync(cliSocketDirectory(dataDir), { mode: 0o755 });
    fs.writeFileSync(cliSocketPath(dataDir), 'left by a killed run');
    await open();
    expect(fs.statSync(cliSocketDirectory(dataDir)).mode & 0o777).toBe(0o700);
    const socket = fs.statSync(cliSocketPath(dataDir));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    const client = await cli();
    expect((await client.query<{ n: number }>('select 1 + $1::int as n', [1])).rows).toEqual([{ n: 2 }]);
    await server.close();
    expect(fs.existsSync(cliSocketPath(dataDir))).toBe(false);
  });

  it('refuses a socket folder that is a link to somewhere else', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'elsewhere-'));
    fs.symlinkSync(elsewhere, cliSocketDirectory(dataDir));
    await expect(serveCliSocket({ database, dataDir, logger: createLogger('silent') })).rejects.toThrow(CliSocketError);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it("holds the tool's queries while a CLI transaction is open, so the CLI's rollback undoes only its own writes", async () => {
    await open();
    const client = await cli();
    await client.query('begin');
    await client.query(`insert into t values ('cli')`);
    const toolWrite = sql`insert into t values ('tool')`.execute(database.db);
    expect(await stillWaiting(toolWrite)).toBe(true);
    expect((await client.query('select x from t')).rows).toEqual([{ x: 'cli' }]);
    await client.query('rollback');
    await toolWrite;
    expect(await rows()).toEqual(['tool']);
  });

  it("holds the CLI's statements while a tool transaction is open, so the tool's rollback undoes only its own writes", async () => {
    await open();
    const client = await cli();
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const toolTransaction = database.db.transaction().execute(async (trx) => {
      await sql`insert into t values ('tool')`.execute(trx);
      inside();
      await gate;
      throw new Error('the tool rolls back');
    });
    await started;
    const cliWrite = client.query(`insert into t values ('cli')`);
    expect(await stillWaiting(cliWrite)).toBe(true);
    finish();
    await expect(toolTransaction).rejects.toThrow('the tool rolls back');
    await cliWrite;
    expect(await rows()).toEqual(['cli']);
  });

  it('keeps CLI transactions and tool writes apart under concurrent load: exactly the committed writes remain', async () => {
    await open();
    const client = await cli();
    let cliDone = false;
    const cliWork = (async () => {
      let committed = 0;
      try {
        for (let i = 0; i < 30; i += 1) {
          await client.query('begin');
          await client.query('insert into t values ($1)', [`cli-${i}-a`]);
          await client.query('insert into t values ($1)', [`cli-${i}-b`]);
          if (i % 3 === 0) await client.query('rollback');
          else {
            await client.query('commit');
            committed += 2;
          }
        }
      } finally {
        cliDone = true;
      }
      return committed;
    })();
    // The tool keeps writing for as long as the CLI works, alone and in transactions of two.
    const toolWork = (async () => {
      let written = 0;
      for (let i = 0; (!cliDone || i < 10) && i < 2000; i += 1) {
        // Each write starts on a turn of the event loop of its own, as a request's would.
        await new Promise(setImmediate);
        if (i % 2 === 0) await sql`insert into t values (${`tool-${i}`})`.execute(database.db);
        else {
          await database.db.transaction().execute(async (trx) => {
            await sql`insert into t values (${`tool-${i}-a`})`.execute(trx);
            await sql`insert into t values (${`tool-${i}-b`})`.execute(trx);
          });
        }
        written += i % 2 === 0 ? 1 : 2;
      }
      return written;
    })();
    const [committed, written] = await Promise.all([cliWork, toolWork]);
    const all = await rows();
    expect(all.filter((x) => x.startsWith('cli-'))).toHaveLength(committed);
    expect(all.filter((x) => x.startsWith('cli-') && Number(x.split('-')[1]) % 3 === 0)).toEqual([]);
    expect(all.filter((x) => x.startsWith('tool-'))).toHaveLength(written);
  });

  it("rolls back the transaction of a CLI that is killed in the middle, before the tool's next query", async () => {
    await open();
    const client = await cli();
    await client.query('begin');
    await client.query(`insert into t values ('ghost')`);
    const toolWrite = database.db.transaction().execute((trx) => sql`insert into t values ('tool')`.execute(trx));
    // The CLI process dies: its connection closes without a word.
    (client as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    await toolWrite;
    // Had the session been left inside the CLI's transaction, the tool's COMMIT would have kept 'ghost'.
    expect(await rows()).toEqual(['tool']);
    await sql`insert into t values ('after')`.execute(database.db);
    expect(await rows()).toEqual(['after', 'tool']);
  });

  it('ends an unfinished extended-protocol request of a killed CLI without committing what it ran', async () => {
    await open();
    const raw = await rawConnection(cliSocketPath(dataDir));
    // Parse, Bind, Execute of an insert and a Flush, but never the Sync that would commit it.
    raw.socket.write(Buffer.concat([parse(`insert into t values ('half')`), bind(), execute(), flush()]));
    await raw.until((data) => data.includes(Buffer.from('INSERT 0 1')));
    raw.socket.destroy();
    await sql`insert into t values ('tool')`.execute(database.db);
    expect(await rows()).toEqual(['tool']);

    // An error in the middle of a request makes the backend skip everything until a Sync.
    const failing = await rawConnection(cliSocketPath(dataDir));
    failing.socket.write(Buffer.concat([parse('select no_such_column from t'), flush()]));
    await failing.until((data) => data.includes(Buffer.from('no_such_column')));
    failing.socket.destroy();
    await sql`insert into t values ('tool-2')`.execute(database.db);
    expect(await rows()).toEqual(['tool', 'tool-2']);
  });

  it('cuts off a CLI that holds the session and sends nothing, and gives the tool its session back', async () => {
    await open(400);
    const client = await cli();
    await client.query('begin');
    await client.query(`insert into t values ('idle')`);
    const started = Date.now();
    await sql`insert into t values ('tool')`.execute(database.db);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await expect(client.query('commit')).rejects.toThrow();
    expect(await rows()).toEqual(['tool']);
  });

  it("leaves no trace of the CLI's session settings, startup parameters or prepared statements in the tool's session", async () => {
    await open();
    const settings = sql<{ tz: string; sp: string; app: string; prepared: number }>`
      select current_setting('TimeZone') as tz, current_setting('search_path') as sp,
             current_setting('application_name') as app, (select count(*)::int from pg_prepared_statements) as prepared`;
    const before = (await settings.execute(database.db)).rows[0];
    const client = await cli({ application_name: 'laeringslop-cli', options: '-c search_path=pg_catalog' });
    await client.query(`set timezone = 'Asia/Tokyo'`);
    await client.query({ name: 'kept', text: 'select 1' });
    expect((await client.query<{ tz: string }>(`select current_setting('TimeZone') as tz`)).rows[0]!.tz).toBe('Asia/Tokyo');
    await client.end();
    await sleep(100);
    expect((await settings.execute(database.db)).rows[0]).toEqual(before);
  });

  it("passes the database's refusals to the CLI as they are, and the session goes on", async () => {
    await open();
    const client = await cli();
    await client.query(`insert into u values ('a')`);
    await expect(client.query(`insert into u values ('a')`)).rejects.toMatchObject({ code: '23505' });
    expect((await client.query('select count(*)::int as n from u')).rows).toEqual([{ n: 1 }]);
    await sql`insert into u values ('b')`.execute(database.db);
  });
});

// Frontend messages for a client that does what node-postgres never does (stop half-way).
const message = (type: string, body: Buffer) => {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
};
const parse = (text: string) => message('P', Buffer.concat([Buffer.from(`\0${text}\0`), Buffer.alloc(2)]));
const bind = () => message('B', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]));
const execute = () => message('E', Buffer.from([0, 0, 0, 0, 0]));
const flush = () => message('H', Buffer.alloc(0));

async function rawConnection(socketPath: string) {
  const socket = net.createConnection(socketPath);
  let received = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const until = async (done: (data: Buffer) => boolean) => {
    while (!done(received)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const startup = Buffer.concat([Buffer.alloc(8), Buffer.from('user\0test\0\0')]);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(PROTOCOL_3, 4);
  socket.write(startup);
  await until((data) => data.includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]))); // ReadyForQuery 'I'
  return { socket, until };
}
