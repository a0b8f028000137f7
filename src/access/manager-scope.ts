import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { subtreeUnits, unitsLedBy, type ScopeUnit } from '../organisation/unit-scope.js';
import type { UnitScope } from './rules.js';

export interface ManagerScope extends UnitScope {
  /** The units of the scope, parents before children. */
  readonly units: readonly ScopeUnit[];
  /** Roots led by HR data and roots granted by an administrator (a unit may be both). */
  readonly ledUnitIds: readonly string[];
  readonly grantedUnitIds: readonly string[];
}

/** The units an administrator has granted the person, not revoked. */
export async function grantedUnits(db: Kysely<Schema>, tenantId: string, personId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('manager_grants')
    .select('org_unit_id')
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((r) => r.org_unit_id);
}

/**
 * What a manager may see on `day` (Europe/Oslo, 'YYYY-MM-DD'): the units they lead by HR data (an
 * employment with leads_unit active that day) and the units granted to them, each with its subtree.
 * Manager status never comes from a course's custom parameters or from the LTI role alone.
 */
export async function managerScope(db: Kysely<Schema>, tenantId: string, personId: string, day: string): Promise<ManagerScope> {
  const [ledUnitIds, grantedUnitIds] = await Promise.all([unitsLedBy(db, tenantId, personId, day), grantedUnits(db, tenantId, personId)]);
  const rootUnitIds = [...new Set([...ledUnitIds, ...grantedUnitIds])];
  const units = await subtreeUnits(db, tenantId, rootUnitIds, day);
  return { rootUnitIds, ledUnitIds, grantedUnitIds, units, unitIds: new Set(units.map((u) => u.id)) };
}
