import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentImportError } from '../../content/import-errors.js';
import { discardStagedPackages, insertStagedPackage, stagePackage, type ImportDependencies, type StagedPackage } from '../../content/package-import.js';
import { CheckedZip } from '../../content/zip-reader.js';
import type { Locale } from '../../web/i18n.js';
import { crossCheck, definitionSchema, type PathDefinition } from '../definition.js';
import { PathError } from '../errors.js';
import { insertPath } from '../paths.js';
import { ArchiveError } from './errors.js';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, ARCHIVE_MANIFEST, archiveHeaderSchema, archiveManifestSchema, MAX_MANIFEST_BYTES, type ArchivedPackage } from './format.js';

export interface ArchiveImportDependencies extends ImportDependencies {
  /** Where package zips are unpacked from the archive while they are checked (removed afterwards). */
  workDir: string;
}

const ADJUSTMENTS = {
  'imported-as-draft': {
    nb: 'Løpet er importert som et utkast som bare egen organisasjon ser; se over og publiser det når det er klart.',
    nn: 'Løpet er importert som eit utkast som berre eigen organisasjon ser; sjå over og publiser det når det er klart.',
    en: 'The path was imported as a draft that only your own organisation sees; review it and publish it when it is ready.',
  },
  'package-reused': {
    nb: 'Pakken «{title}» fantes fra før og ble gjenbrukt, ikke lagret på nytt.',
    nn: 'Pakken «{title}» fanst frå før og vart gjenbrukt, ikkje lagra på nytt.',
    en: 'The package “{title}” was already here and was reused, not stored again.',
  },
  'package-unused': {
    nb: 'Pakken «{title}» i arkivet brukes ikke av noe steg og ble ikke importert.',
    nn: 'Pakken «{title}» i arkivet blir ikkje brukt av noko steg og vart ikkje importert.',
    en: 'The package “{title}” in the archive is not used by any step and was not imported.',
  },
} as const satisfies Record<string, Record<Locale, string>>;

export type AdjustmentCode = keyof typeof ADJUSTMENTS;

export interface ImportReport {
  pathId: string;
  title: string;
  description: string;
  language: Locale;
  /** Which version of the exported path the archive held. */
  exportedVersion: 'draft' | number;
  steps: { id: string; title: string; type: string; required: boolean; packageId?: string }[];
  packages: { id: string; title: string; standard: string; edition: string; file: string; reused: boolean }[];
  adjustments: { code: AdjustmentCode; params: Record<string, string>; messages: Record<Locale, string> }[];
}

function adjustment(code: AdjustmentCode, params: Record<string, string> = {}): ImportReport['adjustments'][number] {
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, key: string) => params[key] ?? whole);
  return { code, params, messages: { nb: fill(ADJUSTMENTS[code].nb), nn: fill(ADJUSTMENTS[code].nn), en: fill(ADJUSTMENTS[code].en) } };
}

/** The problems for the log (in the validator's English) and the fields they concern for the page. */
function issues(list: readonly { path: string; message: string }[], prefix: string): { fields: string; technical: string } {
  const fields = [...new Set(list.map((i) => (i.path ? `${prefix}.${i.path}` : prefix)))];
  const technical = list.slice(0, 20).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return { fields: fields.slice(0, 5).join(', ') + (fields.length > 5 ? ` (+${fields.length - 5})` : ''), technical };
}

const zodIssues = (list: readonly { path: PropertyKey[]; message: string }[]) => list.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** Everything an archive claims, checked before anything is stored. */
async function readManifest(zip: CheckedZip, archiveName: string) {
  const entry = zip.files.get(ARCHIVE_MANIFEST);
  if (!entry) throw new ArchiveError('manifest-missing', { file: archiveName });
  let text: string;
  try {
    text = await zip.readText(entry, MAX_MANIFEST_BYTES);
  } catch (error) {
    if (error instanceof ContentImportError) throw new ArchiveError('archive-unreadable', { file: archiveName }, error);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ArchiveError('manifest-not-json', { file: archiveName }, undefined, (error as Error).message);
  }
  const header = archiveHeaderSchema.safeParse(json);
  if (!header.success) throw new ArchiveError('wrong-format', { file: archiveName, found: 'none' });
  if (header.data.format !== ARCHIVE_FORMAT) throw new ArchiveError('wrong-format', { file: archiveName, found: JSON.stringify(header.data.format) ?? 'none' });
  if (header.data.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveError('unsupported-version', { file: archiveName, found: JSON.stringify(header.data.formatVersion) ?? 'none', supported: ARCHIVE_FORMAT_VERSION });
  }
  const manifest = archiveManifestSchema.safeParse(json);
  if (!manifest.success) {
    const { fields, technical } = issues(zodIssues(manifest.error.issues), 'path.json');
    throw new ArchiveError('manifest-invalid', { file: archiveName, fields }, undefined, technical);
  }
  const definition = definitionSchema.safeParse(manifest.data.definition);
  const problems = definition.success ? crossCheck(definition.data, false) : zodIssues(definition.error.issues);
  if (!definition.success || problems.length > 0) {
    const { fields, technical } = issues(problems, 'definition');
    throw new ArchiveError('definition-invalid', { file: archiveName, fields }, undefined, technical);
  }
  return { manifest: manifest.data, definition: definition.data };
}

/** Copies a package zip out of the archive to a file, hashing it on the way. */
async function extract(zip: CheckedZip, archived: ArchivedPackage, file: string): Promise<string> {
  const entry = zip.files.get(archived.file);
  if (!entry) throw new ArchiveError('package-missing', { file: archived.file });
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(await zip.read(entry), hashing, fs.createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall) throw error;
    const reason = error instanceof ContentImportError ? error : new ContentImportError('corrupt-entry', { file: archived.file }, (error as Error).message);
    throw new ArchiveError('package-invalid', { file: archived.file }, reason);
  }
  return hash.digest('hex');
}

/**
 * Imports a path archive as a new draft path of `tenantId`, created by `personId`. The archive and
 * every package in it are checked first (format and version, the definition, each package present,
 * unchanged and a valid SCORM package); package files go to the content store, where nothing refers
 * to them yet; then ONE transaction writes the packages' rows and the path, with the SCORM steps
 * pointing at the new packages. A refused archive leaves no path, no package rows and no files it
 * stored. A package the tenant already has (same zip bytes) is reused, not stored twice.
 */
export async function importPathArchive(
  deps: ArchiveImportDependencies,
  tenantId: string,
  personId: string,
  archiveFile: string,
  options: { archiveName?: string } = {},
): Promise<ImportReport> {
  const archiveName = options.archiveName ?? path.basename(archiveFile);
  let zip: CheckedZip;
  try {
    zip = await CheckedZip.open(archiveFile, deps.limits);
  } catch (error) {
    if (error instanceof ContentImportError) throw new ArchiveError('archive-unreadable', { file: archiveName }, error);
    throw error;
  }
  const staged: { archived: ArchivedPackage; staged: StagedPackage }[] = [];
  const work = path.join(deps.workDir, `archive-${randomUUID()}`);
  try {
    const { manifest, definition } = await readManifest(zip, archiveName);
    const used: ArchivedPackage[] = [];
    for (const step of definition.steps) {
      if (step.type !== 'scorm' && step.type !== 'xapi' && step.type !== 'cmi5') continue;
      const archived = manifest.packages.find((p) => p.id === step.config.packageId);
      if (!archived) throw new ArchiveError('package-unlisted', { step: step.title, package: step.config.packageId });
      if (!used.includes(archived)) used.push(archived);
    }
    for (const archived of used) if (!zip.files.has(archived.file)) throw new ArchiveError('package-missing', { file: archived.file });

    await fs.promises.mkdir(work, { recursive: true });
    for (const archived of used) {
      const file = path.join(work, `${staged.length}.zip`);
      const sha256 = await extract(zip, archived, file);
      if (sha256 !== archived.sha256) throw new ArchiveError('package-checksum', { file: archived.file });
      try {
        staged.push({ archived, staged: await stagePackage(deps, file) });
      } catch (error) {
        if (error instanceof ContentImportError) throw new ArchiveError('package-invalid', { file: archived.file }, error);
        throw error;
      }
      await fs.promises.rm(file, { force: true });
    }

    // An xAPI step needs an xAPI package and a SCORM step a SCORM one, whatever path.json says.
    for (const step of definition.steps) {
      if (step.type !== 'scorm' && step.type !== 'xapi' && step.type !== 'cmi5') continue;
      const found = staged.find((s) => s.archived.id === step.config.packageId)!;
      const standard = found.staged.manifest.standard;
      if ((standard === 'xapi' || standard === 'cmi5' ? standard : 'scorm') !== step.type) {
        throw new ArchiveError('package-kind', { step: step.title, kind: { xapi: 'xAPI', cmi5: 'cmi5', scorm: 'SCORM' }[step.type], file: found.archived.file });
      }
    }

    const result = await deps.db.transaction().execute(async (trx) => {
      const creator = await trx.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('id', '=', personId).executeTakeFirst();
      if (!creator) throw new PathError('person-not-found', 'the importer is not a person of this tenant');
      const ids = new Map<string, { id: string; reused: boolean }>();
      for (const { archived, staged: s } of staged) {
        const existing = await trx
          .selectFrom('content_packages')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('zip_sha256', '=', s.zipSha256)
          .orderBy('created_at')
          .executeTakeFirst();
        ids.set(archived.id, existing ? { id: existing.id, reused: true } : { id: await insertStagedPackage(trx, tenantId, s, archived.originalName ? { originalName: archived.originalName } : {}), reused: false });
      }
      const remapped: PathDefinition = definitionSchema.parse({
        ...definition,
        steps: definition.steps.map((step) => (step.type === 'scorm' || step.type === 'xapi' || step.type === 'cmi5' ? { ...step, config: { ...step.config, packageId: ids.get(step.config.packageId)!.id } } : step)),
      });
      const created = await insertPath(trx, tenantId, personId, 'tenant', remapped);
      return { created, remapped, ids };
    });

    const packages = staged.map(({ archived, staged: s }) => ({
      id: result.ids.get(archived.id)!.id,
      title: s.manifest.title,
      standard: s.manifest.standard,
      edition: s.manifest.edition,
      file: archived.file,
      reused: result.ids.get(archived.id)!.reused,
    }));
    const adjustments = [
      adjustment('imported-as-draft'),
      ...packages.filter((p) => p.reused).map((p) => adjustment('package-reused', { title: p.title })),
      ...manifest.packages.filter((p) => !used.includes(p)).map((p) => adjustment('package-unused', { title: p.title })),
    ];
    // A reused package's staged copy is redundant: blobs it created (if any) that no row names go.
    await discardStagedPackages(deps, staged.filter((s) => result.ids.get(s.archived.id)!.reused).map((s) => s.staged));
    return {
      pathId: result.created.id,
      title: result.remapped.title,
      description: result.remapped.description,
      language: result.remapped.language,
      exportedVersion: manifest.exportedVersion,
      steps: result.remapped.steps.map((s) => ({ id: s.id, title: s.title, type: s.type, required: s.required, ...(s.type === 'scorm' || s.type === 'xapi' || s.type === 'cmi5' ? { packageId: s.config.packageId } : {}) })),
      packages,
      adjustments,
    };
  } catch (error) {
    await discardStagedPackages(deps, staged.map((s) => s.staged));
    throw error;
  } finally {
    zip.close();
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}
