import type { Kysely } from 'kysely';
import type { Schema } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** One connection held for a sequence of statements (migrations, advisory locks, scripts). */
export interface SqlSession {
  /** Runs one parameterised statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of one or more statements without parameters (a migration file). */
  exec(script: string): Promise<void>;
}

/**
 * The database as the rest of the tool sees it: the same PostgreSQL schema behind either an
 * embedded PGlite instance or a server connection pool.
 */
export interface Database {
  readonly kind: DatabaseKind;
  /** Type-safe query builder over the whole schema. */
  readonly db: Kysely<Schema>;
  /** Holds one connection for the duration of `work`. */
  session<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
