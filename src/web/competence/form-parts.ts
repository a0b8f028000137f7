import type { Request } from 'express';
import { formDataBoundary } from '../design-transfer/multipart-file.js';
import { ProblemError } from '../problem.js';

/** A form with text fields and at most one file, read from a multipart/form-data body. */
export interface FormParts {
  readonly fields: ReadonlyMap<string, string>;
  /** The first file field with a file in it; 'too-large' when its bytes went over the limit. */
  readonly file: { readonly field: string; readonly filename: string; readonly bytes: Buffer } | 'too-large' | undefined;
}

/** Room for the text fields and the parts' headers beside the file. */
const FIELDS_ALLOWANCE = 64 * 1024;
/** A body this much over the file limit is not read to its end: the connection is refused. */
const DRAIN_FACTOR = 3;

/**
 * Reads a multipart form whose file may be at most `fileLimit` bytes. A larger file is refused as
 * 'too-large' while the fields sent before it are kept (browsers send fields in the form's order),
 * so the page can show the form again as it was typed. Only the first `fileLimit` plus an
 * allowance are kept in memory; a body several times the limit ends in 413.
 */
export async function readFormParts(req: Request, fileLimit: number): Promise<FormParts> {
  const boundary = formDataBoundary(req.headers['content-type']);
  if (!boundary) return { fields: new Map(), file: undefined };
  const keep = fileLimit + FIELDS_ALLOWANCE;
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (kept < keep) {
        const part = chunk.subarray(0, keep - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (total > keep * DRAIN_FACTOR) {
        req.removeAllListeners('data');
        req.pause();
        reject(new ProblemError('payload-too-large', `The form is larger than the limit of ${fileLimit} bytes for its file.`));
      }
    });
    req.on('end', resolve);
    req.on('error', reject);
  });
  return parseParts(Buffer.concat(chunks), boundary, fileLimit, total > kept);
}

function parseParts(body: Buffer, boundary: string, fileLimit: number, cut: boolean): FormParts {
  const fields = new Map<string, string>();
  let file: FormParts['file'];
  const first = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let at = body.indexOf(first);
  if (at < 0) return { fields, file };
  at += first.length;
  for (;;) {
    if (body.subarray(at, at + 2).toString('latin1') === '--') break;
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const headerEnd = body.indexOf('\r\n\r\n', lineEnd);
    if (headerEnd < 0) break;
    const headers = body.subarray(lineEnd + 2, headerEnd).toString('utf8');
    const start = headerEnd + 4;
    const next = body.indexOf(delimiter, start);
    const complete = next >= 0;
    const content = body.subarray(start, complete ? next : body.length);
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      // An empty file input sends a part with no name and no bytes: no file.
      if (file === undefined && (filename !== '' || content.length > 0)) {
        file = !complete || content.length > fileLimit ? 'too-large' : { field: name, filename: filename.slice(0, 200), bytes: Buffer.from(content) };
      }
    } else if (complete && name && !fields.has(name)) {
      fields.set(name, content.toString('utf8').slice(0, 4000));
    }
    if (!complete) break;
    at = next + delimiter.length;
  }
  if (cut && file === undefined) file = 'too-large';
  return { fields, file };
}
