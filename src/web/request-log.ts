import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Express, RequestHandler } from 'express';
import type { Level } from 'pino';
import type { Logger } from '../logger.js';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: the caller's X-Request-Id when it is safe to log, otherwise a new UUID. */
    id: string;
    /** A logger whose lines carry this request's id. */
    readonly log: Logger;
  }
}

/** Accept a caller's request id (a load balancer's) when it is harmless in a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const CHILD_LOGGER = Symbol('request logger');

type WithChild = { [CHILD_LOGGER]?: Logger; id: string };

/** The caller's request id when it is safe to log, otherwise a new one. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function levelOf(statusCode: number): Level {
  if (statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'info' : 'debug';
}

/**
 * The request's log line, when its level is enabled. `log` is asked for only then, so a request
 * whose line is not written never makes a child logger.
 */
export function logRequestEnd(
  logger: Logger,
  log: () => Logger,
  request: { method: string | undefined; url: string | undefined; statusCode: number; started: number; aborted: boolean },
): void {
  const level = request.aborted ? 'info' : levelOf(request.statusCode);
  if (!logger.isLevelEnabled(level)) return;
  log()[level](
    { req: { method: request.method, url: request.url }, res: { statusCode: request.statusCode }, responseTime: Math.round(performance.now() - request.started) },
    request.aborted ? 'request aborted' : 'request completed',
  );
}

/**
 * Request ids and one log line per request: successes at debug, client errors at info, server
 * errors at error (docs/operations.md). The per-request child logger is made only when a handler
 * logs, and the completion line only when its level is enabled, so a busy API path at the default
 * level pays for an id and a header, nothing more.
 */
export function requestLog(app: Express, logger: Logger): RequestHandler {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: WithChild): Logger {
      return (this[CHILD_LOGGER] ??= logger.child({ requestId: this.id }));
    },
  });
  return (req, res, next) => {
    const started = performance.now();
    const id = requestIdOf(req.headers);
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const done = (aborted: boolean) => {
      res.removeListener('finish', finished);
      res.removeListener('close', closed);
      logRequestEnd(logger, () => req.log, { method: req.method, url: req.originalUrl, statusCode: res.statusCode, started, aborted });
    };
    const finished = () => done(false);
    const closed = () => done(!res.writableFinished);
    res.on('finish', finished);
    res.on('close', closed);
    next();
  };
}
