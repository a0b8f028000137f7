import type { ColumnType } from 'kysely';

export interface Cmi5RegistrationsTable {
  registration: string;
  tenant_id: string;
  /** Null for a designer's Browse/Review preview (0911). */
  enrolment_id: string | null;
  /** The learner (or, in a preview, the designer) whose registration it is. */
  person_id: string;
  step_id: string;
  package_id: string;
  package_tenant_id: string;
  created_at: ColumnType<Date, never, never>;
  closes_at: Date | null;
}

export type LaunchMode = 'Normal' | 'Browse' | 'Review';

/** cmi5 §9.5.5.2: the reasons an LMS may give for waiving an AU. */
export const WAIVE_REASONS = ['Tested Out', 'Equivalent AU', 'Equivalent Outside Activity', 'Administrative'] as const;
export type WaiveReason = (typeof WAIVE_REASONS)[number];

export interface Cmi5SessionsTable {
  id: string;
  tenant_id: string;
  registration: string;
  au_id: string;
  activity_id: string;
  launch_mode: LaunchMode;
  fetch_secret_sha256: string;
  fetched_at: Date | null;
  credential_id: string | null;
  launched_at: ColumnType<Date, Date | undefined, never>;
  initialized_at: Date | null;
  terminated_at: Date | null;
  abandoned_at: Date | null;
  last_statement_at: Date | null;
  preferences_read_at: Date | null;
  writer: string | null;
  writer_until: Date | null;
  defined_verbs: ColumnType<string[], string[] | undefined, string[]>;
}

export interface Cmi5RegistrationResultsTable {
  tenant_id: string;
  registration: string;
  node_id: string;
  completed_at: Date | null;
  passed_at: Date | null;
  failed_at: Date | null;
  waived_at: Date | null;
  waived_reason: WaiveReason | null;
  satisfied_at: Date | null;
  /** numeric comes back as a string from both backends. */
  score: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface Cmi5Tables {
  cmi5_registrations: Cmi5RegistrationsTable;
  cmi5_sessions: Cmi5SessionsTable;
  cmi5_registration_results: Cmi5RegistrationResultsTable;
}
