import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root.js';
import type { Database, SqlSession } from './database.js';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

/** `0001_tenants.sql`: four digits that order the files, then a name. */
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

// Any constant works; it only has to be the same in every instance of the tool.
const MIGRATION_LOCK_KEY = 7_311_042_026;

export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
  /** Applied in the database but absent from this build: the database is newer than the code. */
  readonly unknown: readonly string[];
  /** Applied, but the file has changed since. */
  readonly changed: readonly string[];
}

export class MigrationError extends Error {
  constructor(message: string, readonly file?: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function readMigrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  const names = fs.readdirSync(dir).filter((name) => !name.startsWith('.')).sort();
  const seenNumbers = new Map<string, string>();
  return names.map((name) => {
    const match = FILE_NAME.exec(name);
    if (!match) {
      throw new MigrationError(`${name}: a migration file name must look like 0001_name.sql`, name);
    }
    const number = match[1]!;
    const other = seenNumbers.get(number);
    if (other) throw new MigrationError(`${name} and ${other} share the number ${number}`, name);
    seenNumbers.set(number, name);
    const sql = fs.readFileSync(path.join(dir, name), 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

const CREATE_TABLE = `
  create table if not exists schema_migrations (
    name text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`;

async function appliedMigrations(session: SqlSession): Promise<Map<string, string>> {
  const exists = await session.query<{ present: boolean }>(
    `select to_regclass('schema_migrations') is not null as present`,
  );
  if (!exists[0]?.present) return new Map();
  const rows = await session.query<{ name: string; checksum: string }>(
    'select name, checksum from schema_migrations order by name',
  );
  return new Map(rows.map((row) => [row.name, row.checksum]));
}

function compare(files: readonly MigrationFile[], applied: Map<string, string>): MigrationStatus {
  const onDisk = new Set(files.map((file) => file.name));
  return {
    applied: files.filter((file) => applied.has(file.name)).map((file) => file.name),
    pending: files.filter((file) => !applied.has(file.name)).map((file) => file.name),
    unknown: [...applied.keys()].filter((name) => !onDisk.has(name)),
    changed: files.filter((file) => applied.has(file.name) && applied.get(file.name) !== file.checksum).map((f) => f.name),
  };
}

export async function migrationStatus(database: Database, files: readonly MigrationFile[]): Promise<MigrationStatus> {
  return database.session(async (session) => compare(files, await appliedMigrations(session)));
}

export function isCurrent(status: MigrationStatus): boolean {
  return status.pending.length === 0 && status.unknown.length === 0 && status.changed.length === 0;
}

/**
 * Applies pending migrations in file order, each in its own transaction, exactly once across every
 * instance that starts against the same database: a session-level advisory lock serialises runners,
 * and each re-reads what is applied after taking it. Stops at the first failure, naming the file.
 */
export async function migrate(
  database: Database,
  files: readonly MigrationFile[] = readMigrationFiles(),
  onApplied: (name: string) => void = () => {},
): Promise<string[]> {
  return database.session(async (session) => {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await session.exec(CREATE_TABLE);
      const status = compare(files, await appliedMigrations(session));
      if (status.changed.length > 0) {
        throw new MigrationError(
          `Migration ${status.changed.join(', ')} has changed since it was applied; add a new migration instead`,
          status.changed[0],
        );
      }
      if (status.unknown.length > 0) {
        throw new MigrationError(
          `The database has migrations this version does not know (${status.unknown.join(', ')}); ` +
            'it was migrated by a newer version of the tool',
          status.unknown[0],
        );
      }
      const done: string[] = [];
      for (const file of files.filter((f) => status.pending.includes(f.name))) {
        await session.exec('begin');
        try {
          await session.exec(file.sql);
          await session.query('insert into schema_migrations (name, checksum) values ($1, $2)', [file.name, file.checksum]);
          await session.exec('commit');
        } catch (error) {
          await session.exec('rollback');
          const reason = error instanceof Error ? error.message : String(error);
          throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${reason}`, file.name, { cause: error });
        }
        done.push(file.name);
        onApplied(file.name);
      }
      return done;
    } finally {
      await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
