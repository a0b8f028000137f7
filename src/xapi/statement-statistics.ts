import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/** Statements written before the first ANALYZE of a table that has never had one. */
const FIRST_AFTER = 200;
/** After that, once this share of the rows counted at the last ANALYZE has been written. */
const GROWTH = 0.2;

/**
 * Keeps PostgreSQL's statistics of xapi_statements fresh while the table grows. Without them the
 * planner guesses (0.5 % of the rows per tenant, a couple of rows per verb) and picks plans that
 * are slow on the real rows: a young LRS (the conformance suite, a newly deployed municipality)
 * answered filtered reads in over a second at 1,400 statements, until autovacuum caught up, and the
 * embedded database has no autovacuum at all. Runs in the background, one ANALYZE at a time per
 * process; a failure only means the next write tries again.
 */
export class StatementStatistics {
  #written = 0;
  #threshold = FIRST_AFTER;
  #running: Promise<void> | undefined;

  constructor(private readonly db: Kysely<Schema>) {}

  noteWritten(statements: number): void {
    this.#written += statements;
    if (this.#written < this.#threshold || this.#running) return;
    this.#written = 0;
    this.#running = this.#analyze().finally(() => (this.#running = undefined));
  }

  /** The ANALYZE under way, if any (tests wait for it). */
  get settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #analyze(): Promise<void> {
    try {
      await sql`analyze xapi_statements`.execute(this.db);
      const { rows } = await sql<{ rows: number }>`select reltuples::float8 as rows from pg_class where oid = 'xapi_statements'::regclass`.execute(this.db);
      this.#threshold = Math.max(FIRST_AFTER, Math.round(GROWTH * Math.max(0, Number(rows[0]?.rows ?? 0))));
    } catch {
      this.#written = this.#threshold;
    }
  }
}
