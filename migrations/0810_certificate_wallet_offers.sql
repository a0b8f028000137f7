-- Adding a certificate to a wallet (docs/certificates.md, "Legg i lommebok"): OpenID for Verifiable
-- Credential Issuance 1.0, pre-authorized code flow. Only hashes of the secrets are kept: the offer's
-- address, its pre-authorized code, the access token and the nonces a proof has used.

-- An offer made on the person's own page: one certificate, one person, short-lived, redeemed once.
create table certificate_wallet_offers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  certificate_id uuid not null references certificates (id),
  person_id uuid not null references people (id),
  -- SHA-256 (base64url) of the secret in credential_offer_uri and of the pre-authorized code.
  offer_hash text not null unique,
  code_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  -- When the code was exchanged for an access token (a code is used once).
  redeemed_at timestamptz,
  -- The holder's key (did:jwk) a credential was issued to, and when.
  issued_to text,
  issued_at timestamptz
);
create index certificate_wallet_offers_certificate_idx on certificate_wallet_offers (certificate_id);
create index certificate_wallet_offers_expiry_idx on certificate_wallet_offers (expires_at);

-- Access tokens from redeemed codes: bound to the offer (so to its certificate and person), short-lived.
create table certificate_wallet_tokens (
  token_hash text primary key,
  offer_id uuid not null references certificate_wallet_offers (id) on delete cascade,
  expires_at timestamptz not null
);

-- Nonces (c_nonce) are signed and carry their expiry, so the nonce endpoint writes nothing; a proof's
-- nonce is recorded here when a credential request uses it, so it is used once.
create table certificate_wallet_used_nonces (
  nonce_hash text primary key,
  expires_at timestamptz not null
);
create index certificate_wallet_used_nonces_expiry_idx on certificate_wallet_used_nonces (expires_at);
