-- Personal-data rights (docs/privacy.md): a person erased on request or by the retention job keeps
-- their id (completions, aggregates and the audit log still count them) but loses everything that
-- names them; the pseudonym ("Slettet person 7F3K") is what pages show in their place.
alter table people add column erased_at timestamptz;
alter table people add column pseudonym text check (pseudonym ~ '^[0-9A-Z]{4,8}$');
alter table people add check ((erased_at is null) = (pseudonym is null));
create unique index people_tenant_pseudonym_idx on people (tenant_id, pseudonym) where pseudonym is not null;

-- The paths a municipality keeps proof of after erasure (mandatory training: fire safety, HMS,
-- information security …), and for how long after the completion.
create table privacy_kept_paths (
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  keep_years smallint not null check (keep_years between 1 and 50),
  marked_at timestamptz not null default now(),
  primary key (tenant_id, path_id)
);

-- What an erasure kept as proof of mandatory training: who (name and employee number as they were)
-- completed which kept path when, until keep_until; the retention job removes a proof after that.
create table privacy_kept_proofs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  -- The erased (now pseudonymous) person; the completion record stays theirs.
  person_id uuid not null references people (id),
  completion_id uuid not null unique references path_completions (id),
  path_id uuid not null references paths (id),
  path_title text not null,
  completed_at timestamptz not null,
  name text,
  employee_number text,
  kept_at timestamptz not null default now(),
  keep_until date not null
);

create index privacy_kept_proofs_tenant_idx on privacy_kept_proofs (tenant_id, keep_until);
create index privacy_kept_proofs_person_idx on privacy_kept_proofs (person_id);

-- xAPI 1.0.3 keeps statements immutable; the one rewrite allowed is the erasure of an actor
-- (docs/privacy.md): inside a transaction that set laeringslop.erasing, an actor's name and
-- e-mail may be replaced by the person's pseudonymous account. Id, stored, client, tenant and
-- everything else of the statement stay as they were.
create or replace function xapi_statements_immutable() returns trigger language plpgsql as $$
begin
  if coalesce(current_setting('laeringslop.erasing', true), '') = 'on'
     and new.statement - 'actor' = old.statement - 'actor'
     and new.statement_id = old.statement_id and new.stored = old.stored
     and new.client_id = old.client_id and new.tenant_id = old.tenant_id
     and new.voided = old.voided then
    return new;
  end if;
  if new.statement is distinct from old.statement
     or new.statement_id is distinct from old.statement_id
     or new.stored is distinct from old.stored
     or new.client_id is distinct from old.client_id
     or new.tenant_id is distinct from old.tenant_id
     or (old.voided and not new.voided) then
    raise exception 'xAPI statements are immutable once stored (statement %)', old.statement_id
      using errcode = 'integrity_constraint_violation';
  end if;
  return new;
end
$$;
