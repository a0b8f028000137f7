import fs from 'node:fs';
import path from 'node:path/posix';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ContentStore } from './content-store.js';
import { ContentImportError } from './import-errors.js';
import type { PackageManifest } from './manifest-model.js';
import { parseManifest } from './manifest-parser.js';
import { CheckedZip, type ZipEntry, type ZipLimits } from './zip-reader.js';

export interface ImportDependencies {
  db: Kysely<Schema>;
  store: ContentStore;
  limits: ZipLimits;
}

export interface ImportedPackage {
  id: string;
  tenantId: string;
  title: string;
  standard: PackageManifest['standard'];
  edition: PackageManifest['edition'];
  fileCount: number;
  zipSha256: string;
  manifest: PackageManifest;
}

const MAX_MANIFEST_BYTES = 10 * 1024 * 1024;

function findManifest(zip: CheckedZip) {
  const root = zip.files.get('imsmanifest.xml');
  if (root) return root;
  const nested = [...zip.files.keys()].find((p) => path.basename(p).toLowerCase() === 'imsmanifest.xml');
  if (nested) throw new ContentImportError('manifest-in-subfolder', { file: path.dirname(nested) });
  throw new ContentImportError('manifest-missing');
}

/** Stream errors from the zip (sizes that lie, bad deflate data) are the package's fault; disk errors are ours. */
async function storeEntry(store: ContentStore, zip: CheckedZip, entry: ZipEntry) {
  try {
    return await store.put(await zip.read(entry));
  } catch (error) {
    if (error instanceof ContentImportError || (error as NodeJS.ErrnoException).syscall) throw error;
    throw new ContentImportError('corrupt-entry', { file: entry.path, detail: (error as Error).message });
  }
}

/** Removes blobs this import created unless some package refers to them by now. */
async function removeOrphans(deps: ImportDependencies, created: readonly string[]): Promise<void> {
  for (const sha256 of created) {
    const usedAsFile = await deps.db.selectFrom('content_package_files').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
    const usedAsZip = await deps.db.selectFrom('content_packages').select('id').where('zip_sha256', '=', sha256).executeTakeFirst();
    if (!usedAsFile && !usedAsZip) await deps.store.delete(sha256);
  }
}

/**
 * Imports a SCORM package from a zip file on disk. Everything is checked before a byte is unpacked
 * (limits, paths, manifest, hrefs); files then go to the content store and the rows are written in
 * one transaction. A failed import leaves no rows and no files it created.
 */
export async function importPackage(
  deps: ImportDependencies,
  tenantId: string,
  zipFile: string,
  options: { originalName?: string } = {},
): Promise<ImportedPackage> {
  const zip = await CheckedZip.open(zipFile, deps.limits);
  const created: string[] = [];
  try {
    const manifest = parseManifest(await zip.readText(findManifest(zip), MAX_MANIFEST_BYTES), new Set(zip.files.keys()));
    const rows: { path: string; sha256: string; size: number }[] = [];
    for (const entry of zip.files.values()) {
      const blob = await storeEntry(deps.store, zip, entry);
      if (blob.created) created.push(blob.sha256);
      rows.push({ path: entry.path, sha256: blob.sha256, size: blob.size });
    }
    const original = await deps.store.put(fs.createReadStream(zipFile));
    if (original.created) created.push(original.sha256);
    const zipSize = (await fs.promises.stat(zipFile)).size;

    const id = await deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('content_packages')
        .values({
          tenant_id: tenantId,
          title: manifest.title,
          standard: manifest.standard,
          edition: manifest.edition,
          manifest: JSON.stringify(manifest),
          zip_sha256: original.sha256,
          zip_size: zipSize,
          original_name: options.originalName ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('content_package_files')
          .values(rows.slice(i, i + 500).map((r) => ({ package_id: row.id, ...r })))
          .execute();
      }
      return row.id;
    });
    return {
      id,
      tenantId,
      title: manifest.title,
      standard: manifest.standard,
      edition: manifest.edition,
      fileCount: rows.length,
      zipSha256: original.sha256,
      manifest,
    };
  } catch (error) {
    await removeOrphans(deps, created);
    throw error;
  } finally {
    zip.close();
  }
}
