import fs from 'node:fs';
import { inject } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';
import { createServerDatabase } from './server-database.js';

export { createServerDatabase, type ServerDatabase } from './server-database.js';

/** Set TEST_DATABASE_URL to run every suite against server PostgreSQL instead of PGlite. */
export const SERVER_URL = process.env['TEST_DATABASE_URL'] || undefined;
export const BACKEND: 'pglite' | 'postgres' = SERVER_URL ? 'postgres' : 'pglite';

export interface TestDatabase {
  database: Database;
  /** The server database's URL, when the backend is server PostgreSQL. */
  url: string | undefined;
  /** Closes the connection and, on a server, drops the database. */
  dispose(): Promise<void>;
}

/** An empty database on the backend under test, migrated unless told otherwise. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let testDatabase: TestDatabase;
  if (SERVER_URL) {
    const server = await createServerDatabase(SERVER_URL);
    const database = openPostgres({ connectionString: server.url, poolMax: 5 });
    testDatabase = {
      database,
      url: server.url,
      async dispose() {
        await database.close();
        await server.drop();
      },
    };
  } else {
    const templates = inject('pgliteTemplates');
    const template = templates && (options.migrate === false ? templates.empty : templates.migrated);
    const database = await openPglite({
      dataDir: undefined,
      ...(template ? { loadDataDir: new Blob([fs.readFileSync(template)]) } : {}),
    });
    testDatabase = { database, url: undefined, dispose: () => database.close() };
  }
  if (options.migrate !== false) await migrate(testDatabase.database);
  return testDatabase;
}
