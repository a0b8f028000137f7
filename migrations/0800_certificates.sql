-- Certificates (docs/certificates.md): a kursbevis for a path completion or for a registered
-- holding, verifiable by its code by anyone, and the same achievement as an Open Badges 3.0
-- credential signed with a key of its own (published in the tool's JWKS).
--
-- A certificate is issued once and never changed: its status (valid, revoked, expired) is read from
-- the holdings it attests when it is verified, so revoking a holding revokes its certificates at once.

create table certificate_keys (
  kid text primary key,
  public_jwk jsonb not null,
  -- PKCS#8 PEM sealed with SecretBox (purpose 'certificate-key').
  private_key_encrypted text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  -- A retired key stays published (and verifies) until then; after that, credentials it signed are refused.
  published_until timestamptz
);

-- The next free index of each issuing municipality's Bitstring Status List.
create table certificate_status_lists (
  tenant_id uuid primary key references tenants (id),
  next_index integer not null default 0
);

create table certificates (
  id uuid primary key default gen_random_uuid(),
  -- The issuing municipality: the person's tenant.
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  kind text not null check (kind in ('path-completion', 'holding')),
  path_completion_id uuid unique references path_completions (id),
  holding_id uuid unique references competence_holdings (id),
  -- 20 characters of Crockford base32: 100 random bits.
  code text not null unique check (code ~ '^[0-9A-HJKMNP-TV-Z]{20}$'),
  status_index integer not null check (status_index >= 0),
  -- What the certificate attests as issued (path, version, steps, competences with expiry, issuer): no personal data.
  attests jsonb not null,
  -- Salt of the hashed identifier in the credential's subject (never the identifier itself).
  subject_salt text not null,
  issued_at timestamptz not null default now(),
  unique (tenant_id, status_index),
  check ((kind = 'path-completion') = (path_completion_id is not null)),
  check ((kind = 'holding') = (holding_id is not null))
);
create index certificates_person_idx on certificates (person_id, issued_at desc);

-- The municipality's signatory on its certificates (a title such as "Kommunedirektør"), with its look.
alter table tenant_themes add column certificate_signatory text check (length(certificate_signatory) <= 200);
