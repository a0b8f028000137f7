import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root.js';

/** The team's reference data lives beside the repository in ../shared/data (CI has it too). */
export const SHARED_DATA_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'data');

export function sharedDataFile(name: string): string {
  const file = path.join(SHARED_DATA_DIR, name);
  if (!fs.existsSync(file)) throw new Error(`Reference data ${file} is missing: the tests expect ../shared/data beside the repository`);
  return file;
}
