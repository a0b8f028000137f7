import { Router, type ErrorRequestHandler, type Response } from 'express';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import type { LinkableItem } from '../../lti/deep-linking.js';
import type { LaunchClaims } from '../../lti/claims.js';
import type { LtiService } from '../../lti/lti-service.js';
import { peekLaunchSubject, recordLaunch } from '../../lti/identity.js';
import { bindingMatches, claimLogin, startLogin, type LoginInitiation } from '../../lti/oidc-login.js';
import { findPlatformById } from '../../lti/platforms.js';
import { LtiRefusal } from '../../lti/refusal.js';
import { mapRoles } from '../../lti/roles.js';
import type { LtiSession } from '../../lti/session-token.js';
import { canvasDeveloperKey } from '../../lti/tool-config.js';
import { verifyLaunch } from '../../lti/verify-launch.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { adjustCsp, origin, param, platformOrigins, readCookie } from './http.js';
import { requireSession } from '../session.js';
import { tl } from './messages.js';
import { autoPostPage, deepLinkPickerPage, landingPage, newWindowPage, refusalPage, storagePage } from './pages.js';
import { registerRouter } from './register-routes.js';
import { AUTOSUBMIT_JS, STORAGE_JS } from './scripts.js';

/** What a launch leads to: the first route that answers a URL is where the browser goes. */
export interface LaunchContext {
  session: LtiSession;
  sessionToken: string;
  claims: LaunchClaims;
  locale: Locale;
}
export type LaunchRoute = (launch: LaunchContext) => Promise<string | undefined>;

/** The items a designer may place with Deep Linking (the paths capability provides them). */
export interface LinkableItems {
  list(session: LtiSession): Promise<readonly LinkableItem[]>;
  find(session: LtiSession, id: string): Promise<LinkableItem | undefined>;
}

/** Nothing to place: the picker says so (the paths capability provides the real items). */
export const NO_ITEMS: LinkableItems = {
  list: async () => [],
  find: async () => undefined,
};

export interface LtiRouterDeps {
  config: Config;
  database: Database;
  logger: Logger;
  lti: LtiService;
  /** Consulted in order after a resource-link launch; none answering shows the landing page. */
  launchRoutes?: readonly LaunchRoute[];
  linkableItems?: LinkableItems;
}

const LOGIN_FIELDS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id', 'lti_storage_target'] as const;
// Named by the login's nonce, which is unique to it and short (the state itself is a sealed value).
const bindingCookie = (nonce: string) => `lti_b_${nonce}`;
const storageKey = (nonce: string) => `laeringslop_state_${nonce}`;

export function ltiRouter({ config, database, logger, lti, launchRoutes = [], linkableItems = NO_ITEMS }: LtiRouterDeps): Router {
  const router = Router();
  router.use(registerRouter({ config, database }));
  const db = database.db;

  router.get('/lti/jwks', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(await lti.toolKeys.jwks());
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

  // OIDC third-party initiated login (LTI 1.3 Core §5.1.1): GET and POST.
  router.all('/lti/login', async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.status(405).setHeader('Allow', 'GET, POST').end();
      return;
    }
    const initiation: LoginInitiation = Object.fromEntries(LOGIN_FIELDS.map((f) => [f, param(req, f)]));
    const login = await startLogin(db, lti.loginStates, initiation, { launchUrl: lti.endpoints.launchUrl });
    res.setHeader('Cache-Control', 'no-store');
    // SameSite=None needs Secure; browsers accept Secure cookies from http://localhost too.
    res.cookie(bindingCookie(login.nonce), login.binding, {
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      path: '/lti/launch',
      maxAge: 10 * 60_000,
    });
    req.log.debug({ platform: login.platform.issuer, storage: Boolean(login.storageTarget) }, 'lti login initiated');
    const authOrigin = origin(login.platform.authEndpoint)!;
    if (!login.storageTarget) {
      res.redirect(302, login.authUrl);
      return;
    }
    adjustCsp(res, { frameAncestors: platformOrigins(login.platform) });
    const fallback = `/lti/login?${new URLSearchParams(Object.entries(initiation).filter((e): e is [string, string] => e[0] !== 'lti_storage_target' && typeof e[1] === 'string'))}`;
    sendPage(
      res,
      200,
      storagePage(requestLocale(req), { mode: 'put', target: login.storageTarget, origin: authOrigin, key: storageKey(login.nonce), value: login.binding, next: login.authUrl }, fallback),
    );
  });

  // Authentication response (form_post) for every message type.
  router.post('/lti/launch', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const platformError = param(req, 'error');
    if (platformError) throw new LtiRefusal('bad-login-request', `the platform answered ${platformError}: ${param(req, 'error_description') ?? ''}`);
    const stateParam = param(req, 'state');
    const idToken = param(req, 'id_token');
    if (!stateParam) throw new LtiRefusal('missing-state', 'the authentication response has no state');
    if (!idToken) throw new LtiRefusal('malformed-token', 'the authentication response has no id_token');
    // The browser that started the login must be the one finishing it: its secret comes back in
    // the cookie or, where third-party cookies are blocked, from the platform's storage frame via
    // our own page. A secret in a form posted from another site is a login-CSRF attempt (the
    // attacker knows the secret of their own login), so it counts only from our origin.
    const fromStorage = param(req, 'binding');
    const ownPage = req.headers['sec-fetch-site'] === 'same-origin' || req.headers.origin === origin(lti.endpoints.publicUrl);
    if (fromStorage && !ownPage) {
      throw new LtiRefusal('state-mismatch', `binding posted from ${req.headers.origin ?? 'no origin'}, not from this tool`);
    }
    const state = lti.loginStates.open(stateParam);
    if (!state) throw new LtiRefusal('state-mismatch', 'unknown or expired state');
    const binding = fromStorage || readCookie(req, bindingCookie(state.nonce));

    const locale = requestLocale(req);
    if (!binding) {
      // Nothing is claimed without the binding, so this browser cannot use up someone else's login.
      const platform = await findPlatformById(db, state.platformId);
      if (!platform) throw new LtiRefusal('unknown-platform', 'the platform of this login was removed');
      adjustCsp(res, { frameAncestors: platformOrigins(platform) });
      const fallback = `/lti/login?${new URLSearchParams(Object.entries(state.loginParams).filter(([k]) => k !== 'lti_storage_target'))}`;
      if (state.storageTarget && param(req, 'storage_checked') !== '1') {
        // The page's own form must carry Origin (helmet's no-referrer would send "null").
        res.setHeader('Referrer-Policy', 'same-origin');
        sendPage(
          res,
          200,
          storagePage(locale, { mode: 'get', target: state.storageTarget, origin: origin(platform.authEndpoint)!, key: storageKey(state.nonce) }, fallback, { idToken, state: stateParam }),
        );
        return;
      }
      req.log.info({ refusal: 'cookies-blocked' }, 'lti launch needs a new window: no cookie and no platform storage');
      sendPage(res, 200, newWindowPage(locale, fallback));
      return;
    }
    if (!bindingMatches(binding, state.bindingHash)) throw new LtiRefusal('state-mismatch', 'the browser binding does not match this state');
    // One round trip: the platform as it is now, the nonce's single use, and what is known of the
    // person, course and link the token names (used only once it has verified).
    const claimed = await claimLogin(db, state, peekLaunchSubject(idToken));
    const platform = claimed.platform;
    if (!platform) throw new LtiRefusal('unknown-platform', 'the platform of this login was removed');
    adjustCsp(res, { frameAncestors: platformOrigins(platform) });
    if (!claimed.nonceRecorded) throw new LtiRefusal('replayed-nonce', 'this login was already used');

    const verified = await verifyLaunch(lti.platformKeys, idToken, state, platform, { skewSeconds: lti.skewSeconds });
    res.clearCookie(bindingCookie(state.nonce), { path: '/lti/launch', secure: true, sameSite: 'none', httpOnly: true });
    const { claims } = verified;
    const identity = await recordLaunch(db, verified.platform, claims, claimed.known);
    const role = mapRoles(claims.roles, lti.managerRoles, claims.custom);
    const pageLocale: Locale = identity.locale ?? locale;
    const session: LtiSession = {
      personId: identity.personId,
      tenantId: identity.tenantId,
      role,
      contextId: identity.contextId,
      resourceLinkId: identity.resourceLinkId,
      platformId: verified.platform.id,
      locale: identity.locale,
    };
    const sessionToken = await lti.sessions.issue(session);
    req.log.info(
      { platform: verified.platform.issuer, messageType: claims.messageType, role, person: identity.personId, tenant: identity.tenantId, binding: fromStorage ? 'storage' : 'cookie' },
      'lti launch accepted',
    );

    if (claims.messageType === 'LtiDeepLinkingRequest') {
      if (role !== 'designer' && role !== 'admin') throw new LtiRefusal('not-permitted', `role ${role} may not place content`);
      // Deep Linking 2.0 §4.4.1: only item types the platform accepts may be returned.
      if (!claims.deepLinking!.accept_types.includes('ltiResourceLink')) {
        throw new LtiRefusal('wrong-message-type', 'the platform does not accept ltiResourceLink items');
      }
      const contextToken = await lti.deepLinking.sealContext({
        platformId: verified.platform.id,
        deploymentId: claims.deploymentId,
        returnUrl: claims.deepLinking!.deep_link_return_url,
        data: claims.deepLinking!.data,
        personId: identity.personId,
      });
      sendPage(res, 200, deepLinkPickerPage(pageLocale, await linkableItems.list(session), sessionToken, contextToken));
      return;
    }
    for (const route of launchRoutes) {
      const target = await route({ session, sessionToken, claims, locale: pageLocale });
      if (target) {
        res.redirect(303, target);
        return;
      }
    }
    sendPage(
      res,
      200,
      landingPage(pageLocale, { role, personId: identity.personId, tenantName: identity.tenantName, platformName: verified.platform.name, claims, sessionToken }),
    );
  });

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
export const refusalHandler: ErrorRequestHandler = (error, req, res: Response, next) => {
  if (!(error instanceof LtiRefusal)) {
    next(error);
    return;
  }
  const reference = String(req.id ?? '');
  req.log.warn({ refusal: error.code, detail: error.detail, reference }, 'lti request refused');
  // Framed by whichever LMS showed it; the page has no actions, so framing it is harmless.
  adjustCsp(res, { frameAncestors: ['*'] });
  if (req.accepts(['html', 'json']) === 'json') {
    res.status(error.status).json({ refusal: error.code, detail: error.detail, reference });
    return;
  }
  sendPage(res, error.status, refusalPage(requestLocale(req), error.code, reference));
};
