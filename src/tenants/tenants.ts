import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { CsvImportError, type MunicipalityRow, type RegionRow } from './municipality-csv.js';
import type { TenantKind } from './tables.js';

export interface Tenant {
  readonly id: string;
  readonly kind: TenantKind;
  readonly kommunenummer: string | null;
  readonly name: string;
  readonly countyNumber: string | null;
  readonly countyName: string | null;
  readonly retiredAt: Date | null;
}

export interface MunicipalityImportReport {
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: number;
  /** Active municipalities in the database that the file does not list (retired when asked to). */
  readonly notInFile: readonly string[];
  readonly retired: readonly string[];
}

type TenantRow = {
  id: string;
  kind: TenantKind;
  kommunenummer: string | null;
  name: string;
  county_number: string | null;
  county_name: string | null;
  retired_at: Date | null;
};

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    kind: row.kind,
    kommunenummer: row.kommunenummer,
    name: row.name,
    countyNumber: row.county_number,
    countyName: row.county_name,
    retiredAt: row.retired_at,
  };
}

const TENANT_COLUMNS = ['id', 'kind', 'kommunenummer', 'name', 'county_number', 'county_name', 'retired_at'] as const;

/**
 * Brings the municipalities in line with a classification file in one transaction: new numbers are
 * created, changed names or counties updated. A municipality missing from the file keeps its data;
 * with `retireMissing` it is marked retired (merged or split in a municipal reform).
 */
export async function importMunicipalities(
  db: Kysely<Schema>,
  rows: readonly MunicipalityRow[],
  options: { retireMissing?: boolean } = {},
): Promise<MunicipalityImportReport> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('tenants')
      .select(TENANT_COLUMNS)
      .where('kind', '=', 'municipality')
      .forUpdate()
      .execute();
    const byNumber = new Map(existing.map((row) => [row.kommunenummer!, row]));
    const created: string[] = [];
    const updated: string[] = [];
    let unchanged = 0;

    for (const row of rows) {
      const current = byNumber.get(row.kommunenummer);
      if (!current) {
        await trx
          .insertInto('tenants')
          .values({
            kind: 'municipality',
            kommunenummer: row.kommunenummer,
            name: row.name,
            county_number: row.countyNumber,
            county_name: row.countyName,
            retired_at: null,
          })
          .execute();
        created.push(row.kommunenummer);
      } else if (
        current.name !== row.name ||
        current.county_number !== row.countyNumber ||
        (row.countyName !== null && current.county_name !== row.countyName) ||
        current.retired_at !== null
      ) {
        await trx
          .updateTable('tenants')
          .set({
            name: row.name,
            county_number: row.countyNumber,
            county_name: row.countyName ?? current.county_name,
            retired_at: null,
            updated_at: new Date(),
          })
          .where('id', '=', current.id)
          .execute();
        updated.push(row.kommunenummer);
      } else {
        unchanged += 1;
      }
    }

    const inFile = new Set(rows.map((row) => row.kommunenummer));
    const notInFile = existing
      .filter((row) => row.retired_at === null && !inFile.has(row.kommunenummer!))
      .map((row) => row.kommunenummer!)
      .sort();
    let retired: string[] = [];
    if (options.retireMissing && notInFile.length > 0) {
      await trx
        .updateTable('tenants')
        .set({ retired_at: new Date(), updated_at: new Date() })
        .where('kind', '=', 'municipality')
        .where('kommunenummer', 'in', notInFile)
        .execute();
      retired = notInFile;
    }
    return { created, updated, unchanged, notInFile, retired };
  });
}

export interface RegionImportReport {
  readonly regions: readonly { name: string; municipalities: number; created: boolean }[];
}

/**
 * Creates or updates regions and sets their members to exactly the municipalities the file lists.
 * Every municipality must already exist: import the municipalities first.
 */
export async function importRegions(db: Kysely<Schema>, rows: readonly RegionRow[]): Promise<RegionImportReport> {
  return db.transaction().execute(async (trx) => {
    const numbers = [...new Set(rows.map((row) => row.kommunenummer))];
    const municipalities = numbers.length
      ? await trx.selectFrom('tenants').select(['id', 'kommunenummer']).where('kommunenummer', 'in', numbers).execute()
      : [];
    const idByNumber = new Map(municipalities.map((m) => [m.kommunenummer!, m.id]));
    const unknown = numbers.filter((n) => !idByNumber.has(n));
    if (unknown.length > 0) {
      throw new CsvImportError(
        unknown.map((n) => ({
          line: rows.findIndex((row) => row.kommunenummer === n) + 2,
          message: `no municipality with kommunenummer ${n}; import the municipalities first`,
        })),
      );
    }

    const members = new Map<string, string[]>();
    for (const row of rows) members.set(row.region, [...(members.get(row.region) ?? []), idByNumber.get(row.kommunenummer)!]);

    const report: { name: string; municipalities: number; created: boolean }[] = [];
    for (const [name, municipalityIds] of members) {
      let region = await trx
        .selectFrom('tenants')
        .select('id')
        .where('kind', '=', 'region')
        .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
        .executeTakeFirst();
      const created = !region;
      region ??= await trx
        .insertInto('tenants')
        .values({ kind: 'region', kommunenummer: null, name, county_number: null, county_name: null, retired_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.deleteFrom('region_municipalities').where('region_id', '=', region.id).execute();
      const unique = [...new Set(municipalityIds)];
      await trx
        .insertInto('region_municipalities')
        .values(unique.map((municipalityId) => ({ region_id: region.id, municipality_id: municipalityId })))
        .execute();
      report.push({ name, municipalities: unique.length, created });
    }
    return { regions: report };
  });
}

export async function listTenants(db: Kysely<Schema>, filter: { kind?: TenantKind } = {}): Promise<Tenant[]> {
  let query = db.selectFrom('tenants').select(TENANT_COLUMNS).orderBy('kind').orderBy('kommunenummer').orderBy('name');
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return (await query.execute()).map(toTenant);
}

export async function findMunicipality(db: Kysely<Schema>, kommunenummer: string): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom('tenants')
    .select(TENANT_COLUMNS)
    .where('kind', '=', 'municipality')
    .where('kommunenummer', '=', kommunenummer)
    .executeTakeFirst();
  return row && toTenant(row);
}

/** The municipalities that make up a region, ordered by number. */
export async function regionMunicipalities(db: Kysely<Schema>, regionId: string): Promise<Tenant[]> {
  const rows = await db
    .selectFrom('region_municipalities as rm')
    .innerJoin('tenants as t', 't.id', 'rm.municipality_id')
    .select(TENANT_COLUMNS.map((column) => `t.${column}` as const))
    .where('rm.region_id', '=', regionId)
    .orderBy('t.kommunenummer')
    .execute();
  return rows.map(toTenant);
}

/** Whether a tenant is a municipality or a region (undefined when there is no such tenant). */
export async function tenantKind(db: Kysely<Schema>, tenantId: string): Promise<TenantKind | undefined> {
  const row = await db.selectFrom('tenants').select('kind').where('id', '=', tenantId).executeTakeFirst();
  return row?.kind;
}
