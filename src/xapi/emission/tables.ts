import type { ColumnType } from 'kysely';

/** A statement of the tool's that can never be stored, set aside with the reason (migration 0730). */
export interface XapiEmissionParkedTable {
  tenant_id: string;
  statement_id: string;
  /** The path event it was made from, or else the holding event (one of the two). */
  event_id: number | null;
  holding_event_id: ColumnType<number | null, number | null | undefined, number | null>;
  reason: string;
  parked_at: ColumnType<Date, Date | undefined, Date>;
}

export interface XapiEmissionTables {
  xapi_emission_parked: XapiEmissionParkedTable;
}
