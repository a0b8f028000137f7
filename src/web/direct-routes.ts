import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Express, RequestHandler } from 'express';
import { ProblemError } from './problem.js';

/**
 * What a direct route hands to the app when it does not answer itself: the body it has read (the
 * app's body parsers then leave the request alone) or an error for the app's error handler.
 */
export type Handover = { body: unknown } | { error: unknown };

/**
 * A route served on Node's request ahead of Express, for the busiest machine-client requests: a
 * SCORM commit served through Express spent more than half its CPU time there. The route decides at
 * once whether a request is its own (undefined: the app serves it untouched). A request it takes
 * it either answers, or hands to the app with what it found, so every refusal is still answered by
 * the app's own handlers, exactly as before.
 */
export type DirectRoute = (req: IncomingMessage, res: ServerResponse) => Promise<Handover | undefined> | undefined;

const HANDED_OVER_ERROR = Symbol('handed-over error');
type HandedOver = IncomingMessage & { body?: unknown; [HANDED_OVER_ERROR]?: unknown };

/** The request listener: the direct routes first, then the app. */
export function directRequestListener(app: Express, routes: readonly DirectRoute[]): RequestListener {
  if (routes.length === 0) return app;
  const handOver = (req: HandedOver, res: ServerResponse, handover: Handover) => {
    if ('error' in handover) req[HANDED_OVER_ERROR] = handover.error;
    else req.body = handover.body;
    app(req, res);
  };
  return (req, res) => {
    for (const route of routes) {
      const taken = route(req, res);
      if (!taken) continue;
      taken.then(
        (handover) => handover && handOver(req, res, handover),
        (error: unknown) => handOver(req, res, { error }),
      );
      return;
    }
    app(req, res);
  };
}

/** Early in the app: an error a direct route handed over goes to the app's error handler. */
export const handedOverErrors: RequestHandler = (req, _res, next) => {
  next((req as HandedOver)[HANDED_OVER_ERROR]);
};

/** The whole body of a request a direct route has taken (its length was checked beforehand). */
export function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new ProblemError('malformed-request-body', 'The request was aborted before the body was complete.'));
    });
  });
}
