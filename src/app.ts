import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { MigrationFile } from './db/migrations.js';
import type { Logger } from './logger.js';
import { assetsRouter } from './web/assets.js';
import { errorHandler, notFoundHandler } from './web/errors.js';
import { healthRouter } from './web/health.js';
import { homeRouter, type StartPageLink } from './web/home.js';

export interface AppDependencies {
  config: Config;
  database: Database;
  logger: Logger;
  migrations: readonly MigrationFile[];
  /** Capability routers, mounted after the core routes and before the error handlers. */
  routers?: readonly Router[];
  startPageLinks?: readonly StartPageLink[];
  isShuttingDown?: () => boolean;
}

/** Accept a caller's request id (a load balancer's) when it is harmless in a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createApp(deps: AppDependencies): Express {
  const { config, database, logger } = deps;
  const isShuttingDown = deps.isShuttingDown ?? (() => false);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.nodeEnv === 'production' ? 'loopback, uniquelocal' : false);
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      genReqId(req: IncomingMessage, res) {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel(_req, res, error) {
        if (error || res.statusCode >= 500) return 'error';
        return res.statusCode >= 400 ? 'info' : 'debug';
      },
    }),
  );

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'style-src': ["'self'"],
          'script-src': ["'self'"],
          'form-action': ["'self'"],
          // Pages are shown inside LMS iframes; launch routes set their own frame-ancestors.
          'frame-ancestors': ["'self'"],
          'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
        },
      },
      // frame-ancestors above supersedes X-Frame-Options, which cannot name several LMS origins.
      frameguard: false,
      strictTransportSecurity: config.publicUrl.startsWith('https:'),
    }),
  );

  // JSON and form bodies anywhere; capabilities with other needs (xAPI, uploads) parse their own.
  // The LRS under /xapi reads its own bodies (raw documents, multipart attachments, alternate syntax).
  const parsed = (parser: express.RequestHandler): express.RequestHandler => (req, res, next) =>
    /^\/xapi(\/|$)/.test(req.path) ? next() : parser(req, res, next);
  app.use(parsed(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/*+json'] })));
  app.use(parsed(express.urlencoded({ limit: config.bodyLimitBytes, extended: false })));

  app.use(healthRouter({ database, migrations: deps.migrations, isShuttingDown }));
  app.use(assetsRouter());
  app.use(homeRouter({ config, database, links: deps.startPageLinks ?? [] }));
  for (const router of deps.routers ?? []) app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler({ exposeDetails: config.nodeEnv === 'development' }));
  return app;
}
