-- A designer's preview of a cmi5 step in Browse or Review mode (cmi5 §10.2.2) runs in a
-- registration of its own that belongs to no enrolment: the registration names its person, and
-- enrolment_id is null for a preview. A preview never reaches the paths engine.
alter table cmi5_registrations add column person_id uuid references people (id);
update cmi5_registrations r set person_id = e.person_id from path_enrolments e where e.id = r.enrolment_id;
alter table cmi5_registrations alter column person_id set not null;
alter table cmi5_registrations alter column enrolment_id drop not null;

-- One open preview registration per designer, step and package.
create unique index cmi5_registrations_one_preview on cmi5_registrations (person_id, step_id, package_id)
  where closes_at is null and enrolment_id is null;
