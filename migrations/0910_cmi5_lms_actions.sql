-- cmi5 §11: an AU reads the learner preferences before it sends initialized; the LMS refuses an
-- initialized statement of a session that has not read them.
alter table cmi5_sessions add column preferences_read_at timestamptz;

-- cmi5 §9.3.7, §9.5.5.2: an AU waived by a manager or the course's teacher, with the cmi5 reason
-- (waived_at already marks it; the statement carries the reason, kept here for the pages).
alter table cmi5_registration_results add column waived_reason text
  check (waived_reason in ('Tested Out', 'Equivalent AU', 'Equivalent Outside Activity', 'Administrative'));

-- One AU session's statement requests are handled one at a time, across processes (docs/content.md,
-- "What the LRS enforces for an AU session"): a request holds the session's writer lease while it
-- checks and stores; the lease lapses by itself should its process die.
alter table cmi5_sessions add column writer uuid;
alter table cmi5_sessions add column writer_until timestamptz;
