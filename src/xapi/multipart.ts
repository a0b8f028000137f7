import { XapiError } from './errors.js';

export interface MimePart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The boundary parameter of a multipart Content-Type, unquoted. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r\n/)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new XapiError('bad-request', `A multipart part has a malformed header line: ${JSON.stringify(line.slice(0, 80))}.`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * RFC 2046 multipart body (xAPI 1.0.3 Part Three §1.5.2): parts separated by CRLF--boundary, each
 * with headers, a blank line and binary content; the preamble and epilogue are ignored.
 */
export function parseMultipart(body: Buffer, boundary: string): MimePart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MimePart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new XapiError('bad-request', 'The multipart body does not contain its boundary.');
  for (;;) {
    let cursor = start + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === '--') return parts;
    if (body.subarray(cursor, cursor + 2).toString() !== '\r\n') throw new XapiError('bad-request', 'A multipart boundary line must end with CRLF.');
    cursor += 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), cursor);
    if (next < 0) throw new XapiError('bad-request', 'The multipart body ends without its closing boundary.');
    const part = body.subarray(cursor, next);
    const split = part.indexOf('\r\n\r\n');
    const headerBlock = split < 0 ? (part.subarray(0, 2).toString() === '\r\n' ? '' : part.toString('latin1')) : part.subarray(0, split).toString('latin1');
    const content = split < 0 ? (part.subarray(0, 2).toString() === '\r\n' ? part.subarray(2) : Buffer.alloc(0)) : part.subarray(split + 4);
    parts.push({ headers: parseHeaders(headerBlock), body: Buffer.from(content) });
    start = next + 2;
  }
}

/** Builds a multipart/mixed body (for GET ?attachments=true). */
export function buildMultipart(boundary: string, parts: readonly MimePart[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const headers = Object.entries(part.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${headers}\r\n`), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
