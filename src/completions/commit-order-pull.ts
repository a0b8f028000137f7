import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';
import { OLDEST_RUNNING_XID } from '../db/commit-order.js';

/**
 * What the completions pull's two kinds of rows (path completions, holding records) share: rows read
 * in the order their writing transactions became final, below the horizon, by a (xid, id) position
 * (docs/completions.md "Cursors"), as JSON pages or as batches of a streamed file.
 */

/** A page position: everything up to and including (xid, id) was read. */
export interface PullPosition {
  /** The transaction id as decimal digits (a bigint). */
  readonly xid: string;
  /** The row's id within its transaction: a uuid or a bigint's digits, by kind. */
  readonly id: string;
}

/**
 * The horizon: every transaction with a smaller id has ended, so every row it wrote is visible now
 * and no further row with a smaller xid can appear. (It moves only forward.)
 */
export async function horizon(db: Kysely<Schema>): Promise<bigint> {
  const { rows } = await sql<{ xmin: string }>`select ${OLDEST_RUNNING_XID}::text as xmin`.execute(db);
  return BigInt(rows[0]!.xmin);
}

/** The position that covers every row below the horizon (`lastId`: no id sorts after it), or `after` when that is further. */
export function upTo(xmin: bigint, after: PullPosition, lastId: string): PullPosition {
  const below = xmin - 1n;
  return BigInt(after.xid) > below ? after : { xid: below.toString(), id: lastId };
}

/** Reads one kind of row below a horizon fixed when it was made. */
export interface CommitOrderReader<Row, Pulled extends { readonly position: PullPosition }> {
  /** The statement for the rows after `after`, in order; at most `limit` (null: all, for a cursor). */
  select(after: PullPosition, limit: number | null): RawBuilder<Row>;
  /** The rows as pulled rows, whatever they need looked up read on `executor` (a stream's transaction, or the pool). */
  complete(executor: Kysely<Schema>, rows: readonly Row[]): Promise<Pulled[]>;
}

/** Up to `limit` rows after `after`. */
export async function readAfter<Row, Pulled extends { readonly position: PullPosition }>(db: Kysely<Schema>, reader: CommitOrderReader<Row, Pulled>, after: PullPosition, limit: number): Promise<Pulled[]> {
  const { rows } = await reader.select(after, limit).execute(db);
  return reader.complete(db, rows);
}

/**
 * One page: up to `limit` rows, whether more are there now, and the position to go on from: the
 * last row's when there are more, else past everything final now (so a later pull starts there and
 * gets exactly what became final since).
 */
export async function pageAfter<Row, Pulled extends { readonly position: PullPosition }>(
  db: Kysely<Schema>,
  reader: CommitOrderReader<Row, Pulled>,
  xmin: bigint,
  options: { after: PullPosition; limit: number; lastId: string },
): Promise<{ rows: Pulled[]; more: boolean; resume: PullPosition }> {
  const rows = await readAfter(db, reader, options.after, options.limit + 1);
  const more = rows.length > options.limit;
  const page = rows.slice(0, options.limit);
  return { rows: page, more, resume: more ? page.at(-1)!.position : upTo(xmin, options.after, options.lastId) };
}

/**
 * Every row after `after` that `reader` sees, in batches of `batchSize` (memory stays flat whatever
 * the number of rows).
 *
 * `serverCursor` (server PostgreSQL): one statement through a cursor in a read-only transaction, so
 * the database joins the people once by hash (100,000 rows in a third of the time of keyset batches,
 * which look up each row's person by index); the transaction has no transaction id, so it holds
 * back no horizon. Without it (PGlite, whose one connection must not wait on a slow client): keyset
 * batches between which the connection is free, the next one read while the last is written out.
 */
export function streamAfter<Row, Pulled extends { readonly position: PullPosition }>(
  db: Kysely<Schema>,
  reader: CommitOrderReader<Row, Pulled>,
  options: { after: PullPosition; batchSize: number; serverCursor: boolean; cursorName: string },
): AsyncGenerator<Pulled[]> {
  const size = Math.max(1, Math.floor(options.batchSize));
  const cursorName = sql.id(options.cursorName);

  async function* throughCursor(): AsyncGenerator<Pulled[]> {
    const trx = await db.startTransaction().setAccessMode('read only').execute();
    let ended = false;
    try {
      // Planned for every row, not the first tenth (a cursor's default): hash joins, one sort.
      await sql`set local cursor_tuple_fraction = 1.0`.execute(trx);
      await sql`declare ${cursorName} no scroll cursor for ${reader.select(options.after, null)}`.execute(trx);
      const fetchNext = () => sql<Row>`fetch forward ${sql.raw(String(size))} from ${cursorName}`.execute(trx).then((r) => r.rows);
      let pending = fetchNext();
      for (;;) {
        const rows = await pending;
        const more = rows.length === size;
        // The database produces the next batch while this one is written out.
        if (more) {
          pending = fetchNext();
          pending.catch(() => undefined);
        }
        if (rows.length > 0) yield await reader.complete(trx, rows);
        if (!more) break;
      }
      await trx.commit().execute();
      ended = true;
    } finally {
      if (!ended) await trx.rollback().execute();
    }
  }

  async function* throughKeyset(): AsyncGenerator<Pulled[]> {
    let pending = readAfter(db, reader, options.after, size);
    for (;;) {
      const batch = await pending;
      if (batch.length === 0) return;
      // The next batch is read while this one is written out.
      const more = batch.length === size;
      if (more) {
        pending = readAfter(db, reader, batch.at(-1)!.position, size);
        // Handled here too when the consumer stops before awaiting it.
        pending.catch(() => undefined);
      }
      yield batch;
      if (!more) return;
    }
  }

  return options.serverCursor ? throughCursor() : throughKeyset();
}
