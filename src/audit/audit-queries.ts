import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { AuditActorKind } from './audit-log.js';

/** Where a page of the audit log ends: the last row's time (as PostgreSQL wrote it, to the
 *  microsecond) and id. The next page starts strictly after it in (at desc, id desc) order. */
export interface AuditCursor {
  readonly at: string;
  readonly id: string;
}

export interface AuditSearch {
  readonly tenantId: string;
  /** From this instant (inclusive). */
  readonly from?: Date | undefined;
  /** Before this instant (exclusive). */
  readonly before?: Date | undefined;
  /** An exact action ('person.erased') or a prefix ending in a dot ('person.'). */
  readonly action?: string | undefined;
  /** Only events by one of these people (resolved from a name or employee number by the caller). */
  readonly actorPersonIds?: readonly string[] | undefined;
  /** Only events about one of these people. */
  readonly subjectPersonIds?: readonly string[] | undefined;
  readonly after?: AuditCursor | undefined;
  readonly limit: number;
}

/** A person as an audit row shows them, joined in at reading time. */
export interface AuditPerson {
  readonly id: string;
  readonly name: string | null;
  /** Set when the person is erased: pages show "Slettet person <pseudonym>". */
  readonly pseudonym: string | null;
}

export interface AuditRow {
  readonly id: string;
  readonly at: Date;
  readonly actorKind: AuditActorKind;
  readonly actorId: string | null;
  /** The acting person, when the actor is a person of this tenant. */
  readonly actor: AuditPerson | null;
  readonly action: string;
  readonly subject: AuditPerson | null;
  readonly subjectPersonId: string | null;
  readonly objectKind: string | null;
  readonly objectId: string | null;
  readonly details: Record<string, unknown>;
}

export interface AuditPage {
  readonly rows: AuditRow[];
  /** Present when more rows follow. */
  readonly next: AuditCursor | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One tenant's audit events, newest first, paged by (at, id). Another tenant's rows never match. */
export async function searchAudit(db: Kysely<Schema>, search: AuditSearch): Promise<AuditPage> {
  if (search.actorPersonIds?.length === 0 || search.subjectPersonIds?.length === 0) return { rows: [], next: undefined };
  let query = db
    .selectFrom('audit_events as a')
    // A person is joined only from the row's own tenant: an id of another tenant names nobody here.
    .leftJoin('people as actor', (join) => join
      .on('a.actor_kind', '=', 'person')
      .on(sql`actor.id::text`, '=', sql.ref('a.actor_id'))
      .onRef('actor.tenant_id', '=', 'a.tenant_id'))
    .leftJoin('people as subject', (join) => join.onRef('subject.id', '=', 'a.subject_person_id').onRef('subject.tenant_id', '=', 'a.tenant_id'))
    .select([
      'a.id', 'a.at', sql<string>`a.at::text`.as('at_text'), 'a.actor_kind', 'a.actor_id', 'a.action', 'a.subject_person_id',
      'a.object_kind', 'a.object_id', 'a.details',
      'actor.id as actor_person_id', 'actor.name as actor_name', 'actor.pseudonym as actor_pseudonym',
      'subject.id as subject_id', 'subject.name as subject_name', 'subject.pseudonym as subject_pseudonym',
    ])
    .where('a.tenant_id', '=', search.tenantId);
  if (search.from) query = query.where('a.at', '>=', search.from);
  if (search.before) query = query.where('a.at', '<', search.before);
  if (search.action) {
    query = search.action.endsWith('.')
      ? query.where('a.action', 'like', `${search.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      : query.where('a.action', '=', search.action);
  }
  if (search.actorPersonIds) {
    query = query.where('a.actor_kind', '=', 'person').where('a.actor_id', 'in', [...search.actorPersonIds]);
  }
  if (search.subjectPersonIds) {
    const ids = search.subjectPersonIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return { rows: [], next: undefined };
    query = query.where('a.subject_person_id', 'in', ids);
  }
  if (search.after) {
    const { at, id } = search.after;
    query = query.where(sql<boolean>`(a.at, a.id) < (${at}::timestamptz, ${id}::bigint)`);
  }
  const rows = await query.orderBy('a.at', 'desc').orderBy('a.id', 'desc').limit(search.limit + 1).execute();
  const more = rows.length > search.limit;
  const shown = more ? rows.slice(0, search.limit) : rows;
  const last = shown.at(-1);
  return {
    rows: shown.map((r) => ({
      id: String(r.id),
      at: new Date(r.at),
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      actor: r.actor_person_id ? { id: r.actor_person_id, name: r.actor_name, pseudonym: r.actor_pseudonym } : null,
      action: r.action,
      subjectPersonId: r.subject_person_id,
      subject: r.subject_id ? { id: r.subject_id, name: r.subject_name, pseudonym: r.subject_pseudonym } : null,
      objectKind: r.object_kind,
      objectId: r.object_id,
      details: r.details,
    })),
    next: more && last ? { at: last.at_text, id: String(last.id) } : undefined,
  };
}

/** The actions a tenant's log holds, for the search form's list. */
export async function auditActions(db: Kysely<Schema>, tenantId: string): Promise<string[]> {
  const rows = await db.selectFrom('audit_events').select('action').distinct().where('tenant_id', '=', tenantId).orderBy('action').execute();
  return rows.map((r) => r.action);
}

/** Every row a search matches (no paging), in pages of `batch` so memory stays small per query. */
export async function* allAuditRows(db: Kysely<Schema>, search: Omit<AuditSearch, 'after' | 'limit'>, batch = 1000): AsyncGenerator<AuditRow> {
  let after: AuditCursor | undefined;
  for (;;) {
    const page = await searchAudit(db, { ...search, after, limit: batch });
    yield* page.rows;
    if (!page.next) return;
    after = page.next;
  }
}
