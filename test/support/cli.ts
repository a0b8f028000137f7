import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { describeCliFailure } from '../../src/cli/cli-errors.js';
import { openCliDatabase } from '../../src/cli/open-cli-database.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { createServerDatabase, SERVER_URL, type ServerDatabase } from './database.js';

/**
 * The operator's `npm run cli` in this process, against a database of its own: a fresh DATA_DIR
 * (the embedded database lives there, and files commands write on either backend), and on a
 * server backend a new database that is dropped afterwards. Call it inside a `describe`: it
 * registers that describe's first beforeAll and last afterAll, which put back process.env.
 */
export interface CliHarness {
  /** The DATA_DIR of the commands, also a place for the test's own files. */
  readonly dataDir: string;
  /** Runs one command as `npm run cli -- …args` does; resolves with the lines it printed. */
  run(...args: string[]): Promise<string>;
  /** Runs a command that must fail: what it printed, and the one line and exit code the operator gets. */
  failure(...args: string[]): Promise<{ out: string; text: string; exitCode: number }>;
  /** The database opened as a command opens it, between commands (the embedded one takes one opener at a time). */
  withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T>;
}

export function cliHarness(options: { name: string; env?: Record<string, string> }): CliHarness {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-`));
  const saved = { ...process.env };
  let server: ServerDatabase | undefined;

  beforeAll(async () => {
    Object.assign(process.env, { NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir }, options.env);
    if (SERVER_URL) {
      server = await createServerDatabase(SERVER_URL);
      process.env['DATABASE_URL'] = server.url;
    } else {
      delete process.env['DATABASE_URL'];
    }
  });
  afterAll(async () => {
    process.env = saved;
    await server?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const collecting = async (args: string[]) => {
    const lines: string[] = [];
    const error = await runCli(args, (line) => lines.push(line)).then(() => undefined, (e: unknown) => e);
    return { out: lines.join('\n'), error };
  };
  return {
    dataDir,
    async run(...args) {
      const { out, error } = await collecting(args);
      if (error !== undefined) throw error;
      return out;
    },
    async failure(...args) {
      const { out, error } = await collecting(args);
      expect(error, `npm run cli -- ${args.join(' ')} should have failed`).toBeDefined();
      return { out, ...describeCliFailure(error, false) };
    },
    async withDatabase(work) {
      const database = await openCliDatabase(loadConfig());
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    },
  };
}

/**
 * `npm run cli` as a child process (tsx on src/cli.ts), with nothing of this process's environment
 * but PATH, against a migrated database of its own that `seed` fills first. Register it at the top
 * of a file or in a describe; a refused command rejects with the exit code, stdout and stderr.
 */
export interface CliProcessHarness {
  readonly dataDir: string;
  cli(...args: string[]): Promise<{ stdout: string; stderr: string }>;
}

const execFileAsync = promisify(execFile);

export function cliProcessHarness(options: { name: string; seed?: (database: Database) => Promise<void> }): CliProcessHarness {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-`));
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  let server: ServerDatabase | undefined;

  beforeAll(async () => {
    if (SERVER_URL) {
      server = await createServerDatabase(SERVER_URL);
      env['DATABASE_URL'] = server.url;
    }
    // The embedded database on disk in DATA_DIR, where the command will open it.
    const database = server ? openPostgres({ connectionString: server.url, poolMax: 1 }) : await openPglite({ dataDir });
    try {
      await migrate(database);
      await options.seed?.(database);
    } finally {
      await database.close();
    }
  });
  afterAll(async () => {
    await server?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    dataDir,
    cli: (...args) => execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: PROJECT_ROOT, env }),
  };
}
