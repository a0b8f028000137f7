-- A sign-up for a physical session becomes a path event too (written in the sign-up's transaction),
-- so that it reaches the subscribers (the xAPI statements the tool emits) through the same outbox.
alter table path_events drop constraint path_events_type_check;
alter table path_events add constraint path_events_type_check
  check (type in ('path-started', 'step-completed', 'path-completed', 'session-registered'));
