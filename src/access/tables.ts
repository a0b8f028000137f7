import type { ColumnType, Generated } from 'kysely';

/** A unit (and its subtree) an administrator gave a person to manage; revoked grants are kept. */
export interface ManagerGrantsTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  org_unit_id: string;
  /** The granting administrator's person id; null for the operator (CLI). */
  granted_by: string | null;
  granted_at: ColumnType<Date, Date | undefined, Date>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_by: string | null;
}

export interface AccessTables {
  manager_grants: ManagerGrantsTable;
}
