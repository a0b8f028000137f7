import type { Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { isUniqueViolation, parseDate, parsePercentage, requiredText, UUID } from './field-values.js';
import { findOrgUnit } from './org-units.js';
import { OrganisationError } from './organisation-error.js';

export interface Employee {
  readonly id: string;
  readonly tenantId: string;
  readonly personId: string;
  readonly employeeNumber: string;
  readonly sourcedId: string | null;
}

export interface Employment {
  readonly id: string;
  readonly employeeId: string;
  readonly orgUnitId: string;
  readonly jobTitle: string;
  readonly jobCode: string | null;
  /** As stored, e.g. '50.50'. */
  readonly percentage: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly leadsUnit: boolean;
}

export interface NewEmployee {
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email?: string;
  sourcedId?: string;
}

/** An employment as typed on a form: texts, checked and converted here. */
export interface EmploymentInput {
  orgUnitId: string;
  jobTitle: string;
  jobCode?: string;
  percentage: string;
  startDate: string;
  endDate?: string;
  leadsUnit: boolean;
}

const EMPLOYMENT_COLUMNS = ['id', 'employee_id', 'org_unit_id', 'job_title', 'job_code', 'percentage', 'start_date', 'end_date', 'leads_unit'] as const;
type EmploymentRow = { id: string; employee_id: string; org_unit_id: string; job_title: string; job_code: string | null; percentage: string; start_date: string; end_date: string | null; leads_unit: boolean };

function toEmployment(row: EmploymentRow): Employment {
  return {
    id: row.id,
    employeeId: row.employee_id,
    orgUnitId: row.org_unit_id,
    jobTitle: row.job_title,
    jobCode: row.job_code,
    percentage: String(row.percentage),
    startDate: row.start_date,
    endDate: row.end_date,
    leadsUnit: row.leads_unit,
  };
}

/** The employee record of a person of the municipality, if HR knows them. */
export async function findEmployeeOfPerson(db: Kysely<Schema>, tenantId: string, personId: string): Promise<Employee | undefined> {
  if (!UUID.test(personId)) return undefined;
  const row = await db
    .selectFrom('employees')
    .select(['id', 'tenant_id', 'person_id', 'employee_number', 'sourced_id'])
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row && { id: row.id, tenantId: row.tenant_id, personId: row.person_id, employeeNumber: row.employee_number, sourcedId: row.sourced_id };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Adds an employee: a person of the tool and HR's record of them. The employee number is unique in
 * the municipality; a taken one is refused and nothing is written.
 */
export async function addEmployee(db: Kysely<Schema>, tenantId: string, actor: AuditActor, input: NewEmployee): Promise<Employee> {
  const employeeNumber = requiredText(input.employeeNumber, 64, 'employee-number-invalid', 'employee-number');
  const givenName = input.givenName.trim();
  const familyName = input.familyName.trim();
  if (!givenName && !familyName) throw new OrganisationError('person-name-missing', 'given-name');
  if (givenName.length > 200 || familyName.length > 200) throw new OrganisationError('person-name-missing', 'given-name');
  const email = input.email?.trim() || null;
  if (email && (email.length > 320 || !EMAIL.test(email))) throw new OrganisationError('email-invalid', 'email');
  try {
    return await db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('employees').select('id').where('tenant_id', '=', tenantId).where('employee_number', '=', employeeNumber).executeTakeFirst();
      if (taken) throw new OrganisationError('employee-number-taken', 'employee-number');
      const person = await trx
        .insertInto('people')
        .values({ tenant_id: tenantId, given_name: givenName || null, family_name: familyName || null, name: [givenName, familyName].filter(Boolean).join(' '), email, locale: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const employee = await trx
        .insertInto('employees')
        .values({ tenant_id: tenantId, person_id: person.id, employee_number: employeeNumber, sourced_id: input.sourcedId?.trim() || null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(trx, { tenantId, actor, action: 'org.employee.added', subjectPersonId: person.id, object: { kind: 'employee', id: employee.id } });
      return { id: employee.id, tenantId, personId: person.id, employeeNumber, sourcedId: input.sourcedId?.trim() || null };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new OrganisationError('employee-number-taken', 'employee-number');
    throw error;
  }
}

interface CheckedEmployment {
  org_unit_id: string;
  job_title: string;
  job_code: string | null;
  percentage: string;
  start_date: string;
  end_date: string | null;
  leads_unit: boolean;
}

async function checkedEmployment(trx: Kysely<Schema>, tenantId: string, input: EmploymentInput, keepEndedUnit: string | null): Promise<CheckedEmployment> {
  const jobTitle = requiredText(input.jobTitle, 200, 'job-title-invalid', 'job-title');
  const jobCode = input.jobCode?.trim() || null;
  if (jobCode && jobCode.length > 64) throw new OrganisationError('job-title-invalid', 'job-code');
  const percentage = parsePercentage(input.percentage);
  const startDate = parseDate(input.startDate, 'start-date');
  const endDate = input.endDate?.trim() ? parseDate(input.endDate, 'end-date') : null;
  if (endDate && endDate < startDate) throw new OrganisationError('end-before-start', 'end-date');
  // A unit of another municipality is not found: the foreign key would refuse it too, as a 500.
  const unit = await findOrgUnit(trx, tenantId, input.orgUnitId);
  if (!unit) throw new OrganisationError('unit-not-found', 'unit');
  if (unit.endedOn && unit.id !== keepEndedUnit) throw new OrganisationError('unit-ended', 'unit');
  return { org_unit_id: unit.id, job_title: jobTitle, job_code: jobCode, percentage, start_date: startDate, end_date: endDate, leads_unit: input.leadsUnit };
}

async function requireEmployee(trx: Kysely<Schema>, tenantId: string, personId: string): Promise<Employee> {
  const employee = await findEmployeeOfPerson(trx, tenantId, personId);
  if (!employee) throw new OrganisationError('employee-not-found', 'person');
  return employee;
}

async function requireEmployment(trx: Kysely<Schema>, tenantId: string, employee: Employee, employmentId: string): Promise<Employment> {
  if (!UUID.test(employmentId)) throw new OrganisationError('employment-not-found', 'employment');
  const row = await trx
    .selectFrom('employments')
    .select(EMPLOYMENT_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('employee_id', '=', employee.id)
    .where('id', '=', employmentId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new OrganisationError('employment-not-found', 'employment');
  return toEmployment(row);
}

/** Adds an employment of a person HR knows, in a live unit of the municipality. */
export async function addEmployment(db: Kysely<Schema>, tenantId: string, actor: AuditActor, personId: string, input: EmploymentInput): Promise<Employment> {
  return db.transaction().execute(async (trx) => {
    const employee = await requireEmployee(trx, tenantId, personId);
    const values = await checkedEmployment(trx, tenantId, input, null);
    const row = await trx.insertInto('employments').values({ tenant_id: tenantId, employee_id: employee.id, ...values }).returning(EMPLOYMENT_COLUMNS).executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId, actor, action: 'org.employment.added', subjectPersonId: personId, object: { kind: 'employment', id: row.id }, details: { orgUnitId: values.org_unit_id } });
    return toEmployment(row);
  });
}

const FIELD_NAMES: Readonly<Record<keyof CheckedEmployment, string>> = {
  org_unit_id: 'orgUnit',
  job_title: 'jobTitle',
  job_code: 'jobCode',
  percentage: 'percentage',
  start_date: 'startDate',
  end_date: 'endDate',
  leads_unit: 'leadsUnit',
};

/** Changes an employment (an ended one too: HR corrects history); the audit names the changed fields. */
export async function changeEmployment(db: Kysely<Schema>, tenantId: string, actor: AuditActor, personId: string, employmentId: string, input: EmploymentInput): Promise<Employment> {
  return db.transaction().execute(async (trx) => {
    const employee = await requireEmployee(trx, tenantId, personId);
    const before = await requireEmployment(trx, tenantId, employee, employmentId);
    const values = await checkedEmployment(trx, tenantId, input, before.orgUnitId);
    const old: CheckedEmployment = {
      org_unit_id: before.orgUnitId,
      job_title: before.jobTitle,
      job_code: before.jobCode,
      percentage: before.percentage,
      start_date: before.startDate,
      end_date: before.endDate,
      leads_unit: before.leadsUnit,
    };
    const changed = (Object.keys(values) as (keyof CheckedEmployment)[]).filter((k) => (k === 'percentage' ? Number(values[k]) !== Number(old[k]) : values[k] !== old[k]));
    if (changed.length === 0) return before;
    const row = await trx
      .updateTable('employments')
      .set({ ...values, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', before.id)
      .returning(EMPLOYMENT_COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId, actor, action: 'org.employment.changed', subjectPersonId: personId, object: { kind: 'employment', id: before.id }, details: { fields: changed.map((k) => FIELD_NAMES[k]) } });
    return toEmployment(row);
  });
}

/** Ends an employment on `endDate`; it stays as history. An ended one is refused (change it instead). */
export async function endEmployment(db: Kysely<Schema>, tenantId: string, actor: AuditActor, personId: string, employmentId: string, endDate: string): Promise<Employment> {
  const date = parseDate(endDate, 'end-date');
  return db.transaction().execute(async (trx) => {
    const employee = await requireEmployee(trx, tenantId, personId);
    const before = await requireEmployment(trx, tenantId, employee, employmentId);
    if (before.endDate) throw new OrganisationError('employment-ended', 'end-date');
    if (date < before.startDate) throw new OrganisationError('end-before-start', 'end-date');
    const row = await trx
      .updateTable('employments')
      .set({ end_date: date, updated_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', before.id)
      .returning(EMPLOYMENT_COLUMNS)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId, actor, action: 'org.employment.ended', subjectPersonId: personId, object: { kind: 'employment', id: before.id }, details: { endDate: date } });
    return toEmployment(row);
  });
}
