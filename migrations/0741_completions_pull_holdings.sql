-- The completions pull's holding rows (GET /api/completions?kind=holdings, docs/completions.md) walk
-- one municipality's holding events in commit order (xid, id), as its path rows walk completions
-- (0710). The events already carry the writing transaction's id (0740), so nothing is backfilled;
-- this index lets a pull start at its cursor within its municipality instead of scanning every
-- municipality's events.
create index competence_holding_events_tenant_order_idx on competence_holding_events (tenant_id, xid, id);
