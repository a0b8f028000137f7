-- Each tenant is its own LRS: a statement belongs to the tenant whose client stored it, and its id,
-- voiding, conflicts and StatementRefs are resolved within that tenant only. Nothing another tenant
-- stored changes any answer.
--
-- Existing data: every row already names the tenant of the client that wrote it, so ownership needs
-- no rewrite. Ids were unique across all tenants, so none collide under the per-tenant key. A
-- statement that another tenant's voiding statement had voided (possible under the earlier rule,
-- which let a municipality void statements about its own people written by another tenant's client)
-- is voided no more: under this rule that voiding statement names an id unknown in its own LRS.

alter table xapi_statements drop constraint xapi_statements_statement_id_key;
alter table xapi_statements add constraint xapi_statements_tenant_statement_id_key unique (tenant_id, statement_id);

-- Region clients an admin has let read their member municipalities' statements (never write).
alter table xapi_clients add column reads_member_statements boolean not null default false;

alter table xapi_statements disable trigger xapi_statements_immutable;
update xapi_statements s set voided = false
where s.voided and not exists (
  select from xapi_statements v
  where v.is_voiding and v.object_statement_ref = s.statement_id and v.tenant_id = s.tenant_id);
alter table xapi_statements enable trigger xapi_statements_immutable;

-- Every read is scoped by tenant (or by client for statements/read/mine) and ordered by `stored`
-- (Part Three §2.1.3; seq breaks ties), so the indexes lead with tenant_id and end with (stored,
-- seq): a filtered page, since/until included, is one ordered index range walk that stops after the
-- page.
drop index xapi_statements_stored_idx;
drop index xapi_statements_actor_idx;
drop index xapi_statements_verb_idx;
drop index xapi_statements_actor_verb_idx;
drop index xapi_statements_activity_idx;
drop index xapi_statements_object_agent_idx;
drop index xapi_statements_registration_idx;
drop index xapi_statements_ref_idx;
drop index xapi_statements_client_idx;
drop index xapi_statements_related_agents_idx;
drop index xapi_statements_related_activities_idx;

create index xapi_statements_tenant_stored_idx on xapi_statements (tenant_id, stored, seq);
create index xapi_statements_client_stored_idx on xapi_statements (client_id, stored, seq);
create index xapi_statements_tenant_actor_idx on xapi_statements (tenant_id, actor_key, stored, seq);
create index xapi_statements_tenant_object_agent_idx on xapi_statements (tenant_id, object_agent_key, stored, seq) where object_agent_key is not null;
create index xapi_statements_tenant_verb_idx on xapi_statements (tenant_id, verb_id, stored, seq);
create index xapi_statements_tenant_activity_idx on xapi_statements (tenant_id, object_activity_id, stored, seq);
create index xapi_statements_tenant_registration_idx on xapi_statements (tenant_id, registration, stored, seq) where registration is not null;
-- Voiding and StatementRef lookups by target id, and the StatementRef statements in page order.
create index xapi_statements_tenant_ref_idx on xapi_statements (tenant_id, object_statement_ref) where object_statement_ref is not null;
create index xapi_statements_tenant_ref_stored_idx on xapi_statements (tenant_id, stored, seq) where object_statement_ref is not null;

-- related_agents / related_activities: GIN over the arrays with each element prefixed by the tenant,
-- so an IRI every municipality uses (a shared path) only finds the asking tenant's rows.
create function xapi_tenant_keys(tenant_id uuid, keys text[]) returns text[]
language sql immutable parallel safe as $$
  select array(select tenant_id::text || ' ' || k from unnest(keys) as k)
$$;

create index xapi_statements_tenant_related_agents_idx on xapi_statements using gin (xapi_tenant_keys(tenant_id, related_agent_keys));
create index xapi_statements_tenant_related_activities_idx on xapi_statements using gin (xapi_tenant_keys(tenant_id, related_activity_ids));

-- The write/voiding meeting point of 0302, now per (tenant, id): a write locks the buckets of its
-- own tenant's ids only, so another tenant's voiding statement never waits on it or it on that.
drop function xapi_insert_statements(jsonb, jsonb);
drop function xapi_lock_statement_ids(uuid[], boolean);

create function xapi_lock_statement_ids(keys text[], exclusive boolean) returns void
language plpgsql as $$
declare
  bucket integer;
begin
  for bucket in select distinct hashtext(k) & 63 from unnest(keys) as k order by 1 loop
    if exclusive then
      perform pg_advisory_xact_lock(3020, bucket);
    else
      perform pg_advisory_xact_lock_shared(3020, bucket);
    end if;
  end loop;
end
$$;

-- As in 0302, for rows of any tenants (a group commit mixes requests): answers the voiding
-- statements already stored in the same tenant that name one of the new ids.
create function xapi_insert_statements(statement_rows jsonb, activity_rows jsonb)
returns table (voiding_client_id uuid, target_id uuid)
language plpgsql as $$
declare
  new_tenants uuid[];
  new_ids uuid[];
begin
  select array_agg((r ->> 'tenant_id')::uuid), array_agg((r ->> 'statement_id')::uuid)
    into new_tenants, new_ids from jsonb_array_elements(statement_rows) as r;
  perform xapi_lock_statement_ids(array(select t::text || ' ' || i::text from unnest(new_tenants, new_ids) as n (t, i)), false);
  insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, actor_key, verb_id,
      object_activity_id, object_agent_key, object_statement_ref, is_voiding, registration,
      related_agent_keys, related_activity_ids, attachment_hashes)
    select r.statement_id, r.tenant_id, r.client_id, r.statement, r.stored, r.actor_key, r.verb_id,
      r.object_activity_id, r.object_agent_key, r.object_statement_ref, r.is_voiding, r.registration,
      r.related_agent_keys, r.related_activity_ids, coalesce(r.attachment_hashes, '{}')
    from jsonb_populate_recordset(null::xapi_statements, statement_rows) as r;
  insert into xapi_activities (tenant_id, activity_id, definition)
    select v.tenant_id, v.activity_id, v.definition
    from jsonb_populate_recordset(null::xapi_activities, activity_rows) as v
    where not exists (
      select from xapi_activities a
      where a.tenant_id = v.tenant_id and a.activity_id = v.activity_id
        and a.definition = xapi_merged_definition(a.definition, v.definition))
    on conflict (tenant_id, activity_id)
      do update set definition = xapi_merged_definition(xapi_activities.definition, excluded.definition);
  return query
    select s.client_id, s.object_statement_ref from unnest(new_tenants, new_ids) as n (tenant_id, statement_id)
    join xapi_statements s on s.tenant_id = n.tenant_id and s.object_statement_ref = n.statement_id
    where s.is_voiding;
end
$$;
