import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, migrationStatus, readMigrationFiles } from '../../src/db/migrations.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

const opened: TestDatabase[] = [];
async function emptyDatabase(): Promise<TestDatabase> {
  const testDb = await createTestDatabase({ migrate: false });
  opened.push(testDb);
  return testDb;
}
afterEach(async () => {
  while (opened.length) await opened.pop()!.dispose();
});

function migrationsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

async function tableNames(testDb: TestDatabase): Promise<string[]> {
  return testDb.database.session(async (s) =>
    (await s.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' order by 1`)).map((r) => r.table_name),
  );
}

describe(`migrations (${BACKEND})`, () => {
  it('applies every migration once, in order, and records each', async () => {
    const testDb = await emptyDatabase();
    const files = readMigrationFiles();
    const applied = await migrate(testDb.database, files);
    expect(applied).toEqual(files.map((f) => f.name));
    expect(await migrate(testDb.database, files)).toEqual([]);
    const status = await migrationStatus(testDb.database, files);
    expect(status).toEqual({ applied: files.map((f) => f.name), pending: [], unknown: [], changed: [] });
    expect(await tableNames(testDb)).toEqual(expect.arrayContaining(['schema_migrations', 'tenants', 'people']));
  });

  it('rolls a failing migration back and names the file and the database error', async () => {
    const testDb = await emptyDatabase();
    const files = readMigrationFiles(
      migrationsDir({
        '0001_ok.sql': 'create table first_table (id int);',
        '0002_broken.sql': 'create table half_done (id int);\ninsert into no_such_table values (1);',
        '0003_later.sql': 'create table later_table (id int);',
      }),
    );
    const error = await migrate(testDb.database, files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).file).toBe('0002_broken.sql');
    expect((error as Error).message).toMatch(/0002_broken\.sql failed and was rolled back: .*no_such_table/);
    const tables = await tableNames(testDb);
    expect(tables).toContain('first_table');
    expect(tables).not.toContain('half_done');
    expect(tables).not.toContain('later_table');
    expect((await migrationStatus(testDb.database, files)).pending).toEqual(['0002_broken.sql', '0003_later.sql']);
  });

  it('refuses to run when an applied migration file has changed', async () => {
    const testDb = await emptyDatabase();
    await migrate(testDb.database, readMigrationFiles(migrationsDir({ '0001_a.sql': 'create table a (id int);' })));
    const changed = readMigrationFiles(migrationsDir({ '0001_a.sql': 'create table a (id bigint);' }));
    await expect(migrate(testDb.database, changed)).rejects.toThrow(/0001_a\.sql has changed since it was applied/);
  });

  it('refuses to run an older version against a database migrated by a newer one', async () => {
    const testDb = await emptyDatabase();
    await migrate(testDb.database, readMigrationFiles(migrationsDir({ '0001_a.sql': 'select 1;', '0002_b.sql': 'select 2;' })));
    const older = readMigrationFiles(migrationsDir({ '0001_a.sql': 'select 1;' }));
    await expect(migrate(testDb.database, older)).rejects.toThrow(/does not know \(0002_b\.sql\)/);
  });

  it('refuses badly named and duplicate-numbered files', () => {
    expect(() => readMigrationFiles(migrationsDir({ 'create-users.sql': '' }))).toThrow(/must look like 0001_name\.sql/);
    expect(() => readMigrationFiles(migrationsDir({ '0001_a.sql': '', '0001_b.sql': '' }))).toThrow(/share the number 0001/);
  });
});
