import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

export type AuditActorKind = 'person' | 'operator' | 'api-client' | 'system';

/** Who did something: a person's id from their session, the CLI operator, an API client's key, the tool. */
export interface AuditActor {
  kind: AuditActorKind;
  id: string | null;
}

export interface AuditEvent {
  tenantId: string;
  actor: AuditActor;
  /** A dotted verb: 'person.viewed', 'org.import.applied', 'manager.granted' … */
  action: string;
  subjectPersonId?: string | null;
  object?: { kind: string; id: string } | null;
  /** Counts, field names, reasons: never names, e-mail addresses or other personal data in clear. */
  details?: Record<string, unknown>;
}

export const OPERATOR: AuditActor = { kind: 'operator', id: 'cli' };
export const SYSTEM: AuditActor = { kind: 'system', id: null };

export function personActor(personId: string): AuditActor {
  return { kind: 'person', id: personId };
}

/**
 * Appends to the audit log. Pass the transaction the audited change runs in, so the record and the
 * change are kept or lost together.
 */
export async function recordAudit(db: Kysely<Schema>, event: AuditEvent): Promise<void> {
  await recordAudits(db, [event]);
}

export async function recordAudits(db: Kysely<Schema>, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      events.map((e) => ({
        tenant_id: e.tenantId,
        actor_kind: e.actor.kind,
        actor_id: e.actor.id,
        action: e.action,
        subject_person_id: e.subjectPersonId ?? null,
        object_kind: e.object?.kind ?? null,
        object_id: e.object?.id ?? null,
        details: JSON.stringify(e.details ?? {}),
      })),
    )
    .execute();
}
