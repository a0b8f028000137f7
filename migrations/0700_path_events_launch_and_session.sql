-- A launch of a path from an LMS link and a sign-up for a physical session become path events too
-- (written in the same statement or transaction as the launch's link and the sign-up), so that they
-- reach the subscribers (the xAPI statements the tool emits) through the same outbox.
alter table path_events drop constraint path_events_type_check;
alter table path_events add constraint path_events_type_check
  check (type in ('path-started', 'step-completed', 'path-completed', 'path-launched', 'session-registered'));
