-- LTI 1.3: the tool's own keys, the platforms (LMSs) bound to tenants, the launch state, the people,
-- courses and links that launches bring, and the grade passback outbox.

-- The tool's RSA signing keys. Private keys are stored encrypted (AES-256-GCM); a rotated key stays
-- published in the JWKS until published_until so platforms holding it in cache keep verifying.
create table lti_tool_keys (
  kid text primary key,
  public_jwk jsonb not null,
  private_key_encrypted text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  published_until timestamptz
);

-- One registration of the tool in one LMS (issuer + client id), bound to a region or municipality.
create table lti_platforms (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  name text not null,
  issuer text not null,
  client_id text not null,
  auth_endpoint text not null,
  token_endpoint text not null,
  jwks_url text not null,
  created_at timestamptz not null default now(),
  unique (issuer, client_id)
);

create table lti_deployments (
  platform_id uuid not null references lti_platforms (id) on delete cascade,
  deployment_id text not null,
  primary key (platform_id, deployment_id)
);

-- The platform's public keys as last fetched: used while its JWKS URL is unreachable.
create table lti_platform_jwks (
  platform_id uuid primary key references lti_platforms (id) on delete cascade,
  jwks jsonb not null,
  fetched_at timestamptz not null
);

-- OIDC login initiations waiting for their authentication response. The browser proves it started
-- the login with a secret (cookie or LTI client-side storage) whose hash is kept here.
create table lti_oidc_states (
  state text primary key,
  platform_id uuid not null references lti_platforms (id) on delete cascade,
  nonce text not null,
  binding_hash text not null,
  storage_target text,
  login_params jsonb not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index lti_oidc_states_expires_idx on lti_oidc_states (expires_at);

-- Every id_token nonce seen, so a token is accepted once (LTI 1.3 security framework §5.1.3).
create table lti_nonces (
  platform_id uuid not null references lti_platforms (id) on delete cascade,
  nonce text not null,
  expires_at timestamptz not null,
  primary key (platform_id, nonce)
);
create index lti_nonces_expires_idx on lti_nonces (expires_at);

-- How a person arrived: the platform's subject, pointing at people.id.
create table lti_users (
  platform_id uuid not null references lti_platforms (id) on delete cascade,
  subject text not null,
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  primary key (platform_id, subject)
);
create index lti_users_person_idx on lti_users (person_id);

create table lti_contexts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  platform_id uuid not null references lti_platforms (id) on delete cascade,
  context_id text not null,
  title text,
  label text,
  memberships_url text,
  updated_at timestamptz not null default now(),
  unique (platform_id, context_id)
);

create table lti_resource_links (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  platform_id uuid not null references lti_platforms (id) on delete cascade,
  context_id uuid references lti_contexts (id) on delete set null,
  resource_link_id text not null,
  title text,
  custom jsonb not null default '{}',
  lineitem_url text,
  lineitems_url text,
  ags_scopes jsonb not null default '[]',
  updated_at timestamptz not null default now(),
  unique (platform_id, resource_link_id)
);

-- Grade passback outbox: a score is written here in the caller's transaction and delivered by a
-- worker with back-off. result_key makes a result count once however often it is reported.
create table lti_ags_outbox (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  resource_link_id uuid not null references lti_resource_links (id) on delete cascade,
  person_id uuid not null references people (id),
  result_key text not null unique,
  score jsonb not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now()
);
create index lti_ags_outbox_due_idx on lti_ags_outbox (next_attempt_at) where delivered_at is null;

-- Names and Role Provisioning: a course's members as last fetched.
create table lti_nrps_cache (
  context_id uuid primary key references lti_contexts (id) on delete cascade,
  tenant_id uuid not null references tenants (id),
  members jsonb not null,
  fetched_at timestamptz not null
);
