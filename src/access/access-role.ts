import type { ToolRole } from '../lti/roles.js';
import type { TenantKind } from '../tenants/tables.js';

/**
 * Who a request acts as, for deciding what it may touch. The LTI role says what kind of user; for
 * an administrator the session's tenant says whether of a municipality or of a region (a region's
 * administrator sees aggregates across its member municipalities, never their people).
 */
export const ACCESS_ROLES = ['learner', 'designer', 'manager', 'municipality-admin', 'region-admin'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

export interface Principal {
  personId: string;
  tenantId: string;
  tenantKind: TenantKind;
  role: AccessRole;
}

export function accessRoleOf(role: ToolRole, tenantKind: TenantKind): AccessRole {
  if (role === 'admin') return tenantKind === 'region' ? 'region-admin' : 'municipality-admin';
  return role;
}
