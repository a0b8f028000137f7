-- The competence catalogue: areas and the competences in them, kept by a region (shared by its
-- member municipalities) or by a municipality (its own additions). Paths name the competences they
-- grant by code (path grants and self-assessment statements store the code as text), so a code is
-- unique among what one municipality can see: its own and its regions' (checked by the catalogue
-- capability, since it spans tenants).

create table competence_areas (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  code text not null check (length(btrim(code)) between 1 and 64),
  name_nb text not null check (length(btrim(name_nb)) between 1 and 200),
  name_nn text,
  name_en text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, code),
  unique (tenant_id, id)
);

create unique index competence_areas_tenant_name_key on competence_areas (tenant_id, lower(name_nb));

create table competences (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  area_id uuid not null,
  code text not null check (length(btrim(code)) between 1 and 100),
  name_nb text not null check (length(btrim(name_nb)) between 1 and 200),
  name_nn text,
  name_en text,
  description_nb text,
  description_nn text,
  description_en text,
  kind text not null check (kind in ('education', 'authorisation', 'course', 'experience')),
  -- Months a holding stays valid when nothing overrides it; null: does not expire.
  default_validity_months integer check (default_validity_months between 1 and 600),
  -- Where the competence comes from (a plan, a regulation), as the catalogue's keeper wrote it.
  source text,
  -- A retired competence stays for the holdings and requirements that name it, but is not offered.
  retired_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  foreign key (tenant_id, area_id) references competence_areas (tenant_id, id)
);

create unique index competences_tenant_code_key on competences (tenant_id, lower(code));
create index competences_area_idx on competences (area_id);

-- Optional levels (e.g. 1–4) with what each level means.
create table competence_levels (
  competence_id uuid not null references competences (id) on delete cascade,
  level smallint not null check (level between 1 and 9),
  description_nb text not null check (length(btrim(description_nb)) between 1 and 1000),
  description_nn text,
  description_en text,
  primary key (competence_id, level)
);
