import express, { type Express, type Router } from 'express';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { MigrationFile } from './db/migrations.js';
import type { Logger } from './logger.js';
import { assetsRouter } from './web/assets.js';
import { errorHandler, notFoundHandler } from './web/errors.js';
import { healthRouter } from './web/health.js';
import { homeRouter, type StartPageLink } from './web/home.js';
import { handedOverErrors } from './web/direct-routes.js';
import { FORM_FIELD_LIMIT } from './web/problem.js';
import { requestLog } from './web/request-log.js';
import { pageSecurityHeaders } from './web/security-headers.js';

export interface AppDependencies {
  config: Config;
  database: Database;
  logger: Logger;
  migrations: readonly MigrationFile[];
  /** Capability routers, mounted after the core routes and before the error handlers. */
  routers?: readonly Router[];
  /**
   * Routers for machine clients (the SCORM runtime API, the LRS): they parse their own bodies and
   * answer JSON, so they come before the page middleware (security headers for pages, form and
   * JSON parsing), which their busy requests would only pay for.
   */
  apiRouters?: readonly Router[];
  startPageLinks?: readonly StartPageLink[];
  isShuttingDown?: () => boolean;
}

export function createApp(deps: AppDependencies): Express {
  const { config, database, logger } = deps;
  const isShuttingDown = deps.isShuttingDown ?? (() => false);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.nodeEnv === 'production' ? 'loopback, uniquelocal' : false);
  app.set('query parser', 'simple');

  app.use(requestLog(app, logger));
  app.use(handedOverErrors);

  app.use((_req, res, next) => {
    // Answers are never to be sniffed into something else, API answers included.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  for (const router of deps.apiRouters ?? []) app.use(router);

  app.use(pageSecurityHeaders(config));

  // JSON and form bodies anywhere; capabilities with other needs (xAPI, uploads) parse their own.
  // The LRS under /xapi reads its own bodies (raw documents, multipart attachments, alternate syntax).
  const parsed = (parser: express.RequestHandler): express.RequestHandler => (req, res, next) =>
    /^\/xapi(\/|$)/.test(req.path) ? next() : parser(req, res, next);
  app.use(parsed(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/*+json'] })));
  app.use(parsed(express.urlencoded({ limit: config.bodyLimitBytes, extended: false, parameterLimit: FORM_FIELD_LIMIT })));

  app.use(healthRouter({ database, migrations: deps.migrations, isShuttingDown }));
  app.use(assetsRouter());
  app.use(homeRouter({ config, database, links: deps.startPageLinks ?? [] }));
  for (const router of deps.routers ?? []) app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler({ exposeDetails: config.nodeEnv === 'development' }));
  return app;
}
