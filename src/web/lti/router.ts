import { Router, type ErrorRequestHandler } from 'express';
import type { JWK } from 'jose';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import type { LtiService } from '../../lti/lti-service.js';
import { findPlatformById } from '../../lti/platforms.js';
import { LtiRefusal } from '../../lti/refusal.js';
import { canvasDeveloperKey } from '../../lti/tool-config.js';
import { requestLocale, toLocale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { requireSession } from '../session.js';
import { expressExchange } from './exchange.js';
import { adjustCsp, origin, param, platformOrigins } from './http.js';
import { answerLaunch, answerLogin, answerRefusal, NO_ITEMS, type LaunchRoute, type LinkableItems, type LoginLaunchDeps } from './login-launch.js';
import { tl } from './messages.js';
import { autoPostPage } from './pages.js';
import { registerRouter } from './register-routes.js';
import { AUTOSUBMIT_JS, STORAGE_JS } from './scripts.js';

export { NO_ITEMS, type LaunchContext, type LaunchRoute, type LinkableItems } from './login-launch.js';

export interface LtiRouterDeps {
  config: Config;
  database: Database;
  logger: Logger;
  lti: LtiService;
  /** Consulted in order after a resource-link launch; none answering leads to the role's start page. */
  launchRoutes?: readonly LaunchRoute[];
  linkableItems?: LinkableItems;
  /** Other keys of the tool published with the LTI keys (the certificates' signing keys, with their own kid). */
  publishedKeys?: () => Promise<JWK[]>;
}

export function ltiRouter({ config, database, logger, lti, launchRoutes = [], linkableItems = NO_ITEMS, publishedKeys }: LtiRouterDeps): Router {
  const router = Router();
  router.use(registerRouter({ config, database }));
  const db = database.db;

  router.get('/lti/jwks', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    const { keys } = await lti.toolKeys.jwks();
    res.json({ keys: [...keys, ...((await publishedKeys?.()) ?? [])] });
  });

  router.get('/lti/config/canvas.json', (_req, res) => {
    res.json(canvasDeveloperKey(lti.endpoints.publicUrl));
  });

  router.get('/lti/assets/storage.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600').send(STORAGE_JS);
  });
  router.get('/lti/assets/autosubmit.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600').send(AUTOSUBMIT_JS);
  });

  const flow: LoginLaunchDeps = { database, lti, launchRoutes, linkableItems };
  router.all('/lti/login', (req, res) => answerLogin(expressExchange(req, res), flow));
  router.post('/lti/launch', (req, res) => answerLaunch(expressExchange(req, res), flow));

  router.get('/lti/session', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await requireSession(req, lti.sessions));
  });

  router.post('/lti/deep-linking/respond', async (req, res) => {
    const session = await requireSession(req, lti.sessions);
    if (session.role !== 'designer' && session.role !== 'admin') throw new LtiRefusal('not-permitted', `role ${session.role} may not place content`);
    const context = await lti.deepLinking.openContext(param(req, 'context') ?? '');
    if (context.personId !== session.personId || context.platformId !== session.platformId) {
      throw new LtiRefusal('not-permitted', 'the deep-linking request belongs to someone else');
    }
    const item = await linkableItems.find(session, param(req, 'item') ?? '');
    if (!item) throw new LtiRefusal('bad-login-request', 'unknown item');
    const platform = await findPlatformById(db, context.platformId);
    if (!platform) throw new LtiRefusal('unknown-platform', 'the platform was removed');
    const jwt = await lti.deepLinking.response(platform, context, item, lti.endpoints.launchUrl);
    const locale = toLocale(session.locale) ?? requestLocale(req);
    adjustCsp(res, { frameAncestors: platformOrigins(platform), formAction: ["'self'", origin(context.returnUrl)!] });
    logger.info({ platform: platform.issuer, item: item.id, person: session.personId }, 'lti deep link returned');
    sendPage(res, 200, autoPostPage(locale, tl(locale, 'deeplink.returning'), context.returnUrl, { JWT: jwt }));
  });

  router.use(refusalHandler);
  return router;
}

/** Refusals become a bokmål (or the asked language's) page with a reference id and a log line. */
export const refusalHandler: ErrorRequestHandler = (error, req, res, next) => {
  if (!(error instanceof LtiRefusal)) {
    next(error);
    return;
  }
  answerRefusal(expressExchange(req, res), error);
};
