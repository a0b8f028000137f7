-- Learning paths (læringsløp): a path has one editable draft and published versions that never
-- change. Steps live in a version's definition (jsonb, validated by src/paths/definition.ts); a
-- step keeps its id from version to version so progress survives a move to a newer version.
create table paths (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  title text not null check (length(btrim(title)) > 0),
  description text not null default '',
  language text not null check (language in ('nb', 'nn', 'en')),
  sharing text not null default 'tenant' check (sharing in ('tenant', 'region', 'everyone')),
  created_by uuid not null references people (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index paths_tenant_idx on paths (tenant_id);
create index paths_sharing_idx on paths (sharing) where sharing <> 'tenant';

create table path_versions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  status text not null check (status in ('draft', 'published')),
  -- 1, 2, 3… for published versions; null for the draft.
  number integer check ((status = 'published') = (number is not null)),
  definition jsonb not null,
  published_at timestamptz,
  published_by uuid references people (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (path_id, number)
);

create unique index path_versions_one_draft on path_versions (path_id) where status = 'draft';

-- A published version is a record learners and completions point at: the database refuses to
-- change or delete it, whatever the code above tries.
create function path_versions_published_immutable() returns trigger language plpgsql as $$
begin
  if old.status = 'published' then
    raise exception 'published path version % cannot be changed', old.id using errcode = 'P0001';
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  return new;
end
$$;

create trigger path_versions_published_immutable
  before update or delete on path_versions
  for each row execute function path_versions_published_immutable();

-- One enrolment per person and path. tenant_id is the learner's tenant; the path may be owned by
-- another tenant that shares it.
create table path_enrolments (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  version_id uuid not null references path_versions (id),
  person_id uuid not null references people (id),
  status text not null default 'in_progress' check (status in ('in_progress', 'completed')),
  started_at timestamptz not null default now(),
  due_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (path_id, person_id)
);

create index path_enrolments_tenant_person_idx on path_enrolments (tenant_id, person_id);
create index path_enrolments_version_idx on path_enrolments (version_id, status);

create table path_step_progress (
  enrolment_id uuid not null references path_enrolments (id),
  step_id uuid not null,
  tenant_id uuid not null references tenants (id),
  status text not null check (status in ('in_progress', 'completed')),
  -- Scaled 0..1, the best score delivered for the step (SCORM cmi.score.scaled).
  score double precision check (score between 0 and 1),
  data jsonb not null default '{}',
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (enrolment_id, step_id)
);

-- Every outcome the engine accepted, by its idempotency key: a second delivery with the same key
-- is recognised and changes nothing.
create table path_outcome_receipts (
  enrolment_id uuid not null references path_enrolments (id),
  idempotency_key text not null check (length(idempotency_key) between 1 and 200),
  tenant_id uuid not null references tenants (id),
  step_id uuid not null,
  received_at timestamptz not null default now(),
  primary key (enrolment_id, idempotency_key)
);

-- The completion record: documentation of competence, written once and never changed.
create table path_completions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  enrolment_id uuid not null unique references path_enrolments (id),
  person_id uuid not null references people (id),
  path_id uuid not null references paths (id),
  version_id uuid not null references path_versions (id),
  completed_at timestamptz not null,
  -- 0..100 by the version's score rule; null when the rule gives no score.
  score double precision check (score between 0 and 100),
  evidence jsonb not null
);

create index path_completions_tenant_person_idx on path_completions (tenant_id, person_id);

create function path_completions_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'path completion records cannot be changed or deleted' using errcode = 'P0001';
end
$$;

create trigger path_completions_immutable
  before update or delete on path_completions
  for each row execute function path_completions_immutable();

-- Physical sessions: one seat counter row per (path, step) is the lock that keeps sign-ups within
-- capacity when many learners sign up at once.
create table path_session_seats (
  path_id uuid not null references paths (id),
  step_id uuid not null,
  tenant_id uuid not null references tenants (id),
  primary key (path_id, step_id)
);

create table path_session_signups (
  path_id uuid not null references paths (id),
  step_id uuid not null,
  enrolment_id uuid not null references path_enrolments (id),
  tenant_id uuid not null references tenants (id),
  signed_up_at timestamptz not null default now(),
  primary key (path_id, step_id, enrolment_id)
);

create index path_session_signups_enrolment_idx on path_session_signups (enrolment_id);

-- Self-assessment results: the person's declared competence (realkompetanse), one row per
-- competence per submission; the competence capability reads the newest.
create table path_declared_competences (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  competence text not null,
  level smallint not null check (level between 1 and 4),
  path_id uuid not null references paths (id),
  version_id uuid not null references path_versions (id),
  step_id uuid not null,
  declared_at timestamptz not null default now()
);

create index path_declared_competences_person_idx on path_declared_competences (tenant_id, person_id, competence);

-- Evaluations are anonymous: who answered is kept apart from what was answered, and the answers
-- carry neither person, enrolment nor a time finer than the day.
create table path_evaluation_respondents (
  path_id uuid not null references paths (id),
  step_id uuid not null,
  person_id uuid not null references people (id),
  tenant_id uuid not null references tenants (id),
  primary key (path_id, step_id, person_id)
);

create table path_evaluation_answers (
  id uuid primary key default gen_random_uuid(),
  -- The owner of the path: evaluations are reported to its designers.
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  version_id uuid not null references path_versions (id),
  step_id uuid not null,
  answers jsonb not null,
  answered_on date not null default current_date
);

create index path_evaluation_answers_step_idx on path_evaluation_answers (path_id, step_id);

-- Transactional outbox of path events. xid is the writing transaction's id: the dispatcher reads
-- only events whose transaction is older than every running one, so an event committed late by a
-- slow transaction is never skipped by a cursor that already moved past its id.
create table path_events (
  id bigint generated always as identity primary key,
  xid bigint not null default (pg_current_xact_id()::text::bigint),
  tenant_id uuid not null references tenants (id),
  type text not null check (type in ('path-started', 'step-completed', 'path-completed')),
  enrolment_id uuid not null references path_enrolments (id),
  person_id uuid not null references people (id),
  path_id uuid not null references paths (id),
  version_id uuid not null references path_versions (id),
  step_id uuid,
  payload jsonb not null default '{}',
  created_at timestamptz not null default now()
);

create index path_events_order_idx on path_events (xid, id);

-- One cursor per subscriber; a lease keeps two instances of the tool from delivering the same
-- subscriber's events at once.
create table path_event_cursors (
  subscriber text primary key,
  last_xid bigint not null default 0,
  last_id bigint not null default 0,
  lease_owner text,
  leased_until timestamptz,
  updated_at timestamptz not null default now()
);
