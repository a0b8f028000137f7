import type { ColumnType } from 'kysely';

/** Where a tenant's statements are forwarded, and how far forwarding has come (migration 0720). */
export interface XapiForwardingTargetsTable {
  tenant_id: string;
  endpoint: string;
  credentials_sealed: string;
  filter: 'all' | 'completions';
  last_xid: number;
  last_seq: number;
  lease_owner: string | null;
  leased_until: Date | null;
  attempts: ColumnType<number, number | undefined, number>;
  retry_at: Date | null;
  last_error: string | null;
  paused_reason: string | null;
  paused_at: Date | null;
  delivered: ColumnType<number, number | undefined, number>;
  delivered_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A statement the target refused, set aside with the target's reason until re-driven. */
export interface XapiForwardingParkedTable {
  tenant_id: string;
  seq: number;
  statement_id: string;
  reason: string;
  parked_at: ColumnType<Date, Date | undefined, Date>;
  redrive: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface XapiForwardingTables {
  xapi_forwarding_targets: XapiForwardingTargetsTable;
  xapi_forwarding_parked: XapiForwardingParkedTable;
}
