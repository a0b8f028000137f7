import type { Config } from '../config.js';
import type { Database } from './database.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

/** DATABASE_URL set: server PostgreSQL through a pool. Unset: embedded PGlite under DATA_DIR. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'databasePoolMax' | 'databasePreparedStatements' | 'dataDir'>): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({ connectionString: config.databaseUrl, poolMax: config.databasePoolMax, prepareStatements: config.databasePreparedStatements });
  }
  return openPglite({ dataDir: config.dataDir });
}
