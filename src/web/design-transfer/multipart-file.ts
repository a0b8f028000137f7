import { Transform, type TransformCallback } from 'node:stream';
import type { Request } from 'express';
import { ProblemError } from '../problem.js';

const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a multipart/form-data Content-Type, or undefined for any other type. */
export function formDataBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function malformed(detail: string): ProblemError {
  return new ProblemError('malformed-request-body', detail);
}

/**
 * Passes on only the bytes of the first file field of a multipart/form-data body (RFC 7578), as
 * they arrive: the plain form fallback of the upload pages sends the zip this way, and it must go
 * to disk without being held in memory. Other fields are skipped. `filename` is set once the
 * file's part headers have been read. At most `maxBytes` of body are read in all.
 */
export class FormFileStream extends Transform {
  filename: string | undefined;
  #buffer: Buffer = Buffer.from('\r\n'); // so the first delimiter looks like every later one
  readonly #delimiter: Buffer;
  #state: 'start' | 'after-delimiter' | 'headers' | 'file' | 'skip' | 'done' = 'start';
  #found = false;
  #total = 0;

  constructor(
    boundary: string,
    private readonly maxBytes: number,
  ) {
    super();
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#total += chunk.length;
    if (this.#total > this.maxBytes) {
      done(new ProblemError('payload-too-large', `The body is larger than the limit of ${this.maxBytes} bytes.`));
      return;
    }
    if (this.#state === 'done') {
      done();
      return;
    }
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    try {
      this.#drain();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.#found) done(malformed('The form has no file.'));
    else if (this.#state !== 'done') done(malformed('The form body ends before its closing boundary.'));
    else done();
  }

  /** Moves the state machine as far as the buffered bytes allow. */
  #drain(): void {
    for (;;) {
      switch (this.#state) {
        case 'start':
        case 'file':
        case 'skip': {
          const at = this.#buffer.indexOf(this.#delimiter);
          if (at < 0) {
            // Bytes that cannot be the start of a delimiter are safe to pass on now.
            const safe = this.#buffer.length - (this.#delimiter.length - 1);
            if (safe > 0) {
              if (this.#state === 'file') this.push(this.#buffer.subarray(0, safe));
              this.#buffer = this.#buffer.subarray(safe);
            }
            return;
          }
          if (this.#state === 'file') this.push(this.#buffer.subarray(0, at));
          this.#buffer = this.#buffer.subarray(at + this.#delimiter.length);
          this.#state = 'after-delimiter';
          break;
        }
        case 'after-delimiter': {
          if (this.#buffer.length < 2) return;
          const next = this.#buffer.subarray(0, 2).toString('latin1');
          if (next === '--') {
            this.#state = 'done';
            this.#buffer = Buffer.alloc(0);
            return;
          }
          // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
          const lineEnd = this.#buffer.indexOf('\r\n');
          if (lineEnd < 0) {
            if (this.#buffer.length > 256) throw malformed('A multipart delimiter line is not ended.');
            return;
          }
          if (this.#buffer.subarray(0, lineEnd).toString('latin1').trim() !== '') throw malformed('A multipart delimiter is followed by text.');
          this.#buffer = this.#buffer.subarray(lineEnd + 2);
          this.#state = 'headers';
          break;
        }
        case 'headers': {
          const end = this.#buffer.indexOf('\r\n\r\n');
          if (end < 0) {
            if (this.#buffer.length > MAX_HEADER_BYTES) throw malformed('A multipart part has too many header bytes.');
            return;
          }
          const headers = this.#buffer.subarray(0, end).toString('utf8');
          this.#buffer = this.#buffer.subarray(end + 4);
          const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
          const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
          if (filename !== undefined && !this.#found) {
            this.#found = true;
            this.filename = filename;
            this.#state = 'file';
          } else {
            this.#state = 'skip';
          }
          break;
        }
        case 'done':
          this.#buffer = Buffer.alloc(0);
          return;
      }
    }
  }
}

/**
 * The first file of a multipart form, read whole when it is at most `limitBytes` (a larger one is
 * refused, never kept cut short): 'missing' without a file (or not a multipart form), 'too-large'.
 */
export async function readFormFile(req: Request, limitBytes: number): Promise<{ bytes: Buffer; filename: string } | 'missing' | 'too-large'> {
  const boundary = formDataBoundary(req.headers['content-type']);
  if (!boundary) return 'missing';
  const file = new FormFileStream(boundary, limitBytes + 64 * 1024);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      file.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limitBytes) chunks.push(chunk);
      });
      file.on('end', resolve);
      file.on('error', reject);
      req.on('error', reject);
      req.pipe(file);
    });
  } catch (error) {
    req.unpipe(file);
    req.resume();
    if (error instanceof ProblemError) return error.type === 'payload-too-large' ? 'too-large' : 'missing';
    throw error;
  }
  if (size > limitBytes) return 'too-large';
  if (size === 0) return 'missing';
  return { bytes: Buffer.concat(chunks), filename: file.filename ?? '' };
}
