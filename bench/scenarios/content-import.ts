import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { MINIMAL_MANIFEST_12 } from '../../test/content/support/package-zip.js';
import { rssOf, type BenchContext, type Scenario } from '../harness.js';

const FILES = 50;
const FILE_BYTES = 10 * 1024 * 1024;

/** A package of `files` incompressible media files of `bytes` each, stored as authoring tools store video. */
async function generatePackage(dir: string, files: number, bytes: number): Promise<string> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(MINIMAL_MANIFEST_12), 'imsmanifest.xml');
  zip.addBuffer(Buffer.from('<!doctype html><title>Stor pakke</title><p>video</p>'), 'index.html');
  for (let i = 0; i < files; i += 1) zip.addBuffer(randomBytes(bytes), `media/video-${i}.mp4`, { compress: false });
  zip.end();
  const file = path.join(dir, `package-${files}x${bytes}.zip`);
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject));
  return file;
}

/** Runs the operator's import command and samples its memory; answers peak RSS and duration. */
async function importWithCli(context: BenchContext, tenantId: string, zip: string, dataDir: string): Promise<{ peakRss: number; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/src/cli.js', 'content', 'import', tenantId, zip], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: context.databaseUrl, DATA_DIR: dataDir, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(child.pid!));
    } catch {
      // the process has just exited
    }
  }, 25);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`content import exited with ${code}`);
  return { peakRss, ms: Date.now() - started };
}

export const scenario: Scenario = {
  name: 'content-import',
  description: `imports a generated ${Math.round((FILES * FILE_BYTES) / 1024 ** 2)} MB package with the CLI; memory growth against a tiny package (target < 100 MB)`,
  async run(context) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 1 });
    try {
      const tenant = await database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '0301', name: 'Oslo' }).onConflict((oc) => oc.column('kommunenummer').doUpdateSet({ updated_at: new Date() })).returning('id').executeTakeFirstOrThrow();
      const tiny = await generatePackage(dir, 1, 1024);
      const large = await generatePackage(dir, FILES, FILE_BYTES);
      const baseline = await importWithCli(context, tenant.id, tiny, path.join(dir, 'data-tiny'));
      const measured = await importWithCli(context, tenant.id, large, path.join(dir, 'data-large'));
      const growthMiB = Math.round((measured.peakRss - baseline.peakRss) / 1024 ** 2);
      return {
        scenario: 'content-import',
        requestsPerSecond: 0,
        p50Ms: measured.ms,
        p99Ms: measured.ms,
        errors: 0,
        non2xx: 0,
        connections: 1,
        durationSeconds: Math.round(measured.ms / 100) / 10,
        peakRssMiB: Math.round(measured.peakRss / 1024 ** 2),
        notes: `${Math.round(fs.statSync(large).size / 1024 ** 2)} MB zip imported in ${measured.ms} ms; peak RSS ${Math.round(measured.peakRss / 1024 ** 2)} MiB vs ${Math.round(baseline.peakRss / 1024 ** 2)} MiB for a 1 KB package: growth ${growthMiB} MiB (target < 100)`,
      };
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
