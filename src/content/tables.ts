import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { StoredManifest } from './manifest-model.js';

export interface ContentPackagesTable {
  id: Generated<string>;
  tenant_id: string;
  title: string;
  standard: StoredManifest['standard'];
  edition: string;
  manifest: JSONColumnType<StoredManifest, string, string>;
  zip_sha256: string;
  zip_size: number;
  original_name: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface ContentPackageFilesTable {
  package_id: string;
  path: string;
  sha256: string;
  size: number;
}

export interface ContentBlobLeasesTable {
  sha256: string;
  lease_id: string;
  taken_at: ColumnType<Date, never, never>;
}

export interface ContentTables {
  content_packages: ContentPackagesTable;
  content_package_files: ContentPackageFilesTable;
  content_blob_leases: ContentBlobLeasesTable;
}
