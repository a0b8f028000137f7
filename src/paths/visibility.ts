import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * Which paths a tenant may see and enrol its people in: its own, those shared with everyone, and
 * those shared with a region it belongs to (a region-owned path reaches the region's
 * municipalities; a municipality's path reaches its regions and their other municipalities).
 * Expects the paths table under the alias `p`.
 */
export function visibleTo(tenantId: string): Expression<SqlBool> {
  return sql<SqlBool>`(
    p.tenant_id = ${tenantId}
    or p.sharing = 'everyone'
    or (p.sharing = 'region' and exists (
      select 1 from region_municipalities rm
      where (rm.region_id = p.tenant_id and rm.municipality_id = ${tenantId})
         or (rm.municipality_id = p.tenant_id and rm.region_id = ${tenantId})
         or (rm.municipality_id = p.tenant_id and exists (
              select 1 from region_municipalities rm2
              where rm2.region_id = rm.region_id and rm2.municipality_id = ${tenantId}))
    ))
  )`;
}
