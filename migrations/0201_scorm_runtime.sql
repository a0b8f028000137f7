-- SCORM runtime tracking: one attempt per person and package launch; one state row per SCO of the
-- attempt holding the CMI the content wrote, and every commit kept for support.
create table scorm_attempts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  package_id uuid not null references content_packages (id),
  created_at timestamptz not null default now()
);

create index scorm_attempts_person_idx on scorm_attempts (tenant_id, person_id, package_id);

create table scorm_sco_states (
  attempt_id uuid not null references scorm_attempts (id) on delete cascade,
  sco_id text not null,
  tenant_id uuid not null references tenants (id),
  -- Writable CMI elements as a flat map ("cmi.core.lesson_status" -> "passed").
  cmi jsonb not null default '{}',
  -- Each player launch opens a new session; commits from an older session are refused.
  session integer not null default 0,
  last_seq bigint not null default 0,
  -- Seconds of sessions already closed, plus the latest session_time of the open session.
  closed_sessions_seconds double precision not null default 0,
  open_session_seconds double precision not null default 0,
  terminated boolean not null default false,
  launches integer not null default 0,
  commit_count integer not null default 0,
  completion_status text not null default 'not attempted',
  success_status text not null default 'unknown',
  lesson_status text,
  score_raw double precision,
  score_min double precision,
  score_max double precision,
  score_scaled double precision,
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (attempt_id, sco_id)
);

create table scorm_commits (
  id bigserial primary key,
  tenant_id uuid not null references tenants (id),
  attempt_id uuid not null references scorm_attempts (id) on delete cascade,
  sco_id text not null,
  session integer not null,
  seq bigint not null,
  terminate boolean not null,
  -- False for a commit refused because a newer window had opened the SCO (kept for support).
  accepted boolean not null,
  error_code integer not null default 0,
  body jsonb not null,
  received_at timestamptz not null default now()
);

create index scorm_commits_attempt_idx on scorm_commits (attempt_id, sco_id, id);
