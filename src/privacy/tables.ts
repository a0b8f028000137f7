import type { ColumnType, Generated } from 'kysely';

export interface PrivacyKeptPathsTable {
  tenant_id: string;
  path_id: string;
  keep_years: number;
  marked_at: ColumnType<Date, Date | undefined, never>;
}

export interface PrivacyKeptProofsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  completion_id: string;
  path_id: string;
  path_title: string;
  completed_at: Date;
  name: string | null;
  employee_number: string | null;
  kept_at: ColumnType<Date, Date | undefined, never>;
  /** 'YYYY-MM-DD'. */
  keep_until: string;
}

/** An erased person's evidence file, its record gone, waiting to be removed from disk. */
export interface PrivacyEvidenceRemovalsTable {
  file_id: string;
  tenant_id: string;
  queued_at: ColumnType<Date, Date | undefined, never>;
}

export interface PrivacyTables {
  privacy_kept_paths: PrivacyKeptPathsTable;
  privacy_kept_proofs: PrivacyKeptProofsTable;
  privacy_evidence_removals: PrivacyEvidenceRemovalsTable;
}
