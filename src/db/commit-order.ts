import { sql, type RawBuilder } from 'kysely';

/**
 * Reading rows in the order their transactions committed (path events, stored statements,
 * completion records; each row keeps the id of the transaction that wrote it in `xid`). Every
 * transaction with an id below the oldest one still running on the server has ended, so the rows
 * below it are all visible now and no further one can appear there: a cursor that stays below it
 * never skips or repeats a row, however transactions interleave.
 */

/** The id of the oldest transaction still running on the server (the snapshot's xmin), as a bigint. */
export const OLDEST_RUNNING_XID: RawBuilder<string> = sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

/** Rows whose writing transaction (`column`, default `xid`) has ended, whatever came of the others. */
export function settled(column = 'xid'): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} < ${OLDEST_RUNNING_XID}`;
}
