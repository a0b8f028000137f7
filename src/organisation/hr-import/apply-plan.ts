import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { ImportPlan } from './plan.js';

/** Rows per statement: arrays of this length stay well inside what a bind message carries. */
const BATCH = 10_000;

async function inBatches<T>(items: readonly T[], write: (batch: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await write(items.slice(i, i + BATCH));
}

const column = <T, V>(items: readonly T[], pick: (item: T) => V): V[] => items.map(pick);

/**
 * Writes a plan in the transaction `trx`. Each kind of change is one statement per batch over
 * unnest()ed arrays, so 50,000 employments are a handful of statements, not 50,000.
 */
export async function applyPlan(trx: Kysely<Schema>, tenantId: string, plan: ImportPlan): Promise<void> {
  const { units, employees, employments } = plan;

  // Parent and child may arrive in one statement: PostgreSQL checks the foreign key at its end.
  await inBatches(units.added, (b) => sql`
    insert into org_units (id, tenant_id, parent_id, code, name, path)
    select id, ${tenantId}::uuid, parent_id, code, name, '{}'::uuid[]
    from unnest(${column(b, (u) => u.id)}::uuid[], ${column(b, (u) => u.parentId)}::uuid[], ${column(b, (u) => u.code)}::text[], ${column(b, (u) => u.name)}::text[]) as t (id, parent_id, code, name)`.execute(trx));
  await inBatches(units.changed, (b) => sql`
    update org_units u set name = t.name, parent_id = t.parent_id, ended_on = null, updated_at = now()
    from unnest(${column(b, (u) => u.id)}::uuid[], ${column(b, (u) => u.parentId)}::uuid[], ${column(b, (u) => u.name)}::text[]) as t (id, parent_id, name)
    where u.id = t.id and u.tenant_id = ${tenantId}`.execute(trx));
  await inBatches(units.ended, (b) => sql`
    update org_units set ended_on = ${plan.importDate}::date, updated_at = now()
    where tenant_id = ${tenantId} and id = any(${column(b, (u) => u.id)}::uuid[])`.execute(trx));
  if (units.added.length + units.changed.length > 0) await refreshPaths(trx, tenantId);

  await inBatches(employees.added, async (b) => {
    await sql`
      insert into people (id, tenant_id, name, given_name, family_name, email)
      select id, ${tenantId}::uuid, name, given_name, family_name, email
      from unnest(${column(b, (e) => e.personId)}::uuid[], ${column(b, (e) => e.name)}::text[], ${column(b, (e) => e.givenName)}::text[], ${column(b, (e) => e.familyName)}::text[], ${column(b, (e) => e.email)}::text[]) as t (id, name, given_name, family_name, email)`.execute(trx);
    await sql`
      insert into employees (id, tenant_id, person_id, employee_number, sourced_id)
      select id, ${tenantId}::uuid, person_id, employee_number, sourced_id
      from unnest(${column(b, (e) => e.id)}::uuid[], ${column(b, (e) => e.personId)}::uuid[], ${column(b, (e) => e.employeeNumber)}::text[], ${column(b, (e) => e.sourcedId)}::text[]) as t (id, person_id, employee_number, sourced_id)`.execute(trx);
  });
  await inBatches(employees.changed, async (b) => {
    await sql`
      update employees e set sourced_id = t.sourced_id, updated_at = now()
      from unnest(${column(b, (e) => e.id)}::uuid[], ${column(b, (e) => e.sourcedId)}::text[]) as t (id, sourced_id)
      where e.id = t.id and e.tenant_id = ${tenantId} and e.sourced_id is distinct from t.sourced_id`.execute(trx);
    await sql`
      update people p set name = t.name, given_name = t.given_name, family_name = t.family_name, email = t.email, updated_at = now()
      from unnest(${column(b, (e) => e.personId)}::uuid[], ${column(b, (e) => e.name)}::text[], ${column(b, (e) => e.givenName)}::text[], ${column(b, (e) => e.familyName)}::text[], ${column(b, (e) => e.email)}::text[]) as t (id, name, given_name, family_name, email)
      where p.id = t.id and p.tenant_id = ${tenantId}
        and (p.name, p.given_name, p.family_name, p.email) is distinct from (t.name, t.given_name, t.family_name, t.email)`.execute(trx);
  });

  await inBatches(employments.added, (b) => sql`
    insert into employments (id, tenant_id, employee_id, org_unit_id, job_title, job_code, percentage, start_date, end_date, leads_unit)
    select id, ${tenantId}::uuid, employee_id, org_unit_id, job_title, job_code, percentage, start_date, end_date, leads_unit
    from unnest(${column(b, (e) => e.id)}::uuid[], ${column(b, (e) => e.employeeId)}::uuid[], ${column(b, (e) => e.unitId)}::uuid[], ${column(b, (e) => e.jobTitle)}::text[],
      ${column(b, (e) => e.jobCode)}::text[], ${column(b, (e) => e.percentage)}::numeric[], ${column(b, (e) => e.startDate)}::date[], ${column(b, (e) => e.endDate)}::date[], ${column(b, (e) => e.leads)}::boolean[])
      as t (id, employee_id, org_unit_id, job_title, job_code, percentage, start_date, end_date, leads_unit)`.execute(trx));
  await inBatches([...employments.changed, ...employments.ended], (b) => sql`
    update employments e set job_title = t.job_title, job_code = t.job_code, percentage = t.percentage, start_date = t.start_date, end_date = t.end_date, leads_unit = t.leads_unit, updated_at = now()
    from unnest(${column(b, (e) => e.id)}::uuid[], ${column(b, (e) => e.jobTitle)}::text[], ${column(b, (e) => e.jobCode)}::text[], ${column(b, (e) => e.percentage)}::numeric[],
      ${column(b, (e) => e.startDate)}::date[], ${column(b, (e) => e.endDate)}::date[], ${column(b, (e) => e.leads)}::boolean[])
      as t (id, job_title, job_code, percentage, start_date, end_date, leads_unit)
    where e.id = t.id and e.tenant_id = ${tenantId}`.execute(trx));
}

/**
 * Sets org_units.path (ids root → self) for every unit of the tenant whose path is not what the
 * tree says, in one statement: a recursive walk from the top units.
 */
export async function refreshPaths(trx: Kysely<Schema>, tenantId: string): Promise<void> {
  await sql`
    with recursive tree (id, path) as (
      select id, array[id] from org_units where tenant_id = ${tenantId} and parent_id is null
      union all
      select child.id, tree.path || child.id from org_units child join tree on child.parent_id = tree.id where child.tenant_id = ${tenantId}
    )
    update org_units u set path = tree.path from tree where u.id = tree.id and u.path is distinct from tree.path`.execute(trx);
}
