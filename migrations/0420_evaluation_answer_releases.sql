-- Evaluation answers reach the report only in releases, and nothing in the database links a
-- released answer to the person who gave it (docs/paths.md, "Anonymous evaluations").
--
-- A submission writes the respondent row, the step's progress, the step-completed event and one
-- pending row in one transaction. The pending row carries the answers sealed (AES-256-GCM, a key
-- derived from KEY_ENCRYPTION_SECRET), so that transaction's id, the row's place on disk and the
-- outbox tell who answered when, but not what. A release opens the pending rows of a step (at least
-- five, at most once per release interval), writes them as answers in one transaction in random
-- order with only the release's date, and deletes them. Ids are random UUIDs, never a sequence.
create table path_evaluation_pending (
  id uuid primary key default gen_random_uuid(),
  -- The owner of the path, whose designers get the report.
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  step_id uuid not null,
  sealed text not null
);

create index path_evaluation_pending_step_idx on path_evaluation_pending (path_id, step_id);

-- One row per release: when the next one may come. Its time links to no single answer.
create table path_evaluation_releases (
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  step_id uuid not null,
  released_at timestamptz not null,
  answers integer not null check (answers > 0),
  primary key (path_id, step_id, released_at)
);

-- The released answers, rewritten: no version (a version few learners follow narrows who it can
-- be) and no answer date, only the release's. Answers given before this migration are copied in
-- random order and count as released today; the old table (whose rows shared a transaction with
-- their respondent rows) is dropped. Backups and WAL archives taken before today still hold the
-- old rows: that cannot be undone here (docs/paths.md).
alter table path_evaluation_answers rename to path_evaluation_answers_before_releases;
alter index path_evaluation_answers_step_idx rename to path_evaluation_answers_before_releases_step_idx;

create table path_evaluation_answers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  path_id uuid not null references paths (id),
  step_id uuid not null,
  answers jsonb not null,
  released_on date not null
);

create index path_evaluation_answers_step_idx on path_evaluation_answers (path_id, step_id);

insert into path_evaluation_answers (tenant_id, path_id, step_id, answers, released_on)
select tenant_id, path_id, step_id, answers, current_date
from path_evaluation_answers_before_releases
order by random();

insert into path_evaluation_releases (tenant_id, path_id, step_id, released_at, answers)
select tenant_id, path_id, step_id, now(), count(*)
from path_evaluation_answers_before_releases
group by tenant_id, path_id, step_id;

drop table path_evaluation_answers_before_releases;
