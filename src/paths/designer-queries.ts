import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { visibleTo } from './visibility.js';

/** When each of the given paths (those the tenant may see) last changed: for the designer's list. */
export async function pathUpdateTimes(db: Kysely<Schema>, tenantId: string, pathIds: readonly string[]): Promise<Map<string, Date>> {
  if (pathIds.length === 0) return new Map();
  const rows = await db.selectFrom('paths as p').select(['p.id', 'p.updated_at']).where('p.id', 'in', [...pathIds]).where(visibleTo(tenantId)).execute();
  return new Map(rows.map((r) => [r.id, r.updated_at]));
}

export interface PathOrigin {
  /** The owning organisation's name. */
  readonly ownerName: string;
  /** When the newest published version was published; null while only a draft exists. */
  readonly publishedAt: Date | null;
}

/** Who owns each of the given paths (those the tenant may see) and when its newest version was
 *  published: what tells two paths of the same name apart in lists and pickers. */
export async function pathOrigins(db: Kysely<Schema>, tenantId: string, pathIds: readonly string[]): Promise<Map<string, PathOrigin>> {
  if (pathIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('paths as p')
    .innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select((eb) => ['p.id', 't.name', eb.selectFrom('path_versions as v').select((v) => v.fn.max('v.published_at').as('at'))
      .whereRef('v.path_id', '=', 'p.id').where('v.status', '=', 'published').as('published_at')])
    .where('p.id', 'in', [...pathIds])
    .where(visibleTo(tenantId))
    .execute();
  return new Map(rows.map((r) => [r.id, { ownerName: r.name, publishedAt: r.published_at ? new Date(r.published_at) : null }]));
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
