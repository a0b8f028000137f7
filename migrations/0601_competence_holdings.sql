-- Holdings: a person holds a competence (at a level) from a source, with its evidence and expiry.
-- Each holding is a record that is never changed: a renewal is a new holding (pointing to the one
-- it renews), a revocation is a record of its own. The database refuses updates and deletes, except
-- for moving a holding to another person row of the same human being (when a launcher is linked to
-- their HR record, their rows are merged).

create table competence_holdings (
  id uuid primary key default gen_random_uuid(),
  -- The person's tenant (their municipality).
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  competence_id uuid not null references competences (id),
  level smallint check (level between 1 and 9),
  source text not null check (source in ('path-completion', 'declared', 'registered', 'imported')),
  -- Calendar days in Europe/Oslo. Valid from achieved_on; expired from expires_on on (null: never).
  achieved_on date not null,
  expires_on date check (expires_on is null or expires_on > achieved_on),
  -- Evidence of a path completion: the completion record and the path version it was made for.
  path_completion_id uuid references path_completions (id),
  path_version_id uuid references path_versions (id),
  -- Evidence of a declaration (a self-assessment step's answer).
  declaration_id uuid references path_declared_competences (id),
  -- Evidence of a registered or imported holding: certificate or authorisation number, issuer …
  evidence jsonb not null default '{}'::jsonb,
  renews_id uuid references competence_holdings (id),
  recorded_by_kind text not null check (recorded_by_kind in ('person', 'operator', 'api-client', 'system')),
  recorded_by_id text,
  recorded_at timestamptz not null default now(),
  check ((source = 'path-completion') = (path_completion_id is not null)),
  check ((source = 'declared') = (declaration_id is not null))
);

-- A completion grants each competence once, a declaration is recorded once.
create unique index competence_holdings_completion_key on competence_holdings (path_completion_id, competence_id) where path_completion_id is not null;
create unique index competence_holdings_declaration_key on competence_holdings (declaration_id) where declaration_id is not null;
create index competence_holdings_person_idx on competence_holdings (person_id, competence_id, achieved_on desc);
create index competence_holdings_tenant_competence_idx on competence_holdings (tenant_id, competence_id, expires_on);

create table competence_holding_revocations (
  holding_id uuid primary key references competence_holdings (id),
  revoked_at timestamptz not null default now(),
  revoked_by_kind text not null check (revoked_by_kind in ('person', 'operator', 'api-client', 'system')),
  revoked_by_id text,
  reason text not null check (length(btrim(reason)) between 1 and 1000)
);

create function competence_holdings_unchanged() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and (to_jsonb(new) - 'person_id') = (to_jsonb(old) - 'person_id') then
    return new;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end;
$$;

create trigger competence_holdings_append_only before update or delete on competence_holdings
  for each row execute function competence_holdings_unchanged();
create trigger competence_holding_revocations_append_only before update or delete on competence_holding_revocations
  for each row execute function competence_holdings_unchanged();
