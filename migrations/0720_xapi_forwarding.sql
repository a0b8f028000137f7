-- Forwarding a tenant's statements to the municipality's own LRS (docs/xapi.md, "Forwarding").
--
-- The queue is the tenant's statements themselves, walked in commit order by a cursor per tenant:
-- nothing is copied at write time. xid is the writing transaction's id, as on path_events (0400):
-- the forwarder reads only statements whose transaction is older than every running one, so a
-- statement committed late by a slow transaction is never skipped by a cursor already past its seq.
-- Rows stored before this migration read 0 (a constant default changes no row); the default then
-- becomes the writing transaction's id for every new row.
alter table xapi_statements add column xid bigint not null default 0;
alter table xapi_statements alter column xid set default (pg_current_xact_id()::text::bigint);
create index xapi_statements_tenant_xid_idx on xapi_statements (tenant_id, xid, seq);

create table xapi_forwarding_targets (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  -- The target LRS's base address, ending in '/', e.g. https://lrs.kommune.no/xapi/ (no user info).
  endpoint text not null check (endpoint ~ '^https?://[^@/]+/(.*/)?$'),
  -- {"key":…,"secret":…} sealed with SecretBox (purpose 'xapi-forwarding'): never stored or shown in clear.
  credentials_sealed text not null,
  -- 'all' statements, or 'completions' only (src/xapi/forwarding/filter.ts lists the verbs).
  filter text not null check (filter in ('all', 'completions')),
  -- The last statement handed over (or passed over by the filter), in (xid, seq) order.
  last_xid bigint not null,
  last_seq bigint not null,
  -- One instance of the tool forwards a tenant at a time.
  lease_owner text,
  leased_until timestamptz,
  -- Retrying after a 5xx, a timeout or a network error: how often in a row, when next, and why.
  attempts integer not null default 0,
  retry_at timestamptz,
  last_error text,
  -- Stopped by a refusal about the target itself (401, 403, 404…): nothing is sent until re-driven.
  paused_reason text,
  paused_at timestamptz,
  delivered bigint not null default 0,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Statements the target refused (400, 413, 422): set aside with the target's reason so that the rest
-- go on; re-driving sends them again. Erasing a statement's row (privacy) takes its entry with it.
create table xapi_forwarding_parked (
  tenant_id uuid not null references xapi_forwarding_targets (tenant_id) on delete cascade,
  seq bigint not null references xapi_statements (seq) on delete cascade,
  statement_id uuid not null,
  reason text not null,
  parked_at timestamptz not null default now(),
  -- Set by a re-drive: the forwarder sends it again ahead of new statements.
  redrive boolean not null default false,
  primary key (tenant_id, seq)
);

create index xapi_forwarding_parked_redrive_idx on xapi_forwarding_parked (tenant_id, seq) where redrive;
-- For the foreign key: a statement row going away finds its entry without a scan.
create index xapi_forwarding_parked_seq_idx on xapi_forwarding_parked (seq);
