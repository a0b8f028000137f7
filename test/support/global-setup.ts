import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrations.js';
import { openPglite } from '../../src/db/pglite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Archives of an empty and of a fully migrated PGlite cluster, made once per run. */
    pgliteTemplates: { empty: string; migrated: string } | null;
  }
}

/**
 * Starting PGlite runs initdb, which takes seconds; loading a dumped cluster takes a fraction of
 * that. Every test file on PGlite starts from these two archives, made fresh for each run so they
 * always hold the migrations in the tree.
 */
export async function setup(project: TestProject): Promise<() => void> {
  if (process.env['TEST_DATABASE_URL']) {
    project.provide('pgliteTemplates', null);
    return () => {};
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laeringslop-pglite-template-'));
  const database = await openPglite({ dataDir: undefined });
  const empty = path.join(dir, 'empty.tar');
  const migrated = path.join(dir, 'migrated.tar');
  const dump = async (file: string) => {
    const blob = await database.dumpDataDir();
    fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  };
  await dump(empty);
  await migrate(database);
  await dump(migrated);
  await database.close();
  project.provide('pgliteTemplates', { empty, migrated });
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
