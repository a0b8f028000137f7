-- Incremental pulls of holdings by HR systems (GET /api/competence/holdings?since=): the records a
-- municipality recorded since a moment, and the revocations made since then.
create index if not exists competence_holdings_tenant_recorded_idx on competence_holdings (tenant_id, recorded_at);
create index if not exists competence_holding_revocations_revoked_idx on competence_holding_revocations (revoked_at);
