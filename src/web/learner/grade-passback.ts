import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { reportResult, type ResultReport } from '../../lti/ags.js';
import { EVENT_COLUMNS, toPathEvent } from '../../paths/events.js';
import { scoreSoFar } from '../../paths/learner-view.js';
import type { PathEvent, PathEventHandler } from '../../paths/ports.js';

/**
 * Remembers that an enrolment was launched from an LMS resource link (grade passback goes there),
 * with a path-launched event.
 * A link first launched after the path was completed (the same path placed in another course)
 * gets the completion's result now: the path-completed event was handed out before the link was known.
 */
export async function rememberLaunchLink(db: Kysely<Schema>, tenantId: string, enrolmentId: string, resourceLinkId: string): Promise<void> {
  // The link and the path-launched event in one statement: one round trip, as before the event.
  await sql`with link as (
      insert into path_enrolment_links (enrolment_id, resource_link_id, tenant_id) values (${enrolmentId}, ${resourceLinkId}, ${tenantId})
      on conflict (enrolment_id, resource_link_id) do update set last_launch_at = now()
    )
    insert into path_events (tenant_id, type, enrolment_id, person_id, path_id, version_id, step_id, payload)
    select e.tenant_id, 'path-launched', e.id, e.person_id, e.path_id, e.version_id, null, jsonb_build_object('resourceLinkId', ${resourceLinkId}::text)
    from path_enrolments e where e.id = ${enrolmentId} and e.tenant_id = ${tenantId}`.execute(db);
  const completed = await db
    .selectFrom('path_events')
    .select(EVENT_COLUMNS)
    .where('enrolment_id', '=', enrolmentId)
    .where('tenant_id', '=', tenantId)
    .where('type', '=', 'path-completed')
    .executeTakeFirst();
  if (!completed) return;
  const event = toPathEvent(completed);
  const links = await gradedLinks(db, event, resourceLinkId);
  const result = links.length > 0 ? await resultFor(db, event) : undefined;
  if (result) await queueOnce(db, event, resourceLinkId, result);
}

/**
 * The result an event sends to the LMS, or undefined when it sends none. Completion: the path
 * score, Completed / FullyGraded; a path whose score rule gives no score sends its completion
 * without a score (AGS 2.0 §3.4.3: scoreGiven is optional) rather than an invented one. A step
 * with a score completed before the path is: the score so far, InProgress / Pending (skipped once
 * the path is completed: its Completed result follows). A new attempt at a completed path (renewal)
 * sends no score so far: the gradebook keeps the earlier completion until the new one replaces it.
 */
async function resultFor(db: Kysely<Schema>, event: PathEvent): Promise<ResultReport | undefined> {
  if (event.type === 'path-completed') {
    const score = event.payload['score'];
    const completedAt = typeof event.payload['completedAt'] === 'string' ? event.payload['completedAt'] : event.createdAt.toISOString();
    const progress = { activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: completedAt } as const;
    return typeof score === 'number' ? { scoreGiven: score, scoreMaximum: 100, ...progress } : progress;
  }
  if (event.type !== 'step-completed' || typeof event.payload['score'] !== 'number') return undefined;
  const enrolment = await db.selectFrom('path_enrolments').select(['status', 'renews_enrolment_id']).where('tenant_id', '=', event.tenantId).where('id', '=', event.enrolmentId).executeTakeFirst();
  if (!enrolment || enrolment.status === 'completed' || enrolment.renews_enrolment_id !== null) return undefined;
  const score = await scoreSoFar(db, event.tenantId, event.enrolmentId);
  if (score === null) return undefined;
  return { scoreGiven: score, scoreMaximum: 100, activityProgress: 'InProgress', gradingProgress: 'Pending', timestamp: event.createdAt.toISOString() };
}

/** The enrolment's links whose platform offers a gradebook (an AGS claim at launch); one link when named. */
async function gradedLinks(db: Kysely<Schema>, event: PathEvent, only?: string): Promise<string[]> {
  let query = db
    .selectFrom('path_enrolment_links as el')
    .innerJoin('lti_resource_links as rl', 'rl.id', 'el.resource_link_id')
    .select('el.resource_link_id')
    .where('el.tenant_id', '=', event.tenantId)
    .where('el.enrolment_id', '=', event.enrolmentId)
    .where((eb) => eb.or([eb('rl.lineitem_url', 'is not', null), eb('rl.lineitems_url', 'is not', null)]));
  if (only) query = query.where('el.resource_link_id', '=', only);
  return (await query.execute()).map((row) => row.resource_link_id);
}

/** Queues the event's result for one link unless it was queued before: the receipt and the outbox
 *  row are written in one transaction, whoever gets there first (the subscriber or a launch). */
async function queueOnce(db: Kysely<Schema>, event: PathEvent, resourceLinkId: string, result: ResultReport): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const receipt = await trx
      .insertInto('path_passback_receipts')
      .values({ event_id: event.id, resource_link_id: resourceLinkId, tenant_id: event.tenantId })
      .onConflict((oc) => oc.columns(['event_id', 'resource_link_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (receipt) await reportResult(trx, resourceLinkId, event.personId, result);
  });
}

/**
 * The LTI grade passback subscriber of the path events. Each (event, link) is queued in the AGS
 * outbox once.
 */
export function gradePassback(db: Kysely<Schema>): PathEventHandler {
  return async (event) => {
    const links = await gradedLinks(db, event);
    if (links.length === 0) return;
    const result = await resultFor(db, event);
    if (!result) return;
    for (const resourceLinkId of links) await queueOnce(db, event, resourceLinkId, result);
  };
}
