import type { ColumnType, Generated } from 'kysely';

export type TenantKind = 'region' | 'municipality';

export interface TenantsTable {
  id: Generated<string>;
  kind: TenantKind;
  kommunenummer: string | null;
  name: string;
  county_number: string | null;
  county_name: string | null;
  retired_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RegionMunicipalitiesTable {
  region_id: string;
  municipality_id: string;
}

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp';

export interface TenantThemesTable {
  tenant_id: string;
  accent_color: string | null;
  logo: Buffer | null;
  logo_type: LogoType | null;
  logo_sha256: string | null;
  /** The signatory's title printed on the municipality's certificates (migrations/0800). */
  certificate_signatory: ColumnType<string | null, string | null | undefined, string | null>;
  updated_by: string | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** An e-mail domain of a municipality, for launches through a region's platform. */
export interface MunicipalityEmailDomainsTable {
  domain: string;
  tenant_id: string;
  created_at: ColumnType<Date, Date | undefined, Date>;
}

export interface TenantTables {
  municipality_email_domains: MunicipalityEmailDomainsTable;
  tenants: TenantsTable;
  region_municipalities: RegionMunicipalitiesTable;
  tenant_themes: TenantThemesTable;
}
