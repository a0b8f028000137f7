import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import { isPlainObject } from './validation/primitives.js';

/** Attachment bytes sent with a request, by their lower-case SHA-2. */
export type AttachmentParts = ReadonlyMap<string, Buffer>;

/** A statement being answered with its attachments: who wrote it (its tenant) and what it says. */
export interface StatementWithTenant {
  readonly tenantId: string;
  readonly statement: Record<string, unknown>;
}

export interface ServedAttachment {
  readonly sha2: string;
  /** The statement's own `contentType` for it, never what another statement or tenant declared. */
  readonly contentType: string;
  readonly content: Buffer;
}

/** Each tenant keeps its own copy of bytes it uploads (migration 0304); the same bytes again change nothing. */
export async function storeAttachments(trx: Transaction<Schema>, tenantId: string, parts: AttachmentParts): Promise<void> {
  if (parts.size === 0) return;
  await trx
    .insertInto('xapi_attachments')
    .values([...parts].map(([sha2, content]) => ({ tenant_id: tenantId, sha2, content })))
    .onConflict((oc) => oc.columns(['tenant_id', 'sha2']).doNothing())
    .execute();
}

function declaredAttachments(statement: Record<string, unknown>): { sha2: string; contentType: string }[] {
  const list = Array.isArray(statement['attachments']) ? (statement['attachments'] as unknown[]) : [];
  return list.filter(isPlainObject).map((a) => ({ sha2: String(a['sha2']).toLowerCase(), contentType: String(a['contentType']) }));
}

/**
 * The attachments to send with statements (Part Three §2.1.3 attachments=true), each once. A
 * statement gets bytes only from its own tenant: a statement that merely names another tenant's
 * hash gets none (its attachment is then one given by fileUrl, which the answer may leave out).
 */
export async function attachmentsOf(db: Kysely<Schema>, statements: readonly StatementWithTenant[]): Promise<ServedAttachment[]> {
  const wanted = statements.flatMap((s) => declaredAttachments(s.statement).map((a) => ({ tenantId: s.tenantId, ...a })));
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('xapi_attachments')
    .select(['tenant_id', 'sha2', 'content'])
    .where((eb) => eb(eb.refTuple('tenant_id', 'sha2'), 'in', wanted.map((w) => eb.tuple(w.tenantId, w.sha2))))
    .execute();
  const held = new Map(rows.map((row) => [`${row.tenant_id} ${row.sha2}`, Buffer.from(row.content)]));
  const served = new Map<string, ServedAttachment>();
  for (const { tenantId, sha2, contentType } of wanted) {
    const content = held.get(`${tenantId} ${sha2}`);
    if (content && !served.has(sha2)) served.set(sha2, { sha2, contentType, content });
  }
  return [...served.values()];
}
