-- The completions pull (GET /api/completions, docs/completions.md) pages a municipality's completion
-- records in the order their transactions became final, like the path-events dispatcher: xid is the
-- writing transaction's id, and a page reads only rows whose transaction is older than every running
-- one. A completion committed late by a slow transaction therefore never lands behind a cursor that
-- already moved on (a keyset on completed_at could skip it). Existing records get this migration's
-- id: they are all final, and come first, in id order.
alter table path_completions add column xid bigint not null default (pg_current_xact_id()::text::bigint);

create index path_completions_tenant_xid_idx on path_completions (tenant_id, xid, id);
