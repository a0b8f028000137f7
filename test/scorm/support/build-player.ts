import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/project-root.js';

/**
 * `npm test` builds the browser scripts first (pretest); a test file run on its own builds them
 * here when they are missing or older than their sources.
 */
export function ensurePlayerBuilt(): void {
  const src = path.join(PROJECT_ROOT, 'scorm', 'src');
  const dist = path.join(PROJECT_ROOT, 'scorm', 'dist');
  const stale = fs.readdirSync(src).some((file) => {
    const built = path.join(dist, file.replace(/\.ts$/, '.js'));
    return !fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(src, file)).mtimeMs;
  });
  if (stale) execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'scorm/tsconfig.json'], { cwd: PROJECT_ROOT });
}
