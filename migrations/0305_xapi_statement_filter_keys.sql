-- Filtered statement reads at millions of statements (issue 13). The ordered btree walks of 0303 find
-- a page fast when matches are dense along the index they walk; a combination of filters that
-- matches few statements, or none (a verb with an activity it is never used with), made them walk
-- every row of the index. One GIN index over every filter value of a statement, each token prefixed
-- by the tenant, answers "which statements match all of these" for any combination by intersecting
-- the tokens' posting lists: the LRS asks it first whether the matches are few (then reads exactly
-- those) or many (then the ordered walk finds a page quickly).
--
-- Tokens: '<tenant> agent <key>' (actor or object agent, the `agent` filter), '<tenant> verb <id>',
-- '<tenant> activity <id>' (object activity), '<tenant> registration <uuid>', and one
-- '<tenant> related-agent <key>' / '<tenant> related-activity <id>' per element of the related
-- arrays (related_agents / related_activities). Values hold no fixed prefix of another kind's, so
-- no token of one kind equals one of another.
--
-- Costly to compute row by row (cost 1000), so the planner reads it from the index rather than
-- scanning rows with it; parallel restricted, so a lookup that finds a few rows never waits for
-- parallel workers to start (which took longer than the lookup itself).
create function xapi_filter_keys(
  tenant_id uuid, actor_key text, object_agent_key text, verb_id text, object_activity_id text, registration uuid,
  related_agent_keys text[], related_activity_ids text[]
) returns text[]
language sql immutable parallel restricted cost 1000 as $$
  select array(
    select tenant_id::text || ' ' || k from unnest(
      array['agent ' || actor_key, 'agent ' || object_agent_key, 'verb ' || verb_id, 'activity ' || object_activity_id,
            'registration ' || registration::text]
      || array(select 'related-agent ' || a from unnest(related_agent_keys) as a)
      || array(select 'related-activity ' || a from unnest(related_activity_ids) as a)) as k
    where k is not null)
$$;

-- fastupdate off: a read never scans a pending list of recent insertions (up to 4 MB) linearly.
create index xapi_statements_filter_keys_idx on xapi_statements using gin (
  xapi_filter_keys(tenant_id, actor_key, object_agent_key, verb_id, object_activity_id, registration, related_agent_keys, related_activity_ids)
) with (fastupdate = off);

-- related_agents / related_activities are now answered by the index above (few matches) or by the
-- ordered walks testing the arrays (many): the per-array indexes of 0303 are used no more.
drop index xapi_statements_tenant_related_agents_idx;
drop index xapi_statements_tenant_related_activities_idx;
