-- A person's rows, found by person for the export and the erasure (docs/privacy.md), where no index
-- led with the person yet. The audit log's events by a person are found the same way.
create index if not exists path_enrolments_person_idx on path_enrolments (person_id);
create index if not exists path_events_person_idx on path_events (person_id);
create index if not exists path_evaluation_respondents_person_idx on path_evaluation_respondents (person_id);
create index if not exists lti_ags_outbox_person_idx on lti_ags_outbox (person_id);
create index if not exists paths_created_by_idx on paths (created_by);
create index if not exists path_versions_published_by_idx on path_versions (published_by) where published_by is not null;
create index if not exists audit_events_actor_idx on audit_events (tenant_id, actor_id, at desc) where actor_kind = 'person';
create index if not exists xapi_documents_agent_idx on xapi_documents (tenant_id, agent_key) where agent_key <> '';
create index if not exists scorm_attempts_person_only_idx on scorm_attempts (person_id);
create index if not exists path_completions_person_idx on path_completions (person_id);
create index if not exists path_declared_competences_person_only_idx on path_declared_competences (person_id);
