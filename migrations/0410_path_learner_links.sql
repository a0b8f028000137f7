-- The learner side of paths. Which LMS resource links an enrolment was launched from (grade
-- passback sends the path score to each), the SCORM attempt each enrolment's SCORM step uses, and
-- the path events the grade passback has already queued per link (idempotent per event).
create table path_enrolment_links (
  enrolment_id uuid not null references path_enrolments (id) on delete cascade,
  resource_link_id uuid not null references lti_resource_links (id) on delete cascade,
  tenant_id uuid not null references tenants (id),
  first_launch_at timestamptz not null default now(),
  last_launch_at timestamptz not null default now(),
  primary key (enrolment_id, resource_link_id)
);

create index path_enrolment_links_tenant_idx on path_enrolment_links (tenant_id, enrolment_id);

create table path_scorm_attempts (
  enrolment_id uuid not null references path_enrolments (id) on delete cascade,
  step_id uuid not null,
  tenant_id uuid not null references tenants (id),
  attempt_id uuid not null unique references scorm_attempts (id) on delete cascade,
  package_id uuid not null references content_packages (id),
  -- The package belongs to the path owner's tenant, which may differ from the learner's.
  package_tenant_id uuid not null references tenants (id),
  created_at timestamptz not null default now(),
  primary key (enrolment_id, step_id)
);

create index path_scorm_attempts_attempt_idx on path_scorm_attempts (tenant_id, attempt_id);

create table path_passback_receipts (
  event_id bigint not null references path_events (id) on delete cascade,
  resource_link_id uuid not null references lti_resource_links (id) on delete cascade,
  tenant_id uuid not null references tenants (id),
  queued_at timestamptz not null default now(),
  primary key (event_id, resource_link_id)
);
