import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ContentStore } from './content-store.js';
import { ContentImportError } from './import-errors.js';
import type { StoredManifest } from './manifest-model.js';
import { parseCmi5 } from './cmi5-parser.js';
import { parseManifest } from './manifest-parser.js';
import { parseTinCan } from './tincan-parser.js';
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
  standard: StoredManifest['standard'];
  edition: StoredManifest['edition'];
  fileCount: number;
  zipSha256: string;
  manifest: StoredManifest;
}

const MAX_MANIFEST_BYTES = 10 * 1024 * 1024;

/**
 * The package's description: imsmanifest.xml (SCORM) at the root, else cmi5.xml (a cmi5 course),
 * else tincan.xml (an xAPI "Tin Can" package). A package with more than one is played as the first
 * of these it has: SCORM is what such a package says it is first, and cmi5 is xAPI with an LMS launch.
 */
const DESCRIPTIONS = [['imsmanifest.xml', 'scorm'], ['cmi5.xml', 'cmi5'], ['tincan.xml', 'tincan']] as const;

function findManifest(zip: CheckedZip): { kind: 'scorm' | 'cmi5' | 'tincan'; entry: ZipEntry } {
  for (const [name, kind] of DESCRIPTIONS) {
    const entry = zip.files.get(name);
    if (entry) return { kind, entry };
  }
  const nested = [...zip.files.keys()].find((p) => DESCRIPTIONS.some(([name]) => name === path.basename(p).toLowerCase()));
  if (nested) throw new ContentImportError('manifest-in-subfolder', { file: path.dirname(nested) });
  throw new ContentImportError('manifest-missing');
}

async function readManifest(zip: CheckedZip): Promise<StoredManifest> {
  const found = findManifest(zip);
  const xml = await zip.readText(found.entry, MAX_MANIFEST_BYTES);
  const files = new Set(zip.files.keys());
  if (found.kind === 'scorm') return parseManifest(xml, files);
  return found.kind === 'cmi5' ? parseCmi5(xml, files) : parseTinCan(xml, files);
}

/**
 * A bare course structure (cmi5 §14.2) rather than a zip: an upload whose first bytes are XML. Any
 * other file goes to the zip reader, which says what is wrong with it.
 */
async function isBareXml(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return /^(\uFEFF)?\s*<[?!a-zA-Z]/.test(head.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** A bare cmi5.xml: its AUs are all on the web, so the package is the course structure alone. */
async function stageBareCourseStructure(deps: ImportDependencies, file: string): Promise<StagedPackage> {
  const size = (await fs.promises.stat(file)).size;
  if (size > MAX_MANIFEST_BYTES) throw new ContentImportError('entry-too-large', { file: 'cmi5.xml', limit: MAX_MANIFEST_BYTES });
  const manifest = parseCmi5((await fs.promises.readFile(file, 'utf8')).replace(/^\uFEFF/, ''), null);
  const leaseId = randomUUID();
  const created: string[] = [];
  try {
    const original = await deps.store.put(fs.createReadStream(file));
    if (original.created) created.push(original.sha256);
    await underBlobLock(deps.db, async (trx) => {
      await trx.insertInto('content_blob_leases').values({ sha256: original.sha256, lease_id: leaseId }).onConflict((oc) => oc.doNothing()).execute();
    });
    if (!(await deps.store.has(original.sha256))) {
      const again = await deps.store.put(fs.createReadStream(file));
      if (again.created) created.push(again.sha256);
    }
    return { manifest, files: [], zipSha256: original.sha256, zipSize: size, created, leaseId };
  } catch (error) {
    await removeOrphans(deps, leaseId, created);
    throw error;
  }
}

/** Stream errors from the zip (sizes that lie, bad deflate data) are the package's fault; disk errors are ours. */
async function storeEntry(store: ContentStore, zip: CheckedZip, entry: ZipEntry) {
  try {
    return await store.put(await zip.read(entry));
  } catch (error) {
    if (error instanceof ContentImportError || (error as NodeJS.ErrnoException).syscall) throw error;
    throw new ContentImportError('corrupt-entry', { file: entry.path }, (error as Error).message);
  }
}

/**
 * Taking leases and removing orphans happen under one advisory lock, so a failing import that
 * checks a blob and removes it cannot interleave with another import that leases the same blob.
 */
const BLOB_LIFECYCLE_LOCK = 0x4c4c_0202;
/** A lease older than this was left by a process that crashed mid-import. */
const LEASE_LIFETIME = "interval '1 day'";

function underBlobLock<T>(db: Kysely<Schema>, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${BLOB_LIFECYCLE_LOCK})`.execute(trx);
    return work(trx);
  });
}

/**
 * Releases the import's leases and removes the blobs it created that no package refers to and no
 * other import has leased.
 */
async function removeOrphans(deps: ImportDependencies, leaseId: string, created: readonly string[]): Promise<void> {
  await underBlobLock(deps.db, async (trx) => {
    await trx.deleteFrom('content_blob_leases').where('lease_id', '=', leaseId).execute();
    for (const sha256 of new Set(created)) {
      const usedAsFile = await trx.selectFrom('content_package_files').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
      const usedAsZip = await trx.selectFrom('content_packages').select('id').where('zip_sha256', '=', sha256).executeTakeFirst();
      const leased = await trx
        .selectFrom('content_blob_leases')
        .select('lease_id')
        .where('sha256', '=', sha256)
        .where('taken_at', '>', sql<Date>`now() - ${sql.raw(LEASE_LIFETIME)}`)
        .executeTakeFirst();
      if (!usedAsFile && !usedAsZip && !leased) await deps.store.delete(sha256);
    }
  });
}

/**
 * A package whose files are in the content store but which has no rows yet: nothing refers to its
 * blobs, so nobody sees it, and its lease keeps them from being removed by another import that
 * fails. `insertStagedPackage` makes it a package (inside the caller's transaction);
 * `discardStagedPackages` removes the blobs it created when that never happens.
 */
export interface StagedPackage {
  manifest: StoredManifest;
  files: { path: string; sha256: string; size: number }[];
  zipSha256: string;
  zipSize: number;
  /** Blobs this staging created (not in the store before). */
  created: string[];
  /** Names this staging's leases on its blobs. */
  leaseId: string;
}

/**
 * Checks a package zip on disk and puts its files in the content store. Everything is checked
 * before a byte is unpacked (limits, paths, manifest, hrefs). A refused package leaves no files it
 * created.
 */
export async function stagePackage(deps: ImportDependencies, zipFile: string): Promise<StagedPackage> {
  if (await isBareXml(zipFile)) return stageBareCourseStructure(deps, zipFile);
  const zip = await CheckedZip.open(zipFile, deps.limits);
  const created: string[] = [];
  const leaseId = randomUUID();
  try {
    const manifest = await readManifest(zip);
    const files: StagedPackage['files'] = [];
    const sources = new Map<string, () => Promise<Readable>>();
    for (const entry of zip.files.values()) {
      const blob = await storeEntry(deps.store, zip, entry);
      if (blob.created) created.push(blob.sha256);
      files.push({ path: entry.path, sha256: blob.sha256, size: blob.size });
      sources.set(blob.sha256, () => zip.read(entry));
    }
    const original = await deps.store.put(fs.createReadStream(zipFile));
    if (original.created) created.push(original.sha256);
    sources.set(original.sha256, () => Promise.resolve(fs.createReadStream(zipFile)));
    const zipSize = (await fs.promises.stat(zipFile)).size;

    await underBlobLock(deps.db, async (trx) => {
      const leases = [...sources.keys()].map((sha256) => ({ sha256, lease_id: leaseId }));
      for (let i = 0; i < leases.length; i += 1000) {
        await trx.insertInto('content_blob_leases').values(leases.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
      }
    });
    // A blob found in the store may have been removed by a failing import before the lease was
    // taken: put it again. Leased now, it stays.
    for (const [sha256, source] of sources) {
      if (await deps.store.has(sha256)) continue;
      const again = await deps.store.put(await source());
      if (again.created) created.push(again.sha256);
    }
    return { manifest, files, zipSha256: original.sha256, zipSize, created, leaseId };
  } catch (error) {
    await removeOrphans(deps, leaseId, created);
    throw error;
  } finally {
    zip.close();
  }
}

/** Writes the rows of a staged package in the caller's transaction; returns the package id. */
export async function insertStagedPackage(trx: Kysely<Schema>, tenantId: string, staged: StagedPackage, options: { originalName?: string } = {}): Promise<string> {
  const { manifest } = staged;
  const row = await trx
    .insertInto('content_packages')
    .values({
      tenant_id: tenantId,
      title: manifest.title,
      standard: manifest.standard,
      edition: manifest.edition,
      manifest: JSON.stringify(manifest),
      zip_sha256: staged.zipSha256,
      zip_size: staged.zipSize,
      original_name: options.originalName ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let i = 0; i < staged.files.length; i += 500) {
    await trx
      .insertInto('content_package_files')
      .values(staged.files.slice(i, i + 500).map((r) => ({ package_id: row.id, ...r })))
      .execute();
  }
  // The rows now hold the blobs; the leases go with the same commit.
  await trx.deleteFrom('content_blob_leases').where('lease_id', '=', staged.leaseId).execute();
  return row.id;
}

/** Releases staged packages' leases and removes the blobs they created that nothing else needs. */
export async function discardStagedPackages(deps: ImportDependencies, staged: readonly StagedPackage[]): Promise<void> {
  for (const s of staged) await removeOrphans(deps, s.leaseId, s.created);
}

/**
 * Imports a SCORM, cmi5 or xAPI (tincan.xml) package from a zip file (or a bare cmi5.xml) on disk: staged (checked, files stored), then the rows
 * are written in one transaction. A failed import leaves no rows and no files it created.
 */
export async function importPackage(
  deps: ImportDependencies,
  tenantId: string,
  zipFile: string,
  options: { originalName?: string } = {},
): Promise<ImportedPackage> {
  const staged = await stagePackage(deps, zipFile);
  try {
    const id = await deps.db.transaction().execute((trx) => insertStagedPackage(trx, tenantId, staged, options));
    const { manifest } = staged;
    return {
      id,
      tenantId,
      title: manifest.title,
      standard: manifest.standard,
      edition: manifest.edition,
      fileCount: staged.files.length,
      zipSha256: staged.zipSha256,
      manifest,
    };
  } catch (error) {
    await discardStagedPackages(deps, [staged]);
    throw error;
  }
}
