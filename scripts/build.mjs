// The build behind `npm start`: transpiles the TypeScript with esbuild (type checking is `npm run
// typecheck`, which CI runs) and does nothing when the output is newer than every source file.
// `npm run build` is the full tsc build with type checking, used for the container image.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = path.join(root, 'dist', '.start-build');

const targets = [
  // The service: every module of src/, one output file each, as tsc lays them out.
  { sources: 'src', outdir: 'dist/src', format: 'esm', platform: 'node', target: 'node20', sourcemap: true },
  // The browser scripts of the player and the import page.
  { sources: 'scorm/src', outdir: 'scorm/dist', format: 'esm', platform: 'browser', target: 'es2020', sourcemap: false },
];

function typescriptFiles(dir) {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const inputs = [...targets.flatMap((t) => typescriptFiles(t.sources)), path.join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
const newestInput = Math.max(...inputs.map((file) => fs.statSync(file).mtimeMs));
const stamp = fs.existsSync(stampFile) ? JSON.parse(fs.readFileSync(stampFile, 'utf8')) : null;
const outputsPresent = targets.every((t) => fs.existsSync(path.join(root, t.outdir)));

if (stamp && stamp.newestInput >= newestInput && stamp.files === inputs.length && outputsPresent) {
  process.exit(0);
}

const started = performance.now();
for (const t of targets) {
  fs.rmSync(path.join(root, t.outdir), { recursive: true, force: true });
  await build({
    entryPoints: typescriptFiles(t.sources),
    outbase: path.join(root, t.sources),
    outdir: path.join(root, t.outdir),
    format: t.format,
    platform: t.platform,
    target: t.target,
    sourcemap: t.sourcemap,
    bundle: false,
    logLevel: 'warning',
  });
}
fs.mkdirSync(path.dirname(stampFile), { recursive: true });
fs.writeFileSync(stampFile, JSON.stringify({ newestInput, files: inputs.length }));
process.stdout.write(`built ${inputs.length - 2} modules in ${Math.round(performance.now() - started)} ms\n`);
