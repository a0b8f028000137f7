-- The Learning Record Store (xAPI 1.0.3). Clients are bound to a tenant; statements are immutable
-- once stored; documents and attachments are keyed so that each is stored once.

create table xapi_clients (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  name text not null check (length(btrim(name)) > 0),
  -- The HTTP Basic user name; the secret is stored only as an scrypt hash ("scrypt$N$r$p$salt$hash").
  key text not null unique,
  secret_hash text not null,
  scopes text[] not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create index xapi_clients_tenant_idx on xapi_clients (tenant_id);

create table xapi_statements (
  -- Insertion order: the order `stored` is handed out in, and the cursor `more` links page by.
  seq bigserial primary key,
  statement_id uuid not null unique,
  -- The tenant and client that wrote it; the client is the statement's authority.
  tenant_id uuid not null references tenants (id),
  client_id uuid not null references xapi_clients (id),
  -- The statement as received, plus the LRS-set id (when absent), timestamp, stored, authority, version.
  statement jsonb not null,
  stored timestamptz not null,
  voided boolean not null default false,
  -- Extracted for the filters of xAPI 1.0.3 §2.1.3 ("key" = one string per inverse functional identifier).
  actor_key text,
  verb_id text not null,
  object_activity_id text,
  object_agent_key text,
  -- Set for a StatementRef object; for a voiding statement, the statement it voids.
  object_statement_ref uuid,
  is_voiding boolean not null default false,
  registration uuid,
  -- Every agent / activity anywhere in the statement (for related_agents / related_activities).
  related_agent_keys text[] not null,
  related_activity_ids text[] not null,
  attachment_hashes text[] not null default '{}'
);

create index xapi_statements_stored_idx on xapi_statements (stored);
create index xapi_statements_actor_idx on xapi_statements (actor_key, seq);
create index xapi_statements_verb_idx on xapi_statements (verb_id, seq);
create index xapi_statements_actor_verb_idx on xapi_statements (actor_key, verb_id, seq);
create index xapi_statements_activity_idx on xapi_statements (object_activity_id, seq);
create index xapi_statements_object_agent_idx on xapi_statements (object_agent_key, seq) where object_agent_key is not null;
create index xapi_statements_registration_idx on xapi_statements (registration, seq) where registration is not null;
create index xapi_statements_ref_idx on xapi_statements (object_statement_ref) where object_statement_ref is not null;
create index xapi_statements_client_idx on xapi_statements (client_id, seq);
-- related_agents / related_activities are where LRSs get slow: GIN over the arrays.
create index xapi_statements_related_agents_idx on xapi_statements using gin (related_agent_keys);
create index xapi_statements_related_activities_idx on xapi_statements using gin (related_activity_ids);

-- Attachment contents, by SHA-256, stored once however many statements carry them.
create table xapi_attachments (
  sha2 text primary key check (sha2 ~ '^[0-9a-f]{64,128}$'),
  content_type text not null,
  content bytea not null,
  created_at timestamptz not null default now()
);

-- State, Activity Profile and Agent Profile documents (xAPI 1.0.3 §2.3–2.6), per tenant.
create table xapi_documents (
  id bigserial primary key,
  tenant_id uuid not null references tenants (id),
  kind text not null check (kind in ('state', 'activity-profile', 'agent-profile')),
  -- '' where the kind has no such part, so that the unique key below holds without nulls.
  activity_id text not null default '',
  agent_key text not null default '',
  registration text not null default '',
  document_id text not null,
  content_type text not null,
  content bytea not null,
  -- The SHA-1 of the content in hex, sent quoted as the ETag.
  sha1 text not null,
  updated timestamptz not null,
  unique (tenant_id, kind, activity_id, agent_key, registration, document_id)
);

-- Activity definitions as last written by the tenant's statements (the Activities resource).
create table xapi_activities (
  tenant_id uuid not null references tenants (id),
  activity_id text not null,
  definition jsonb not null,
  primary key (tenant_id, activity_id)
);
