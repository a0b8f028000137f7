import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import yazl from 'yazl';
import type { Schema } from '../../src/db/schema.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import type { ToolRole } from '../../src/lti/roles.js';
import { tempFile } from '../content/support/package-zip.js';
import { SECRET } from '../lti/support/lti-http.js';

export { SECRET };

/** A session token as a launch would issue it (the browser test gets one through a real launch). */
export function sessionFor(ids: { tenantId: string; personId: string }, role: ToolRole = 'designer', secret = SECRET): Promise<string> {
  return new SessionTokens(secret).issue({ ...ids, role, contextId: null, resourceLinkId: null, platformId: randomUUID(), locale: 'nb' });
}

export interface ArchiveEntry {
  name: string;
  data?: Buffer | string;
  file?: string;
  compress?: boolean;
}

/** Writes a zip with yazl from buffers and files on disk. */
export async function writeArchive(entries: ArchiveEntry[], name = 'archive.zip'): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (entry.file) zip.addFile(entry.file, entry.name, { compress: entry.compress ?? false });
    else zip.addBuffer(Buffer.from(entry.data ?? ''), entry.name, { compress: entry.compress ?? true });
  }
  zip.end();
  const out = tempFile(name);
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return out;
}

/** Every blob file in a content store directory. */
export function blobFiles(dataDir: string): string[] {
  const blobs = path.join(dataDir, 'content', 'blobs');
  if (!fs.existsSync(blobs)) return [];
  return fs.readdirSync(blobs).flatMap((d) => fs.readdirSync(path.join(blobs, d)).map((f) => `${d}${f}`)).sort();
}

/** Row counts of the tables an import writes. */
export async function rowCounts(db: Kysely<Schema>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['paths', 'path_versions', 'content_packages', 'content_package_files'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
