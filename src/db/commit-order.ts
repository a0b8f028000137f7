import { sql, type RawBuilder } from 'kysely';

/**
 * Reading rows in the order their transactions committed (path events, stored statements,
 * completion records; each row keeps the id of the transaction that wrote it in `xid`). Every
 * transaction with an id below the oldest one still running that could write to this database has
 * ended, so the rows below it are all visible now and no further one can appear there: a cursor
 * that stays below it never skips or repeats a row, however transactions interleave.
 *
 * Transaction ids are counted for the whole server, so a transaction of another database on a
 * shared server (a long import, a backup's snapshot) would otherwise hold every reader here back
 * for as long as it runs. A running transaction is left out only when pg_stat_activity positively
 * shows it belongs to a backend connected to another database (a backend never changes database,
 * and an id is never handed to two backends); one not found there (ended since the snapshot, a
 * prepared transaction, a backend whose database is unknown) still counts, so the horizon can only
 * err towards waiting.
 */

/** The lowest transaction id (as a bigint) that a row of this database may still appear under. */
export const OLDEST_RUNNING_XID: RawBuilder<string> = sql<string>`(
  select coalesce((
    select min(r.xid::text::bigint) from pg_snapshot_xip(s.snap) as r(xid)
    where not exists (
      select 1 from pg_stat_activity a
      -- backend_xid is the 32-bit id; the snapshot's are 64-bit (epoch and id).
      where a.backend_xid::text = (r.xid::text::bigint % 4294967296)::text
        and a.datid <> (select d.oid from pg_database d where d.datname = current_database()))),
    pg_snapshot_xmax(s.snap)::text::bigint)
  from (select pg_current_snapshot() as snap) as s)`;

/** Rows whose writing transaction (`column`, default `xid`) has ended, whatever came of the others. */
export function settled(column = 'xid'): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} < ${OLDEST_RUNNING_XID}`;
}
