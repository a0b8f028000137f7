-- Statement writes in one round trip: the rows, the activity definitions they change and the check
-- for voiding statements that arrived before them go to the server as one function call.

-- A write and a voiding statement naming one of its ids meet at an advisory lock on the id's bucket:
-- writes take it shared (they never wait for each other), a voiding statement exclusive. Whichever
-- comes second waits for the other's commit and then sees it, so neither can miss the other.
-- Buckets in ascending order, so two lockers never wait for each other in a cycle.
create function xapi_lock_statement_ids(ids uuid[], exclusive boolean) returns void
language plpgsql as $$
declare
  bucket integer;
begin
  for bucket in select distinct hashtext(id::text) & 63 from unnest(ids) as id order by 1 loop
    if exclusive then
      perform pg_advisory_xact_lock(3020, bucket);
    else
      perform pg_advisory_xact_lock_shared(3020, bucket);
    end if;
  end loop;
end
$$;

-- §2.5: the Activity holds all it was given; name and description merge language by language.
create function xapi_merged_definition(held jsonb, given jsonb) returns jsonb
language sql immutable as $$
  select held || given
    || case when held ? 'name' and given ? 'name'
         then jsonb_build_object('name', (held -> 'name') || (given -> 'name')) else '{}'::jsonb end
    || case when held ? 'description' and given ? 'description'
         then jsonb_build_object('description', (held -> 'description') || (given -> 'description')) else '{}'::jsonb end
$$;

-- statement_rows: xapi_statements rows as a JSON array (statement as a JSON object, arrays as arrays);
-- activity_rows: xapi_activities rows, at most one per (tenant_id, activity_id).
-- Answers the voiding statements already stored that name one of the new ids; the caller voids the
-- targets they may void once this has committed. A statement id already held fails the whole call.
create function xapi_insert_statements(statement_rows jsonb, activity_rows jsonb)
returns table (voiding_client_id uuid, target_id uuid)
language plpgsql as $$
declare
  ids uuid[];
begin
  ids := array(select (r ->> 'statement_id')::uuid from jsonb_array_elements(statement_rows) as r);
  perform xapi_lock_statement_ids(ids, false);
  insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, actor_key, verb_id,
      object_activity_id, object_agent_key, object_statement_ref, is_voiding, registration,
      related_agent_keys, related_activity_ids, attachment_hashes)
    select r.statement_id, r.tenant_id, r.client_id, r.statement, r.stored, r.actor_key, r.verb_id,
      r.object_activity_id, r.object_agent_key, r.object_statement_ref, r.is_voiding, r.registration,
      r.related_agent_keys, r.related_activity_ids, coalesce(r.attachment_hashes, '{}')
    from jsonb_populate_recordset(null::xapi_statements, statement_rows) as r;
  -- Definitions already held unchanged are left out: neither rewritten nor locked.
  insert into xapi_activities (tenant_id, activity_id, definition)
    select v.tenant_id, v.activity_id, v.definition
    from jsonb_populate_recordset(null::xapi_activities, activity_rows) as v
    where not exists (
      select from xapi_activities a
      where a.tenant_id = v.tenant_id and a.activity_id = v.activity_id
        and a.definition = xapi_merged_definition(a.definition, v.definition))
    on conflict (tenant_id, activity_id)
      do update set definition = xapi_merged_definition(xapi_activities.definition, excluded.definition);
  -- A new statement (snapshot) after the lock: sees every voiding statement committed before it.
  return query
    select s.client_id, s.object_statement_ref from xapi_statements s
    where s.is_voiding and s.object_statement_ref = any (ids);
end
$$;
