-- SCORM 2004 sequencing (SN) reads two things the runtime did not keep: the activity attempt count
-- (limitConditions attemptLimit), which a launch that starts a new attempt (entry ab-initio) raises,
-- and when each SCO was last delivered (the current activity is the last one delivered).
-- Rows from before count one attempt if ever launched, delivered when last changed.
alter table scorm_sco_states add column attempt_count integer not null default 0;
alter table scorm_sco_states add column launched_at timestamptz;
update scorm_sco_states set attempt_count = least(launches, 1), launched_at = case when launches > 0 then updated_at end;
