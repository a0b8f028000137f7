-- A summary of where everyone stands against the requirements that apply to them, per municipality
-- and day, so that coverage roll-ups (the matrix, the municipality's and the region's coverage) are
-- one GROUP BY in the database instead of a computation over every holding (docs/competence.md,
-- "The status summary"). The rows are computed by the application with the same rules as a
-- person's own page (src/competence/status-summary.ts); this file only keeps them honest: any change
-- that could move a status marks the municipality's summary stale or a person's rows dirty, and a
-- summary is read only when it is for the day asked, not stale, and without dirty people.

-- One row per municipality with a summary: the day it is for, and whether something changed since.
create table competence_status_summaries (
  tenant_id uuid primary key references tenants (id),
  computed_on date,
  stale boolean not null default true,
  -- Set with stale by every change; cleared when a recomputation starts reading, so that one that
  -- saw a change commit meanwhile is not kept.
  changed boolean not null default true,
  -- When a page last wanted it: a summary nobody reads is not kept up.
  requested_at timestamptz not null default now(),
  refreshed_at timestamptz
);

-- One row per person × requirement × employment in force through which the requirement applies.
-- status is computed without a warning window (met, expired, missing, grace, declared-only);
-- 'expiring' is 'met' with valid_until within the window asked.
create table competence_status_rows (
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id) on delete cascade,
  requirement_id uuid not null references competence_requirements (id),
  competence_id uuid not null,
  org_unit_id uuid not null,
  unit_path uuid[] not null,
  job_title text not null,
  status text not null check (status in ('met', 'expired', 'missing', 'grace', 'declared-only')),
  valid_until date
);
create index competence_status_rows_tenant_idx on competence_status_rows (tenant_id, requirement_id);
create index competence_status_rows_person_idx on competence_status_rows (person_id);

-- The rows counted for the default view (a warning window of 90 days from the summary's day, no
-- other filter): per unit subtree and requirement, how many people have each status, and how many
-- people the subtree has (requirement_id '00000000-0000-0000-0000-000000000000'); unit_id
-- '00000000-0000-0000-0000-000000000000' is the whole municipality. Kept with the rows: recomputed
-- with them, and moved by a person's old and new rows when only theirs are recomputed.
create table competence_status_counts (
  tenant_id uuid not null references tenants (id),
  unit_id uuid not null,
  requirement_id uuid not null,
  met integer not null default 0,
  expiring integer not null default 0,
  expired integer not null default 0,
  missing integer not null default 0,
  grace integer not null default 0,
  declared_only integer not null default 0,
  people integer not null,
  primary key (tenant_id, unit_id, requirement_id)
);

-- People whose holdings changed since their rows were computed.
create table competence_status_dirty (
  tenant_id uuid not null,
  person_id uuid not null references people (id) on delete cascade,
  primary key (tenant_id, person_id)
);

-- A holding recorded, renewed or moved (a merge), or a revocation: that person's rows are dirty.
create function competence_status_person_changed() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'competence_holdings' then
    if tg_op <> 'DELETE' then
      insert into competence_status_dirty (tenant_id, person_id) values (new.tenant_id, new.person_id) on conflict do nothing;
    end if;
    if tg_op <> 'INSERT' then
      insert into competence_status_dirty (tenant_id, person_id)
        select old.tenant_id, old.person_id where exists (select 1 from people where id = old.person_id) on conflict do nothing;
    end if;
  else
    insert into competence_status_dirty (tenant_id, person_id)
      select h.tenant_id, h.person_id from competence_holdings h where h.id = coalesce(new.holding_id, old.holding_id)
      on conflict do nothing;
  end if;
  return null;
end $$;

create trigger competence_holdings_status after insert or update or delete on competence_holdings
  for each row execute function competence_status_person_changed();
create trigger competence_holding_revocations_status after insert or update or delete on competence_holding_revocations
  for each row execute function competence_status_person_changed();

-- Requirements, employments, employees, units and region membership change who a requirement
-- applies to, or how: the municipality's summary (and, for a region's requirement, every member's)
-- is stale until recomputed. The update is skipped when it is marked already, so a large HR import
-- touches the row once.
create function competence_status_tenant_changed() returns trigger language plpgsql as $$
declare
  changed_tenant uuid;
begin
  if tg_table_name = 'region_municipalities' then
    changed_tenant := coalesce(new.municipality_id, old.municipality_id);
  else
    changed_tenant := coalesce(new.tenant_id, old.tenant_id);
  end if;
  update competence_status_summaries set stale = true, changed = true
   where not (stale and changed)
     and (tenant_id = changed_tenant or tenant_id in (select municipality_id from region_municipalities where region_id = changed_tenant));
  return null;
end $$;

create trigger competence_requirements_status after insert or update or delete on competence_requirements
  for each row execute function competence_status_tenant_changed();
create trigger employments_status after insert or update or delete on employments
  for each row execute function competence_status_tenant_changed();
create trigger employees_status after insert or update or delete on employees
  for each row execute function competence_status_tenant_changed();
create trigger org_units_status after insert or update or delete on org_units
  for each row execute function competence_status_tenant_changed();
create trigger region_municipalities_status after insert or update or delete on region_municipalities
  for each row execute function competence_status_tenant_changed();
