import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { containsPattern, osloToday, UUID } from './field-values.js';
import { toOrgUnit, type OrgUnit } from './org-units.js';

// Reads for the admin pages. Every query is scoped by tenant; "active" means an employment that has
// started and not ended on the day asked about (today in Norway unless told).

export interface UnitInTree extends OrgUnit {
  readonly depth: number;
  /** People with an active employment in this unit itself. */
  readonly activeHere: number;
  /** People with an active employment in this unit or below it, each counted once. */
  readonly activeInSubtree: number;
}

const UNIT_COLUMNS = ['u.id', 'u.tenant_id', 'u.parent_id', 'u.code', 'u.name', 'u.path', 'u.ended_on'] as const;

function activeOn(day: string) {
  return sql<boolean>`e.start_date <= ${day}::date and (e.end_date is null or e.end_date >= ${day}::date)`;
}

/**
 * The municipality's tree, parents before children and siblings by name, with active-employee counts.
 * Subtree counts come from each employment's unit path, so one pass counts every ancestor; the
 * (employee, unit) pairs are made distinct by grouping, which PostgreSQL can hash (count(distinct)
 * always sorts). `countsWithin` counts only the subtree of that unit (a unit's page needs no more);
 * `counts: false` counts nothing (a unit chooser).
 */
export async function unitTree(
  db: Kysely<Schema>,
  tenantId: string,
  options: { day?: string; includeEnded?: boolean; countsWithin?: string; counts?: boolean } = {},
): Promise<UnitInTree[]> {
  const day = options.day ?? osloToday();
  const within = options.countsWithin && UUID.test(options.countsWithin) ? sql`and u.path @> array[${options.countsWithin}::uuid]` : sql``;
  const counts = options.counts === false
    ? { rows: [] }
    : await sql<{ unit_id: string; here: string; subtree: string }>`
    with pairs as (
      select e.employee_id, ancestor, bool_or(ancestor = e.org_unit_id) as own
      from employments e
      join org_units u on u.id = e.org_unit_id
      cross join unnest(u.path) as ancestor
      where e.tenant_id = ${tenantId}::uuid and ${activeOn(day)} ${within}
      group by e.employee_id, ancestor
    )
    select ancestor as unit_id, count(*) filter (where own) as here, count(*) as subtree from pairs group by ancestor`.execute(db);
  const byUnit = new Map(counts.rows.map((r) => [r.unit_id, r]));
  let query = db.selectFrom('org_units as u').select(UNIT_COLUMNS).where('u.tenant_id', '=', tenantId);
  if (!options.includeEnded) query = query.where('u.ended_on', 'is', null);
  const units = (await query.execute()).map(toOrgUnit);
  return inTreeOrder(units).map((unit) => {
    const count = byUnit.get(unit.id);
    return { ...unit, depth: unit.path.length - 1, activeHere: Number(count?.here ?? 0), activeInSubtree: Number(count?.subtree ?? 0) };
  });
}

/** Depth-first, siblings by name (Norwegian collation); units whose parent is not listed start new roots. */
function inTreeOrder(units: readonly OrgUnit[]): OrgUnit[] {
  const listed = new Set(units.map((u) => u.id));
  const children = new Map<string | null, OrgUnit[]>();
  for (const unit of units) {
    const parent = unit.parentId && listed.has(unit.parentId) ? unit.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), unit]);
  }
  const collator = new Intl.Collator('nb');
  const ordered: OrgUnit[] = [];
  const visit = (parent: string | null) => {
    for (const unit of (children.get(parent) ?? []).sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.code, b.code))) {
      ordered.push(unit);
      visit(unit.id);
    }
  };
  visit(null);
  return ordered;
}

/** Units whose code or name contains `text` (case-insensitive), ended ones too, at most `limit`. */
export async function searchUnits(db: Kysely<Schema>, tenantId: string, text: string, limit = 50): Promise<OrgUnit[]> {
  const pattern = containsPattern(text.trim().toLowerCase());
  const rows = await db
    .selectFrom('org_units as u')
    .select(UNIT_COLUMNS)
    .where('u.tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb(eb.fn('lower', ['u.code']), 'like', pattern), eb(eb.fn('lower', ['u.name']), 'like', pattern)]))
    .orderBy(sql`u.ended_on is not null`)
    .orderBy('u.name')
    .limit(limit)
    .execute();
  return rows.map(toOrgUnit);
}

/** The units named by ids, of this municipality only, in the order given (a unit's path, for breadcrumbs). */
export async function unitsByIds(db: Kysely<Schema>, tenantId: string, ids: readonly string[]): Promise<OrgUnit[]> {
  const valid = ids.filter((id) => UUID.test(id));
  if (valid.length === 0) return [];
  const rows = await db.selectFrom('org_units as u').select(UNIT_COLUMNS).where('u.tenant_id', '=', tenantId).where('u.id', 'in', valid).execute();
  const byId = new Map(rows.map((r) => [r.id, toOrgUnit(r)]));
  return valid.flatMap((id) => byId.get(id) ?? []);
}

export interface UnitMember {
  readonly personId: string;
  readonly name: string | null;
  readonly employeeNumber: string;
  readonly employmentId: string;
  readonly jobTitle: string;
  readonly percentage: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly leadsUnit: boolean;
}

/** The people with an active employment in the unit itself, leaders first, then by name. */
export async function unitPeople(db: Kysely<Schema>, tenantId: string, unitId: string, options: { day?: string } = {}): Promise<UnitMember[]> {
  if (!UUID.test(unitId)) return [];
  const day = options.day ?? osloToday();
  const rows = await db
    .selectFrom('employments as e')
    .innerJoin('employees as m', 'm.id', 'e.employee_id')
    .innerJoin('people as p', 'p.id', 'm.person_id')
    .select(['p.id as person_id', 'p.name', 'm.employee_number', 'e.id as employment_id', 'e.job_title', 'e.percentage', 'e.start_date', 'e.end_date', 'e.leads_unit'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.org_unit_id', '=', unitId)
    .where(activeOn(day))
    .orderBy('e.leads_unit', 'desc')
    .orderBy('p.name')
    .orderBy('m.employee_number')
    .execute();
  return rows.map((r) => ({
    personId: r.person_id,
    name: r.name,
    employeeNumber: r.employee_number,
    employmentId: r.employment_id,
    jobTitle: r.job_title,
    percentage: String(r.percentage),
    startDate: r.start_date,
    endDate: r.end_date,
    leadsUnit: r.leads_unit,
  }));
}

export interface EmploymentWithUnit {
  readonly id: string;
  readonly orgUnit: { id: string; code: string; name: string; endedOn: string | null };
  readonly jobTitle: string;
  readonly jobCode: string | null;
  readonly percentage: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly leadsUnit: boolean;
  /** Started and not ended on the day asked about. */
  readonly active: boolean;
}

export interface PersonRecord {
  readonly personId: string;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
  /** HR's record, when HR knows the person. */
  readonly employee: { id: string; employeeNumber: string; sourcedId: string | null } | null;
  /** Every employment, running ones first, then the most recently started. */
  readonly employments: readonly EmploymentWithUnit[];
}

/** A person of the municipality with their employments, history included; undefined for others' people. */
export async function personRecord(db: Kysely<Schema>, tenantId: string, personId: string, options: { day?: string } = {}): Promise<PersonRecord | undefined> {
  if (!UUID.test(personId)) return undefined;
  const day = options.day ?? osloToday();
  const person = await db
    .selectFrom('people as p')
    .leftJoin('employees as m', (join) => join.onRef('m.person_id', '=', 'p.id').on('m.tenant_id', '=', tenantId))
    .select(['p.id', 'p.name', 'p.given_name', 'p.family_name', 'p.email', 'm.id as employee_id', 'm.employee_number', 'm.sourced_id'])
    .where('p.tenant_id', '=', tenantId)
    .where('p.id', '=', personId)
    .executeTakeFirst();
  if (!person) return undefined;
  const employments = person.employee_id
    ? await db
      .selectFrom('employments as e')
      .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
      .select(['e.id', 'e.job_title', 'e.job_code', 'e.percentage', 'e.start_date', 'e.end_date', 'e.leads_unit', 'u.id as unit_id', 'u.code', 'u.name', 'u.ended_on'])
      .select(activeOn(day).as('active'))
      .where('e.tenant_id', '=', tenantId)
      .where('e.employee_id', '=', person.employee_id)
      .orderBy(sql`e.end_date is null`, 'desc')
      .orderBy('e.start_date', 'desc')
      .orderBy('e.id')
      .execute()
    : [];
  return {
    personId: person.id,
    name: person.name,
    givenName: person.given_name,
    familyName: person.family_name,
    email: person.email,
    employee: person.employee_id ? { id: person.employee_id, employeeNumber: person.employee_number ?? '', sourcedId: person.sourced_id } : null,
    employments: employments.map((e) => ({
      id: e.id,
      orgUnit: { id: e.unit_id, code: e.code, name: e.name, endedOn: e.ended_on },
      jobTitle: e.job_title,
      jobCode: e.job_code,
      percentage: String(e.percentage),
      startDate: e.start_date,
      endDate: e.end_date,
      leadsUnit: e.leads_unit,
      active: Boolean(e.active),
    })),
  };
}

export interface PersonHit {
  readonly personId: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly employeeNumber: string | null;
  /** Active employments today. */
  readonly activeEmployments: number;
}

/** People of the municipality whose name, e-mail or employee number contains `text`, at most `limit`. */
export async function searchPeople(db: Kysely<Schema>, tenantId: string, text: string, options: { limit?: number; day?: string } = {}): Promise<PersonHit[]> {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const pattern = containsPattern(needle);
  const day = options.day ?? osloToday();
  const rows = await db
    .selectFrom('people as p')
    .leftJoin('employees as m', (join) => join.onRef('m.person_id', '=', 'p.id').on('m.tenant_id', '=', tenantId))
    .select(['p.id', 'p.name', 'p.email', 'm.employee_number'])
    .select(sql<string>`(select count(*) from employments e where e.employee_id = m.id and ${activeOn(day)})`.as('active'))
    .where('p.tenant_id', '=', tenantId)
    .where((eb) => eb.or([
      eb(eb.fn('lower', ['p.name']), 'like', pattern),
      eb(eb.fn('lower', ['p.email']), 'like', pattern),
      eb(eb.fn('lower', ['m.employee_number']), 'like', pattern),
      eb(sql`lower(coalesce(p.given_name, '') || ' ' || coalesce(p.family_name, ''))`, 'like', pattern),
    ]))
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(options.limit ?? 50)
    .execute();
  return rows.map((r) => ({ personId: r.id, name: r.name, email: r.email, employeeNumber: r.employee_number, activeEmployments: Number(r.active) }));
}
