-- Assignments: a manager (for people in their units) or a municipality's administrator gives a
-- person a published path that grants a competence they lack, with a due date and an optional note.
-- An assignment is completed by the person's completion of the path (read from path_completions,
-- never stored here); it can be withdrawn (kept, with who and when).
create table competence_assignments (
  id uuid primary key default gen_random_uuid(),
  -- The person's municipality.
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  path_id uuid not null references paths (id),
  -- The competence whose gap the assignment closes.
  competence_id uuid not null references competences (id),
  -- Calendar day in Europe/Oslo: overdue from the day after.
  due_on date not null,
  note text check (note is null or length(btrim(note)) between 1 and 1000),
  assigned_by_role text not null check (assigned_by_role in ('manager', 'municipality-admin')),
  assigned_by_id text not null,
  assigned_at timestamptz not null default now(),
  withdrawn_at timestamptz,
  withdrawn_by_id text,
  check ((withdrawn_at is null) = (withdrawn_by_id is null))
);

create index if not exists competence_assignments_person_idx on competence_assignments (tenant_id, person_id) where withdrawn_at is null;
create index if not exists competence_assignments_path_idx on competence_assignments (path_id);
