import type { Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { unitOfTenant } from '../organisation/unit-scope.js';

export type GrantRefusal = 'person-not-in-municipality' | 'unit-not-in-municipality' | 'already-granted' | 'grant-not-found';

/** A grant refused; `code` is the message id the pages show. */
export class GrantError extends Error {
  constructor(readonly code: GrantRefusal) {
    super(code);
    this.name = 'GrantError';
  }
}

export interface ManagerGrant {
  id: string;
  personId: string;
  personName: string | null;
  employeeNumber: string | null;
  unitId: string;
  unitName: string;
  unitCode: string;
  grantedBy: string | null;
  grantedByName: string | null;
  grantedAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokedByName: string | null;
}

const personOf = (actor: AuditActor) => (actor.kind === 'person' ? actor.id : null);

/**
 * Gives a person of the municipality a unit (and its subtree) to manage. A unit of another
 * municipality is refused with the same answer as a unit that does not exist: the administrator
 * learns nothing about other municipalities. Audited as `manager.granted` in the same transaction.
 */
export async function grantManager(db: Kysely<Schema>, input: { tenantId: string; personId: string; unitId: string; actor: AuditActor }): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const person = await trx.selectFrom('people').select('id').where('id', '=', input.personId).where('tenant_id', '=', input.tenantId).executeTakeFirst();
    if (!person) throw new GrantError('person-not-in-municipality');
    const unit = await unitOfTenant(trx, input.tenantId, input.unitId);
    if (!unit) throw new GrantError('unit-not-in-municipality');
    const inserted = await trx
      .insertInto('manager_grants')
      .values({ tenant_id: input.tenantId, person_id: input.personId, org_unit_id: input.unitId, granted_by: personOf(input.actor) })
      .onConflict((oc) => oc.columns(['tenant_id', 'person_id', 'org_unit_id']).where('revoked_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw new GrantError('already-granted');
    await recordAudit(trx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'manager.granted',
      subjectPersonId: input.personId,
      object: { kind: 'org-unit', id: input.unitId },
      details: { grantId: inserted.id },
    });
    return inserted.id;
  });
}

/** Ends a grant; the row stays as history with who revoked it and when. Audited as `manager.revoked`. */
export async function revokeManager(db: Kysely<Schema>, input: { tenantId: string; grantId: string; actor: AuditActor }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('manager_grants')
      .set({ revoked_at: new Date(), revoked_by: personOf(input.actor) })
      .where('id', '=', input.grantId)
      .where('tenant_id', '=', input.tenantId)
      .where('revoked_at', 'is', null)
      .returning(['person_id', 'org_unit_id'])
      .executeTakeFirst();
    if (!revoked) throw new GrantError('grant-not-found');
    await recordAudit(trx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'manager.revoked',
      subjectPersonId: revoked.person_id,
      object: { kind: 'org-unit', id: revoked.org_unit_id },
      details: { grantId: input.grantId },
    });
  });
}

/** The municipality's grants, active first, newest first; revoked ones only when asked. */
export async function listGrants(db: Kysely<Schema>, tenantId: string, options: { includeRevoked?: boolean } = {}): Promise<ManagerGrant[]> {
  let query = db
    .selectFrom('manager_grants as g')
    .innerJoin('people as p', 'p.id', 'g.person_id')
    .innerJoin('org_units as u', 'u.id', 'g.org_unit_id')
    .leftJoin('employees as e', 'e.person_id', 'g.person_id')
    .leftJoin('people as gb', 'gb.id', 'g.granted_by')
    .leftJoin('people as rb', 'rb.id', 'g.revoked_by')
    .select([
      'g.id', 'g.person_id', 'p.name as person_name', 'e.employee_number', 'g.org_unit_id', 'u.name as unit_name', 'u.code as unit_code',
      'g.granted_by', 'gb.name as granted_by_name', 'g.granted_at', 'g.revoked_at', 'g.revoked_by', 'rb.name as revoked_by_name',
    ])
    .where('g.tenant_id', '=', tenantId);
  if (!options.includeRevoked) query = query.where('g.revoked_at', 'is', null);
  const rows = await query.orderBy('g.revoked_at', (o) => o.desc().nullsFirst()).orderBy('g.granted_at', 'desc').orderBy('g.id').execute();
  return rows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    personName: r.person_name,
    employeeNumber: r.employee_number,
    unitId: r.org_unit_id,
    unitName: r.unit_name,
    unitCode: r.unit_code,
    grantedBy: r.granted_by,
    grantedByName: r.granted_by_name,
    grantedAt: r.granted_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokedByName: r.revoked_by_name,
  }));
}
