import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { loadPublishedVersion } from '../../paths/paths.js';
import type { PathEvent } from '../../paths/ports.js';
import type { EmissionFacts } from './statements.js';

/**
 * What the statements of an event say besides the event, read after the commit (the outbox's
 * subscriber), never in the learner's transaction. A few indexed lookups per event.
 */
export async function loadFacts(db: Kysely<Schema>, event: PathEvent, publicUrl: string): Promise<EmissionFacts | undefined> {
  const [tenant, path, version, account, links] = await Promise.all([
    db.selectFrom('tenants').select(['id', 'name', 'kommunenummer']).where('id', '=', event.tenantId).executeTakeFirst(),
    db.selectFrom('paths').select(['title', 'language']).where('id', '=', event.pathId).executeTakeFirst(),
    loadPublishedVersion(db, event.versionId),
    // A person with accounts in several LMSs is named by one of them, always the same one.
    db.selectFrom('lti_users').select(['issuer', 'subject']).where('person_id', '=', event.personId)
      .orderBy('issuer').orderBy('subject').limit(1).executeTakeFirst(),
    db.selectFrom('path_enrolment_links as l')
      .innerJoin('lti_resource_links as r', 'r.id', 'l.resource_link_id')
      .innerJoin('lti_platforms as p', 'p.id', 'r.platform_id')
      .leftJoin('lti_contexts as c', 'c.id', 'r.context_id')
      .select(['p.issuer', 'r.id as link_id', 'r.title as link_title', 'c.id as course_id', 'c.title as course_title'])
      .where('l.enrolment_id', '=', event.enrolmentId)
      .where('l.tenant_id', '=', event.tenantId)
      .orderBy('l.first_launch_at').orderBy('r.id')
      .execute(),
  ]);
  if (!tenant || !path) return undefined;
  const step = event.stepId === null ? undefined : version.definition.steps.find((s) => s.id === event.stepId);
  let declaredLevels: Record<string, number> | undefined;
  if (step?.type === 'self-assessment' && event.type === 'step-completed') {
    const progress = await db.selectFrom('path_step_progress').select('data')
      .where('enrolment_id', '=', event.enrolmentId).where('step_id', '=', step.id).executeTakeFirst();
    const levels = (progress?.data as { levels?: unknown } | undefined)?.levels;
    if (levels && typeof levels === 'object') declaredLevels = levels as Record<string, number>;
  }
  return {
    actor: account ? { homePage: account.issuer, name: account.subject } : { homePage: publicUrl, name: event.personId },
    municipality: { id: tenant.id, kommunenummer: tenant.kommunenummer, name: tenant.name },
    path: { title: path.title, language: path.language },
    versionNumber: version.number,
    ...(step ? {
      step: {
        type: step.type,
        title: step.title,
        ...(step.type === 'scorm' || step.type === 'xapi' ? { packageId: step.config.packageId } : {}),
        ...(step.type === 'scorm' && step.config.scoId ? { scoId: step.config.scoId } : {}),
      },
    } : {}),
    lms: links.map((l) => ({ issuer: l.issuer, linkId: l.link_id, linkTitle: l.link_title, courseId: l.course_id, courseTitle: l.course_title })),
    ...(declaredLevels ? { declaredLevels } : {}),
  };
}
