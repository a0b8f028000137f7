import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { DiskContentStore } from '../content/content-store.js';
import { ContentImportError } from '../content/import-errors.js';
import { importPackage } from '../content/package-import.js';
import { listPackages } from '../content/packages.js';
import { DEFAULT_ZIP_LIMITS } from '../content/zip-reader.js';
import { migrate } from '../db/migrations.js';
import { openCliDatabase } from './open-cli-database.js';
import { UsageError } from './usage-error.js';

type Output = (line: string) => void;

export class ContentCommandError extends Error {}

/** `content import <tenant-id> <file.zip>` and `content list <tenant-id>`: the operator's way in. */
export async function runContentCommand(sub: string | undefined, args: readonly string[], out: Output): Promise<void> {
  const [tenantId, file] = args;
  if (!tenantId || (sub === 'import' && !file) || (sub !== 'import' && sub !== 'list')) {
    throw new UsageError('content needs: content import <tenant-id> <package.zip> | content list <tenant-id>');
  }
  const config = loadConfig();
  const database = await openCliDatabase(config);
  try {
    await migrate(database);
    if (sub === 'list') {
      for (const p of await listPackages(database.db, tenantId)) out(`${p.id}\t${p.standard}\t${p.edition}\t${p.title}`);
      return;
    }
    const zip = path.resolve(file!);
    if (!fs.existsSync(zip)) throw new ContentCommandError(`no such file: ${zip}`);
    const store = new DiskContentStore(path.join(config.dataDir, 'content'));
    try {
      const imported = await importPackage({ db: database.db, store, limits: DEFAULT_ZIP_LIMITS }, tenantId, zip, { originalName: path.basename(zip) });
      out(`imported ${imported.id}: ${imported.title} (${imported.edition}, ${imported.fileCount} files)`);
    } catch (error) {
      if (error instanceof ContentImportError) throw new ContentCommandError(`${error.text('nb')}\n${error.text('en')}`);
      throw error;
    }
  } finally {
    await database.close();
  }
}
