-- Attempts: a person may take a path again, to renew the competence it grants (recertification).
-- Each attempt is an enrolment of its own, so it starts with fresh step progress, SCORM attempts and
-- xAPI registrations (registration = enrolment); the earlier attempt and its completion record stay
-- as they are. One attempt per person and path is the current one (superseded_at is null): launches
-- and the learner's pages lead to it. renews_enrolment_id points to the attempt it follows.
alter table path_enrolments drop constraint path_enrolments_path_id_person_id_key;
alter table path_enrolments add column superseded_at timestamptz;
alter table path_enrolments add column renews_enrolment_id uuid references path_enrolments (id) on delete set null;
create unique index path_enrolments_current_key on path_enrolments (path_id, person_id) where superseded_at is null;
create index path_enrolments_renews_idx on path_enrolments (renews_enrolment_id) where renews_enrolment_id is not null;

-- An assignment of a path the person completed before renews that completion: only a later
-- completion of the path completes it.
alter table competence_assignments add column renews_completion_id uuid references path_completions (id);
