import type { Database } from '../../db/database.js';
import type { LaunchClaims } from '../../lti/claims.js';
import type { LinkableItem } from '../../lti/deep-linking.js';
import { peekLaunchSubject, recordLaunch } from '../../lti/identity.js';
import type { LtiService } from '../../lti/lti-service.js';
import { bindingMatches, findLoginPlatform, startLogin, type LoginInitiation } from '../../lti/oidc-login.js';
import { findPlatformById } from '../../lti/platforms.js';
import { LtiRefusal, MunicipalityUnmapped } from '../../lti/refusal.js';
import { mapRoles } from '../../lti/roles.js';
import type { LtiSession } from '../../lti/session-token.js';
import { verifyLaunch } from '../../lti/verify-launch.js';
import type { Locale } from '../i18n.js';
import type { LtiExchange } from './exchange.js';
import { origin, platformOrigins } from './http.js';
import { roleLanding } from '../landing/role-landing.js';
import { bindingCookie, bindingCookieName, checkFrameCookie, framed, LOGIN_FIELDS, loginUrl } from './login-cookies.js';
import { deepLinkPickerPage, launchLostPage, newWindowPage, refusalPage, storagePage, unmappedPage } from './pages.js';

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

export interface LoginLaunchDeps {
  database: Database;
  lti: LtiService;
  /** Consulted in order after a resource-link launch; none answering leads to the role's start page. */
  launchRoutes: readonly LaunchRoute[];
  linkableItems: LinkableItems;
}

const storageKey = (nonce: string) => `laeringslop_state_${nonce}`;

/**
 * OIDC third-party initiated login (LTI 1.3 Core §5.1.1), by GET or POST. Where the browser's
 * binding secret is kept, in this order: the platform's postMessage storage when the login offers
 * it; else the (partitioned) binding cookie, which a framed login first checks that the browser
 * keeps; else nothing, and the page offers a new window with a fresh login, so the platform's
 * login hint is never sent twice.
 */
export async function answerLogin(ex: LtiExchange, { lti }: LoginLaunchDeps): Promise<void> {
  if (ex.method !== 'GET' && ex.method !== 'POST') {
    ex.setHeader('Allow', 'GET, POST');
    ex.empty(405);
    return;
  }
  ex.setHeader('Cache-Control', 'no-store');
  const initiation: LoginInitiation = Object.fromEntries(LOGIN_FIELDS.map((f) => [f, ex.param(f)]));
  const lang = ex.param('lang');
  if (!initiation.lti_storage_target && framed(ex)) {
    const check = checkFrameCookie(ex, initiation, lang);
    if (check.outcome === 'asked') {
      ex.redirect(303, check.redirect);
      return;
    }
    if (check.outcome === 'refused') {
      const platform = await findLoginPlatform(lti.loginPlatforms, initiation, { launchUrl: lti.endpoints.launchUrl });
      ex.csp({ frameAncestors: platformOrigins(platform) });
      ex.log.info({ platform: platform.issuer, refusal: 'cookies-blocked' }, 'lti login needs a new window: the frame keeps no cookie');
      ex.page(200, newWindowPage(ex.locale, initiation, lang));
      return;
    }
  }
  const login = await startLogin(lti.loginPlatforms, lti.loginStates, initiation, { launchUrl: lti.endpoints.launchUrl });
  ex.log.debug({ platform: login.platform.issuer, storage: Boolean(login.storageTarget) }, 'lti login initiated');
  // The cookie always: where the browser keeps it, the launch needs no second page.
  ex.setCookie(bindingCookie(login.nonce, login.binding));
  if (!login.storageTarget) {
    ex.redirect(302, login.authUrl);
    return;
  }
  // The platform keeps the secret too. Should its storage not answer, the page goes on to a fresh
  // login without it (the login hint is not spent yet), which checks the cookie.
  ex.csp({ frameAncestors: platformOrigins(login.platform) });
  const authOrigin = origin(login.platform.authEndpoint)!;
  ex.page(
    200,
    storagePage(ex.locale, { mode: 'put', target: login.storageTarget, origin: authOrigin, key: storageKey(login.nonce), value: login.binding, next: login.authUrl }, loginUrl({ ...initiation, lti_storage_target: undefined }, lang)),
  );
}

/** The authentication response (form_post) for every message type. */
export async function answerLaunch(ex: LtiExchange, { database, lti, launchRoutes, linkableItems }: LoginLaunchDeps): Promise<void> {
  const db = database.db;
  ex.setHeader('Cache-Control', 'no-store');
  const platformError = ex.param('error');
  if (platformError) throw new LtiRefusal('bad-login-request', `the platform answered ${platformError}: ${ex.param('error_description') ?? ''}`);
  const stateParam = ex.param('state');
  const idToken = ex.param('id_token');
  if (!stateParam) throw new LtiRefusal('missing-state', 'the authentication response has no state');
  if (!idToken) throw new LtiRefusal('malformed-token', 'the authentication response has no id_token');
  // The browser that started the login must be the one finishing it: its secret comes back in
  // the cookie or, where third-party cookies are blocked, from the platform's storage frame via
  // our own page. A secret in a form posted from another site is a login-CSRF attempt (the
  // attacker knows the secret of their own login), so it counts only from our origin.
  const fromStorage = ex.param('binding');
  const ownPage = ex.header('sec-fetch-site') === 'same-origin' || ex.header('origin') === origin(lti.endpoints.publicUrl);
  if (fromStorage && !ownPage) {
    throw new LtiRefusal('state-mismatch', `binding posted from ${ex.header('origin') ?? 'no origin'}, not from this tool`);
  }
  const state = lti.loginStates.open(stateParam);
  if (!state) throw new LtiRefusal('state-mismatch', 'unknown or expired state');
  const binding = fromStorage || ex.cookie(bindingCookieName(state.nonce));

  if (!binding) {
    // Nothing is claimed without the binding, so this browser cannot use up someone else's login.
    const platform = await findPlatformById(db, state.platformId);
    if (!platform) throw new LtiRefusal('unknown-platform', 'the platform of this login was removed');
    ex.csp({ frameAncestors: platformOrigins(platform) });
    if (state.storageTarget && ex.param('storage_checked') !== '1') {
      // The page's own form must carry Origin (helmet's no-referrer would send "null").
      ex.setHeader('Referrer-Policy', 'same-origin');
      ex.page(200, storagePage(ex.locale, { mode: 'get', target: state.storageTarget, origin: origin(platform.authEndpoint)!, key: storageKey(state.nonce) }, undefined, { idToken, state: stateParam }));
      return;
    }
    // The login hint is spent: a new window with the same login would be refused by the platform
    // (Moodle: "Invalid request"), so the person starts again there.
    ex.log.info({ refusal: 'binding-lost', storage: Boolean(state.storageTarget) }, 'lti launch without its browser binding: no cookie and no platform storage');
    ex.page(400, launchLostPage(ex.locale));
    return;
  }
  if (!bindingMatches(binding, state.bindingHash)) throw new LtiRefusal('state-mismatch', 'the browser binding does not match this state');
  // One round trip: the platform as it is now, the nonce's single use, and what is known of the
  // person, course and link the token names (used only once it has verified).
  const claimed = await lti.loginClaims.claim(state, peekLaunchSubject(idToken));
  const platform = claimed.platform;
  if (!platform) throw new LtiRefusal('unknown-platform', 'the platform of this login was removed');
  ex.csp({ frameAncestors: platformOrigins(platform) });
  if (!claimed.nonceRecorded) throw new LtiRefusal('replayed-nonce', 'this login was already used');

  const verified = await verifyLaunch(lti.platformKeys, idToken, state, platform, { skewSeconds: lti.skewSeconds });
  ex.setCookie(bindingCookie(state.nonce, undefined));
  const { claims } = verified;
  const identity = await recordLaunch(db, verified.platform, claims, claimed.known);
  const role = mapRoles(claims.roles, lti.managerRoles);
  const pageLocale: Locale = identity.locale ?? ex.locale;
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
  ex.log.info(
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
    ex.page(200, deepLinkPickerPage(pageLocale, await linkableItems.list(session), sessionToken, contextToken));
    return;
  }
  for (const route of launchRoutes) {
    const target = await route({ session, sessionToken, claims, locale: pageLocale });
    if (target) {
      ex.redirect(303, target);
      return;
    }
  }
  ex.redirect(303, roleLanding(role, sessionToken));
}

/** A refusal: a bokmål (or the asked language's) page with a reference id, and a log line. */
export function answerRefusal(ex: LtiExchange, error: LtiRefusal): void {
  ex.log.warn({ refusal: error.code, detail: error.detail, reference: ex.reference }, 'lti request refused');
  // Framed by whichever LMS showed it; the page has no actions, so framing it is harmless.
  ex.csp({ frameAncestors: ['*'] });
  if (ex.wantsJson) {
    ex.json(error.status, { refusal: error.code, detail: error.detail, reference: ex.reference });
    return;
  }
  ex.page(error.status, error instanceof MunicipalityUnmapped ? unmappedPage(error.locale ?? ex.locale, error.regionName, error.emailDomain, ex.reference) : refusalPage(ex.locale, error.code, ex.reference));
}
