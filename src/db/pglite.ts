import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Database, SqlSession } from './database.js';
import type { Schema } from './schema.js';

/**
 * PGlite is one PostgreSQL backend in this process: one session. Work that spans statements (a
 * transaction, a migration) must own it exclusively, so connections are handed out one at a time.
 */
class SingleConnection {
  #tail: Promise<void> = Promise.resolve();

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    await previous;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        release();
      }
    };
  }
}

export class DataDirInUseError extends Error {
  constructor(readonly lockFile: string, readonly pid: number) {
    super(
      `The embedded database in ${path.dirname(lockFile)} is in use by process ${pid}. ` +
        'Stop that process first, or set DATABASE_URL to use a PostgreSQL server that several processes can share.',
    );
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Two processes writing one PGlite directory corrupt it; a pid file keeps the second one out. */
function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, 'laeringslop.lock');
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(fs.readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DataDirInUseError(lockFile, pid);
      }
      fs.rmSync(lockFile, { force: true }); // left behind by a process that is gone
    }
  }
}

export interface PgliteOptions {
  /** Directory for the database files; undefined keeps the database in memory (tests). */
  dataDir: string | undefined;
  /** Start an in-memory database from a `dumpDataDir()` archive instead of an empty cluster. */
  loadDataDir?: Blob;
}

/**
 * The single session, held by someone other than the tool's own queries (the CLI socket): raw
 * PostgreSQL wire-protocol messages in, the backend's raw answers out, until `release`.
 */
export interface HeldSession {
  /** Runs one or more complete frontend messages and returns what the backend wrote. */
  exchange(messages: Uint8Array): Promise<Uint8Array>;
  /** Gives the session back to the tool's queries; calling it again does nothing. */
  release(): void;
}

/** The embedded database can also archive itself (backups, test templates). */
export interface PgliteDatabase extends Database {
  readonly kind: 'pglite';
  /** The data directory, or undefined for a database in memory. */
  readonly dataDir: string | undefined;
  /** An archive of the whole cluster, loadable with `loadDataDir`. */
  dumpDataDir(): Promise<Blob>;
  /**
   * Waits until no query or transaction of the tool holds the session, then holds it: nothing
   * of the tool runs until `release`, so whatever the holder does is never interleaved with it.
   */
  holdSession(): Promise<HeldSession>;
}

export async function openPglite(options: PgliteOptions): Promise<PgliteDatabase> {
  let unlock = () => {};
  let dataPath: string | undefined;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
    dataPath = path.join(options.dataDir, 'pgdata');
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      // Dates stay 'YYYY-MM-DD' text, as with the server driver (src/db/postgres.ts).
      parsers: { 1082: (value: string) => value },
      ...(dataPath ? { dataDir: dataPath } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (error) {
    unlock();
    throw error;
  }
  const connection = new SingleConnection();

  const pool: PostgresPool = {
    async connect() {
      const release = await connection.acquire();
      const client = {
        query: (sql: string, parameters: readonly unknown[]) => pglite.query(sql, [...parameters]),
        release,
      };
      return client as unknown as PostgresPoolClient;
    },
    async end() {},
  };
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;

  return {
    kind: 'pglite',
    dataDir: options.dataDir,
    db,
    async holdSession() {
      const release = await connection.acquire();
      return {
        exchange: (messages) => pglite.execProtocolRaw(messages),
        release,
      };
    },
    async dumpDataDir() {
      const release = await connection.acquire();
      try {
        return await pglite.dumpDataDir('none');
      } finally {
        release();
      }
    },
    async session(work) {
      const release = await connection.acquire();
      const session: SqlSession = {
        async query<Row>(sql: string, parameters: readonly unknown[] = []) {
          const result = await pglite.query<Row>(sql, [...parameters]);
          return result.rows;
        },
        async exec(script) {
          await pglite.exec(script);
        },
      };
      try {
        return await work(session);
      } finally {
        release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      // Wait for anything still holding the connection, then shut PGlite down cleanly so its
      // files are consistent on disk.
      const release = await connection.acquire();
      try {
        await pglite.close();
      } finally {
        release();
        unlock();
      }
    },
  };
}
