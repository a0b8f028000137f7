/** The tool's own roles, from least to most privileged. */
export const TOOL_ROLES = ['learner', 'manager', 'designer', 'admin'] as const;
export type ToolRole = (typeof TOOL_ROLES)[number];

/**
 * The last segment of a LIS role: `http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor`
 * → `Instructor`; sub-roles (`membership/Instructor#TeachingAssistant`) keep their leaf. Moodle
 * also sends short forms (`Instructor`), which map the same way.
 */
export function roleName(role: string): string {
  const hash = role.lastIndexOf('#');
  if (hash >= 0) return role.slice(hash + 1);
  const slash = role.lastIndexOf('/');
  return slash >= 0 ? role.slice(slash + 1) : role;
}

const isAdmin = (role: string) =>
  /\/(system|institution)\/person#Administrator$/.test(role) || role.endsWith('membership#Administrator') || role === 'Administrator';

/**
 * LIS roles (LTI 1.3 Core §A.2) → ours: Administrator → admin; Instructor, ContentDeveloper →
 * designer; any of `managerRoles` (e.g. Mentor) → manager; otherwise learner. The most privileged
 * wins. Custom parameters never raise a role: a course's teacher writes them, and they reach everyone
 * who launches the activity.
 */
export function mapRoles(roles: readonly string[], managerRoles: readonly string[]): ToolRole {
  if (roles.some(isAdmin)) return 'admin';
  const names = roles.map(roleName);
  if (names.some((n) => n === 'Instructor' || n === 'ContentDeveloper')) return 'designer';
  if (names.some((n) => managerRoles.includes(n))) return 'manager';
  return 'learner';
}
