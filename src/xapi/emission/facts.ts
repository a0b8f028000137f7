import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Step } from '../../paths/definition.js';
import { loadPublishedVersion, type PublishedVersion } from '../../paths/paths.js';
import type { PathEvent } from '../../paths/ports.js';
import type { EmissionFacts, ScoFacts } from './statements.js';

/**
 * What the statements of a batch of events say besides the events, read after the commit (the
 * outbox's subscriber), never in the learner's transaction: one query for the whole batch, so the
 * subscriber keeps up with the paths-progress load (bench/xapi/emission-lag.ts). Undefined for an
 * event whose tenant or path is gone.
 */
export async function loadFacts(db: Kysely<Schema>, events: readonly PathEvent[], publicUrl: string): Promise<(EmissionFacts | undefined)[]> {
  if (events.length === 0) return [];
  const versions = new Map<string, PublishedVersion>();
  for (const id of new Set(events.map((e) => e.versionId))) versions.set(id, await loadPublishedVersion(db, id));
  const steps = events.map((e) => (e.stepId === null ? undefined : versions.get(e.versionId)!.definition.steps.find((s) => s.id === e.stepId)));
  const input = events.map((e, i) => ({
    i, tenant_id: e.tenantId, person_id: e.personId, path_id: e.pathId, enrolment_id: e.enrolmentId, step_id: e.stepId,
    levels: e.type === 'step-completed' && steps[i]?.type === 'self-assessment',
    ...scormStep(e, steps[i]),
  }));
  const { rows } = await sql<FactsRow>`
    select e.i, t.id as tenant_id, t.name as tenant_name, t.kommunenummer, p.title, p.language,
      -- A person with accounts in several LMSs is named by one of them, always the same one.
      (select jsonb_build_object('issuer', u.issuer, 'subject', u.subject) from lti_users u
        where u.person_id = e.person_id order by u.issuer, u.subject limit 1) as account,
      coalesce((select jsonb_agg(jsonb_build_object('issuer', pl.issuer, 'linkId', r.id, 'linkTitle', r.title, 'courseId', c.id, 'courseTitle', c.title)
          order by l.first_launch_at, r.id)
        from path_enrolment_links l
        join lti_resource_links r on r.id = l.resource_link_id
        join lti_platforms pl on pl.id = r.platform_id
        left join lti_contexts c on c.id = r.context_id
        where l.enrolment_id = e.enrolment_id and l.tenant_id = e.tenant_id), '[]'::jsonb) as links,
      case when e.levels then (select s.data -> 'levels' from path_step_progress s
        where s.enrolment_id = e.enrolment_id and s.step_id = e.step_id) end as levels,
      -- The SCOs of the step's attempt as they stand when the step completed (emission follows the commit within moments).
      case when e.package_id is not null then (select jsonb_agg(jsonb_build_object('scoId', s.sco_id, 'completionStatus', s.completion_status,
          'successStatus', s.success_status, 'completed', s.completed_at is not null, 'scaled', s.score_scaled, 'raw', s.score_raw,
          'min', s.score_min, 'max', s.score_max, 'sessionSeconds', s.open_session_seconds) order by s.sco_id)
        from path_scorm_attempts a join scorm_sco_states s on s.attempt_id = a.attempt_id
        where a.enrolment_id = e.enrolment_id and a.step_id = e.step_id and a.tenant_id = e.tenant_id and a.package_id::text = e.package_id
          and (e.sco_id is null or s.sco_id = e.sco_id)) end as scos
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
      as e (i int, tenant_id uuid, person_id uuid, path_id uuid, enrolment_id uuid, step_id uuid, levels boolean, package_id text, sco_id text)
    join tenants t on t.id = e.tenant_id
    join paths p on p.id = e.path_id`.execute(db);
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  return events.map((event, i) => {
    const row = byIndex.get(i);
    return row && toFacts(event, row, versions.get(event.versionId)!, steps[i], publicUrl);
  });
}

/** A completed SCORM step's package and SCO, whose SCOs' outcomes its statements say. */
function scormStep(event: PathEvent, step: Step | undefined): { package_id?: string; sco_id?: string } {
  if (event.type !== 'step-completed' || step?.type !== 'scorm') return {};
  return { package_id: step.config.packageId, ...(step.config.scoId ? { sco_id: step.config.scoId } : {}) };
}

function toFacts(event: PathEvent, row: FactsRow, version: PublishedVersion, step: Step | undefined, publicUrl: string): EmissionFacts {
  const levels = row.levels && typeof row.levels === 'object' ? row.levels as Record<string, number> : undefined;
  const scos = Array.isArray(row.scos) ? row.scos as ScoFacts[] : [];
  return {
    actor: row.account ? { homePage: row.account.issuer, name: row.account.subject } : { homePage: publicUrl, name: event.personId },
    municipality: { id: row.tenant_id, kommunenummer: row.kommunenummer, name: row.tenant_name },
    path: { title: row.title, language: row.language },
    versionNumber: version.number,
    ...(step ? {
      step: {
        type: step.type,
        title: step.title,
        ...(step.type === 'scorm' || step.type === 'xapi' || step.type === 'cmi5' ? { packageId: step.config.packageId } : {}),
        ...(step.type === 'scorm' && step.config.scoId ? { scoId: step.config.scoId } : {}),
      },
    } : {}),
    lms: row.links,
    ...(levels ? { declaredLevels: levels } : {}),
    ...(scos.length > 0 ? { scos } : {}),
  };
}

interface FactsRow {
  i: number;
  tenant_id: string;
  tenant_name: string;
  kommunenummer: string | null;
  title: string;
  language: string;
  account: { issuer: string; subject: string } | null;
  links: EmissionFacts['lms'];
  levels: unknown;
  scos: unknown;
}
