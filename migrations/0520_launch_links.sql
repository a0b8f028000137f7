-- Launchers linked to the employees HR knows, and a region's shared LMS mapped to its municipalities.
--
-- A link is no table of its own: the launcher's LTI account (lti_users) then points at the
-- employee's person, and the audit log keeps when and by which method it was made (person.linked).

-- A municipality's e-mail domains: a launch through a region's platform that names no municipality
-- (custom parameter kommunenummer) is placed by the domain of the launcher's address. One domain
-- belongs to one municipality; stored in lower case, without '@'.
create table municipality_email_domains (
  domain text primary key check (
    length(domain) <= 253 and domain = lower(domain)
    and domain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'
  ),
  tenant_id uuid not null references tenants (id),
  created_at timestamptz not null default now()
);

create index municipality_email_domains_tenant_idx on municipality_email_domains (tenant_id, domain);

-- Platforms (by issuer: a person is the issuer and subject) whose custom parameter `ansattnummer`
-- an operator has confirmed the platform substitutes itself (Moodle: ansattnummer=$User.idnumber in
-- the tool's settings). Elsewhere the parameter is ignored: a course's teacher writes custom
-- parameters, and they reach everyone who launches the link.
create table employee_number_trusted_issuers (
  issuer text primary key,
  trusted_at timestamptz not null default now()
);

-- Launchers whose link could not be decided (two employees with one address, an ansattnummer that
-- names nobody, an employee already linked to another account …): listed for the municipality's
-- administrator, never guessed. One row per account, the latest reason; removed when the account
-- is linked. No names or addresses: the page joins them in when it is read.
create table person_link_conflicts (
  tenant_id uuid not null references tenants (id),
  issuer text not null,
  subject text not null,
  -- The launcher's own person.
  person_id uuid not null references people (id),
  reason text not null check (reason in (
    'email-ambiguous', 'sourcedid-ambiguous', 'employee-number-unknown', 'employee-number-disagrees', 'employee-linked-elsewhere'
  )),
  method text not null check (method in ('employee-number', 'sourcedid', 'email')),
  -- The employees the launch named (none for an unknown employee number).
  employee_ids uuid[] not null default '{}',
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  launches integer not null default 1,
  primary key (tenant_id, issuer, subject)
);

create index person_link_conflicts_tenant_idx on person_link_conflicts (tenant_id, last_seen_at desc);
create index person_link_conflicts_person_idx on person_link_conflicts (person_id);

-- Moving a launcher's activity to the employee's person (src/people/merge-people.ts) changes who a
-- completion record and a published version's publisher are, and nothing else of them. The records
-- stay immutable otherwise; the move is allowed only inside a transaction that says so
-- (set_config('laeringslop.moving_person', 'on', true)).
create or replace function path_completions_immutable() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and current_setting('laeringslop.moving_person', true) = 'on'
     and (to_jsonb(new) - 'person_id') = (to_jsonb(old) - 'person_id') then
    return new;
  end if;
  raise exception 'path completion records cannot be changed or deleted' using errcode = 'P0001';
end
$$;

create or replace function path_versions_published_immutable() returns trigger language plpgsql as $$
begin
  if old.status = 'published' then
    if tg_op = 'UPDATE' and current_setting('laeringslop.moving_person', true) = 'on'
       and (to_jsonb(new) - 'published_by') = (to_jsonb(old) - 'published_by') then
      return new;
    end if;
    raise exception 'published path version % cannot be changed', old.id using errcode = 'P0001';
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  return new;
end
$$;

-- What the move looks up by person or enrolment, so a link at launch reads indexes, not tables.
create index path_evaluation_respondents_person_idx on path_evaluation_respondents (person_id);
create index lti_ags_outbox_person_idx on lti_ags_outbox (person_id);
create index paths_created_by_idx on paths (created_by);
create index path_versions_published_by_idx on path_versions (published_by) where published_by is not null;
