-- xAPI ("Tin Can") packages: a tincan.xml package is stored like a SCORM package (its parsed
-- tincan.xml in `manifest`), launched with Rustici's launch convention under a short-lived
-- credential the LRS accepts only for one actor, one registration and the package's activities.
alter table content_packages drop constraint content_packages_standard_check;
alter table content_packages add constraint content_packages_standard_check check (standard in ('scorm12', 'scorm2004', 'xapi'));

-- This migration runs before the LRS (0300) and paths (0400) tables exist on a fresh database, so
-- it names them without foreign keys: the code that writes these rows checks what they point at.
-- Launch credentials act as the tenant's content-launch client (an xapi_clients row whose key is
-- 'launch:<tenant id>': the ':' keeps it out of HTTP Basic, and no secret verifies).

create table xapi_launch_credentials (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  client_id uuid not null,
  -- The one actor (its inverse functional identifier key, src/xapi/agents.ts) and registration.
  actor_key text not null,
  registration uuid not null,
  course_activity_id text not null,
  -- Every activity id tincan.xml lists; ids under the course activity are allowed as well.
  activity_ids text[] not null,
  issued_at timestamptz not null default now(),
  -- Renewed by use (and by the player's keep-alive) up to expires_at, never past it.
  idle_until timestamptz not null,
  expires_at timestamptz not null,
  -- When the attempt ends: no request is accepted from then on.
  closes_at timestamptz
);

create index xapi_launch_credentials_registration_idx on xapi_launch_credentials (tenant_id, registration);

-- The registration of each xAPI step of an enrolment: reused on relaunch (resume) until it closes.
create table path_xapi_registrations (
  registration uuid primary key,
  enrolment_id uuid not null,
  step_id uuid not null,
  tenant_id uuid not null references tenants (id),
  package_id uuid not null references content_packages (id),
  -- The package belongs to the path owner's tenant, which may differ from the learner's.
  package_tenant_id uuid not null references tenants (id),
  created_at timestamptz not null default now(),
  closes_at timestamptz
);

create index path_xapi_registrations_step_idx on path_xapi_registrations (tenant_id, enrolment_id, step_id, created_at desc);
-- Two first launches at once: only one open registration per step.
create unique index path_xapi_registrations_one_open on path_xapi_registrations (enrolment_id, step_id) where closes_at is null;
