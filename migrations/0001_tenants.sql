-- Tenants: the regions and municipalities whose data the tool keeps apart. Every table that holds
-- tenant data carries a tenant_id referencing this table.
create table tenants (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('region', 'municipality')),
  -- Statistics Norway's official four-digit municipality number; only municipalities have one.
  kommunenummer char(4) unique check (kommunenummer ~ '^[0-9]{4}$'),
  name text not null check (length(btrim(name)) > 0),
  county_number char(2) check (county_number ~ '^[0-9]{2}$'),
  county_name text,
  -- Set when a municipality disappears from the classification (merged or split); its data stays.
  retired_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'municipality') = (kommunenummer is not null))
);

create unique index tenants_region_name_key on tenants (lower(name)) where kind = 'region';

-- A region is a group of municipalities that share content and plans (e.g. a kommuneregion).
create table region_municipalities (
  region_id uuid not null references tenants (id) on delete cascade,
  municipality_id uuid not null references tenants (id) on delete cascade,
  primary key (region_id, municipality_id)
);

create index region_municipalities_municipality_idx on region_municipalities (municipality_id);
