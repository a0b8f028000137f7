import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type FlatCmi = Record<string, string>;

export interface ScormAttemptsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  package_id: string;
  created_at: ColumnType<Date, never, never>;
}

export interface ScormScoStatesTable {
  attempt_id: string;
  sco_id: string;
  tenant_id: string;
  cmi: JSONColumnType<FlatCmi, string, string>;
  session: ColumnType<number, number | undefined, number>;
  last_seq: ColumnType<number, number | undefined, number>;
  closed_sessions_seconds: ColumnType<number, number | undefined, number>;
  open_session_seconds: ColumnType<number, number | undefined, number>;
  terminated: ColumnType<boolean, boolean | undefined, boolean>;
  launches: ColumnType<number, number | undefined, number>;
  attempt_count: ColumnType<number, number | undefined, number>;
  launched_at: Date | null;
  commit_count: ColumnType<number, number | undefined, number>;
  completion_status: ColumnType<string, string | undefined, string>;
  success_status: ColumnType<string, string | undefined, string>;
  lesson_status: string | null;
  score_raw: number | null;
  score_min: number | null;
  score_max: number | null;
  score_scaled: number | null;
  completed_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ScormCommitsTable {
  id: Generated<number>;
  tenant_id: string;
  attempt_id: string;
  sco_id: string;
  session: number;
  seq: number;
  terminate: boolean;
  accepted: boolean;
  error_code: ColumnType<number, number | undefined, number>;
  body: JSONColumnType<Record<string, unknown>, string, string>;
  received_at: ColumnType<Date, never, never>;
}

export interface ScormTables {
  scorm_attempts: ScormAttemptsTable;
  scorm_sco_states: ScormScoStatesTable;
  scorm_commits: ScormCommitsTable;
}
