import type { Router } from 'express';
import type { JWK } from 'jose';
import type { CapabilityDependencies } from '../../compose.js';
import { DevLms } from '../../dev-lms/dev-lms.js';
import { DEVELOPMENT_SEED_LOCK, exclusively } from '../../db/advisory-lock.js';
import { registerDevLms } from '../../dev-lms/register.js';
import { devLmsRouter } from '../../dev-lms/router.js';
import { PollingLoop } from '../../background/polling-loop.js';
import { AgsOutbox } from '../../lti/ags.js';
import { createLtiService, type LtiService } from '../../lti/lti-service.js';
import { purgeExpiredNonces } from '../../lti/oidc-login.js';
import { developmentRoutes } from '../development-routes.js';
import type { DirectRoute } from '../direct-routes.js';
import type { StartPageLink } from '../home.js';
import { pageSecurityHeaderValues } from '../security-headers.js';
import { directLaunchRoute } from './direct-launch.js';
import { ltiRouter, NO_ITEMS, type LaunchRoute, type LinkableItems } from './router.js';

export interface LtiComposition {
  lti: LtiService;
  /** The development LMS, when the configuration serves it (never in production). */
  devLms: DevLms | undefined;
  routers: Router[];
  /** The login and the launch, served ahead of Express (the router serves what they leave). */
  directRoutes: DirectRoute[];
  startPageLinks: StartPageLink[];
  stop(): Promise<void>;
}

const OUTBOX_INTERVAL_MS = 2000;
const PURGE_INTERVAL_MS = 60_000;

/**
 * LTI in the running service: the tool's key (created on first start), its routes, the AGS outbox
 * worker, and the development LMS when config.devLms serves it (registered with the tool in development).
 */
export interface LtiHooks {
  /** Filled by later capabilities before the first request: see LtiRouterDeps. */
  launchRoutes: LaunchRoute[];
  linkableItems?: LinkableItems;
  /** Keys published in /lti/jwks besides the LTI keys (see LtiRouterDeps). */
  publishedKeys?: () => Promise<JWK[]>;
}

export async function composeLti({ config, database, logger }: CapabilityDependencies, hooks: LtiHooks = { launchRoutes: [] }): Promise<LtiComposition> {
  const lti = createLtiService({ config, database, logger });
  await lti.toolKeys.ensureKey();
  const linkableItems: LinkableItems = {
    list: (session) => (hooks.linkableItems ?? NO_ITEMS).list(session),
    find: (session, id) => (hooks.linkableItems ?? NO_ITEMS).find(session, id),
  };
  const routers: Router[] = [ltiRouter({ config, database, logger, lti, launchRoutes: hooks.launchRoutes, linkableItems, publishedKeys: async () => (await hooks.publishedKeys?.()) ?? [] })];
  const directRoutes = [
    directLaunchRoute({ config, logger, pageHeaders: pageSecurityHeaderValues(config), flow: { database, lti, launchRoutes: hooks.launchRoutes, linkableItems } }),
  ];
  const startPageLinks: StartPageLink[] = [];
  let devLms: DevLms | undefined;

  if (config.devLms !== 'off') {
    const lms = new DevLms({ db: database.db, baseUrl: `${config.publicUrl}/dev/lms`, toolUrl: config.publicUrl, secret: config.keyEncryptionSecret });
    devLms = lms;
    routers.push(developmentRoutes(config, ['/dev/lms'], devLmsRouter(lms))!);
    startPageLinks.push({
      href: '/dev/lms',
      label: { nb: 'Utviklings-LMS: start Læringsløp som deltaker, designer, leder eller administrator', nn: 'Utviklings-LMS: start Læringsløp som deltakar, designar, leiar eller administrator', en: 'Development LMS: launch Læringsløp as learner, designer, manager or admin' },
    });
    if (config.nodeEnv === 'development') {
      await exclusively(database, DEVELOPMENT_SEED_LOCK, () => registerDevLms(database.db, lms));
      logger.info({ url: `${config.publicUrl}/dev/lms` }, 'development LMS registered with the tool');
    }
  }

  // Grade passback's outbox and the purge of spent login nonces: a backlog of scores (a rush of
  // completions) is posted batch after batch without waiting, else every OUTBOX_INTERVAL_MS.
  const outbox = new AgsOutbox(database.db, lti.serviceClient, logger);
  let lastPurge = 0;
  const ltiWork = new PollingLoop({
    pass: async () => {
      const delivered = await outbox.runOnce();
      if (Date.now() - lastPurge > PURGE_INTERVAL_MS) {
        lastPurge = Date.now();
        await purgeExpiredNonces(database.db);
      }
      return delivered;
    },
    intervalMs: OUTBOX_INTERVAL_MS,
    firstDelayMs: OUTBOX_INTERVAL_MS,
    moreWaiting: (delivered) => delivered > 0,
    unref: true,
    failure: { logger, message: 'LTI background work failed' },
  });
  ltiWork.start();

  return {
    lti,
    devLms,
    routers,
    directRoutes,
    startPageLinks,
    stop: () => ltiWork.stop(),
  };
}
