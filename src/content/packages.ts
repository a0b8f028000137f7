import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { StoredManifest } from './manifest-model.js';

export interface ContentPackage {
  id: string;
  tenantId: string;
  title: string;
  standard: StoredManifest['standard'];
  edition: string;
  manifest: StoredManifest;
  zipSha256: string;
  zipSize: number;
  originalName: string | null;
  createdAt: Date;
}

/** Tenant-scoped: another tenant's package is not found. */
export async function findPackage(db: Kysely<Schema>, tenantId: string, packageId: string): Promise<ContentPackage | undefined> {
  const row = await db
    .selectFrom('content_packages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', packageId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    title: row.title,
    standard: row.standard,
    edition: row.edition,
    manifest: row.manifest,
    zipSha256: row.zip_sha256,
    zipSize: row.zip_size,
    originalName: row.original_name,
    createdAt: row.created_at,
  };
}

export async function listPackages(db: Kysely<Schema>, tenantId: string): Promise<{ id: string; title: string; standard: string; edition: string; createdAt: Date }[]> {
  const rows = await db
    .selectFrom('content_packages')
    .select(['id', 'title', 'standard', 'edition', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, standard: r.standard, edition: r.edition, createdAt: r.created_at }));
}

/** The content address of one file of a package, by its path inside the package. */
export async function packageFile(db: Kysely<Schema>, packageId: string, filePath: string): Promise<{ sha256: string; size: number } | undefined> {
  return db
    .selectFrom('content_package_files')
    .select(['sha256', 'size'])
    .where('package_id', '=', packageId)
    .where('path', '=', filePath)
    .executeTakeFirst();
}
