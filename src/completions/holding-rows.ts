import { sql, type Kysely } from 'kysely';
import type { PulledPerson } from '../competence/pull.js';
import type { HoldingSource } from '../competence/tables.js';
import type { Schema } from '../db/schema.js';
import { horizon, pageAfter, streamAfter, upTo, type CommitOrderReader, type PullPosition } from './commit-order-pull.js';
import type { CompletedRange } from './pull.js';

/**
 * The holding rows of GET /api/completions?kind=holdings (docs/completions.md "Holding rows"): the
 * municipality's holding records, read from the holding events (migration 0740), which triggers
 * write in the transaction that records a holding or its revocation. A row comes for each
 * 'granted' event and again for each 'revoked' one, in the events' commit order (xid, id), so a
 * revocation reaches a client whose cursor is already past the holding's first row. 'expired'
 * events are left out: every row carries its expiry day already.
 */

export type HoldingRowEvent = 'granted' | 'revoked';

/** Where a holding came from; the path completion it documents when it came from one. */
export interface HoldingRowSource {
  readonly kind: HoldingSource;
  readonly completion: {
    readonly id: string;
    readonly path: { readonly id: string; readonly title: string } | null;
    readonly version: number | null;
  } | null;
}

export interface PulledHoldingRow {
  /** The holding record's id: a revocation gives a second row with the same id. */
  readonly id: string;
  /** Why the row is here: the holding was recorded, or it was revoked. */
  readonly event: HoldingRowEvent;
  /** RFC 3339 with microseconds, UTC: when the event happened (recorded, or revoked). */
  readonly changedAt: string;
  readonly person: PulledPerson;
  readonly competence: { readonly code: string; readonly name: string };
  readonly level: number | null;
  readonly source: HoldingRowSource;
  /** First day valid (Europe/Oslo). */
  readonly achievedOn: string;
  /** First day no longer valid; null: does not expire. */
  readonly expiresOn: string | null;
  readonly recordedAt: string;
  readonly renewsId: string | null;
  /** As the record stands at the pull, whatever the row's event; the reason stays out (free text may name people). */
  readonly revoked: boolean;
  readonly revokedAt: string | null;
  readonly position: PullPosition;
}

/** Event ids are bigints: none sorts after this one. */
const LAST_EVENT_ID = '9223372036854775807';
export const HOLDINGS_START: PullPosition = { xid: '0', id: '0' };

const MICROSECONDS = `YYYY-MM-DD"T"HH24:MI:SS.US"Z"`;

interface Row {
  event_id: string;
  xid: string;
  event: HoldingRowEvent;
  id: string;
  person_id: string;
  name: string | null;
  email: string | null;
  employee_number: string | null;
  code: string;
  competence_name: string;
  level: number | null;
  source: HoldingSource;
  completion_id: string | null;
  path_id: string | null;
  path_title: string | null;
  version: number | null;
  achieved_on: string;
  expires_on: string | null;
  recorded_at: string;
  renews_id: string | null;
  revoked_at: string | null;
  changed_at: string;
}

class HoldingRowReader implements CommitOrderReader<Row, PulledHoldingRow> {
  constructor(private readonly tenantId: string, private readonly range: CompletedRange, private readonly below: bigint) {}

  select(after: PullPosition, limit: number | null) {
    const range = this.range;
    // since/until are moments; a holding is achieved on a day: it counts from that day's start in Oslo.
    const achieved = sql`(h.achieved_on::timestamp at time zone 'Europe/Oslo')`;
    return sql<Row>`
      select ev.id::text as event_id, ev.xid::text as xid, ev.type as event, h.id, h.person_id, p.name, p.email, e.employee_number,
        c.code, c.name_nb as competence_name, h.level, h.source, h.path_completion_id as completion_id, v.path_id, pa.title as path_title, v.number as version,
        h.achieved_on::text as achieved_on, h.expires_on::text as expires_on, h.renews_id,
        to_char(h.recorded_at at time zone 'UTC', ${MICROSECONDS}) as recorded_at,
        to_char(r.revoked_at at time zone 'UTC', ${MICROSECONDS}) as revoked_at,
        to_char((case when ev.type = 'revoked' then coalesce(r.revoked_at, ev.created_at) else h.recorded_at end) at time zone 'UTC', ${MICROSECONDS}) as changed_at
      from competence_holding_events ev
      join competence_holdings h on h.id = ev.holding_id and h.tenant_id = ev.tenant_id
      join people p on p.id = h.person_id
      join competences c on c.id = h.competence_id
      left join employees e on e.person_id = h.person_id and e.tenant_id = h.tenant_id
      left join competence_holding_revocations r on r.holding_id = h.id
      left join path_versions v on v.id = h.path_version_id
      left join paths pa on pa.id = v.path_id
      where ev.tenant_id = ${this.tenantId}
        and ev.type in ('granted', 'revoked')
        and (ev.xid, ev.id) > (${after.xid}::bigint, ${after.id}::bigint)
        and ev.xid < ${this.below.toString()}::bigint
        ${range.since !== null ? sql`and ${achieved} >= ${range.since}::timestamptz` : sql``}
        ${range.until !== null ? sql`and ${achieved} < ${range.until}::timestamptz` : sql``}
      order by ev.xid, ev.id
      ${limit !== null ? sql`limit ${limit}` : sql``}`;
  }

  async complete(_executor: Kysely<Schema>, rows: readonly Row[]): Promise<PulledHoldingRow[]> {
    return rows.map((row) => ({
      id: row.id,
      event: row.event,
      changedAt: row.changed_at,
      person: { id: row.person_id, employeeNumber: row.employee_number, name: row.name, email: row.email },
      competence: { code: row.code, name: row.competence_name },
      level: row.level,
      source: {
        kind: row.source,
        completion: row.completion_id === null ? null : {
          id: row.completion_id,
          path: row.path_id === null ? null : { id: row.path_id, title: row.path_title ?? '' },
          version: row.version,
        },
      },
      achievedOn: row.achieved_on,
      expiresOn: row.expires_on,
      recordedAt: row.recorded_at,
      renewsId: row.renews_id,
      revoked: row.revoked_at !== null,
      revokedAt: row.revoked_at,
      position: { xid: row.xid, id: row.event_id },
    }));
  }
}

/** One page of holding rows after `after` (see completionsPage: the same paging by commit order). */
export async function holdingRowsPage(
  db: Kysely<Schema>,
  tenantId: string,
  options: { range: CompletedRange; after: PullPosition; limit: number },
): Promise<{ rows: PulledHoldingRow[]; more: boolean; resume: PullPosition }> {
  const xmin = await horizon(db);
  return pageAfter(db, new HoldingRowReader(tenantId, options.range, xmin), xmin, { after: options.after, limit: options.limit, lastId: LAST_EVENT_ID });
}

/** Every holding row after `after` that is final now, in batches, and the position past them. */
export async function holdingRowsStream(
  db: Kysely<Schema>,
  tenantId: string,
  options: { range: CompletedRange; after: PullPosition; batchSize: number; serverCursor: boolean },
): Promise<{ resume: PullPosition; batches: AsyncGenerator<PulledHoldingRow[]> }> {
  const xmin = await horizon(db);
  const reader = new HoldingRowReader(tenantId, options.range, xmin);
  return {
    resume: upTo(xmin, options.after, LAST_EVENT_ID),
    batches: streamAfter(db, reader, { after: options.after, batchSize: options.batchSize, serverCursor: options.serverCursor, cursorName: 'holding_rows_pull' }),
  };
}
