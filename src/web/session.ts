import type { Request } from 'express';
import { LtiRefusal } from '../lti/refusal.js';
import type { ToolRole } from '../lti/roles.js';
import type { LtiSession, SessionTokens } from '../lti/session-token.js';
import { param } from './lti/http.js';

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
