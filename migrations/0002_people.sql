-- People: everyone the tool knows, each belonging to one tenant (their municipality or region).
-- How a person arrived (an LTI platform's issuer and subject, an API import) is recorded by the
-- capability that knows it, pointing here; the rest of the tool refers to people by id only.
create table people (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  -- Only what a launch gives and the purpose needs; all may be absent.
  name text,
  given_name text,
  family_name text,
  email text,
  locale text check (locale in ('nb', 'nn', 'en')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index people_tenant_idx on people (tenant_id);
create index people_tenant_email_idx on people (tenant_id, lower(email)) where email is not null;
