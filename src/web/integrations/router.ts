import { Router } from 'express';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Schema } from '../../db/schema.js';
import type { SessionTokens } from '../../lti/session-token.js';
import { refusalHandler } from '../lti/router.js';
import { addForwardingRoutes } from './forwarding.js';
import { addPlatformRoutes } from './platforms.js';
import { addXapiClientRoutes } from './xapi-clients.js';

export interface IntegrationsRouterDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  config: Pick<Config, 'publicUrl' | 'keyEncryptionSecret' | 'nodeEnv'>;
}

/** The administrator's pages for what connects to the tool: LMS platforms (LTI), LRS clients (xAPI) and forwarding to the municipality's own LRS. */
export function integrationsRouter(deps: IntegrationsRouterDeps): Router {
  const router = Router();
  addPlatformRoutes(router, deps);
  addXapiClientRoutes(router, deps);
  addForwardingRoutes(router, deps);
  router.use(refusalHandler);
  return router;
}
