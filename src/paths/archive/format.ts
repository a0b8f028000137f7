import { z } from 'zod';

/**
 * A path archive is a zip with `path.json` at its root and each SCORM package's original zip under
 * `packages/`. `path.json` says what it is (format and version), the path's title, description and
 * language, its definition (src/paths/definition.ts), and the packages its SCORM steps name: a
 * step's `config.packageId` is the `id` of one entry of `packages`.
 */
export const ARCHIVE_FORMAT = 'laeringslop.path-archive';
export const ARCHIVE_FORMAT_VERSION = 1;
export const ARCHIVE_MANIFEST = 'path.json';
export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

/** The two fields read first, so an archive of another format or version is named as such. */
export const archiveHeaderSchema = z.object({ format: z.unknown(), formatVersion: z.unknown() });

export const archivedPackageSchema = z.strictObject({
  /** The package id in the exporting installation: what the definition's SCORM steps name. */
  id: z.string().min(1).max(200),
  file: z.string().regex(/^packages\/[A-Za-z0-9._-]{1,200}\.zip$/, 'packages/<name>.zip'),
  title: z.string().max(1000),
  standard: z.enum(['scorm12', 'scorm2004', 'xapi', 'cmi5']),
  edition: z.string().max(100),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().min(0),
  originalName: z.string().max(1000).nullable(),
});

export const archiveManifestSchema = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.literal(ARCHIVE_FORMAT_VERSION),
  exportedAt: z.iso.datetime(),
  /** Which version of the path was exported: `draft` or a published version's number. */
  exportedVersion: z.union([z.literal('draft'), z.number().int().min(1)]),
  path: z.strictObject({ title: z.string(), description: z.string(), language: z.enum(['nb', 'nn', 'en']) }),
  /** Validated on import by the path definition schema, not here, so its problems are named as such. */
  definition: z.unknown(),
  packages: z.array(archivedPackageSchema).max(100),
});

export type ArchivedPackage = z.infer<typeof archivedPackageSchema>;
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;
