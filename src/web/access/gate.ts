import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Principal } from '../../access/access-role.js';
import type { Principals } from '../../access/principal.js';
import { ROUTE_DECISIONS } from '../../access/route-decisions.js';
import { authorize, type AccessRule, type Decision } from '../../access/rules.js';
import { LtiRefusal } from '../../lti/refusal.js';
import type { LtiSession, SessionTokens } from '../../lti/session-token.js';
import { refusalHandler } from '../lti/router.js';
import { ProblemError } from '../problem.js';
import { sessionToken } from '../session.js';

const PRINCIPAL = 'accessPrincipal';

/** Marks the gate's router: its routes are the decisions, not routes the app serves. */
export const GATE_ROUTER = Symbol('access gate');

/** The principal of a request's session, undefined without a valid one (the token is verified once per request). */
export async function requestPrincipal(req: Request, res: Response, sessions: SessionTokens, principals: Principals): Promise<{ principal: Principal; session: LtiSession } | undefined> {
  const known = res.locals[PRINCIPAL] as { principal: Principal; session: LtiSession } | null | undefined;
  if (known !== undefined) return known ?? undefined;
  const token = sessionToken(req);
  const session = token ? await sessions.verify(token).catch(() => undefined) : undefined;
  const principal = session && (await principals.of(session));
  const found = session && principal ? { principal, session } : undefined;
  res.locals[PRINCIPAL] = found ?? null;
  return found;
}

/** A refused decision as the app answers it: 401/403 as the LTI pages' refusal page or JSON, 404 as not found. */
export function refusalOf(decision: Extract<Decision, { allowed: false }>, what: string): Error {
  if (decision.refusal === 'no-session') return new LtiRefusal('session-invalid', `no valid session for ${what}`);
  if (decision.refusal === 'role') return new LtiRefusal('not-permitted', `the session's role may not use ${what}`);
  return new ProblemError('not-found', 'No such page.');
}

/**
 * The access gate, mounted ahead of every capability router: each route of ROUTE_DECISIONS gets its
 * rule decided by `authorize` before the route runs (the route's own checks run after it, as before).
 * Machine rules pass through to the credentials their routes check.
 */
export function accessGate(options: { sessions: SessionTokens; principals: Principals; decisions?: Readonly<Record<string, AccessRule>> }): Router {
  const router = Router();
  const decide = (rule: AccessRule, what: string): RequestHandler => async (req: Request, res: Response, next: NextFunction) => {
    if (rule.kind !== 'session') {
      next('router');
      return;
    }
    const found = await requestPrincipal(req, res, options.sessions, options.principals);
    const decision = authorize(found?.principal, rule);
    if (!decision.allowed) throw refusalOf(decision, what);
    next('router');
  };
  for (const [key, rule] of Object.entries(options.decisions ?? ROUTE_DECISIONS)) {
    const [method = '', path = ''] = key.split(' ');
    const handler = decide(rule, key);
    if (method === 'USE') router.use(path, handler);
    else if (method === 'ALL') router.all(path, handler);
    else if (method === 'GET') router.get(path, handler);
    else if (method === 'POST') router.post(path, handler);
    else throw new Error(`route decision "${key}": unknown method ${method}`);
  }
  router.use(refusalHandler);
  return Object.assign(router, { [GATE_ROUTER]: true });
}
