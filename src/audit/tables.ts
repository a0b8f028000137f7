import type { ColumnType, Generated } from 'kysely';
import type { AuditActorKind } from './audit-log.js';

export interface AuditEventsTable {
  id: Generated<string>;
  tenant_id: string;
  at: ColumnType<Date, Date | undefined, never>;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: string;
  subject_person_id: string | null;
  object_kind: string | null;
  object_id: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
}
