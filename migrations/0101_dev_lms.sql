-- The development LMS (never used in production): a platform emulator's own key, line items and
-- scores, so a developer sees grade passback arrive.
create table dev_lms_keys (
  kid text primary key,
  public_jwk jsonb not null,
  private_key_encrypted text not null,
  created_at timestamptz not null default now()
);

create table dev_lms_line_items (
  id serial primary key,
  context_id text not null,
  resource_link_id text,
  resource_id text,
  tag text,
  label text not null,
  score_maximum double precision not null,
  created_at timestamptz not null default now()
);

create table dev_lms_scores (
  id serial primary key,
  line_item_id integer not null references dev_lms_line_items (id) on delete cascade,
  user_id text not null,
  score_given double precision,
  score_maximum double precision,
  activity_progress text not null,
  grading_progress text not null,
  comment text,
  timestamp text not null,
  received_at timestamptz not null default now()
);
