import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/** An org unit as scopes and views see it. */
export interface ScopeUnit {
  id: string;
  parentId: string | null;
  code: string;
  name: string;
  /** 1 for a top unit, 2 for its children … */
  depth: number;
}

/** An employment active on a date, with the person it belongs to. */
export interface ActiveEmployment {
  employmentId: string;
  personId: string;
  employeeNumber: string;
  name: string | null;
  unitId: string;
  jobTitle: string;
  jobCode: string | null;
  /** stillingsprosent, e.g. 50.5 */
  percentage: number;
  startDate: string;
  endDate: string | null;
  leadsUnit: boolean;
}

const activeOn = (day: string) => sql<boolean>`e.start_date <= ${day}::date and (e.end_date is null or e.end_date >= ${day}::date)`;

/** Whether a unit is one of the municipality's (ended or not). */
export async function unitOfTenant(db: Kysely<Schema>, tenantId: string, unitId: string): Promise<ScopeUnit | undefined> {
  const row = await db
    .selectFrom('org_units')
    .select(['id', 'parent_id', 'code', 'name', sql<number>`array_length(path, 1)`.as('depth')])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', unitId)
    .executeTakeFirst();
  return row && { id: row.id, parentId: row.parent_id, code: row.code, name: row.name, depth: row.depth };
}

/** The employments active on `day` in exactly these units, with their people. */
export async function activeEmploymentsIn(db: Kysely<Schema>, tenantId: string, unitIds: readonly string[], day: string): Promise<ActiveEmployment[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('employments as e')
    .innerJoin('employees as p', 'p.id', 'e.employee_id')
    .innerJoin('people as person', 'person.id', 'p.person_id')
    .select(['e.id', 'p.person_id', 'p.employee_number', 'person.name', 'e.org_unit_id', 'e.job_title', 'e.job_code', 'e.percentage', 'e.start_date', 'e.end_date', 'e.leads_unit'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.org_unit_id', '=', sql<string>`any(${sql.val(unitIds)}::uuid[])`)
    .where(activeOn(day))
    .orderBy('person.name')
    .orderBy('p.employee_number')
    .execute();
  return rows.map((r) => ({
    employmentId: r.id,
    personId: r.person_id,
    employeeNumber: r.employee_number,
    name: r.name,
    unitId: r.org_unit_id,
    jobTitle: r.job_title,
    jobCode: r.job_code,
    percentage: Number(r.percentage),
    startDate: r.start_date,
    endDate: r.end_date,
    leadsUnit: r.leads_unit,
  }));
}

/** Employees of the municipality whose name or employee number matches `query` (for choosing a manager). */
export async function findEmployees(db: Kysely<Schema>, tenantId: string, query: string, limit = 20): Promise<{ personId: string; employeeNumber: string; name: string | null }[]> {
  const q = query.trim();
  if (!q) return [];
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
  const rows = await db
    .selectFrom('employees as p')
    .innerJoin('people as person', 'person.id', 'p.person_id')
    .select(['p.person_id', 'p.employee_number', 'person.name'])
    .where('p.tenant_id', '=', tenantId)
    .where((w) => w.or([w('p.employee_number', '=', q), w(sql`lower(person.name)`, 'like', pattern)]))
    .orderBy('person.name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ personId: r.person_id, employeeNumber: r.employee_number, name: r.name }));
}

/** Units of the municipality whose name or code matches `query`. */
export async function findUnits(db: Kysely<Schema>, tenantId: string, query: string, limit = 20): Promise<ScopeUnit[]> {
  const q = query.trim();
  if (!q) return [];
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
  const rows = await db
    .selectFrom('org_units')
    .select(['id', 'parent_id', 'code', 'name', sql<number>`array_length(path, 1)`.as('depth')])
    .where('tenant_id', '=', tenantId)
    .where('ended_on', 'is', null)
    .where((w) => w.or([w('code', '=', q), w(sql`lower(name)`, 'like', pattern)]))
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, parentId: r.parent_id, code: r.code, name: r.name, depth: r.depth }));
}

/** Who leads which unit by HR data on `day`, in the municipality. */
export async function unitLeaders(db: Kysely<Schema>, tenantId: string, day: string): Promise<{ personId: string; name: string | null; employeeNumber: string; unitId: string; unitName: string }[]> {
  const rows = await db
    .selectFrom('employments as e')
    .innerJoin('employees as p', 'p.id', 'e.employee_id')
    .innerJoin('people as person', 'person.id', 'p.person_id')
    .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
    .select(['p.person_id', 'person.name', 'p.employee_number', 'u.id as unit_id', 'u.name as unit_name'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.leads_unit', '=', true)
    .where(activeOn(day))
    .orderBy('person.name')
    .orderBy('u.name')
    .execute();
  return rows.map((r) => ({ personId: r.person_id, name: r.name, employeeNumber: r.employee_number, unitId: r.unit_id, unitName: r.unit_name }));
}
