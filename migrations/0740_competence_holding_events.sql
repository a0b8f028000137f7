-- Holdings granted, revoked and expired become the tool's own xAPI statements (docs/xapi-profile.md).
--
-- The outbox of holding events, written by triggers in the transaction that records the holding or
-- its revocation, whichever code path writes it (a completion, a declaration, a manager's
-- registration, a CSV import), and by the expiry sweep. Walked in commit order by a cursor, as the
-- path events are (xid: the writing transaction's id, see 0400 and src/db/commit-order.ts).
-- The person is read from the holding when the statement is made: a merge of two person rows moves
-- holdings, and their events follow without being rewritten.
create table competence_holding_events (
  id bigint generated always as identity primary key,
  xid bigint not null default (pg_current_xact_id()::text::bigint),
  tenant_id uuid not null references tenants (id),
  holding_id uuid not null references competence_holdings (id),
  type text not null check (type in ('granted', 'revoked', 'expired')),
  created_at timestamptz not null default now()
);

create index competence_holding_events_order_idx on competence_holding_events (xid, id);
-- Each holding is granted, revoked and expired at most once, whatever sweeps run or restart.
create unique index competence_holding_events_once_key on competence_holding_events (holding_id, type);

-- Holdings whose expiry has not been announced yet: the sweep takes the due ones away in the
-- statement that writes their 'expired' events, so a sweep interrupted anywhere does it again or
-- not at all. A revocation takes its holding away (a revoked holding does not expire afterwards).
-- Holdings written in a transaction that commits after a sweep stay here for the next one.
create table competence_holding_expiries (
  holding_id uuid primary key references competence_holdings (id),
  tenant_id uuid not null references tenants (id),
  expires_on date not null
);

create index competence_holding_expiries_due_idx on competence_holding_expiries (expires_on);

-- One cursor per reader of holding events, leased by one instance of the tool at a time.
create table competence_holding_event_cursors (
  subscriber text primary key,
  last_xid bigint not null default 0,
  last_id bigint not null default 0,
  lease_owner text,
  leased_until timestamptz,
  updated_at timestamptz not null default now()
);

-- Statement-level triggers: an import of thousands of holdings writes its events in one insert.
create function competence_holding_events_granted() returns trigger language plpgsql as $$
begin
  insert into competence_holding_events (tenant_id, holding_id, type)
    select tenant_id, id, 'granted' from granted order by recorded_at, id;
  insert into competence_holding_expiries (holding_id, tenant_id, expires_on)
    select id, tenant_id, expires_on from granted where expires_on is not null;
  return null;
end;
$$;

create trigger competence_holdings_events after insert on competence_holdings
  referencing new table as granted for each statement execute function competence_holding_events_granted();

create function competence_holding_events_revoked() returns trigger language plpgsql as $$
begin
  insert into competence_holding_events (tenant_id, holding_id, type)
    select h.tenant_id, h.id, 'revoked' from revoked r join competence_holdings h on h.id = r.holding_id order by r.revoked_at, h.id
    on conflict (holding_id, type) do nothing;
  delete from competence_holding_expiries e using revoked r where e.holding_id = r.holding_id;
  return null;
end;
$$;

create trigger competence_holding_revocations_events after insert on competence_holding_revocations
  referencing new table as revoked for each statement execute function competence_holding_events_revoked();

-- The holdings recorded before this migration are announced too, oldest first; those past their
-- expiry are announced expired by the first sweep.
insert into competence_holding_events (tenant_id, holding_id, type)
  select tenant_id, id, 'granted' from competence_holdings order by recorded_at, id;
insert into competence_holding_events (tenant_id, holding_id, type)
  select h.tenant_id, h.id, 'revoked' from competence_holding_revocations r join competence_holdings h on h.id = r.holding_id order by r.revoked_at, h.id;
insert into competence_holding_expiries (holding_id, tenant_id, expires_on)
  select h.id, h.tenant_id, h.expires_on from competence_holdings h
  where h.expires_on is not null and not exists (select 1 from competence_holding_revocations r where r.holding_id = h.id);

-- A parked statement of the tool comes from a path event or from a holding event.
alter table xapi_emission_parked alter column event_id drop not null;
alter table xapi_emission_parked add column holding_event_id bigint references competence_holding_events (id) on delete cascade;
alter table xapi_emission_parked add constraint xapi_emission_parked_one_source check (num_nonnulls(event_id, holding_event_id) = 1);
create index xapi_emission_parked_holding_event_idx on xapi_emission_parked (holding_event_id);
