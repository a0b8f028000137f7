import { createHash } from 'node:crypto';
import { XapiError } from '../errors.js';
import { boundaryOf, parseMultipart } from '../multipart.js';
import type { AttachmentParts } from '../attachment-store.js';
import { isPlainObject } from '../validation/primitives.js';
import { parseJsonBytes } from '../text-input.js';
import type { XapiVersion } from '../version.js';
import { verifySignature, SIGNATURE_USAGE } from './signature.js';

type Json = Record<string, unknown>;

export interface StatementBody {
  readonly json: unknown;
  readonly attachments: AttachmentParts;
}

function hashOf(content: Buffer, hexLength: number): string {
  const algorithm = hexLength === 128 ? 'sha512' : hexLength === 96 ? 'sha384' : 'sha256';
  return createHash(algorithm).update(content).digest('hex');
}

/** A statement or a batch as JSON; errors name the property as validation does (`statements[2].…`). */
export function parseJsonBody(body: Buffer, what = 'The body'): unknown {
  return parseJsonBytes(body, what, (value) => (Array.isArray(value) ? 'statements' : 'statement'));
}

/**
 * A statements POST/PUT body: JSON, or multipart/mixed with the statement(s) first and one part per
 * attachment whose content is not at a fileUrl (Part Three §1.5.2).
 */
export function readStatementBody(contentType: string, body: Buffer): StatementBody {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return { json: parseJsonBody(body), attachments: new Map() };
  if (type !== 'multipart/mixed') {
    throw new XapiError('bad-request', 'Statements are sent as application/json or multipart/mixed.');
  }
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new XapiError('bad-request', 'multipart/mixed needs a boundary parameter.');
  const [first, ...rest] = parseMultipart(body, boundary);
  if (!first || !/^application\/json\s*(;|$)/i.test(first.headers['content-type'] ?? '')) {
    throw new XapiError('bad-request', 'The first part of a multipart statement request must be application/json.');
  }
  const attachments = new Map<string, Buffer>();
  for (const part of rest) {
    const declared = part.headers['x-experience-api-hash'];
    if (!declared) throw new XapiError('bad-request', 'Every attachment part needs an X-Experience-API-Hash header.');
    const transfer = part.headers['content-transfer-encoding'];
    if (transfer && transfer.toLowerCase() !== 'binary') throw new XapiError('bad-request', 'Attachment parts must use Content-Transfer-Encoding: binary.');
    const sha2 = declared.toLowerCase();
    if (hashOf(part.body, sha2.length) !== sha2) {
      throw new XapiError('bad-request', `The attachment part with hash ${declared} does not have that hash.`);
    }
    // The part's own Content-Type is not kept: the statement's attachment object says what the content is.
    attachments.set(sha2, part.body);
  }
  return { json: parseJsonBody(first.body, 'The statement part'), attachments };
}

/**
 * Every attachment without a fileUrl has its part; no part is left over (§2.4.11 / Part Three §1.5.2);
 * signature attachments are checked (§2.6).
 */
export function matchAttachments(statements: readonly Json[], parts: AttachmentParts, version: XapiVersion = '1.0'): void {
  const used = new Set<string>();
  statements.forEach((statement, index) => {
    const list = Array.isArray(statement['attachments']) ? (statement['attachments'] as Json[]) : [];
    for (const attachment of list) {
      const sha2 = String(attachment['sha2']).toLowerCase();
      const part = parts.get(sha2);
      if (!part && attachment['fileUrl'] === undefined) {
        throw new XapiError('bad-request', `Statement ${index}: the attachment ${sha2} has neither a fileUrl nor a part in the request.`);
      }
      if (part) used.add(sha2);
      if (attachment['usageType'] === SIGNATURE_USAGE) {
        if (!part) throw new XapiError('bad-request', `Statement ${index}: the signature attachment must be sent as a part.`);
        verifySignature(statement, attachment, part, version);
      }
    }
  });
  for (const sha2 of parts.keys()) {
    if (!used.has(sha2)) throw new XapiError('bad-request', `The part with hash ${sha2} belongs to no attachment of the statements.`);
  }
}

export function asStatementList(json: unknown): { list: Json[]; batch: boolean } {
  if (Array.isArray(json)) return { list: json as Json[], batch: true };
  if (isPlainObject(json)) return { list: [json], batch: false };
  throw new XapiError('bad-request', 'The body must be a statement or an array of statements.');
}
