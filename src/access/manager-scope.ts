import { CompiledQuery, type Kysely } from 'kysely';
import { prepared } from '../db/prepared.js';
import type { Schema } from '../db/schema.js';
import type { ScopeUnit } from '../organisation/unit-scope.js';
import type { UnitScope } from './rules.js';

export interface ManagerScope extends UnitScope {
  /** The units of the scope, parents before children. */
  readonly units: readonly ScopeUnit[];
  /** Roots led by HR data and roots granted by an administrator (a unit may be both). */
  readonly ledUnitIds: readonly string[];
  readonly grantedUnitIds: readonly string[];
}

interface ScopeRow {
  row_kind: 'led' | 'granted' | 'unit';
  id: string;
  parent_id: string | null;
  code: string | null;
  name: string | null;
  depth: number;
}

/**
 * What a manager may see on `day` (Europe/Oslo, 'YYYY-MM-DD'): the units they lead by HR data (an
 * employment with leads_unit active that day) and the units granted to them (not revoked), each with
 * its subtree (every unit whose ancestor path holds a root; the GIN index on org_units.path answers
 * `&&`), ended units left out. Manager status never comes from a course's custom parameters or from
 * the LTI role alone. One statement, one round trip: the bench target is p95 under 10 ms for a subtree
 * of 2,000 employees (bench/scenarios/manager-scope.ts), and a busy server pays per round trip.
 * Planned once per connection (a lookup by tenant and person: its plan does not depend on them).
 */
export async function managerScope(db: Kysely<Schema>, tenantId: string, personId: string, day: string): Promise<ManagerScope> {
  const { rows } = await db.executeQuery<ScopeRow>(CompiledQuery.raw(SCOPE_SQL, [tenantId, personId, day]));
  const ledUnitIds = rows.filter((r) => r.row_kind === 'led').map((r) => r.id);
  const grantedUnitIds = rows.filter((r) => r.row_kind === 'granted').map((r) => r.id);
  const units = rows.filter((r) => r.row_kind === 'unit').map((r) => ({ id: r.id, parentId: r.parent_id, code: r.code!, name: r.name!, depth: r.depth }));
  return { rootUnitIds: [...new Set([...ledUnitIds, ...grantedUnitIds])], ledUnitIds, grantedUnitIds, units, unitIds: new Set(units.map((u) => u.id)) };
}

const SCOPE_SQL = prepared(`
    with led as (
      select distinct e.org_unit_id as id
        from employees p join employments e on e.employee_id = p.id
       where p.tenant_id = $1::uuid and p.person_id = $2::uuid and e.leads_unit
         and e.start_date <= $3::date and (e.end_date is null or e.end_date >= $3::date)
    ), granted as (
      select distinct org_unit_id as id from manager_grants
       where tenant_id = $1::uuid and person_id = $2::uuid and revoked_at is null
    ), roots as (select id from led union select id from granted)
    select 'led' as row_kind, id, null::uuid as parent_id, null as code, null as name, 0 as depth from led
    union all
    select 'granted', id, null, null, null, 0 from granted
    union all
    select 'unit', u.id, u.parent_id, u.code, u.name, array_length(u.path, 1)
      from org_units u
     where u.tenant_id = $1::uuid and u.path && (select coalesce(array_agg(id), '{}') from roots)
       and (u.ended_on is null or u.ended_on >= $3::date)
    order by 1, 6, 5`);
