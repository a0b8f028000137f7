import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { PathEvent, PathEventType } from './ports.js';

export interface EnrolmentRef {
  readonly id: string;
  readonly tenant_id: string;
  readonly person_id: string;
  readonly path_id: string;
  readonly version_id: string;
}

/** Writes an event into the outbox inside the caller's transaction: it exists exactly when the
 *  change it announces does. */
export async function emitPathEvent(
  trx: Kysely<Schema>,
  type: PathEventType,
  enrolment: EnrolmentRef,
  stepId: string | null,
  payload: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('path_events')
    .values({
      tenant_id: enrolment.tenant_id,
      type,
      enrolment_id: enrolment.id,
      person_id: enrolment.person_id,
      path_id: enrolment.path_id,
      version_id: enrolment.version_id,
      step_id: stepId,
      payload: JSON.stringify(payload),
    })
    .execute();
}

export const EVENT_COLUMNS = ['id', 'xid', 'type', 'tenant_id', 'enrolment_id', 'person_id', 'path_id', 'version_id', 'step_id', 'payload', 'created_at'] as const;

export type EventRow = {
  id: number; xid: number; type: PathEventType; tenant_id: string; enrolment_id: string; person_id: string; path_id: string;
  version_id: string; step_id: string | null; payload: unknown; created_at: Date;
};

export function toPathEvent(row: EventRow): PathEvent {
  return {
    id: row.id,
    type: row.type,
    tenantId: row.tenant_id,
    enrolmentId: row.enrolment_id,
    personId: row.person_id,
    pathId: row.path_id,
    versionId: row.version_id,
    stepId: row.step_id,
    payload: (row.payload ?? {}) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/** Events of one tenant's enrolment, oldest first (for pages and tests; subscribers use the dispatcher). */
export async function listEnrolmentEvents(db: Kysely<Schema>, tenantId: string, enrolmentId: string): Promise<PathEvent[]> {
  const rows = await db
    .selectFrom('path_events')
    .select(EVENT_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('enrolment_id', '=', enrolmentId)
    .orderBy('xid')
    .orderBy('id')
    .execute();
  return rows.map(toPathEvent);
}
