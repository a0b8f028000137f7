-- Requirements: a competence (at a minimum level) required for a job role, an org unit (and its
-- subtree) or both. Kept by a municipality, or by a region for all its member municipalities.
-- A requirement that no longer applies is ended, never deleted: gap reports for earlier dates and
-- the audit trail still name it.
create table competence_requirements (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  competence_id uuid not null references competences (id),
  -- The job role as HR names it (stillingstittel), compared case-insensitively; null: any role.
  job_title text check (job_title is null or length(btrim(job_title)) between 1 and 200),
  -- Only a municipality's own requirements name a unit; null: the whole municipality.
  org_unit_id uuid references org_units (id),
  min_level smallint check (min_level between 1 and 9),
  mandatory boolean not null,
  -- Months a holding counts for this requirement, instead of the competence's validity.
  validity_months integer check (validity_months between 1 and 600),
  -- A newcomer has this many days from the employment's start before the requirement counts.
  grace_days integer check (grace_days between 1 and 730),
  -- Whether a declared (self-assessed) holding meets it; otherwise declared is shown, not counted.
  accepts_declared boolean not null default false,
  -- Optional target: this share of the people it applies to meet it by the date.
  target_percent numeric(5, 2) check (target_percent > 0 and target_percent <= 100),
  target_date date,
  created_by_kind text not null check (created_by_kind in ('person', 'operator', 'api-client', 'system')),
  created_by_id text,
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  ended_by_id text,
  check (job_title is not null or org_unit_id is not null),
  check ((target_percent is null) = (target_date is null))
);

create index competence_requirements_tenant_idx on competence_requirements (tenant_id) where ended_at is null;
create index competence_requirements_competence_idx on competence_requirements (competence_id);
