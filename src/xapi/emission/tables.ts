import type { ColumnType } from 'kysely';

/** A statement of the tool's that can never be stored, set aside with the reason (migration 0730). */
export interface XapiEmissionParkedTable {
  tenant_id: string;
  statement_id: string;
  event_id: number;
  reason: string;
  parked_at: ColumnType<Date, Date | undefined, Date>;
}

export interface XapiEmissionTables {
  xapi_emission_parked: XapiEmissionParkedTable;
}
