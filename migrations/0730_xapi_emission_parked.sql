-- The tool's own statements that can never be stored (the LRS's validator or the database refuses
-- them, whatever the retry): set aside with the reason so that emission goes on with the rest of
-- its batch, shown to the municipality's administrators. Nothing about the person is kept here:
-- the statement is derived again from its event (its id is the UUID v5 of the event and slot), and
-- the event going (privacy erasure, retention) takes the entry with it.
create table xapi_emission_parked (
  tenant_id uuid not null references tenants (id) on delete cascade,
  statement_id uuid not null,
  event_id bigint not null references path_events (id) on delete cascade,
  reason text not null,
  parked_at timestamptz not null default now(),
  primary key (tenant_id, statement_id)
);

-- For the foreign key: an event going away finds its entries without a scan.
create index xapi_emission_parked_event_idx on xapi_emission_parked (event_id);
create index xapi_emission_parked_tenant_idx on xapi_emission_parked (tenant_id, parked_at);
