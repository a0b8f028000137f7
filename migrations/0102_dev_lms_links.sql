-- The development LMS's course links: the default link plus those placed with Deep Linking, each
-- with the custom parameters the tool returned (e.g. the path a link opens).
create table dev_lms_links (
  id text primary key,
  context_id text not null,
  title text not null,
  custom jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
