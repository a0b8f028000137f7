import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { PathError } from './errors.js';
import { emitPathEvent } from './events.js';
import { findPublishedVersion, findVisiblePath } from './paths.js';
import { systemClock, type Clock } from './ports.js';

/**
 * Taking a path again (recertification). Each attempt is an enrolment of its own: fresh step
 * progress, new SCORM attempts and xAPI registrations (both hang on the enrolment). The attempt it
 * follows is marked superseded and keeps its progress and its completion record unchanged.
 * Whether the person may take the path again (a holding within its renewal window, a manager's new
 * assignment) is decided by the caller: the paths capability knows nothing of holdings.
 */

export interface CurrentAttempt {
  readonly enrolmentId: string;
  readonly status: 'in_progress' | 'completed';
  readonly completedAt: Date | null;
}

/** The person's current attempt at the path, if they have one. */
export async function currentAttempt(db: Kysely<Schema>, tenantId: string, personId: string, pathId: string): Promise<CurrentAttempt | undefined> {
  const row = await db
    .selectFrom('path_enrolments')
    .select(['id', 'status', 'completed_at'])
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', personId)
    .where('path_id', '=', pathId)
    .where('superseded_at', 'is', null)
    .executeTakeFirst();
  return row ? { enrolmentId: row.id, status: row.status, completedAt: row.completed_at } : undefined;
}

/**
 * Starts a new attempt after `enrolmentId`, which must be the person's current attempt and
 * completed. The new attempt follows the path's newest published version, gets the version's due
 * date counted from now, and keeps the LMS links of the earlier attempt (grade passback goes to the
 * same gradebook columns). Two clicks at once start one attempt: the earlier one is locked, and the
 * second finds it superseded.
 */
export async function startNewAttempt(
  db: Kysely<Schema>,
  tenantId: string,
  personId: string,
  enrolmentId: string,
  clock: Clock = systemClock,
): Promise<{ enrolmentId: string }> {
  return db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom('path_enrolments')
      .select(['id', 'tenant_id', 'person_id', 'path_id', 'status', 'superseded_at'])
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', personId)
      .where('id', '=', enrolmentId)
      .forUpdate()
      .executeTakeFirst();
    if (!previous) throw new PathError('enrolment-not-found', 'no such enrolment of this person');
    if (previous.superseded_at !== null) throw new PathError('attempt-not-allowed', 'a newer attempt has been started already');
    if (previous.status !== 'completed') throw new PathError('attempt-not-allowed', 'the current attempt is not completed');
    const path = await findVisiblePath(trx, tenantId, previous.path_id);
    const version = path?.latestVersion ? await findPublishedVersion(trx, tenantId, path.latestVersion.id) : undefined;
    if (!path || !version) throw new PathError('version-not-found', 'the path has no published version this tenant may use');
    const now = clock.now();
    const days = version.definition.dueAfterDays;
    const dueAt = days === null ? null : new Date(now.getTime() + days * 86_400_000);
    await trx.updateTable('path_enrolments').set({ superseded_at: now, updated_at: now }).where('id', '=', previous.id).execute();
    const row = await trx
      .insertInto('path_enrolments')
      .values({
        tenant_id: tenantId, path_id: path.id, version_id: version.id, person_id: personId, started_at: now, due_at: dueAt,
        completed_at: null, updated_at: now, renews_enrolment_id: previous.id,
      })
      .returning(['id', 'tenant_id', 'person_id', 'path_id', 'version_id'])
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('path_enrolment_links')
      .columns(['enrolment_id', 'resource_link_id', 'tenant_id'])
      .expression((eb) => eb
        .selectFrom('path_enrolment_links')
        .select([sql<string>`${row.id}::uuid`.as('enrolment_id'), 'resource_link_id', 'tenant_id'])
        .where('enrolment_id', '=', previous.id))
      .execute();
    await emitPathEvent(trx, 'path-started', row, null, { dueAt: dueAt?.toISOString() ?? null, renewsEnrolmentId: previous.id });
    return { enrolmentId: row.id };
  });
}
