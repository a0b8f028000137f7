import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Logger } from '../../logger.js';
import { EVENT_COLUMNS, toPathEvent } from '../../paths/events.js';
import type { OwnStatements } from '../own-statements.js';
import { storeHoldingStatements } from './holding-emitter.js';
import { storePathEventStatements } from './subscriber.js';

/** What a re-drive came to: statements stored now, and those still parked (refused again, with the new reason). */
export interface EmissionRedrive {
  readonly stored: number;
  readonly stillParked: number;
}

/**
 * Makes a tenant's parked statements again from their events and stores them (after the cause was
 * fixed: an LMS issuer corrected, a validator or the database changed). The statements are made as
 * emission makes them, ids included, so one held already stores nothing; one refused again stays
 * parked with the new reason. Entries whose statement the tenant's LRS now holds are removed.
 * Only the tenant's own entries are touched.
 */
export async function redriveParkedEmission(db: Kysely<Schema>, own: OwnStatements, publicUrl: string, tenantId: string, logger?: Logger): Promise<EmissionRedrive> {
  const parked = await db.selectFrom('xapi_emission_parked').select(['event_id', 'holding_event_id']).where('tenant_id', '=', tenantId).execute();
  if (parked.length > 0) {
    const pathEventIds = [...new Set(parked.flatMap((p) => (p.event_id === null ? [] : [Number(p.event_id)])))];
    const holdingEventIds = [...new Set(parked.flatMap((p) => (p.holding_event_id === null ? [] : [Number(p.holding_event_id)])))];
    if (pathEventIds.length > 0) {
      const rows = await db.selectFrom('path_events').select(EVENT_COLUMNS).where('tenant_id', '=', tenantId).where('id', 'in', pathEventIds)
        .orderBy('xid').orderBy('id').execute();
      await storePathEventStatements(db, own, publicUrl, rows.map(toPathEvent), logger);
    }
    if (holdingEventIds.length > 0) {
      const rows = await db.selectFrom('competence_holding_events').select(['id', 'type', 'tenant_id', 'holding_id']).where('tenant_id', '=', tenantId)
        .where('id', 'in', holdingEventIds).orderBy('xid').orderBy('id').execute();
      await storeHoldingStatements(db, own, publicUrl, rows.map((r) => ({ id: Number(r.id), type: r.type, tenantId: r.tenant_id, holdingId: r.holding_id })), logger);
    }
  }
  const { rows: removed } = await sql<{ statement_id: string }>`
    delete from xapi_emission_parked p where p.tenant_id = ${tenantId}::uuid
      and exists (select 1 from xapi_statements s where s.tenant_id = p.tenant_id and s.statement_id = p.statement_id)
    returning p.statement_id`.execute(db);
  const left = await db.selectFrom('xapi_emission_parked').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const result = { stored: removed.length, stillParked: Number(left.n) };
  logger?.info({ tenant: tenantId, ...result }, 'parked statements of the tool re-driven');
  return result;
}
