import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, SqlSession } from './database.js';
import { preparedName } from './prepared.js';
import type { Schema } from './schema.js';

// PGlite returns int8 as a JavaScript number; the server driver would return a string. One shape
// for both backends: counts and sizes fit well inside Number.MAX_SAFE_INTEGER.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// A calendar date (employment start, expiry) is a day, not an instant: kept as 'YYYY-MM-DD' text so
// no time zone ever shifts it. PGlite is given the same parser.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export interface PostgresOptions {
  connectionString: string;
  poolMax: number;
  applicationName?: string;
  /**
   * Run the texts marked `prepared` as named prepared statements (default true). Off for a pooler
   * that hands one client's statements to several server connections (PgBouncer in transaction
   * mode before 1.21).
   */
  prepareStatements?: boolean;
}

/**
 * A connection that runs marked texts as named statements: node-postgres parses a name once per
 * connection and then only binds and executes it.
 */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = typeof text === 'string' && Array.isArray(values) ? preparedName(text) : undefined;
    const call = super.query as (...a: unknown[]) => never;
    return name ? call.call(this, { name, text, values }, ...args.slice(2)) : call.apply(this, args);
  }
}

export function openPostgres(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax,
    application_name: options.applicationName ?? 'laeringslop',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    ...(options.prepareStatements === false ? {} : { Client: PreparingClient }),
  });
  // An idle client losing its connection (server restart) must not crash the process;
  // the pool discards it and the next query opens a new one.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;

  return {
    kind: 'postgres',
    db,
    async session(work) {
      const client = await pool.connect();
      let broken = false;
      const session: SqlSession = {
        async query<Row>(sql: string, parameters: readonly unknown[] = []) {
          const result = await client.query(sql, [...parameters]);
          return result.rows as Row[];
        },
        async exec(script) {
          // No parameters: node-postgres uses the simple query protocol, which runs every statement.
          await client.query(script);
        },
      };
      try {
        return await work(session);
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        // A connection that failed mid-work may be inside an aborted transaction: discard it.
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
