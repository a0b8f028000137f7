-- A person is the platform's issuer and subject within a tenant, whatever the registration (client
-- id) or deployment: the same Moodle site registered twice sends the same sub for the same user.
-- lti_users was keyed by registration (platform_id, subject), so a learner who launched through a
-- second registration became a new person with no progress. This keys it by (tenant, issuer,
-- subject) and merges the people that were made twice, keeping everything they hold.
--
-- The merge, for each tenant, issuer and subject with more than one person: the person created first
-- survives; everything of the others moves to them. Where both were enrolled in the same path, the
-- enrolment kept is the completed one (the first completed, when both were), else the one with the
-- most completed steps, else the earlier; the other's step progress is taken for each step where it
-- is further (completed, or a better score), with its SCORM attempt, and its outcome receipts,
-- session sign-ups, links and events move too. Completion records are never merged: when both
-- enrolments were completed, the survivor's (or else the first completed) is kept, and the other
-- stays, with its completion record, with the person it was made for, who is then kept (without an
-- LTI account) instead of being removed.
--
-- Runs before the content and path migrations on a fresh database: those tables are touched only
-- when they exist (and on a fresh database there is nothing to merge).

alter table lti_users add column issuer text;
update lti_users u set issuer = p.issuer from lti_platforms p where p.id = u.platform_id;

create temporary table lti_person_merges on commit drop as
  with accounts as (
    select u.tenant_id, u.issuer, u.subject, u.person_id, p.created_at
      from lti_users u join people p on p.id = u.person_id
  ), ranked as (
    select a.*, first_value(a.person_id) over (partition by a.tenant_id, a.issuer, a.subject order by a.created_at, a.person_id) as survivor
      from accounts a
  )
  select distinct person_id as loser, survivor from ranked where person_id <> survivor;

do $merge$
declare
  kept_apart uuid[] := '{}';
begin
  if not exists (select 1 from lti_person_merges) then
    return;
  end if;

  if to_regclass('path_enrolments') is not null then
    -- Enrolments of a loser and its survivor in the same path: which one is kept.
    create temporary table lti_enrolment_pairs on commit drop as
      with candidates as (
        select m.survivor, e.id, e.person_id, e.path_id, e.status, e.completed_at, e.started_at,
               (select count(*) from path_step_progress s where s.enrolment_id = e.id and s.status = 'completed') as steps_done
          from lti_person_merges m
          join path_enrolments e on e.person_id in (m.loser, m.survivor)
      ), ranked as (
        select c.*, row_number() over (
                 partition by c.survivor, c.path_id
                 order by (c.status = 'completed') desc, (c.status = 'completed' and c.person_id = c.survivor) desc,
                          c.completed_at nulls last, c.steps_done desc, c.started_at, c.id) as rank
          from candidates c
      )
      -- A completed duplicate is a loser's: the survivor's completed enrolment ranks first.
      select k.id as keeper, d.id as duplicate, d.status = 'completed' as both_completed
        from ranked k join ranked d on d.survivor = k.survivor and d.path_id = k.path_id and d.rank > 1
       where k.rank = 1;

    select coalesce(array_agg(duplicate), '{}') into kept_apart from lti_enrolment_pairs where both_completed;
    delete from lti_enrolment_pairs where both_completed;

    -- Steps where the duplicate went further than the keeper.
    create temporary table lti_better_steps on commit drop as
      select p.keeper, p.duplicate, d.step_id
        from lti_enrolment_pairs p
        join path_step_progress d on d.enrolment_id = p.duplicate
        left join path_step_progress k on k.enrolment_id = p.keeper and k.step_id = d.step_id
       where k.enrolment_id is null
          or (d.status = 'completed' and k.status <> 'completed')
          or (d.status = k.status and coalesce(d.score, -1) > coalesce(k.score, -1));

    delete from path_step_progress k using lti_better_steps b where k.enrolment_id = b.keeper and k.step_id = b.step_id;
    update path_step_progress d set enrolment_id = b.keeper from lti_better_steps b where d.enrolment_id = b.duplicate and d.step_id = b.step_id;
    delete from path_step_progress d using lti_enrolment_pairs p where d.enrolment_id = p.duplicate;

    if to_regclass('path_scorm_attempts') is not null then
      -- The attempt goes with the progress it produced; where the keeper has none, it is taken too.
      delete from path_scorm_attempts k using lti_better_steps b
       where k.enrolment_id = b.keeper and k.step_id = b.step_id
         and exists (select 1 from path_scorm_attempts d where d.enrolment_id = b.duplicate and d.step_id = b.step_id);
      update path_scorm_attempts d set enrolment_id = p.keeper
        from lti_enrolment_pairs p
       where d.enrolment_id = p.duplicate
         and not exists (select 1 from path_scorm_attempts k where k.enrolment_id = p.keeper and k.step_id = d.step_id);
      -- The rest stay as attempts of the person (scorm_attempts), no longer a step's.
      delete from path_scorm_attempts d using lti_enrolment_pairs p where d.enrolment_id = p.duplicate;
    end if;

    insert into path_outcome_receipts (enrolment_id, idempotency_key, tenant_id, step_id, received_at)
      select p.keeper, r.idempotency_key, r.tenant_id, r.step_id, r.received_at
        from path_outcome_receipts r join lti_enrolment_pairs p on p.duplicate = r.enrolment_id
      on conflict do nothing;
    delete from path_outcome_receipts r using lti_enrolment_pairs p where r.enrolment_id = p.duplicate;

    insert into path_session_signups (path_id, step_id, enrolment_id, tenant_id, signed_up_at)
      select s.path_id, s.step_id, p.keeper, s.tenant_id, s.signed_up_at
        from path_session_signups s join lti_enrolment_pairs p on p.duplicate = s.enrolment_id
      on conflict do nothing;
    delete from path_session_signups s using lti_enrolment_pairs p where s.enrolment_id = p.duplicate;

    if to_regclass('path_enrolment_links') is not null then
      insert into path_enrolment_links (enrolment_id, resource_link_id, tenant_id, first_launch_at, last_launch_at)
        select p.keeper, l.resource_link_id, l.tenant_id, l.first_launch_at, l.last_launch_at
          from path_enrolment_links l join lti_enrolment_pairs p on p.duplicate = l.enrolment_id
        on conflict (enrolment_id, resource_link_id) do update
          set first_launch_at = least(path_enrolment_links.first_launch_at, excluded.first_launch_at),
              last_launch_at = greatest(path_enrolment_links.last_launch_at, excluded.last_launch_at);
      delete from path_enrolment_links l using lti_enrolment_pairs p where l.enrolment_id = p.duplicate;
    end if;

    update path_events ev set enrolment_id = p.keeper from lti_enrolment_pairs p where ev.enrolment_id = p.duplicate;
    delete from path_enrolments e using lti_enrolment_pairs p where e.id = p.duplicate;

    update path_enrolments e set person_id = m.survivor, updated_at = now()
      from lti_person_merges m
     where e.person_id = m.loser and e.id <> all (kept_apart);

    -- Completion records are immutable; moving one to the person it documents is the one change
    -- this merge makes, with nothing else of the record touched.
    alter table path_completions disable trigger path_completions_immutable;
    update path_completions c set person_id = e.person_id
      from path_enrolments e
     where e.id = c.enrolment_id and c.person_id <> e.person_id;
    alter table path_completions enable trigger path_completions_immutable;

    update path_events ev set person_id = e.person_id
      from path_enrolments e
     where e.id = ev.enrolment_id and ev.person_id <> e.person_id;

    update path_declared_competences d set person_id = m.survivor from lti_person_merges m where d.person_id = m.loser;

    insert into path_evaluation_respondents (path_id, step_id, person_id, tenant_id)
      select r.path_id, r.step_id, m.survivor, r.tenant_id
        from path_evaluation_respondents r join lti_person_merges m on m.loser = r.person_id
      on conflict do nothing;
    delete from path_evaluation_respondents r using lti_person_merges m where r.person_id = m.loser;

    update paths p set created_by = m.survivor from lti_person_merges m where p.created_by = m.loser;
    alter table path_versions disable trigger path_versions_published_immutable;
    update path_versions v set published_by = m.survivor from lti_person_merges m where v.published_by = m.loser;
    alter table path_versions enable trigger path_versions_published_immutable;
  end if;

  if to_regclass('scorm_attempts') is not null then
    update scorm_attempts a set person_id = m.survivor from lti_person_merges m where a.person_id = m.loser;
  end if;

  update lti_ags_outbox o set person_id = m.survivor from lti_person_merges m where o.person_id = m.loser;
  delete from lti_users u using lti_person_merges m where u.person_id = m.loser;

  if to_regclass('path_enrolments') is null then
    delete from people p using lti_person_merges m where p.id = m.loser;
  else
    delete from people p
     using lti_person_merges m
     where p.id = m.loser
       and not exists (select 1 from path_enrolments e where e.person_id = p.id and e.id = any (kept_apart));
  end if;
end
$merge$;

-- After the merge, one account per tenant, issuer and subject remains.
alter table lti_users drop constraint lti_users_pkey;
alter table lti_users drop column platform_id;
alter table lti_users alter column issuer set not null;
alter table lti_users add primary key (tenant_id, issuer, subject);
