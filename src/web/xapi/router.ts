import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { XapiError, type XapiErrorKind } from '../../xapi/errors.js';
import { requestedVersionHeader } from '../../xapi/lrs/alternate-syntax.js';
import { Lrs } from '../../xapi/lrs/lrs.js';
import { decodeForm } from '../../xapi/text-input.js';
import { XapiInvalid } from '../../xapi/validation/invalid.js';
import { responseVersionHeader } from '../../xapi/version.js';
import { ProblemError, type ProblemType } from '../problem.js';

/** CORS for browser content (xAPI content runs on other origins and sends Basic credentials). */
const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, PUT, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language',
  'Access-Control-Expose-Headers': 'ETag, Last-Modified, Content-Type, X-Experience-API-Version, X-Experience-API-Consistent-Through',
  'Access-Control-Max-Age': '600',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

const PROBLEM_OF: Record<XapiErrorKind, ProblemType> = {
  'bad-request': 'xapi-invalid',
  unauthorized: 'xapi-unauthorized',
  forbidden: 'xapi-forbidden',
  'not-found': 'not-found',
  'method-not-allowed': 'method-not-allowed',
  conflict: 'xapi-conflict',
  'precondition-failed': 'xapi-precondition-failed',
  'payload-too-large': 'payload-too-large',
  'unsupported-media-type': 'unsupported-media-type',
  'too-many-requests': 'xapi-too-many-requests',
};

function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new XapiError('payload-too-large', `The body is larger than the limit of ${limit} bytes.`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped, so the client still gets its 413 answer.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () =>
      size > limit
        ? reject(new XapiError('payload-too-large', `The body is larger than the limit of ${limit} bytes.`))
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

/** xAPI errors as problem+json with the status the spec names; a 400 says which statement, which property, why. */
function toProblem(error: unknown): ProblemError | undefined {
  if (error instanceof XapiInvalid) {
    const statement = /^statements\[(\d+)\]/.exec(error.path)?.[1];
    return new ProblemError('xapi-invalid', error.message, {
      property: error.path,
      reason: error.reason,
      ...(statement !== undefined ? { statement: Number(statement) } : {}),
    });
  }
  if (error instanceof XapiError) return new ProblemError(PROBLEM_OF[error.kind], error.message);
  return undefined;
}

function headersOf(req: Request): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** The Express side of the LRS: everything under /xapi goes to one Lrs instance. */
export function xapiRouter(options: { db: Kysely<Schema>; publicUrl: string; bodyLimitBytes: number; maxPageSize?: number; now?: () => number; lrs?: Lrs }): Router {
  const lrs = options.lrs ?? new Lrs({
    db: options.db,
    publicUrl: options.publicUrl,
    ...(options.maxPageSize !== undefined ? { maxPageSize: options.maxPageSize } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const router = express.Router();
  router.use('/xapi', (req: Request, res: Response, next: NextFunction) => {
    // Until the body is read, the header alone says the version; see below for the alternate syntax.
    res.set('X-Experience-API-Version', responseVersionHeader(req.get('X-Experience-API-Version')));
    res.set(CORS_HEADERS);
    // Answers depend on the credentials and change with every write: a browser must not answer a
    // later request (another AU session's, say) from its cache (RFC 9111 §4.2.2 heuristic freshness).
    res.set('Cache-Control', 'no-store');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    const url = new URL(req.originalUrl, 'http://lrs.invalid');
    // Part Three §2.1.3: every statements GET answer carries Consistent-Through, errors included.
    const reading = req.method === 'GET' || req.method === 'HEAD' || /^get$/i.test(url.searchParams.get('method') ?? '');
    if (reading && /^\/xapi\/statements\/?$/.test(url.pathname)) {
      res.set('X-Experience-API-Consistent-Through', lrs.context.tracker.consistentThrough().toISOString());
    }
    readBody(req, options.bodyLimitBytes)
      .then((body) => {
        const headers = headersOf(req);
        // An xAPI 2.0 request is answered as 2.0.0, a 1.0.x one as 1.0.3 (xAPI 2.0 Communication §3.3).
        res.set('X-Experience-API-Version', responseVersionHeader(requestedVersionHeader(req.method, url.searchParams, headers, body)));
        return lrs.handle({
          method: req.method,
          path: url.pathname.replace(/^\/xapi/, ''),
          // Like url.searchParams, but percent-encoded bytes that are not UTF-8 are a 400, not U+FFFD.
          query: new URLSearchParams(decodeForm(url.search, 'The query string')),
          headers,
          body,
          clientAddress: req.ip ?? req.socket.remoteAddress ?? '',
        });
      })
      .then((response) => {
        const body = response.body === undefined ? undefined : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body);
        res.status(response.status).set(response.headers ?? {});
        if (response.status === 200 && response.headers?.['Content-Type'] === undefined) res.type('application/octet-stream');
        if (body) res.setHeader('Content-Length', body.length);
        res.end(body);
      })
      .catch((error: unknown) => {
        if (error instanceof XapiError && error.kind === 'unauthorized') res.set('WWW-Authenticate', 'Basic realm="xAPI"');
        if (error instanceof XapiError && error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
        next(toProblem(error) ?? error);
      });
  });
  return router;
}
