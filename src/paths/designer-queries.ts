import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { visibleTo } from './visibility.js';

/** When each of the given paths (those the tenant may see) last changed: for the designer's list. */
export async function pathUpdateTimes(db: Kysely<Schema>, tenantId: string, pathIds: readonly string[]): Promise<Map<string, Date>> {
  if (pathIds.length === 0) return new Map();
  const rows = await db.selectFrom('paths as p').select(['p.id', 'p.updated_at']).where('p.id', 'in', [...pathIds]).where(visibleTo(tenantId)).execute();
  return new Map(rows.map((r) => [r.id, r.updated_at]));
}

/**
 * For the owner's sign-up list of a physical session: each enrolment's learner name and whether
 * attendance was registered (undefined until it is). Only enrolments in the owner's path count.
 */
export async function sessionAttendance(
  db: Kysely<Schema>,
  ownerTenantId: string,
  pathId: string,
  stepId: string,
  enrolmentIds: readonly string[],
): Promise<Map<string, { name: string | null; attended: boolean | undefined }>> {
  if (enrolmentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('path_enrolments as e')
    .innerJoin('paths as p', 'p.id', 'e.path_id')
    .innerJoin('people as person', (join) => join.onRef('person.id', '=', 'e.person_id').onRef('person.tenant_id', '=', 'e.tenant_id'))
    .leftJoin('path_step_progress as sp', (join) => join.onRef('sp.enrolment_id', '=', 'e.id').on('sp.step_id', '=', stepId))
    .select(['e.id', 'person.name', 'sp.data'])
    .where('p.tenant_id', '=', ownerTenantId)
    .where('e.path_id', '=', pathId)
    .where('e.id', 'in', [...enrolmentIds])
    .execute();
  return new Map(rows.map((r) => {
    const attended = (r.data as Record<string, unknown> | null)?.['attended'];
    return [r.id, { name: r.name, attended: typeof attended === 'boolean' ? attended : undefined }];
  }));
}
