import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { findPlatformById } from '../lti/platforms.js';
import { LtiRefusal } from '../lti/refusal.js';
import type { ToolRole } from '../lti/roles.js';
import type { LtiSession, SessionTokens } from '../lti/session-token.js';
import { adjustCsp, param, platformOrigins } from './lti/http.js';

/**
 * The launch session of a page or API request. Pages inside an LMS iframe cannot rely on cookies,
 * so the token travels as `?session=`, a form field `session`, or `Authorization: Bearer`.
 * Refused (LtiRefusal, shown as a page or JSON by `refusalHandler`) when missing, expired, or when
 * the role is not among `roles`.
 */
export async function requireSession(req: Request, sessions: SessionTokens, roles?: readonly ToolRole[]): Promise<LtiSession> {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : param(req, 'session');
  if (!token) throw new LtiRefusal('session-invalid', 'no session token');
  const session = await sessions.verify(token);
  if (roles && !roles.includes(session.role)) throw new LtiRefusal('not-permitted', `role ${session.role} may not do this`);
  return session;
}

/** The raw token of the request (to carry on in links and forms of the page it answers). */
export function sessionToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : param(req, 'session');
}

/** `href` with the session token added to its query. */
export function withSession(href: string, token: string): string {
  const url = new URL(href, 'http://x');
  url.searchParams.set('session', token);
  return `${url.pathname}${url.search}${url.hash}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Pages reached after a launch are shown in the LMS's iframe: the platform that launched the
 * session may frame them, nothing else (the app's default is 'self'). `formAction` widens where
 * the page's forms may post.
 */
export async function allowFramingByPlatform(res: Response, db: Kysely<Schema>, session: LtiSession, extra: { formAction?: readonly string[] } = {}): Promise<void> {
  const platform = UUID.test(session.platformId) ? await findPlatformById(db, session.platformId) : undefined;
  adjustCsp(res, { ...(platform ? { frameAncestors: platformOrigins(platform) } : {}), ...(extra.formAction ? { formAction: extra.formAction } : {}) });
}
