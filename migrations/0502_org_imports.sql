-- HR imports: every file a municipality's administrator or the operator previewed or applied. The
-- uploaded bytes are kept here for a limited time so that applying uses exactly the bytes that
-- were previewed (sha256 checked); they are removed when the import is applied or expires.
create table org_imports (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  actor_kind text not null check (actor_kind in ('person', 'operator')),
  actor_id text,
  file_name text not null check (length(file_name) between 1 and 255),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  byte_count integer not null check (byte_count >= 0),
  status text not null check (status in ('previewed', 'applied')),
  -- The day employments of people who disappear end on.
  import_date date not null,
  -- Counts only (added, changed, ended, disappeared, bad rows): never names.
  counts jsonb not null,
  -- sha256 of the planned changes at preview; applying recomputes it and refuses when it differs.
  plan_digest text not null,
  file bytea,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  applied_at timestamptz,
  check ((status = 'applied') = (applied_at is not null))
);

create index org_imports_tenant_created_idx on org_imports (tenant_id, created_at desc);
