-- Lookups the paths capability makes by enrolment and by path (events of one enrolment, a path's
-- completions and enrolments in a tenant), which would otherwise scan the whole table.
create index path_events_enrolment_idx on path_events (enrolment_id);
create index path_completions_tenant_path_idx on path_completions (tenant_id, path_id);
create index path_enrolments_path_status_idx on path_enrolments (path_id, status);
