import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Principal } from '../../access/access-role.js';
import type { Principals } from '../../access/principal.js';
import { authorize, type AccessRule, type Touches } from '../../access/rules.js';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { html, type SafeHtml } from '../html.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import type { PageTheme } from '../layout.js';
import { param } from '../lti/http.js';
import { allowFramingByPlatform, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { refusalOf, requestPrincipal } from './gate.js';

export interface AccessDeps {
  db: Kysely<Schema>;
  sessions: SessionTokens;
  principals: Principals;
}

/** What a page after a launch needs: who asks, in which language, and links that keep the session. */
export interface PageContext {
  principal: Principal;
  session: LtiSession;
  token: string;
  locale: Locale;
  lang: Locale | undefined;
  theme: PageTheme | undefined;
  keep: Record<string, string>;
  href(path: string, query?: Record<string, string>): string;
  /** The session (and chosen language) as hidden fields of a form. */
  hidden: SafeHtml;
}

/**
 * The request's principal, decided against the route's rule (the gate did so already; a page asks
 * again so that it stands on its own) and what it touches; refused as the gate refuses.
 */
export async function pageContext(req: Request, res: Response, deps: AccessDeps, rule: AccessRule, touches?: Touches): Promise<PageContext> {
  const found = await requestPrincipal(req, res, deps.sessions, deps.principals);
  const decision = authorize(found?.principal, rule, touches);
  if (!decision.allowed) throw refusalOf(decision, `${req.method} ${req.path}`);
  const { principal, session } = found!;
  const token = sessionToken(req)!;
  await allowFramingByPlatform(res, deps.db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  const keep = { session: token };
  const href = (path: string, query: Record<string, string> = {}) => `${path}?${new URLSearchParams({ session: token, ...(lang ? { lang } : {}), ...query }).toString()}`;
  const hidden = html`<input type="hidden" name="session" value="${token}">${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}`;
  return { principal, session, token, locale, lang, theme: await pageTheme(deps.db, session.tenantId), keep, href, hidden };
}

/** Another check for a page that already has its context: what else the request touches. */
export function requireTouch(ctx: PageContext, rule: AccessRule, touches: Touches): void {
  const decision = authorize(ctx.principal, rule, touches);
  if (!decision.allowed) throw refusalOf(decision, 'the object');
}

/** A number in the page's language (decimal comma in Norwegian). */
/** Made once per locale and precision: a matrix of thousands of cells formats thousands of numbers. */
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(locale: Locale, n: number, fractionDigits = 0): string {
  const key = `${locale}:${fractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 })));
  return format.format(n);
}
