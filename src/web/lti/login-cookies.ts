import { randomBytes } from 'node:crypto';
import type { LoginInitiation } from '../../lti/oidc-login.js';
import type { LtiExchange } from './exchange.js';

/**
 * The cookies of a login and the check, before the platform's login hint is spent, that a framed
 * browser sends the tool's cookie back at all.
 *
 * Every cookie is `Partitioned` (CHIPS): a browser that blocks third-party cookies but partitions
 * them (Chromium, Firefox) keeps it in the jar of the LMS page that frames the tool and sends it
 * back within that frame; at the top level it is the tool's own cookie. SameSite=None needs Secure;
 * browsers accept Secure cookies from http://localhost and http://127.0.0.1 too.
 */

export const LOGIN_FIELDS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id', 'lti_storage_target'] as const;

const BINDING_LIFETIME_SECONDS = 10 * 60;
const CHECK_LIFETIME_SECONDS = 60;
const CHECK_COOKIE = 'lti_cookie_check';
/** The query parameter that carries the check cookie's expected value to the second request. */
export const CHECK_PARAM = 'cookie_check';

// Named by the login's nonce, which is unique to it and short (the state itself is a sealed value).
export const bindingCookieName = (nonce: string) => `lti_b_${nonce}`;

function cookie(name: string, value: string | undefined, lifetimeSeconds: number, path: string, now: number): string {
  const lifetime = value === undefined ? 'Expires=Thu, 01 Jan 1970 00:00:00 GMT' : `Max-Age=${lifetimeSeconds}; Expires=${new Date(now + lifetimeSeconds * 1000).toUTCString()}`;
  return `${name}=${value ?? ''}; ${lifetime}; Path=${path}; HttpOnly; Secure; SameSite=None; Partitioned`;
}

/** The binding cookie, or its removal. Its name and value are base64url: nothing to encode. */
export function bindingCookie(nonce: string, binding: string | undefined, now = Date.now()): string {
  return cookie(bindingCookieName(nonce), binding, BINDING_LIFETIME_SECONDS, '/lti/launch', now);
}

/**
 * A login request made by a frame (Fetch Metadata; every current browser sends it). A login without
 * it (a top-level window, or a client that says nothing) is answered at once: there the tool's
 * cookie is first-party.
 */
export function framed(ex: LtiExchange): boolean {
  const destination = ex.header('sec-fetch-dest');
  return destination === 'iframe' || destination === 'frame';
}

/** The initiation's parameters as a login URL's query has them, in a fixed order. */
export function loginParameters(initiation: LoginInitiation): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const field of LOGIN_FIELDS) {
    const value = initiation[field];
    if (value !== undefined) parameters[field] = value;
  }
  return parameters;
}

/** The login URL with the initiation's parameters (and the asked language), plus `extra`. */
export function loginUrl(initiation: LoginInitiation, lang: string | undefined, extra: Record<string, string> = {}): string {
  return `/lti/login?${new URLSearchParams({ ...loginParameters(initiation), ...(lang ? { lang } : {}), ...extra })}`;
}

export type CookieCheck = { outcome: 'asked'; redirect: string } | { outcome: 'kept' } | { outcome: 'refused' };

/**
 * Whether this framed browser keeps the tool's cookie, found out before the login goes to the
 * platform (whose login hint is good once: Moodle answers a second use with "Invalid request").
 * The first request sets a check cookie and sends the browser back to the login with the value it
 * must bring (`asked`); the second sees whether it came back (`kept`, and the check cookie is
 * removed) or not (`refused`). No script: it works with JavaScript off too.
 */
export function checkFrameCookie(ex: LtiExchange, initiation: LoginInitiation, lang: string | undefined): CookieCheck {
  const expected = ex.param(CHECK_PARAM);
  if (expected === undefined) {
    const value = randomBytes(12).toString('base64url');
    ex.setCookie(cookie(CHECK_COOKIE, value, CHECK_LIFETIME_SECONDS, '/lti/login', Date.now()));
    return { outcome: 'asked', redirect: loginUrl(initiation, lang, { [CHECK_PARAM]: value }) };
  }
  if (!expected || ex.cookie(CHECK_COOKIE) !== expected) return { outcome: 'refused' };
  ex.setCookie(cookie(CHECK_COOKIE, undefined, 0, '/lti/login', Date.now()));
  return { outcome: 'kept' };
}
