import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { LtiRefusal } from '../../lti/refusal.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { breadcrumbs } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { page, sendPage } from '../layout.js';
import { param } from '../lti/http.js';
import { ProblemError } from '../problem.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';
import { pageTheme } from '../theme/page-theme.js';
import { to } from './messages.js';

/** An administrator's request: their session, its tenant, the language, and links that carry both. */
export interface AdminContext {
  readonly session: LtiSession;
  readonly tenant: { id: string; name: string; kind: 'municipality' | 'region' };
  readonly token: string;
  readonly locale: Locale;
  readonly lang: Locale | undefined;
  href(path: string, query?: Record<string, string>): string;
  /** The hidden fields every form of the page posts (the session; the language when chosen). */
  readonly hidden: SafeHtml;
}

/**
 * The administrator of the session's tenant. With `municipalityOnly`, a region's administrator is
 * refused: people and units belong to a municipality, and a region never sees names outside its own.
 */
export async function adminContext(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens, options: { municipalityOnly?: boolean } = {}): Promise<AdminContext> {
  const session = await requireSession(req, sessions, ['admin']);
  const tenant = await db.selectFrom('tenants').select(['id', 'name', 'kind']).where('id', '=', session.tenantId).executeTakeFirst();
  if (!tenant) throw new LtiRefusal('not-permitted', 'the session’s tenant is gone');
  if (options.municipalityOnly && tenant.kind !== 'municipality') throw new LtiRefusal('not-permitted', 'a region administrator has no municipality’s people or units');
  const token = sessionToken(req)!;
  await allowFramingByPlatform(res, db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  const carried = { session: token, ...(lang ? { lang } : {}) };
  return {
    session,
    tenant,
    token,
    locale,
    lang,
    href: (path, query = {}) => `${path}?${new URLSearchParams({ ...carried, ...query }).toString()}`,
    hidden: html`<input type="hidden" name="session" value="${token}">${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}`,
  };
}

/** Another municipality's id, or no id at all: the same 404 as an id that never existed. */
export function notFound(): ProblemError {
  return new ProblemError('not-found', 'No such record in this municipality.');
}

/** An admin page: breadcrumbs from the start page, then the body, in the municipality's look. */
export async function sendAdminPage(res: Response, db: Kysely<Schema>, ctx: AdminContext, status: number, options: { title: string; path: string; body: SafeHtml; crumbs?: readonly { label: string; path: string }[] }): Promise<void> {
  const trail = [{ label: to(ctx.locale, 'admin.crumb'), path: '/admin' }, ...(options.crumbs ?? [])];
  const body = html`${breadcrumbs(to(ctx.locale, 'crumbs'), trail.map((c) => ({ label: c.label, href: ctx.href(c.path) })))}
${options.body}`;
  sendPage(res, status, page({ locale: ctx.locale, title: options.title, body, path: options.path, keep: { session: ctx.token }, theme: await pageTheme(db, ctx.session.tenantId) }));
}

/** The form's fields as typed (strings only; at most 2,000 characters each, so a page never echoes a flood). */
export function typed(req: Request, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, (param(req, n) ?? '').slice(0, 2000)]));
}
