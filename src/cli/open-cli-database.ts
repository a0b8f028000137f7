import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.js';
import { CLI_SOCKET_PORT, cliSocketDirectory, cliSocketPath } from '../db/cli-socket.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open.js';
import { DataDirInUseError } from '../db/pglite.js';
import { openPostgres } from '../db/postgres.js';

/** The data directory is in use, and not by a tool that lends it over its socket. */
export class ToolNotReachableError extends Error {}

/** A tool that has just taken the data directory opens its socket within seconds. */
const WAIT_FOR_STARTING_TOOL_MS = 10_000;

const notThere = (error: unknown) => ['ENOENT', 'ECONNREFUSED'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * The database for one CLI command. Server PostgreSQL when DATABASE_URL is set; otherwise the
 * embedded database in DATA_DIR, opened here when no tool runs, or, when the running tool holds
 * it, reached through the tool's CLI socket.
 */
export async function openCliDatabase(config: Pick<Config, 'databaseUrl' | 'databasePoolMax' | 'databasePreparedStatements' | 'dataDir'>): Promise<Database> {
  try {
    return await openDatabase(config);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    return connectToRunningTool(config.dataDir, error.pid);
  }
}

async function connectToRunningTool(dataDir: string, pid: number): Promise<Database> {
  const deadline = Date.now() + WAIT_FOR_STARTING_TOOL_MS;
  for (;;) {
    // One connection, as the tool has one session: a CLI command never waits on itself.
    // No named prepared statements: they would outlive the connection in the tool's session.
    const database = openPostgres({
      connectionString: `postgresql:///laeringslop?host=${encodeURIComponent(cliSocketDirectory(dataDir))}&port=${CLI_SOCKET_PORT}`,
      poolMax: 1,
      prepareStatements: false,
      applicationName: 'laeringslop-cli',
    });
    try {
      await database.session((session) => session.query('select 1'));
      return database;
    } catch (error) {
      await database.close();
      if (!notThere(error)) throw error;
      if (Date.now() >= deadline) {
        throw new ToolNotReachableError(
          `The embedded database in ${dataDir} is in use by process ${pid}, and no running tool answers on ${cliSocketPath(dataDir)}: ` +
            'wait for that process to finish (another CLI command, or a tool older than this CLI), or stop it.',
        );
      }
      await sleep(250);
    }
  }
}
