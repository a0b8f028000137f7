import type { Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';

export interface KeptPath {
  readonly pathId: string;
  readonly title: string;
  readonly keepYears: number;
}

export class KeptPathError extends Error {
  constructor(readonly code: 'unknown-path' | 'bad-years') {
    super(code);
  }
}

/** The paths whose completions a municipality keeps as proof after erasure. */
export async function keptPaths(db: Kysely<Schema>, tenantId: string): Promise<KeptPath[]> {
  const rows = await db.selectFrom('privacy_kept_paths as k').innerJoin('paths as p', 'p.id', 'k.path_id')
    .select(['k.path_id', 'p.title', 'k.keep_years']).where('k.tenant_id', '=', tenantId).orderBy('p.title').execute();
  return rows.map((r) => ({ pathId: r.path_id, title: r.title, keepYears: r.keep_years }));
}

/**
 * Marks a path as mandatory training whose proof is kept `keepYears` after each completion. The
 * path must be one the municipality can see: its own, or one shared with it (by region or everyone).
 */
export async function keepPath(db: Kysely<Schema>, tenantId: string, pathId: string, keepYears: number, actor: AuditActor): Promise<void> {
  if (!Number.isInteger(keepYears) || keepYears < 1 || keepYears > 50) throw new KeptPathError('bad-years');
  await db.transaction().execute(async (trx) => {
    const path = /^[0-9a-f-]{36}$/i.test(pathId)
      ? await trx.selectFrom('paths').select(['id', 'tenant_id', 'sharing']).where('id', '=', pathId).executeTakeFirst()
      : undefined;
    const visible = path && (path.tenant_id === tenantId || path.sharing === 'everyone' || (path.sharing === 'region' && await sameRegion(trx, path.tenant_id, tenantId)));
    if (!visible) throw new KeptPathError('unknown-path');
    await trx.insertInto('privacy_kept_paths').values({ tenant_id: tenantId, path_id: pathId, keep_years: keepYears })
      .onConflict((oc) => oc.columns(['tenant_id', 'path_id']).doUpdateSet({ keep_years: keepYears })).execute();
    await recordAudit(trx, { tenantId, actor, action: 'privacy.path-kept', object: { kind: 'path', id: pathId }, details: { keepYears } });
  });
}

export async function releasePath(db: Kysely<Schema>, tenantId: string, pathId: string, actor: AuditActor): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = /^[0-9a-f-]{36}$/i.test(pathId)
      ? await trx.deleteFrom('privacy_kept_paths').where('tenant_id', '=', tenantId).where('path_id', '=', pathId).executeTakeFirst()
      : undefined;
    if (!removed || removed.numDeletedRows === 0n) return false;
    await recordAudit(trx, { tenantId, actor, action: 'privacy.path-released', object: { kind: 'path', id: pathId } });
    return true;
  });
}

async function sameRegion(db: Kysely<Schema>, a: string, b: string): Promise<boolean> {
  const row = await db.selectFrom('region_municipalities as x').innerJoin('region_municipalities as y', 'y.region_id', 'x.region_id')
    .select('x.region_id').where('x.municipality_id', '=', a).where('y.municipality_id', '=', b).executeTakeFirst();
  return row !== undefined || (await db.selectFrom('region_municipalities').select('region_id').where('region_id', '=', a).where('municipality_id', '=', b).executeTakeFirst()) !== undefined;
}

/** Paths the municipality can mark: its own and those shared with it (published or not). */
export async function markablePaths(db: Kysely<Schema>, tenantId: string): Promise<{ pathId: string; title: string }[]> {
  const regions = db.selectFrom('region_municipalities').select('region_id').where('municipality_id', '=', tenantId);
  const fellows = db.selectFrom('region_municipalities').select('municipality_id').where('region_id', 'in', regions);
  const rows = await db.selectFrom('paths').select(['id', 'title'])
    .where((eb) => eb.or([
      eb('tenant_id', '=', tenantId),
      eb('sharing', '=', 'everyone'),
      eb.and([eb('sharing', '=', 'region'), eb.or([eb('tenant_id', 'in', regions), eb('tenant_id', 'in', fellows)])]),
    ]))
    .orderBy('title').orderBy('id').limit(1000).execute();
  return rows.map((r) => ({ pathId: r.id, title: r.title }));
}
