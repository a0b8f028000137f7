import { isDeepStrictEqual } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { definitionSchema } from './definition.js';
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

/**
 * Which of the given paths of the tenant have a draft that differs from their newest published
 * version: the two definitions are compared, not timestamps (saving an unchanged form is no change).
 * Paths that were never published are not in the answer.
 */
export async function pathsWithUnpublishedChanges(db: Kysely<Schema>, tenantId: string, pathIds: readonly string[]): Promise<Set<string>> {
  if (pathIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('path_versions as d')
    .innerJoin('path_versions as v', (join) => join.onRef('v.path_id', '=', 'd.path_id').on('v.status', '=', 'published'))
    .select(['d.path_id', 'd.definition as draft', 'v.definition as published', sql<boolean>`d.definition = v.definition`.as('same')])
    .where('d.tenant_id', '=', tenantId)
    .where('d.status', '=', 'draft')
    .where('d.path_id', 'in', [...pathIds])
    .where('v.number', '=', (eb) => eb.selectFrom('path_versions as n').select((n) => n.fn.max('n.number').as('number')).whereRef('n.path_id', '=', 'd.path_id').where('n.status', '=', 'published'))
    .execute();
  const changed = new Set<string>();
  for (const row of rows) {
    // Equal jsonb is certainly no change; otherwise compare what the definitions mean, so a
    // difference only in how an older version was stored (defaults filled in since) is none either.
    if (row.same) continue;
    const draft = definitionSchema.safeParse(row.draft);
    const published = definitionSchema.safeParse(row.published);
    if (!draft.success || !published.success || !isDeepStrictEqual(draft.data, published.data)) changed.add(row.path_id);
  }
  return changed;
}
