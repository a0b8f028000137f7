import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import yazl from 'yazl';
import type { ContentStore } from '../../content/content-store.js';
import { findPackage } from '../../content/packages.js';
import type { Schema } from '../../db/schema.js';
import type { PathDefinition } from '../definition.js';
import { getDraft } from '../drafts.js';
import { PathError } from '../errors.js';
import { findVisiblePath, listPublishedVersions, loadPublishedVersion } from '../paths.js';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, ARCHIVE_MANIFEST, type ArchiveManifest } from './format.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an export will write: the manifest, checked to be complete before a byte is sent. */
export interface PreparedExport {
  manifest: ArchiveManifest;
  /** A file name for the download (ASCII letters, digits and dashes). */
  fileName: string;
}

export class ExportRefusal extends Error {
  constructor(
    readonly code: 'package-unavailable',
    readonly params: { step: string; package: string },
  ) {
    super(`the step "${params.step}" names the package ${params.package}, which this tenant does not have`);
    this.name = 'ExportRefusal';
  }
}

function slug(title: string): string {
  const ascii = title.normalize('NFKD').replace(/[æÆ]/g, 'ae').replace(/[øØ]/g, 'o').replace(/[åÅ]/g, 'a').replace(/[^\x20-\x7e]/g, '');
  return ascii.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'path';
}

/**
 * The archive of one of the tenant's OWN paths: its draft (`version` 'draft') or a published
 * version by number. A path the tenant only sees because it is shared is not found: its draft is
 * the owner's, and its packages are the owner's content.
 */
export async function prepareExport(db: Kysely<Schema>, tenantId: string, pathId: string, version: 'draft' | number): Promise<PreparedExport> {
  const path = UUID.test(pathId) ? await findVisiblePath(db, tenantId, pathId) : undefined;
  if (!path || path.tenantId !== tenantId) throw new PathError('path-not-found', 'no such path of this tenant');
  let definition: PathDefinition;
  if (version === 'draft') {
    definition = await getDraft(db, tenantId, pathId);
  } else {
    const published = (await listPublishedVersions(db, tenantId, pathId)).find((v) => v.number === version);
    if (!published) throw new PathError('version-not-found', 'the path has no such published version');
    definition = (await loadPublishedVersion(db, published.id)).definition;
  }
  const packages: ArchiveManifest['packages'] = [];
  for (const step of definition.steps) {
    if ((step.type !== 'scorm' && step.type !== 'xapi' && step.type !== 'cmi5') || packages.some((p) => p.id === step.config.packageId)) continue;
    const found = UUID.test(step.config.packageId) ? await findPackage(db, tenantId, step.config.packageId) : undefined;
    if (!found) throw new ExportRefusal('package-unavailable', { step: step.title, package: step.config.packageId });
    packages.push({
      id: found.id,
      file: `packages/${found.id}.zip`,
      title: found.title,
      standard: found.standard,
      edition: found.edition,
      sha256: found.zipSha256,
      size: Number(found.zipSize),
      originalName: found.originalName,
    });
  }
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    exportedVersion: version,
    path: { title: definition.title, description: definition.description, language: definition.language },
    definition,
    packages,
  };
  return { manifest, fileName: `${slug(definition.title)}${version === 'draft' ? '' : `-v${version}`}.zip` };
}

/** Package blobs the store no longer holds (checked before the response starts, so it can say so). */
export async function missingBlobs(store: ContentStore, prepared: PreparedExport): Promise<string[]> {
  const missing: string[] = [];
  for (const p of prepared.manifest.packages) if (!(await store.has(p.sha256))) missing.push(p.file);
  return missing;
}

/**
 * The archive as a stream: path.json, then each package's original zip read from the content store
 * one at a time as the zip is written (stored, not compressed again: it is a zip already). Nothing
 * is held in memory beyond the stream buffers.
 */
export function archiveStream(store: ContentStore, prepared: PreparedExport): Readable {
  const zip = new yazl.ZipFile();
  const mtime = new Date(prepared.manifest.exportedAt);
  zip.addBuffer(Buffer.from(JSON.stringify(prepared.manifest, null, 2)), ARCHIVE_MANIFEST, { mtime, compress: true });
  for (const p of prepared.manifest.packages) {
    zip.addReadStreamLazy(p.file, { mtime, compress: false, size: p.size }, (done) => {
      store.open(p.sha256).then(
        (stream) => (stream ? done(null, stream) : done(new Error(`content blob ${p.sha256} is gone`), undefined as never)),
        (error: unknown) => done(error, undefined as never),
      );
    });
  }
  zip.end();
  const output = zip.outputStream as Readable;
  // yazl reports a failing package stream on the ZipFile; the download must end as failed, not as a short zip.
  zip.on('error', (error: Error) => output.destroy(error));
  return output;
}
