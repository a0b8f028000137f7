import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { loadPublishedVersion } from '../../paths/paths.js';
import type { PathEvent } from '../../paths/ports.js';
import type { EmissionFacts } from './statements.js';

/**
 * What the statements of an event say besides the event, read after the commit (the outbox's
 * subscriber), never in the learner's transaction. A few indexed lookups per event.
 */
export async function loadFacts(db: Kysely<Schema>, event: PathEvent, publicUrl: string): Promise<EmissionFacts | undefined> {
  const version = await loadPublishedVersion(db, event.versionId);
  // One round trip: the subscriber keeps up with the paths-progress load (bench/xapi/emission-lag.ts).
  const { rows } = await sql<FactsRow>`
    select t.id as tenant_id, t.name as tenant_name, t.kommunenummer, p.title, p.language,
      -- A person with accounts in several LMSs is named by one of them, always the same one.
      (select jsonb_build_object('issuer', u.issuer, 'subject', u.subject) from lti_users u
        where u.person_id = ${event.personId}::uuid order by u.issuer, u.subject limit 1) as account,
      coalesce((select jsonb_agg(jsonb_build_object('issuer', pl.issuer, 'linkId', r.id, 'linkTitle', r.title, 'courseId', c.id, 'courseTitle', c.title)
          order by l.first_launch_at, r.id)
        from path_enrolment_links l
        join lti_resource_links r on r.id = l.resource_link_id
        join lti_platforms pl on pl.id = r.platform_id
        left join lti_contexts c on c.id = r.context_id
        where l.enrolment_id = ${event.enrolmentId}::uuid and l.tenant_id = ${event.tenantId}::uuid), '[]'::jsonb) as links,
      (select s.data -> 'levels' from path_step_progress s
        where s.enrolment_id = ${event.enrolmentId}::uuid and s.step_id = ${event.stepId}::uuid) as levels
    from tenants t, paths p
    where t.id = ${event.tenantId}::uuid and p.id = ${event.pathId}::uuid`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const step = event.stepId === null ? undefined : version.definition.steps.find((s) => s.id === event.stepId);
  const declaredLevels = step?.type === 'self-assessment' && event.type === 'step-completed' && row.levels && typeof row.levels === 'object'
    ? row.levels as Record<string, number> : undefined;
  return {
    actor: row.account ? { homePage: row.account.issuer, name: row.account.subject } : { homePage: publicUrl, name: event.personId },
    municipality: { id: row.tenant_id, kommunenummer: row.kommunenummer, name: row.tenant_name },
    path: { title: row.title, language: row.language },
    versionNumber: version.number,
    ...(step ? {
      step: {
        type: step.type,
        title: step.title,
        ...(step.type === 'scorm' || step.type === 'xapi' ? { packageId: step.config.packageId } : {}),
        ...(step.type === 'scorm' && step.config.scoId ? { scoId: step.config.scoId } : {}),
      },
    } : {}),
    lms: row.links,
    ...(declaredLevels ? { declaredLevels } : {}),
  };
}

interface FactsRow {
  tenant_id: string;
  tenant_name: string;
  kommunenummer: string | null;
  title: string;
  language: string;
  account: { issuer: string; subject: string } | null;
  links: EmissionFacts['lms'];
  levels: unknown;
}
