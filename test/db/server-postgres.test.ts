import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrate, readMigrationFiles } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { prepared } from '../../src/db/prepared.js';
import { CompiledQuery } from 'kysely';
import { createServerDatabase, SERVER_URL, type ServerDatabase } from '../support/database.js';

// These need a PostgreSQL server; CI's second run sets TEST_DATABASE_URL.
const describeServer = SERVER_URL ? describe : describe.skip;

/** The schema as the catalogue describes it, in a form that compares across PostgreSQL versions. */
async function describeSchema(database: Database): Promise<Record<string, unknown>> {
  return database.session(async (s) => ({
    columns: await s.query(`
      select table_name, column_name, data_type, is_nullable, column_default, character_maximum_length
      from information_schema.columns where table_schema = 'public' order by table_name, column_name`),
    // PostgreSQL 18 (PGlite) also lists NOT NULL as constraints; the columns' is_nullable covers them.
    constraints: await s.query(`
      select conrelid::regclass::text as table_name, conname, contype, pg_get_constraintdef(oid) as definition
      from pg_constraint where connamespace = 'public'::regnamespace and contype <> 'n' order by 1, 2`),
    indexes: await s.query(`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`),
  }));
}

describeServer('server PostgreSQL', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function serverDatabase(): Promise<ServerDatabase> {
    const created = await createServerDatabase(SERVER_URL!);
    cleanup.push(() => created.drop());
    return created;
  }

  it('gets the same schema from the migrations as PGlite does', async () => {
    const server = await serverDatabase();
    const onServer = openPostgres({ connectionString: server.url, poolMax: 2 });
    const embedded = await openPglite({ dataDir: undefined });
    try {
      await migrate(onServer);
      await migrate(embedded);
      const serverSchema = await describeSchema(onServer);
      const embeddedSchema = await describeSchema(embedded);
      expect((serverSchema['columns'] as unknown[]).length).toBeGreaterThan(10);
      expect(serverSchema).toEqual(embeddedSchema);
    } finally {
      await onServer.close();
      await embedded.close();
    }
  });

  it('applies each migration exactly once when two instances migrate at the same moment', async () => {
    const server = await serverDatabase();
    const instances = Array.from({ length: 4 }, () => openPostgres({ connectionString: server.url, poolMax: 2 }));
    try {
      const files = readMigrationFiles();
      const results = await Promise.all(instances.map((instance) => migrate(instance, files)));
      // One instance did all the work; the others found nothing pending after the lock.
      expect(results.flat().sort()).toEqual(files.map((f) => f.name).sort());
      const rows = await instances[0]!.db.selectFrom('schema_migrations').select('name').execute();
      expect(rows.map((r) => r.name).sort()).toEqual(files.map((f) => f.name).sort());
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it('runs a text marked prepared as a named statement on each connection, and others as before', async () => {
    const server = await serverDatabase();
    const marked = prepared('select $1::int + 1 as n, pg_backend_pid() as pid');
    const plain = 'select $1::int + 2 as n, pg_backend_pid() as pid';
    const statementsOf = async (database: Database) => {
      // One connection, so the catalogue view shows that connection's statements.
      const { rows } = await database.db.executeQuery<{ n: number }>(CompiledQuery.raw(marked, [1]));
      expect(rows[0]!.n).toBe(2);
      expect((await database.db.executeQuery<{ n: number }>(CompiledQuery.raw(plain, [1]))).rows[0]!.n).toBe(3);
      const again = await database.db.executeQuery<{ n: number }>(CompiledQuery.raw(marked, [41]));
      expect(again.rows[0]!.n).toBe(42);
      const listed = await database.db.executeQuery<{ statement: string }>(CompiledQuery.raw('select statement from pg_prepared_statements', []));
      return listed.rows.map((r) => r.statement);
    };
    const preparing = openPostgres({ connectionString: server.url, poolMax: 1 });
    const notPreparing = openPostgres({ connectionString: server.url, poolMax: 1, prepareStatements: false });
    try {
      expect(await statementsOf(preparing)).toEqual([marked]);
      expect(await statementsOf(notPreparing)).toEqual([]);
    } finally {
      await preparing.close();
      await notPreparing.close();
    }
  });
});
