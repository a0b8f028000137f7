-- The municipal organisation: org units (a tree of any depth per municipality), the employees HR
-- knows, and their employments. HR owns these rows (through imports and the admin pages); history
-- is kept: an ended unit or employment gets an end date and is never deleted.

create table org_units (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  -- null for the municipality's top units.
  parent_id uuid references org_units (id),
  code text not null check (length(btrim(code)) between 1 and 64),
  name text not null check (length(btrim(name)) between 1 and 300),
  -- The ids from the root down to this unit, itself included: the subtree of U is every unit whose
  -- path starts with U's path. Kept by the organisation capability when units are added or moved.
  path uuid[] not null,
  ended_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, code),
  unique (tenant_id, id)
);

create index org_units_parent_idx on org_units (parent_id);
create index org_units_path_idx on org_units using gin (path);
create index org_units_tenant_name_idx on org_units (tenant_id, lower(name));

-- A person as HR knows them: one per municipality and employee number. Every employee is a person
-- of the tool (people row, created at import when they have not launched yet) so that competence and
-- completions are kept per person whether or not they ever launched.
create table employees (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  person_id uuid not null unique references people (id),
  employee_number text not null check (length(btrim(employee_number)) between 1 and 64),
  -- HR's identifier for the person in LIS terms (person_sourcedid), when the HR export has one.
  sourced_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, employee_number)
);

create index employees_tenant_sourced_idx on employees (tenant_id, sourced_id) where sourced_id is not null;

create table employments (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  employee_id uuid not null references employees (id),
  org_unit_id uuid not null,
  job_title text not null check (length(btrim(job_title)) between 1 and 200),
  job_code text,
  -- stillingsprosent, e.g. 50.5
  percentage numeric(5, 2) not null check (percentage > 0 and percentage <= 100),
  start_date date not null,
  end_date date,
  leads_unit boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_date is null or end_date >= start_date),
  -- An employment is in a unit of its own municipality.
  foreign key (tenant_id, org_unit_id) references org_units (tenant_id, id)
);

create index employments_employee_idx on employments (employee_id);
create index employments_unit_idx on employments (org_unit_id) include (employee_id, end_date);
create index employments_tenant_job_idx on employments (tenant_id, lower(job_title));
