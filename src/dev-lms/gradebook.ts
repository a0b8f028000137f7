import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { DEV_SECOND_LEARNER, DEV_USERS, DevLmsError } from './dev-lms.js';

export interface LineItemInput {
  label?: unknown;
  scoreMaximum?: unknown;
  resourceId?: unknown;
  tag?: unknown;
  resourceLinkId?: unknown;
}

const optionalString = (v: unknown) => (typeof v === 'string' && v ? v : null);

/** The development LMS's gradebook: AGS 2.0 line items and scores, stored so they can be shown. */
export async function createLineItem(db: Kysely<Schema>, contextId: string, input: LineItemInput) {
  if (typeof input.label !== 'string' || !input.label) throw new DevLmsError('invalid_request', 'label is required');
  if (typeof input.scoreMaximum !== 'number' || !(input.scoreMaximum > 0)) throw new DevLmsError('invalid_request', 'scoreMaximum must be a positive number');
  return db
    .insertInto('dev_lms_line_items')
    .values({
      context_id: contextId,
      label: input.label,
      score_maximum: input.scoreMaximum,
      resource_id: optionalString(input.resourceId),
      tag: optionalString(input.tag),
      resource_link_id: optionalString(input.resourceLinkId),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listLineItems(db: Kysely<Schema>, contextId: string, filter: { resourceLinkId?: string | undefined } = {}) {
  let query = db.selectFrom('dev_lms_line_items').selectAll().where('context_id', '=', contextId).orderBy('id');
  if (filter.resourceLinkId) query = query.where('resource_link_id', '=', filter.resourceLinkId);
  return query.execute();
}

export function findLineItem(db: Kysely<Schema>, contextId: string, id: number) {
  return db.selectFrom('dev_lms_line_items').selectAll().where('context_id', '=', contextId).where('id', '=', id).executeTakeFirst();
}

const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

/** AGS 2.0 §3.4 score publish. */
export async function addScore(db: Kysely<Schema>, lineItemId: number, body: Record<string, unknown>) {
  const { userId, scoreGiven, scoreMaximum, activityProgress, gradingProgress, timestamp, comment } = body;
  if (typeof userId !== 'string' || !userId) throw new DevLmsError('invalid_request', 'userId is required');
  if (!ACTIVITY.includes(String(activityProgress)) || !GRADING.includes(String(gradingProgress))) {
    throw new DevLmsError('invalid_request', 'activityProgress and gradingProgress must be AGS values');
  }
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) throw new DevLmsError('invalid_request', 'timestamp must be ISO 8601');
  if (scoreGiven !== undefined && (typeof scoreGiven !== 'number' || typeof scoreMaximum !== 'number')) {
    throw new DevLmsError('invalid_request', 'scoreGiven needs a numeric scoreMaximum');
  }
  await db
    .insertInto('dev_lms_scores')
    .values({
      line_item_id: lineItemId,
      user_id: userId,
      score_given: typeof scoreGiven === 'number' ? scoreGiven : null,
      score_maximum: typeof scoreMaximum === 'number' ? scoreMaximum : null,
      activity_progress: String(activityProgress),
      grading_progress: String(gradingProgress),
      comment: typeof comment === 'string' ? comment : null,
      timestamp,
    })
    .execute();
}

export function listScores(db: Kysely<Schema>) {
  return db
    .selectFrom('dev_lms_scores as s')
    .innerJoin('dev_lms_line_items as li', 'li.id', 's.line_item_id')
    .select(['s.id', 'li.label', 's.user_id', 's.score_given', 's.score_maximum', 's.activity_progress', 's.grading_progress', 's.timestamp', 's.received_at'])
    .orderBy('s.id')
    .execute();
}

/** The course's members: the four role users and a class of learners, enough to page through. */
export function devMembers(): { user_id: string; name: string; email: string; roles: string[]; status: 'Active' }[] {
  const staff = [...Object.values(DEV_USERS), DEV_SECOND_LEARNER].map((u) => ({ user_id: u.id, name: u.name, email: u.email, roles: u.roles, status: 'Active' as const }));
  const learners = Array.from({ length: 21 }, (_, i) => ({
    user_id: String(200 + i),
    name: `Deltaker ${i + 1}`,
    // The last has no e-mail address, as Moodle sends a user without one ("email": "").
    email: i === 20 ? '' : `deltaker${i + 1}@kongsberg.kommune.example`,
    // Moodle sends short role names in NRPS as well as full URIs.
    roles: [i % 2 === 0 ? 'Learner' : 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    status: 'Active' as const,
  }));
  return [...staff, ...learners];
}
