import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ToolRole } from '../lti/roles.js';
import type { TenantKind } from '../tenants/tables.js';
import { tenantKind } from '../tenants/tenants.js';
import { accessRoleOf, type Principal } from './access-role.js';

/** What a verified session says (the LTI session's fields that decide access). */
export interface SessionFacts {
  personId: string;
  tenantId: string;
  role: ToolRole;
}

/**
 * Principals from sessions. A tenant never changes kind, so kinds are remembered (a few hundred
 * tenants at most); undefined for a session whose tenant no longer exists.
 */
export class Principals {
  readonly #kinds = new Map<string, TenantKind>();

  constructor(private readonly db: Kysely<Schema>) {}

  async of(session: SessionFacts): Promise<Principal | undefined> {
    let kind = this.#kinds.get(session.tenantId);
    if (!kind) {
      kind = await tenantKind(this.db, session.tenantId);
      if (!kind) return undefined;
      this.#kinds.set(session.tenantId, kind);
    }
    return { personId: session.personId, tenantId: session.tenantId, tenantKind: kind, role: accessRoleOf(session.role, kind) };
  }
}
