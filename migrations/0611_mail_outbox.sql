-- Outgoing e-mail (an assignment's notice), written in the same transaction as what it announces
-- and sent by a worker when SMTP is configured; a failed send is tried again with back-off, so a
-- queued mail is never lost. The text is rendered when queued, in the person's language; the
-- address is the person's at that moment. Without SMTP configured nothing is queued.
create table mail_outbox (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id),
  person_id uuid not null references people (id),
  -- What the mail is about, e.g. 'competence-assignment', and that thing's id: one mail per pair.
  kind text not null check (length(kind) between 1 and 100),
  subject_id uuid not null,
  recipient_email text not null check (length(recipient_email) between 3 and 320),
  subject text not null check (length(subject) between 1 and 300),
  body text not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  unique (kind, subject_id)
);

create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where sent_at is null;
create index mail_outbox_person_idx on mail_outbox (person_id);
