-- Units a municipality's administrator has given a person to manage, besides the units HR says they
-- lead (employments.leads_unit). A grant covers the unit and its whole subtree. History is kept: a
-- revoked grant gets revoked_at/revoked_by and is never deleted.
create table manager_grants (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  org_unit_id uuid not null,
  -- The administrator who granted (their person id); null when the operator granted from the CLI.
  granted_by uuid references people (id),
  granted_at timestamptz not null default now(),
  revoked_at timestamptz,
  -- Null while active, and when the operator revoked.
  revoked_by uuid references people (id),
  -- The unit is one of the grant's own municipality.
  foreign key (tenant_id, org_unit_id) references org_units (tenant_id, id)
);

-- One active grant per person and unit; revoked ones stay as history.
create unique index manager_grants_active_idx on manager_grants (tenant_id, person_id, org_unit_id) where revoked_at is null;
create index manager_grants_unit_idx on manager_grants (org_unit_id);

-- A manager's scope starts from the units they lead: found from their employee row.
create index employments_leads_idx on employments (employee_id) where leads_unit;
