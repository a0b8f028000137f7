import type { ColumnType, Generated } from 'kysely';
import type { Locale } from '../web/i18n.js';

export type PathSharing = 'tenant' | 'region' | 'everyone';
export type VersionStatus = 'draft' | 'published';
export type EnrolmentStatus = 'in_progress' | 'completed';
export type StepStatus = 'in_progress' | 'completed';
export type PathEventType = 'path-started' | 'step-completed' | 'path-completed' | 'path-launched' | 'session-registered' | 'session-cancelled';

type Created = ColumnType<Date, Date | undefined, never>;
type Updated = ColumnType<Date, Date | undefined, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface PathsTable {
  id: Generated<string>;
  tenant_id: string;
  title: string;
  description: string;
  language: Locale;
  sharing: PathSharing;
  created_by: string;
  created_at: Created;
  updated_at: Updated;
}

export interface PathVersionsTable {
  id: Generated<string>;
  tenant_id: string;
  path_id: string;
  status: VersionStatus;
  number: number | null;
  definition: Json<unknown>;
  published_at: Date | null;
  published_by: string | null;
  created_at: Created;
  updated_at: Updated;
}

export interface PathEnrolmentsTable {
  id: Generated<string>;
  tenant_id: string;
  path_id: string;
  version_id: string;
  person_id: string;
  status: ColumnType<EnrolmentStatus, EnrolmentStatus | undefined, EnrolmentStatus>;
  started_at: Created;
  due_at: Date | null;
  completed_at: Date | null;
  updated_at: Updated;
  /** Set when a newer attempt took over (migration 0610); null on the current attempt. */
  superseded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The attempt this one follows, for a second or later attempt. */
  renews_enrolment_id: ColumnType<string | null, string | null | undefined, never>;
}

export interface PathStepProgressTable {
  enrolment_id: string;
  step_id: string;
  tenant_id: string;
  status: StepStatus;
  score: number | null;
  data: Json<Record<string, unknown>>;
  started_at: Created;
  completed_at: Date | null;
  updated_at: Updated;
}

export interface PathOutcomeReceiptsTable {
  enrolment_id: string;
  idempotency_key: string;
  tenant_id: string;
  step_id: string;
  received_at: Created;
}

export interface PathCompletionsTable {
  id: Generated<string>;
  tenant_id: string;
  enrolment_id: string;
  person_id: string;
  path_id: string;
  version_id: string;
  completed_at: Date;
  score: number | null;
  evidence: Json<unknown>;
  /** The writing transaction's id (migration 0710): the order the completions pull pages in. */
  xid: Generated<number>;
}

export interface PathSessionSeatsTable {
  path_id: string;
  step_id: string;
  tenant_id: string;
}

export interface PathSessionSignupsTable {
  path_id: string;
  step_id: string;
  enrolment_id: string;
  tenant_id: string;
  signed_up_at: Created;
}

export interface PathDeclaredCompetencesTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  competence: string;
  level: number;
  path_id: string;
  version_id: string;
  step_id: string;
  declared_at: Created;
}

export interface PathEvaluationRespondentsTable {
  path_id: string;
  step_id: string;
  person_id: string;
  tenant_id: string;
}

export interface PathEvaluationAnswersTable {
  id: Generated<string>;
  tenant_id: string;
  path_id: string;
  step_id: string;
  answers: Json<Record<string, number | string>>;
  /** The release's date (never the answer's); the drivers return it as a Date or a 'YYYY-MM-DD' string. */
  released_on: ColumnType<Date | string, string, never>;
}

/** An answer waiting for its step's next release; `sealed` is unreadable without the tool's secret. */
export interface PathEvaluationPendingTable {
  id: Generated<string>;
  tenant_id: string;
  path_id: string;
  step_id: string;
  sealed: string;
}

export interface PathEvaluationReleasesTable {
  tenant_id: string;
  path_id: string;
  step_id: string;
  released_at: Date;
  answers: number;
}

export interface PathEventsTable {
  id: Generated<number>;
  xid: Generated<number>;
  tenant_id: string;
  type: PathEventType;
  enrolment_id: string;
  person_id: string;
  path_id: string;
  version_id: string;
  step_id: string | null;
  payload: Json<Record<string, unknown>>;
  created_at: Created;
}

export interface PathEventCursorsTable {
  subscriber: string;
  last_xid: ColumnType<number, number | undefined, number>;
  last_id: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  leased_until: Date | null;
  updated_at: Updated;
}

/** The LMS resource links an enrolment was launched from (grade passback goes to each). */
export interface PathEnrolmentLinksTable {
  enrolment_id: string;
  resource_link_id: string;
  tenant_id: string;
  first_launch_at: Created;
  last_launch_at: Updated;
}

/** The SCORM attempt of one enrolment's SCORM step. */
export interface PathScormAttemptsTable {
  enrolment_id: string;
  step_id: string;
  tenant_id: string;
  attempt_id: string;
  package_id: string;
  package_tenant_id: string;
  created_at: Created;
}

/** Path events the grade passback has queued for a link. */
export interface PathPassbackReceiptsTable {
  event_id: number;
  resource_link_id: string;
  tenant_id: string;
  queued_at: Created;
}

/** The xAPI registration of an enrolment's xAPI step (migration 0210), reused until it closes. */
export interface PathXapiRegistrationsTable {
  registration: string;
  enrolment_id: string;
  step_id: string;
  tenant_id: string;
  package_id: string;
  package_tenant_id: string;
  created_at: ColumnType<Date, never, never>;
  closes_at: Date | null;
}

export interface PathTables {
  paths: PathsTable;
  path_versions: PathVersionsTable;
  path_enrolments: PathEnrolmentsTable;
  path_step_progress: PathStepProgressTable;
  path_outcome_receipts: PathOutcomeReceiptsTable;
  path_completions: PathCompletionsTable;
  path_session_seats: PathSessionSeatsTable;
  path_session_signups: PathSessionSignupsTable;
  path_declared_competences: PathDeclaredCompetencesTable;
  path_evaluation_respondents: PathEvaluationRespondentsTable;
  path_evaluation_answers: PathEvaluationAnswersTable;
  path_evaluation_pending: PathEvaluationPendingTable;
  path_evaluation_releases: PathEvaluationReleasesTable;
  path_events: PathEventsTable;
  path_event_cursors: PathEventCursorsTable;
  path_enrolment_links: PathEnrolmentLinksTable;
  path_scorm_attempts: PathScormAttemptsTable;
  path_xapi_registrations: PathXapiRegistrationsTable;
  path_passback_receipts: PathPassbackReceiptsTable;
}
