import type { ColumnType, Generated } from 'kysely';

export type OrgImportStatus = 'previewed' | 'applied';

/** What an import changed or would change: counts only, never names. */
export interface ImportCounts {
  rows: number;
  badRows: number;
  unitsAdded: number;
  unitsChanged: number;
  unitsEnded: number;
  employmentsAdded: number;
  employmentsChanged: number;
  employmentsEnded: number;
  employeesAdded: number;
  employeesChanged: number;
  peopleDisappeared: number;
}

export interface OrgImportsTable {
  id: Generated<string>;
  tenant_id: string;
  actor_kind: 'person' | 'operator';
  actor_id: string | null;
  file_name: string;
  sha256: string;
  byte_count: number;
  status: OrgImportStatus;
  import_date: ColumnType<string, string, string>;
  counts: ColumnType<ImportCounts, string, string>;
  plan_digest: string;
  file: Buffer | null;
  expires_at: Date;
  created_at: ColumnType<Date, never, never>;
  applied_at: Date | null;
}

export interface HrImportTables {
  org_imports: OrgImportsTable;
}
