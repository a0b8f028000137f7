-- Dynamic-registration invitations. The invitation URL carries a signed token naming one of these
-- rows; the row makes it single-use (used_at, set in the transaction that saves the platform) and
-- revocable by the operator. Invitations issued before this table existed name no row and are refused.
create table lti_registration_invites (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  used_at timestamptz,
  -- What the invitation registered, kept when the platform is removed later.
  used_by_issuer text,
  used_by_client_id text
);
create index lti_registration_invites_created_idx on lti_registration_invites (created_at);
