import type { ColumnType, Generated } from 'kysely';

export type CompetenceKind = 'education' | 'authorisation' | 'course' | 'experience';

export interface CompetenceAreasTable {
  id: Generated<string>;
  tenant_id: string;
  code: string;
  name_nb: string;
  name_nn: string | null;
  name_en: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CompetencesTable {
  id: Generated<string>;
  tenant_id: string;
  area_id: string;
  code: string;
  name_nb: string;
  name_nn: string | null;
  name_en: string | null;
  description_nb: string | null;
  description_nn: string | null;
  description_en: string | null;
  kind: CompetenceKind;
  default_validity_months: number | null;
  source: string | null;
  retired_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CompetenceLevelsTable {
  competence_id: string;
  level: number;
  description_nb: string;
  description_nn: string | null;
  description_en: string | null;
}

export interface CompetenceTables {
  competence_areas: CompetenceAreasTable;
  competences: CompetencesTable;
  competence_levels: CompetenceLevelsTable;
  competence_holdings: CompetenceHoldingsTable;
  competence_holding_revocations: CompetenceHoldingRevocationsTable;
  competence_holding_files: CompetenceHoldingFilesTable;
  competence_requirements: CompetenceRequirementsTable;
  competence_assignments: CompetenceAssignmentsTable;
  competence_status_summaries: CompetenceStatusSummariesTable;
  competence_status_rows: CompetenceStatusRowsTable;
  competence_status_dirty: CompetenceStatusDirtyTable;
  competence_status_counts: CompetenceStatusCountsTable;
  competence_holding_events: CompetenceHoldingEventsTable;
  competence_holding_expiries: CompetenceHoldingExpiriesTable;
  competence_holding_event_cursors: CompetenceHoldingEventCursorsTable;
}

export type HoldingEventType = 'granted' | 'revoked' | 'expired';

/** The outbox of holding events (migration 0740), written by triggers and the expiry sweep. */
export interface CompetenceHoldingEventsTable {
  id: Generated<number>;
  xid: Generated<number>;
  tenant_id: string;
  holding_id: string;
  type: HoldingEventType;
  created_at: ColumnType<Date, never, never>;
}

/** Holdings whose expiry is still to be announced. */
export interface CompetenceHoldingExpiriesTable {
  holding_id: string;
  tenant_id: string;
  expires_on: string;
}

export interface CompetenceHoldingEventCursorsTable {
  subscriber: string;
  last_xid: ColumnType<number, number | undefined, number>;
  last_id: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  leased_until: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type HoldingSource = 'path-completion' | 'declared' | 'registered' | 'imported';
export type RecorderKind = 'person' | 'operator' | 'api-client' | 'system';

export interface CompetenceHoldingsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  competence_id: string;
  level: number | null;
  source: HoldingSource;
  /** 'YYYY-MM-DD', Europe/Oslo. */
  achieved_on: string;
  /** The first day the holding is no longer valid; null: never expires. */
  expires_on: string | null;
  path_completion_id: string | null;
  path_version_id: string | null;
  declaration_id: string | null;
  evidence: ColumnType<Record<string, unknown>, string | undefined, never>;
  renews_id: string | null;
  recorded_by_kind: RecorderKind;
  recorded_by_id: string | null;
  recorded_at: ColumnType<Date, never, never>;
}

export interface CompetenceHoldingRevocationsTable {
  holding_id: string;
  revoked_at: ColumnType<Date, Date | undefined, never>;
  revoked_by_kind: RecorderKind;
  revoked_by_id: string | null;
  reason: string;
}

export type EvidenceMediaType = 'application/pdf' | 'image/png' | 'image/jpeg';

export interface CompetenceHoldingFilesTable {
  id: Generated<string>;
  tenant_id: string;
  holding_id: string;
  media_type: EvidenceMediaType;
  size_bytes: number;
  sha256: string;
  stored_at: ColumnType<Date, never, never>;
}

export interface CompetenceRequirementsTable {
  id: Generated<string>;
  tenant_id: string;
  competence_id: string;
  job_title: string | null;
  org_unit_id: string | null;
  min_level: number | null;
  mandatory: boolean;
  validity_months: number | null;
  grace_days: number | null;
  accepts_declared: Generated<boolean>;
  /** numeric(5,2): read as a string. */
  target_percent: ColumnType<string | null, number | null, never>;
  target_date: string | null;
  created_by_kind: RecorderKind;
  created_by_id: string | null;
  created_at: ColumnType<Date, never, never>;
  ended_at: Date | null;
  ended_by_id: string | null;
}

export type AssignerRole = 'manager' | 'municipality-admin';

export interface CompetenceAssignmentsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  path_id: string;
  competence_id: string;
  /** 'YYYY-MM-DD', Europe/Oslo. */
  due_on: string;
  note: string | null;
  assigned_by_role: AssignerRole;
  assigned_by_id: string;
  assigned_at: ColumnType<Date, Date | undefined, never>;
  withdrawn_at: Date | null;
  withdrawn_by_id: string | null;
  /** Set when the path was completed before: only a later completion completes the assignment (migration 0610). */
  renews_completion_id: ColumnType<string | null, string | null | undefined, never>;
}

/** A municipality's status summary (src/competence/status-summary.ts): the day it is for and whether it is stale. */
export interface CompetenceStatusSummariesTable {
  tenant_id: string;
  /** 'YYYY-MM-DD', Europe/Oslo; null until first computed. */
  computed_on: ColumnType<string | null, string | null | undefined, string | null>;
  stale: ColumnType<boolean, boolean | undefined, boolean>;
  /** Set with stale by every change; cleared when a recomputation starts reading. */
  changed: ColumnType<boolean, boolean | undefined, boolean>;
  requested_at: ColumnType<Date, Date | undefined, Date>;
  refreshed_at: Date | null;
}

/** A person × requirement × employment's status on the summary's day (no warning window: 'expiring' is derived). */
export interface CompetenceStatusRowsTable {
  tenant_id: string;
  person_id: string;
  requirement_id: string;
  competence_id: string;
  org_unit_id: string;
  unit_path: string[];
  /** Lower case. */
  job_title: string;
  status: 'met' | 'expired' | 'missing' | 'grace' | 'declared-only';
  valid_until: string | null;
}

/** People whose holdings changed since their summary rows were computed (written by triggers). */
export interface CompetenceStatusDirtyTable {
  tenant_id: string;
  person_id: string;
}

/** People per unit subtree and requirement, by status, in the default view (see migration 0605). */
export interface CompetenceStatusCountsTable {
  tenant_id: string;
  unit_id: string;
  requirement_id: string;
  met: ColumnType<number, number | undefined, number>;
  expiring: ColumnType<number, number | undefined, number>;
  expired: ColumnType<number, number | undefined, number>;
  missing: ColumnType<number, number | undefined, number>;
  grace: ColumnType<number, number | undefined, number>;
  declared_only: ColumnType<number, number | undefined, number>;
  /** People with the requirement (its statuses summed), or in the subtree (the people row). */
  people: number;
}
