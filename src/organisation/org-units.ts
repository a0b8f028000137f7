import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { isUniqueViolation, osloToday, parseDate, requiredText, UUID } from './field-values.js';
import { OrganisationError } from './organisation-error.js';

export interface OrgUnit {
  readonly id: string;
  readonly tenantId: string;
  readonly parentId: string | null;
  readonly code: string;
  readonly name: string;
  /** Ids from the root down to this unit, itself included. */
  readonly path: readonly string[];
  readonly endedOn: string | null;
}

export interface UnitDetails {
  code: string;
  name: string;
}

const COLUMNS = ['id', 'tenant_id', 'parent_id', 'code', 'name', 'path', 'ended_on'] as const;
type UnitRow = { id: string; tenant_id: string; parent_id: string | null; code: string; name: string; path: string[]; ended_on: string | null };

export function toOrgUnit(row: UnitRow): OrgUnit {
  return { id: row.id, tenantId: row.tenant_id, parentId: row.parent_id, code: row.code, name: row.name, path: row.path, endedOn: row.ended_on };
}

/** Tenant-scoped: a unit of another municipality (or an id that is no id) is not found. */
export async function findOrgUnit(db: Kysely<Schema>, tenantId: string, unitId: string): Promise<OrgUnit | undefined> {
  if (!UUID.test(unitId)) return undefined;
  const row = await db.selectFrom('org_units').select(COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', unitId).executeTakeFirst();
  return row && toOrgUnit(row);
}

/**
 * Writes to one municipality's tree wait for each other, so two moves at once cannot together make a
 * cycle that neither makes alone (each checks the tree as it is when it holds the lock).
 */
async function lockTree(trx: Kysely<Schema>, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`org-tree:${tenantId}`}, 0))`.execute(trx);
}

function checkedDetails(details: UnitDetails): UnitDetails {
  return { code: requiredText(details.code, 64, 'code-invalid', 'code'), name: requiredText(details.name, 300, 'name-invalid', 'name') };
}

async function requireUnit(trx: Kysely<Schema>, tenantId: string, unitId: string, field = 'unit'): Promise<OrgUnit> {
  const unit = await findOrgUnit(trx, tenantId, unitId);
  if (!unit) throw new OrganisationError('unit-not-found', field);
  return unit;
}

/** A live parent of the municipality; a parent of another municipality is simply not found. */
async function requireParent(trx: Kysely<Schema>, tenantId: string, parentId: string): Promise<OrgUnit> {
  const parent = await findOrgUnit(trx, tenantId, parentId);
  if (!parent) throw new OrganisationError('parent-not-found', 'parent');
  if (parent.endedOn) throw new OrganisationError('parent-ended', 'parent');
  return parent;
}

async function codeTaken(trx: Kysely<Schema>, tenantId: string, code: string, exceptId?: string): Promise<boolean> {
  let query = trx.selectFrom('org_units').select('id').where('tenant_id', '=', tenantId).where('code', '=', code);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Runs `work` in a transaction; a unique code that another writer took first is refused as taken. */
async function writing<T>(db: Kysely<Schema>, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    if (isUniqueViolation(error)) throw new OrganisationError('code-taken', 'code');
    throw error;
  }
}

export async function createOrgUnit(db: Kysely<Schema>, tenantId: string, actor: AuditActor, input: UnitDetails & { parentId: string | null }): Promise<OrgUnit> {
  const details = checkedDetails(input);
  return writing(db, async (trx) => {
    await lockTree(trx, tenantId);
    const parent = input.parentId ? await requireParent(trx, tenantId, input.parentId) : null;
    if (await codeTaken(trx, tenantId, details.code)) throw new OrganisationError('code-taken', 'code');
    const id = randomUUID();
    const row = await trx
      .insertInto('org_units')
      .values({ id, tenant_id: tenantId, parent_id: parent?.id ?? null, code: details.code, name: details.name, path: [...(parent?.path ?? []), id] })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId, actor, action: 'org.unit.created', object: { kind: 'org-unit', id }, details: { parentId: parent?.id ?? null } });
    return toOrgUnit(row);
  });
}

/** Changes a unit's code and name; the audit record names the fields that changed. */
export async function changeOrgUnit(db: Kysely<Schema>, tenantId: string, actor: AuditActor, unitId: string, input: UnitDetails): Promise<OrgUnit> {
  const details = checkedDetails(input);
  return writing(db, async (trx) => {
    const unit = await requireUnit(trx, tenantId, unitId);
    const fields = (['code', 'name'] as const).filter((f) => unit[f] !== details[f]);
    if (fields.length === 0) return unit;
    if (fields.includes('code') && (await codeTaken(trx, tenantId, details.code, unit.id))) throw new OrganisationError('code-taken', 'code');
    const row = await trx
      .updateTable('org_units')
      .set({ code: details.code, name: details.name, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', unit.id)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId, actor, action: 'org.unit.changed', object: { kind: 'org-unit', id: unit.id }, details: { fields } });
    return toOrgUnit(row);
  });
}

/**
 * Moves a unit (with its subtree) under another unit of the municipality, or to the top (`null`).
 * Refused: a parent under the unit itself (a cycle), a parent not in this municipality, an ended one.
 */
export async function moveOrgUnit(db: Kysely<Schema>, tenantId: string, actor: AuditActor, unitId: string, parentId: string | null): Promise<OrgUnit> {
  return writing(db, async (trx) => {
    await lockTree(trx, tenantId);
    const unit = await requireUnit(trx, tenantId, unitId);
    const parent = parentId ? await requireParent(trx, tenantId, parentId) : null;
    // The parent's path runs through the unit exactly when the parent is the unit or below it.
    if (parent?.path.includes(unit.id)) throw new OrganisationError('move-cycle', 'parent');
    if ((parent?.id ?? null) === unit.parentId) return unit;
    const prefix = parent?.path ?? [];
    // One statement re-roots the whole subtree: each path keeps its part from the unit down.
    await sql`update org_units
      set path = array[${sql.join(prefix.map((id) => sql`${id}::uuid`))}]::uuid[] || path[array_position(path, ${unit.id}::uuid):],
          parent_id = case when id = ${unit.id}::uuid then ${parent?.id ?? null}::uuid else parent_id end,
          updated_at = now()
      where tenant_id = ${tenantId}::uuid and path @> array[${unit.id}::uuid]`.execute(trx);
    await recordAudit(trx, { tenantId, actor, action: 'org.unit.moved', object: { kind: 'org-unit', id: unit.id }, details: { from: unit.parentId, to: parent?.id ?? null } });
    return (await findOrgUnit(trx, tenantId, unit.id))!;
  });
}

/**
 * Ends a unit and the units below it that have not ended, on `endedOn` (default today). Refused while
 * any employment in the subtree runs past that date: end or move those first.
 */
export async function endOrgUnit(db: Kysely<Schema>, tenantId: string, actor: AuditActor, unitId: string, endedOn?: string): Promise<OrgUnit> {
  const date = endedOn === undefined ? osloToday() : parseDate(endedOn, 'ended-on');
  return writing(db, async (trx) => {
    await lockTree(trx, tenantId);
    const unit = await requireUnit(trx, tenantId, unitId);
    if (unit.endedOn) throw new OrganisationError('unit-ended', 'ended-on');
    const active = await trx
      .selectFrom('employments as e')
      .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('e.tenant_id', '=', tenantId)
      .where(sql<boolean>`u.path @> array[${unit.id}::uuid]`)
      .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>', date)]))
      .executeTakeFirstOrThrow();
    if (Number(active.n) > 0) throw new OrganisationError('unit-has-active-employments', 'ended-on', Number(active.n));
    const ended = await trx
      .updateTable('org_units')
      .set({ ended_on: date, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where(sql<boolean>`path @> array[${unit.id}::uuid]`)
      .where('ended_on', 'is', null)
      .returning('id')
      .execute();
    await recordAudit(trx, { tenantId, actor, action: 'org.unit.ended', object: { kind: 'org-unit', id: unit.id }, details: { endedOn: date, units: ended.length } });
    return (await findOrgUnit(trx, tenantId, unit.id))!;
  });
}
