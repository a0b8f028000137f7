-- Evidence files of registered holdings (a scanned certificate or authorisation: PDF, PNG or JPEG).
-- The bytes are kept under DATA_DIR (outside the web root) by the file's random id; this row says
-- which holding the file documents and what its bytes were sniffed to be. Like the holdings, a file
-- record is never changed or deleted (a new registration with a new file renews the holding).
create table competence_holding_files (
  -- Random (gen_random_uuid): the name the bytes are stored under, never guessable from the holding.
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  holding_id uuid not null references competence_holdings (id),
  -- Sniffed from the bytes, never taken from the file's name or the browser's declared type.
  media_type text not null check (media_type in ('application/pdf', 'image/png', 'image/jpeg')),
  size_bytes integer not null check (size_bytes between 1 and 10485760),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  stored_at timestamptz not null default now()
);

create unique index if not exists competence_holding_files_holding_key on competence_holding_files (holding_id);
create index if not exists competence_holding_files_tenant_idx on competence_holding_files (tenant_id);

create trigger competence_holding_files_append_only before update or delete on competence_holding_files
  for each row execute function competence_holdings_unchanged();
