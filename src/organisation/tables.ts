import type { ColumnType, Generated } from 'kysely';

export interface OrgUnitsTable {
  id: Generated<string>;
  tenant_id: string;
  parent_id: string | null;
  code: string;
  name: string;
  /** Ids from the root down to this unit, itself included. */
  path: string[];
  ended_on: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface EmployeesTable {
  id: Generated<string>;
  tenant_id: string;
  person_id: string;
  employee_number: string;
  sourced_id: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface EmploymentsTable {
  id: Generated<string>;
  tenant_id: string;
  employee_id: string;
  org_unit_id: string;
  job_title: string;
  job_code: string | null;
  /** numeric(5,2): read as a string ('50.50'), written as a number or string. */
  percentage: ColumnType<string, number | string, number | string>;
  /** Dates as 'YYYY-MM-DD'. */
  start_date: ColumnType<string, string, string>;
  end_date: ColumnType<string | null, string | null | undefined, string | null>;
  leads_unit: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface OrganisationTables {
  org_units: OrgUnitsTable;
  employees: EmployeesTable;
  employments: EmploymentsTable;
}
