import type { Database } from '../../db/database.js';
import type { LaunchClaims } from '../../lti/claims.js';
import type { LinkableItem } from '../../lti/deep-linking.js';
import { peekLaunchSubject, recordLaunch } from '../../lti/identity.js';
import type { LtiService } from '../../lti/lti-service.js';
import { bindingMatches, startLogin, type LoginInitiation } from '../../lti/oidc-login.js';
import { findPlatformById } from '../../lti/platforms.js';
import { LtiRefusal } from '../../lti/refusal.js';
import { mapRoles } from '../../lti/roles.js';
import type { LtiSession } from '../../lti/session-token.js';
import { verifyLaunch } from '../../lti/verify-launch.js';
import type { Locale } from '../i18n.js';
import type { LtiExchange } from './exchange.js';
import { origin, platformOrigins } from './http.js';
import { roleLanding } from '../landing/role-landing.js';
import { deepLinkPickerPage, newWindowPage, refusalPage, storagePage } from './pages.js';

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

const LOGIN_FIELDS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id', 'lti_storage_target'] as const;
// Named by the login's nonce, which is unique to it and short (the state itself is a sealed value).
const bindingCookieName = (nonce: string) => `lti_b_${nonce}`;
const storageKey = (nonce: string) => `laeringslop_state_${nonce}`;
const BINDING_LIFETIME_SECONDS = 10 * 60;

/**
 * The binding cookie (SameSite=None needs Secure; browsers accept Secure cookies from
 * http://localhost too), or its removal. Its name and value are base64url: nothing to encode.
 */
function bindingCookie(nonce: string, binding: string | undefined, now = Date.now()): string {
  const lifetime = binding === undefined ? 'Expires=Thu, 01 Jan 1970 00:00:00 GMT' : `Max-Age=${BINDING_LIFETIME_SECONDS}; Expires=${new Date(now + BINDING_LIFETIME_SECONDS * 1000).toUTCString()}`;
  return `${bindingCookieName(nonce)}=${binding ?? ''}; ${lifetime}; Path=/lti/launch; HttpOnly; Secure; SameSite=None`;
}

/** OIDC third-party initiated login (LTI 1.3 Core §5.1.1), by GET or POST. */
export async function answerLogin(ex: LtiExchange, { lti }: LoginLaunchDeps): Promise<void> {
  if (ex.method !== 'GET' && ex.method !== 'POST') {
    ex.setHeader('Allow', 'GET, POST');
    ex.empty(405);
    return;
  }
  const initiation: LoginInitiation = Object.fromEntries(LOGIN_FIELDS.map((f) => [f, ex.param(f)]));
  const login = await startLogin(lti.loginPlatforms, lti.loginStates, initiation, { launchUrl: lti.endpoints.launchUrl });
  ex.setHeader('Cache-Control', 'no-store');
  ex.setCookie(bindingCookie(login.nonce, login.binding));
  ex.log.debug({ platform: login.platform.issuer, storage: Boolean(login.storageTarget) }, 'lti login initiated');
  if (!login.storageTarget) {
    ex.redirect(302, login.authUrl);
    return;
  }
  ex.csp({ frameAncestors: platformOrigins(login.platform) });
  const fallback = `/lti/login?${new URLSearchParams(Object.entries(initiation).filter((e): e is [string, string] => e[0] !== 'lti_storage_target' && typeof e[1] === 'string'))}`;
  const authOrigin = origin(login.platform.authEndpoint)!;
  ex.page(
    200,
    storagePage(ex.locale, { mode: 'put', target: login.storageTarget, origin: authOrigin, key: storageKey(login.nonce), value: login.binding, next: login.authUrl }, fallback),
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
    const fallback = `/lti/login?${new URLSearchParams(Object.entries(state.loginParams).filter(([k]) => k !== 'lti_storage_target'))}`;
    if (state.storageTarget && ex.param('storage_checked') !== '1') {
      // The page's own form must carry Origin (helmet's no-referrer would send "null").
      ex.setHeader('Referrer-Policy', 'same-origin');
      ex.page(
        200,
        storagePage(ex.locale, { mode: 'get', target: state.storageTarget, origin: origin(platform.authEndpoint)!, key: storageKey(state.nonce) }, fallback, { idToken, state: stateParam }),
      );
      return;
    }
    ex.log.info({ refusal: 'cookies-blocked' }, 'lti launch needs a new window: no cookie and no platform storage');
    ex.page(200, newWindowPage(ex.locale, fallback));
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
  ex.page(error.status, refusalPage(ex.locale, error.code, ex.reference));
}
