import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { LinkConflictReason, LinkMethod } from './tables.js';

/** A launcher who could not be linked, as the municipality's administrator reads it. */
export interface LinkConflict {
  readonly issuer: string;
  readonly personId: string;
  /** What the launch told about the launcher (their own person of the tool). */
  readonly name: string | null;
  readonly email: string | null;
  readonly reason: LinkConflictReason;
  readonly method: LinkMethod;
  /** The employees the launch named. */
  readonly employees: readonly { employeeNumber: string; name: string | null }[];
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly launches: number;
}

/** The municipality's open conflicts, newest first. */
export async function listLinkConflicts(db: Kysely<Schema>, tenantId: string, limit = 200): Promise<LinkConflict[]> {
  const rows = await db
    .selectFrom('person_link_conflicts as c')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .select(['c.issuer', 'c.person_id', 'p.name', 'p.email', 'c.reason', 'c.method', 'c.employee_ids', 'c.first_seen_at', 'c.last_seen_at', 'c.launches'])
    .where('c.tenant_id', '=', tenantId)
    .orderBy('c.last_seen_at', 'desc')
    .limit(limit)
    .execute();
  const ids = [...new Set(rows.flatMap((r) => r.employee_ids))];
  const employees = ids.length === 0 ? [] : await db
    .selectFrom('employees as e')
    .innerJoin('people as p', 'p.id', 'e.person_id')
    .select(['e.id', 'e.employee_number', 'p.name'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.id', 'in', ids)
    .execute();
  const byId = new Map(employees.map((e) => [e.id, { employeeNumber: e.employee_number, name: e.name }]));
  return rows.map((r) => ({
    issuer: r.issuer,
    personId: r.person_id,
    name: r.name,
    email: r.email,
    reason: r.reason,
    method: r.method,
    employees: r.employee_ids.flatMap((id) => byId.get(id) ?? []).sort((a, b) => a.employeeNumber.localeCompare(b.employeeNumber)),
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    launches: r.launches,
  }));
}

/**
 * Marks a platform (its issuer) as one that substitutes the custom parameter ansattnummer itself,
 * or takes that back. Only then does ansattnummer link a launcher (src/people/launch-links.ts).
 */
export async function setEmployeeNumberTrust(db: Kysely<Schema>, issuer: string, trusted: boolean): Promise<void> {
  if (trusted) await db.insertInto('employee_number_trusted_issuers').values({ issuer }).onConflict((oc) => oc.column('issuer').doNothing()).execute();
  else await db.deleteFrom('employee_number_trusted_issuers').where('issuer', '=', issuer).execute();
}

export async function listEmployeeNumberTrust(db: Kysely<Schema>): Promise<string[]> {
  return (await db.selectFrom('employee_number_trusted_issuers').select('issuer').orderBy('issuer').execute()).map((r) => r.issuer);
}
