import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';

export interface CurrentUnit {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly endedOn: string | null;
}

export interface CurrentEmployee {
  readonly id: string;
  readonly personId: string;
  readonly employeeNumber: string;
  readonly sourcedId: string | null;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
}

export interface CurrentEmployment {
  readonly id: string;
  readonly employeeId: string;
  readonly unitId: string;
  readonly jobTitle: string;
  readonly jobCode: string | null;
  readonly percentage: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly leads: boolean;
}

/** What the municipality's organisation holds now, as the import compares it with a file. */
export interface CurrentState {
  readonly units: readonly CurrentUnit[];
  readonly employees: readonly CurrentEmployee[];
  readonly employments: readonly CurrentEmployment[];
}

/**
 * Reads the tenant's units, employees (with their names) and employments in three statements.
 * Rows come back as arrays of columns, which keeps 50,000 employments small in memory.
 */
export async function readCurrentState(db: Kysely<Schema>, tenantId: string): Promise<CurrentState> {
  const units = await sql<{ id: string; code: string; name: string; parent_id: string | null; ended_on: string | null }>`
    select id, code, name, parent_id, ended_on from org_units where tenant_id = ${tenantId}`.execute(db);
  const employees = await sql<{ id: string; person_id: string; employee_number: string; sourced_id: string | null; name: string | null; given_name: string | null; family_name: string | null; email: string | null }>`
    select e.id, e.person_id, e.employee_number, e.sourced_id, p.name, p.given_name, p.family_name, p.email
    from employees e join people p on p.id = e.person_id
    where e.tenant_id = ${tenantId}`.execute(db);
  const employments = await sql<{ id: string; employee_id: string; org_unit_id: string; job_title: string; job_code: string | null; percentage: string; start_date: string; end_date: string | null; leads_unit: boolean }>`
    select id, employee_id, org_unit_id, job_title, job_code, percentage::text as percentage, start_date, end_date, leads_unit
    from employments where tenant_id = ${tenantId}`.execute(db);
  return {
    units: units.rows.map((r) => ({ id: r.id, code: r.code, name: r.name, parentId: r.parent_id, endedOn: r.ended_on })),
    employees: employees.rows.map((r) => ({ id: r.id, personId: r.person_id, employeeNumber: r.employee_number, sourcedId: r.sourced_id, name: r.name, givenName: r.given_name, familyName: r.family_name, email: r.email })),
    employments: employments.rows.map((r) => ({
      id: r.id,
      employeeId: r.employee_id,
      unitId: r.org_unit_id,
      jobTitle: r.job_title,
      jobCode: r.job_code,
      percentage: r.percentage,
      startDate: r.start_date,
      endDate: r.end_date,
      leads: r.leads_unit,
    })),
  };
}
