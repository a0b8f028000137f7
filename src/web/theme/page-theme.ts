import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { getTenantLook } from '../../tenants/themes.js';
import type { PageTheme } from '../layout.js';

export const logoHref = (tenantId: string, sha256: string) => `/tenants/${tenantId}/logo/${sha256}`;

/** The look of the pages of a session in this tenant: its accent and logo, or the default theme. */
export async function pageTheme(db: Kysely<Schema>, tenantId: string): Promise<PageTheme | undefined> {
  const look = await getTenantLook(db, tenantId);
  if (!look) return undefined;
  const { accentColor, logo } = look.theme;
  if (!accentColor && !logo) return undefined;
  return { accent: accentColor, logo: logo ? { href: logoHref(tenantId, logo.sha256), alt: look.name } : null };
}
