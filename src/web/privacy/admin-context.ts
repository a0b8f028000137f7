import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { LtiRefusal } from '../../lti/refusal.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { html, type SafeHtml } from '../html.js';
import { requestLocale, toLocale, type Locale } from '../i18n.js';
import { param } from '../lti/http.js';
import { allowFramingByPlatform, requireSession, sessionToken } from '../session.js';

/** A municipality administrator's request: the session, and links that carry it (and `lang`). */
export interface MunicipalityAdmin {
  readonly session: LtiSession;
  readonly token: string;
  readonly locale: Locale;
  readonly lang: Locale | undefined;
  href(path: string, query?: Record<string, string>): string;
  /** Hidden fields a form needs to keep the session and language. */
  readonly hidden: SafeHtml;
}

/**
 * Only a municipality's administrator, for the municipality of the session. A region's
 * administrator sees aggregates, never a person's data (DESIGN.md, security model): refused.
 */
export async function municipalityAdmin(req: Request, res: Response, db: Kysely<Schema>, sessions: SessionTokens): Promise<MunicipalityAdmin> {
  const session = await requireSession(req, sessions, ['admin']);
  const tenant = await db.selectFrom('tenants').select('kind').where('id', '=', session.tenantId).executeTakeFirst();
  if (tenant?.kind !== 'municipality') throw new LtiRefusal('not-permitted', 'only a municipality administrator sees personal data and the audit log');
  const token = sessionToken(req)!;
  await allowFramingByPlatform(res, db, session);
  res.setHeader('Cache-Control', 'no-store');
  const lang = toLocale(param(req, 'lang'));
  const locale = lang ?? toLocale(session.locale) ?? requestLocale(req);
  const href = (path: string, query: Record<string, string> = {}) =>
    `${path}?${new URLSearchParams({ session: token, ...(lang ? { lang } : {}), ...query }).toString()}`;
  const hidden = html`<input type="hidden" name="session" value="${token}">${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}`;
  return { session, token, locale, lang, href, hidden };
}

/** How a person is named on a page: their name, or "Slettet person 7F3K" once erased. */
export function personLabel(locale: Locale, person: { name: string | null; pseudonym: string | null } | null, fallback: string): string {
  if (!person) return fallback;
  if (person.pseudonym) return `${ERASED[locale]} ${person.pseudonym}`;
  return person.name ?? fallback;
}

const ERASED: Record<Locale, string> = { nb: 'Slettet person', nn: 'Sletta person', en: 'Erased person' };
