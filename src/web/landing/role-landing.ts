import type { ToolRole } from '../../lti/roles.js';
import { withSession } from '../session.js';

/** Each role's own start page. */
export const ROLE_LANDINGS: Readonly<Record<ToolRole, string>> = {
  learner: '/learn',
  manager: '/manage',
  designer: '/design',
  admin: '/admin',
};

/** Where a launch that no capability routes (no path in the link, or none for this role) leads. */
export function roleLanding(role: ToolRole, sessionToken: string): string {
  return withSession(ROLE_LANDINGS[role], sessionToken);
}
