import type { AccessRole, Principal } from './access-role.js';

/**
 * What a route requires. Pages and their APIs behind an LTI session name the roles that may use
 * them; the machine interfaces keep their own credentials, checked by their own code, and say which:
 *
 * - `public`: anyone (health, stylesheets, the front page, problem type pages, a logo by its hash);
 * - `lti-protocol`: the LTI 1.3 endpoints, secured by the LTI security framework (signed id_tokens,
 *   state, nonce) or public by the spec (JWKS, tool configuration);
 * - `lrs-basic`: the xAPI LRS, and the competence pulls for HR systems (/api/competence/…), with the
 *   municipality's API clients' Basic credentials (checked by the route, scopes included);
 * - `attempt-token`: the SCORM player and runtime API, with attempt-scoped tokens;
 * - `return-cookie`: where the SCORM player leads back to; the learner's session comes from the cookie
 *   set when the course was opened (the route checks it: learner or manager, own enrolment only);
 * - `development`: the development tools (the development LMS, uploads for any municipality),
 *   served only where config.devLms allows (never in production);
 * - `session`: an LTI session of one of `roles`.
 */
export type AccessRule =
  | { readonly kind: 'public' }
  | { readonly kind: 'lti-protocol' }
  | { readonly kind: 'lrs-basic' }
  | { readonly kind: 'attempt-token' }
  | { readonly kind: 'return-cookie' }
  | { readonly kind: 'development' }
  | { readonly kind: 'session'; readonly roles: readonly AccessRole[] };

export type MachineRuleKind = Exclude<AccessRule['kind'], 'session'>;

/** Units a manager may see: those they lead or were granted, each with its subtree. */
export interface UnitScope {
  /** The units the scope starts from (led by HR data, granted by an administrator). */
  readonly rootUnitIds: readonly string[];
  /** Every unit in the scope, the roots' subtrees included. */
  readonly unitIds: ReadonlySet<string>;
}

/** What a request touches beyond its route: the tenant of an object, the units a person or object is in. */
export interface Touches {
  /** The tenant the touched object belongs to. */
  tenantId?: string;
  /** The units the touched object (a person's employments, a unit) is in; one in scope is enough. */
  unitIds?: readonly string[];
  /** The manager's scope, when the route is a manager's view. */
  scope?: UnitScope;
}

export type Decision =
  | { allowed: true }
  // 'no-session': 401; 'role': 403; 'not-found': 404 (another tenant's or unit's object, never telling it exists).
  | { allowed: false; refusal: 'no-session' | 'role' | 'not-found' };

const ALLOW: Decision = { allowed: true };

/**
 * The one decision every request goes through: the route's rule, the session's principal (none when
 * the request has no valid session) and what the request touches. Machine rules are decided by their
 * own credentials (the route's code checks them), so here they only allow the request to reach it.
 */
export function authorize(principal: Principal | undefined, rule: AccessRule, touches: Touches = {}): Decision {
  if (rule.kind !== 'session') return ALLOW;
  if (!principal) return { allowed: false, refusal: 'no-session' };
  if (!rule.roles.includes(principal.role)) return { allowed: false, refusal: 'role' };
  if (touches.tenantId !== undefined && touches.tenantId !== principal.tenantId) return { allowed: false, refusal: 'not-found' };
  if (touches.unitIds !== undefined) {
    const scope = touches.scope;
    // A unit-scoped object needs a scope to be seen in: a manager's, never a guess.
    if (!scope || !touches.unitIds.some((id) => scope.unitIds.has(id))) return { allowed: false, refusal: 'not-found' };
  }
  return ALLOW;
}

/** Rules by name, so that a route's decision reads as one word (route-decisions.ts). */
export const PUBLIC: AccessRule = { kind: 'public' };
export const LTI_PROTOCOL: AccessRule = { kind: 'lti-protocol' };
export const LRS_BASIC: AccessRule = { kind: 'lrs-basic' };
export const ATTEMPT_TOKEN: AccessRule = { kind: 'attempt-token' };
export const RETURN_COOKIE: AccessRule = { kind: 'return-cookie' };
export const DEVELOPMENT: AccessRule = { kind: 'development' };
export const session = (...roles: AccessRole[]): AccessRule => ({ kind: 'session', roles });
