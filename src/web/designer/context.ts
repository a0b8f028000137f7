import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { html, type SafeHtml } from '../html.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { breadcrumbs, type Crumb } from '../ds/components.js';
import type { PageTheme } from '../layout.js';
import { pageTheme } from '../theme/page-theme.js';
import { carried } from './form-html.js';
import { td } from './messages.js';

/** One designer request: who asks, in which language, and how links keep the session. */
export interface DesignerContext {
  session: LtiSession;
  token: string;
  locale: Locale;
  /** The language asked for with ?lang= (kept in links and forms); undefined = the session's. */
  lang: Locale | undefined;
  /** `path` with the session (and a chosen language) in its query. */
  href(path: string, query?: Record<string, string | undefined>): string;
  /** The hidden session (and language) fields of a form. */
  hidden: SafeHtml;
  /** The municipality's look (accent, logo). */
  theme: PageTheme | undefined;
}

export async function designerContext(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<DesignerContext> {
  const session = await requireSession(req, sessions, ['designer', 'admin']);
  const token = sessionToken(req)!;
  // Shown inside the LMS's iframe: the platform that launched the session may frame the page.
  await allowFramingByPlatform(res, db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  return {
    session,
    token,
    locale,
    lang,
    href: (path, query = {}) => designerHref(token, lang, path, query),
    hidden: carried(token, lang),
    theme: await pageTheme(db, session.tenantId),
  };
}

/** `path` with the session (and a chosen language) in its query: links work in an LMS iframe without cookies. */
export function designerHref(token: string, lang: Locale | undefined, path: string, query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams({ session: token });
  if (lang) search.set('lang', lang);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) search.set(k, v);
  const [pathname, hash] = path.split('#');
  return `${pathname}?${search.toString()}${hash ? `#${hash}` : ''}`;
}

export type { Crumb };

/** A designer page: breadcrumbs, an optional notice read out by screen readers, the body. */
export function sendDesignerPage(
  res: Response,
  ctx: DesignerContext,
  options: { status?: number; title: string; path: string; body: SafeHtml; crumbs?: readonly Crumb[]; notice?: string | undefined },
): void {
  // The notice region is always there (the reorder script speaks through it); empty, it is hidden.
  const body = html`${designerCrumbs(ctx.locale, ctx.href('/design'), options.crumbs)}
<div id="notice" class="ds-alert" data-color="success" role="status" aria-live="polite">${options.notice ?? ''}</div>
<div data-designer>
${options.body}
</div>
<script src="/design/assets/designer.js"></script>`;
  sendPage(res, options.status ?? 200, page({ locale: ctx.locale, title: options.title, body, path: options.path, keep: { session: ctx.token }, theme: ctx.theme }));
}

/** The designer's breadcrumbs: "All learning paths" first, then `crumbs`. */
export function designerCrumbs(locale: Locale, listHref: string, crumbs: readonly Crumb[] = []): SafeHtml {
  return breadcrumbs(td(locale, 'nav.designer'), [{ label: td(locale, 'nav.list'), href: listHref }, ...crumbs]);
}
