import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { XapiError } from './errors.js';
import type { XapiDocumentKind } from './tables.js';
import { parseJsonBytes } from './text-input.js';

/** Where a document lives: its kind and the parts of its key that kind has (§2.3–2.6). */
export interface DocumentScope {
  readonly tenantId: string;
  readonly kind: XapiDocumentKind;
  readonly activityId?: string;
  readonly agentKey?: string;
  readonly registration?: string;
}

export interface StoredDocument {
  readonly id: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly etag: string;
  readonly updated: Date;
}

/** Concurrency headers as sent: If-Match (a list of ETags or *), If-None-Match (only * matters). */
export interface Preconditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
}

export function sha1Hex(content: Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}

/** Document ETags are the quoted SHA-1 of the content (Part Three §3.1). */
export function etagOf(sha1: string): string {
  return `"${sha1}"`;
}

function scoped(db: Kysely<Schema>, scope: DocumentScope) {
  return db
    .selectFrom('xapi_documents')
    .where('tenant_id', '=', scope.tenantId)
    .where('kind', '=', scope.kind)
    .where('activity_id', '=', scope.activityId ?? '')
    .where('agent_key', '=', scope.agentKey ?? '')
    .where('registration', '=', scope.registration?.toLowerCase() ?? '');
}

export async function getDocument(db: Kysely<Schema>, scope: DocumentScope, documentId: string): Promise<StoredDocument | undefined> {
  const row = await scoped(db, scope)
    .select(['document_id', 'content_type', 'content', 'sha1', 'updated'])
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  return row && {
    id: row.document_id,
    contentType: row.content_type,
    content: Buffer.from(row.content),
    etag: etagOf(row.sha1),
    updated: row.updated,
  };
}

/** The ids in scope (changed after `since`, when given), and when the newest of them changed. */
export async function listDocumentIds(db: Kysely<Schema>, scope: DocumentScope, since?: Date): Promise<{ ids: string[]; updated: Date | undefined }> {
  let query = scoped(db, scope).select(['document_id', 'updated']);
  if (since) query = query.where('updated', '>', since);
  const rows = await query.orderBy('document_id').execute();
  const newest = rows.reduce<number | undefined>((max, row) => Math.max(max ?? 0, row.updated.getTime()), undefined);
  return { ids: rows.map((row) => row.document_id), updated: newest === undefined ? undefined : new Date(newest) };
}

function matches(header: string, etag: string): boolean {
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etag;
  });
}

/** RFC 7232 as xAPI applies it: a failed If-Match / If-None-Match is 412. */
export function checkPreconditions(existing: StoredDocument | undefined, preconditions: Preconditions): void {
  if (preconditions.ifMatch !== undefined && (!existing || !matches(preconditions.ifMatch, existing.etag))) {
    throw new XapiError('precondition-failed', 'If-Match does not match the current document.');
  }
  if (preconditions.ifNoneMatch !== undefined && existing && matches(preconditions.ifNoneMatch, existing.etag)) {
    throw new XapiError('precondition-failed', 'If-None-Match: the document already exists.');
  }
}

export interface DocumentWrite {
  readonly documentId: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly preconditions: Preconditions;
  /**
   * PUT of a profile document needs If-Match or If-None-Match: 409 when it exists, 400 when it does
   * not (§3.1). 'when-exists' (the State resource in xAPI 2.0): 409 when it exists, created when not.
   */
  readonly requirePrecondition: boolean | 'when-exists';
  /** POST: merge JSON objects (the new one's top-level properties win), both sides must be JSON objects. */
  readonly merge: boolean;
}

function parseJsonObject(content: Buffer, what: string): Record<string, unknown> {
  const value = parseJsonBytes(content, what, 'document');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new XapiError('bad-request', `${what} is not a JSON object, so it cannot be merged.`);
  }
  return value as Record<string, unknown>;
}

function isJsonType(contentType: string): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType);
}

/** PUT replaces, POST merges; both in one transaction so concurrent writers cannot lose an update. */
export async function writeDocument(db: Kysely<Schema>, scope: DocumentScope, write: DocumentWrite): Promise<StoredDocument> {
  return db.transaction().execute(async (trx) => {
    const existing = await getDocument(trx, scope, write.documentId);
    if (write.requirePrecondition && write.preconditions.ifMatch === undefined && write.preconditions.ifNoneMatch === undefined) {
      // §3.1: 409 when the document exists; for a new one the ADL suite (XAPI-00273/00287) wants 400.
      if (existing) throw new XapiError('conflict', 'The document exists: send If-Match with its ETag (or If-None-Match: *) to change it.');
      if (write.requirePrecondition === true) {
        throw new XapiError('bad-request', 'PUT of a profile document needs If-None-Match: * (to create) or If-Match (to replace).');
      }
    }
    checkPreconditions(existing, write.preconditions);
    let contentType = write.contentType;
    let content = write.content;
    if (write.merge) {
      if (!isJsonType(write.contentType)) throw new XapiError('bad-request', 'POST merges JSON documents: the body must be application/json.');
      const incoming = parseJsonObject(write.content, 'The body');
      if (existing) {
        if (!isJsonType(existing.contentType)) throw new XapiError('bad-request', 'The stored document is not JSON, so it cannot be merged.');
        const merged = { ...parseJsonObject(existing.content, 'The stored document'), ...incoming };
        content = Buffer.from(JSON.stringify(merged));
        contentType = 'application/json';
      }
    }
    const sha1 = sha1Hex(content);
    const updated = new Date();
    await trx
      .insertInto('xapi_documents')
      .values({
        tenant_id: scope.tenantId,
        kind: scope.kind,
        activity_id: scope.activityId ?? '',
        agent_key: scope.agentKey ?? '',
        registration: scope.registration?.toLowerCase() ?? '',
        document_id: write.documentId,
        content_type: contentType,
        content,
        sha1,
        updated,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'kind', 'activity_id', 'agent_key', 'registration', 'document_id'])
          .doUpdateSet({ content_type: contentType, content, sha1, updated }),
      )
      .execute();
    return { id: write.documentId, contentType, content, etag: etagOf(sha1), updated };
  });
}

/** DELETE of one document (with preconditions) or, without a document id, of every one in scope (State only). */
export async function deleteDocuments(
  db: Kysely<Schema>,
  scope: DocumentScope,
  documentId: string | undefined,
  preconditions: Preconditions,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (documentId !== undefined) {
      checkPreconditions(await getDocument(trx, scope, documentId), preconditions);
    }
    let query = trx
      .deleteFrom('xapi_documents')
      .where('tenant_id', '=', scope.tenantId)
      .where('kind', '=', scope.kind)
      .where('activity_id', '=', scope.activityId ?? '')
      .where('agent_key', '=', scope.agentKey ?? '');
    if (scope.registration !== undefined) query = query.where('registration', '=', scope.registration.toLowerCase());
    if (documentId !== undefined) query = query.where('document_id', '=', documentId);
    await query.execute();
  });
}
