-- A learner giving back a seat at a physical session becomes a path event too (written in the
-- transaction that removes the sign-up), so that the xAPI statements the tool emits say it.
alter table path_events drop constraint path_events_type_check;
alter table path_events add constraint path_events_type_check
  check (type in ('path-started', 'step-completed', 'path-completed', 'path-launched', 'session-registered', 'session-cancelled'));
