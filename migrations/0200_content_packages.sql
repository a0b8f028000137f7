-- Imported content packages (SCORM 1.2 / 2004). Files live in the content store, addressed by the
-- SHA-256 of their bytes; these rows say which package holds which file under which path.
create table content_packages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  title text not null,
  standard text not null check (standard in ('scorm12', 'scorm2004')),
  edition text not null,
  -- The parsed manifest (organizations, items, resources) as the player and runtime need it.
  manifest jsonb not null,
  -- The original zip, kept for export.
  zip_sha256 text not null,
  zip_size bigint not null,
  original_name text,
  created_at timestamptz not null default now()
);

create index content_packages_tenant_idx on content_packages (tenant_id, created_at desc);

create table content_package_files (
  package_id uuid not null references content_packages (id) on delete cascade,
  path text not null,
  sha256 text not null,
  size bigint not null,
  primary key (package_id, path)
);

create index content_package_files_sha_idx on content_package_files (sha256);
