import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { LogoType } from './tables.js';

/** A municipality's look: its accent colour and logo; null where it keeps the default. */
export interface TenantTheme {
  readonly accentColor: string | null;
  readonly logo: { readonly type: LogoType; readonly sha256: string } | null;
}

export const NO_THEME: TenantTheme = { accentColor: null, logo: null };

/** The largest logo we keep: a header image, not a poster. */
export const LOGO_LIMIT_BYTES = 256 * 1024;

export type LogoRefusal = 'logo-too-large' | 'logo-type' | 'logo-empty';

export class ThemeError extends Error {
  constructor(readonly code: LogoRefusal) {
    super(code);
    this.name = 'ThemeError';
  }
}

/**
 * The image type a file's first bytes show, or undefined. Only raster formats: an SVG (or anything
 * else) is refused whatever its name or declared type says, as it could carry script.
 */
export function sniffLogoType(bytes: Uint8Array): LogoType | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  // RIFF....WEBP
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp';
  return undefined;
}

export async function getTenantTheme(db: Kysely<Schema>, tenantId: string): Promise<TenantTheme> {
  const row = await db
    .selectFrom('tenant_themes')
    .select(['accent_color', 'logo_type', 'logo_sha256'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return NO_THEME;
  return {
    accentColor: row.accent_color,
    logo: row.logo_type && row.logo_sha256 ? { type: row.logo_type, sha256: row.logo_sha256 } : null,
  };
}

/** Sets (or with null, resets) the accent. The caller has checked its contrast. */
export async function setAccentColor(db: Kysely<Schema>, tenantId: string, accentColor: string | null, by: string): Promise<void> {
  await db
    .insertInto('tenant_themes')
    .values({ tenant_id: tenantId, accent_color: accentColor, updated_by: by })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ accent_color: accentColor, updated_by: by, updated_at: new Date() }))
    .execute();
}

/** Stores a logo after checking its size and that its bytes are a PNG, JPEG or WebP image. */
export async function setLogo(db: Kysely<Schema>, tenantId: string, bytes: Buffer, by: string): Promise<void> {
  if (bytes.length === 0) throw new ThemeError('logo-empty');
  if (bytes.length > LOGO_LIMIT_BYTES) throw new ThemeError('logo-too-large');
  const type = sniffLogoType(bytes);
  if (!type) throw new ThemeError('logo-type');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const logo = { logo: bytes, logo_type: type, logo_sha256: sha256, updated_by: by };
  await db
    .insertInto('tenant_themes')
    .values({ tenant_id: tenantId, ...logo })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...logo, updated_at: new Date() }))
    .execute();
}

export async function removeLogo(db: Kysely<Schema>, tenantId: string, by: string): Promise<void> {
  await db
    .updateTable('tenant_themes')
    .set({ logo: null, logo_type: null, logo_sha256: null, updated_by: by, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .execute();
}

/** The logo with this hash, if it is the tenant's current one. */
export async function findLogo(db: Kysely<Schema>, tenantId: string, sha256: string): Promise<{ bytes: Buffer; type: LogoType } | undefined> {
  const row = await db
    .selectFrom('tenant_themes')
    .select(['logo', 'logo_type'])
    .where('tenant_id', '=', tenantId)
    .where('logo_sha256', '=', sha256)
    .executeTakeFirst();
  return row?.logo && row.logo_type ? { bytes: row.logo, type: row.logo_type } : undefined;
}

/** The tenant's name with its theme, in one query: what a page of its session shows in its header. */
export async function getTenantLook(db: Kysely<Schema>, tenantId: string): Promise<{ name: string; theme: TenantTheme } | undefined> {
  const row = await db
    .selectFrom('tenants')
    .leftJoin('tenant_themes', 'tenant_themes.tenant_id', 'tenants.id')
    .select(['tenants.name', 'tenant_themes.accent_color', 'tenant_themes.logo_type', 'tenant_themes.logo_sha256'])
    .where('tenants.id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    name: row.name,
    theme: {
      accentColor: row.accent_color,
      logo: row.logo_type && row.logo_sha256 ? { type: row.logo_type, sha256: row.logo_sha256 } : null,
    },
  };
}

/** The longest signatory title kept (the column's check). */
export const SIGNATORY_LIMIT = 200;

/** The signatory's title on the municipality's certificates (e.g. "Kommunedirektør"); empty removes it. */
export async function setCertificateSignatory(db: Kysely<Schema>, tenantId: string, title: string, by: string): Promise<void> {
  const value = title.trim().slice(0, SIGNATORY_LIMIT) || null;
  await db
    .insertInto('tenant_themes')
    .values({ tenant_id: tenantId, certificate_signatory: value, updated_by: by })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ certificate_signatory: value, updated_by: by, updated_at: new Date() }))
    .execute();
}

export async function getCertificateSignatory(db: Kysely<Schema>, tenantId: string): Promise<string | null> {
  const row = await db.selectFrom('tenant_themes').select('certificate_signatory').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.certificate_signatory ?? null;
}
