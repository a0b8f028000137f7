-- cmi5 courses (docs/content.md, "cmi5 courses"): a cmi5.xml course structure, in a zip with its
-- files or bare with external AUs, stored like the other packages (the parsed structure in
-- `manifest`), launched by the tool as a cmi5 LMS against its own LRS.
alter table content_packages drop constraint content_packages_standard_check;
alter table content_packages add constraint content_packages_standard_check check (standard in ('scorm12', 'scorm2004', 'xapi', 'cmi5'));

-- The registration of each cmi5 step of an enrolment (cmi5 §9.6.1): one for the course the step
-- covers, reused on every launch until the step is done. As for xAPI steps, the rows name paths
-- tables without foreign keys (0210 explains why); the code that writes them checks what they name.
create table cmi5_registrations (
  registration uuid primary key,
  tenant_id uuid not null references tenants (id),
  enrolment_id uuid not null,
  step_id uuid not null,
  package_id uuid not null references content_packages (id),
  package_tenant_id uuid not null references tenants (id),
  created_at timestamptz not null default now(),
  closes_at timestamptz
);

create index cmi5_registrations_step_idx on cmi5_registrations (tenant_id, enrolment_id, step_id, created_at desc);
create unique index cmi5_registrations_one_open on cmi5_registrations (enrolment_id, step_id) where closes_at is null;

-- One AU launch session (cmi5 §9.6.3.1: the session id is the row id). The fetch URL carries a
-- secret whose SHA-256 is kept; it gives the auth token once (§8.2).
create table cmi5_sessions (
  id uuid primary key,
  tenant_id uuid not null references tenants (id),
  registration uuid not null references cmi5_registrations (registration),
  -- The AU's publisher id (cmi5.xml) and the activity id the tool made for it (§8.1.5).
  au_id text not null,
  activity_id text not null,
  launch_mode text not null check (launch_mode in ('Normal', 'Browse', 'Review')),
  fetch_secret_sha256 text not null,
  fetched_at timestamptz,
  credential_id uuid references xapi_launch_credentials (id),
  launched_at timestamptz not null default now(),
  initialized_at timestamptz,
  terminated_at timestamptz,
  abandoned_at timestamptz,
  -- When the AU last sent a statement (the abandoned statement's duration runs to it, §9.5.4.2).
  last_statement_at timestamptz,
  -- The cmi5 defined verbs the AU sent in this session (no verb twice, §9.3).
  defined_verbs text[] not null default '{}'
);

create index cmi5_sessions_registration_idx on cmi5_sessions (tenant_id, registration, au_id, launched_at desc);
-- Sessions that never ended, for the abandonment sweep.
create index cmi5_sessions_open_idx on cmi5_sessions (launched_at) where terminated_at is null and abandoned_at is null;

-- What an AU achieved in a registration (cmi5 §9.3: one completed, one passed, no failed after
-- passed; moveOn decides satisfaction from these), and the LMS's satisfied statements for blocks
-- and the course (one per object and registration).
create table cmi5_registration_results (
  tenant_id uuid not null references tenants (id),
  registration uuid not null references cmi5_registrations (registration),
  -- An AU's, a block's or the course's publisher id.
  node_id text not null,
  completed_at timestamptz,
  passed_at timestamptz,
  failed_at timestamptz,
  waived_at timestamptz,
  satisfied_at timestamptz,
  -- The scaled score of the passed or failed statement.
  score numeric,
  primary key (registration, node_id)
);

-- A launch credential of a cmi5 session: the LRS applies the cmi5 statement rules to it.
alter table xapi_launch_credentials add column cmi5_session_id uuid;
