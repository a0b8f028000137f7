-- The audit log: who viewed, exported or changed whose personal data, admin actions, imports,
-- links and grants. Append-only: the database itself refuses to update or delete a row.
create table audit_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references tenants (id),
  at timestamptz not null default now(),
  -- Who acted: a person of the tool (from their session), the operator (CLI), an API client, or the
  -- tool itself (retention, scheduled jobs).
  actor_kind text not null check (actor_kind in ('person', 'operator', 'api-client', 'system')),
  -- The person's id, the API client's key, 'cli' … never a name: rows are append-only, and personal
  -- data must stay erasable from the people table (pages join names in at reading time).
  actor_id text,
  -- What was done, as a dotted verb: 'person.viewed', 'org.import.applied', 'manager.granted' …
  action text not null check (action ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  -- Whose personal data, when a person's.
  subject_person_id uuid,
  -- What else the action was about (an org unit, an import, a platform …), by kind and id.
  object_kind text,
  object_id text,
  -- Counts, field names, reasons; never names, e-mail addresses or other personal data in clear.
  details jsonb not null default '{}'::jsonb
);

create index audit_events_tenant_at_idx on audit_events (tenant_id, at desc, id desc);
create index audit_events_subject_idx on audit_events (subject_person_id, at desc) where subject_person_id is not null;
create index audit_events_tenant_action_idx on audit_events (tenant_id, action, at desc);

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
