import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgres } from '../../src/db/postgres.js';
import { PROJECT_ROOT } from '../../src/project-root.js';
import { cpuSecondsOf, rssOf, type Scenario } from '../harness.js';
import { ensureMunicipality, nationalMunicipalities, writeMunicipalityCsv, writeNationalOrganisation } from '../org/national-organisation.js';

const EMPLOYEES = 50_000;

/** Runs `npm run cli -- org import` as the operator does, sampling its memory; answers peak RSS, time and output. */
async function importWithCli(databaseUrl: string, file: string, dataDir: string, dryRun = false): Promise<{ peakRss: number; ms: number; cpuSeconds: number; out: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/src/cli.js', 'org', 'import', '--kommune', '0301', file, ...(dryRun ? ['--dry-run'] : [])], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let peakRss = 0;
  let cpuSeconds = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(child.pid!));
      cpuSeconds = cpuSecondsOf(child.pid!);
    } catch {
      // the process has just exited
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`org import exited with ${code}:\n${out}`);
  return { peakRss, ms: Date.now() - started, cpuSeconds, out };
}

const mib = (bytes: number) => Math.round(bytes / 1024 ** 2);

export const scenario: Scenario = {
  name: 'org-import',
  description: `imports a ${EMPLOYEES.toLocaleString('en')}-employee municipality's HR file with the CLI (preview + apply, target < 30 s, memory growth < 200 MiB) into the national organisation, then re-imports it unchanged (target < 15 s)`,
  async run(context) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-org-'));
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 2 });
    try {
      const oslo = { ...nationalMunicipalities().find((m) => m.kommunenummer === '0301')!, employees: EMPLOYEES };
      await ensureMunicipality(database.db, oslo);
      const seedStarted = Date.now();
      const national = await writeNationalOrganisation(database.db, { skip: ['0301'] });
      const seedMs = Date.now() - seedStarted;

      const file = path.join(dir, 'oslo.csv');
      const rows = writeMunicipalityCsv(file, oslo);
      const tiny = path.join(dir, 'tiny.csv');
      fs.writeFileSync(tiny, 'ansattnummer;enhetskode;enhetsnavn;stillingstittel;stillingsprosent;startdato\n1;0301-X;Oslo;Rådgiver;100;01.01.2024\n');
      const baseline = await importWithCli(context.databaseUrl, tiny, path.join(dir, 'data'), true);
      const first = await importWithCli(context.databaseUrl, file, path.join(dir, 'data'));
      const again = await importWithCli(context.databaseUrl, file, path.join(dir, 'data'));
      if (!/employments: 0 added, 0 changed, 0 ended/.test(again.out)) throw new Error(`the unchanged re-import changed something:\n${again.out}`);
      const added = /employments: (\d+) added/.exec(first.out)?.[1];
      const growth = mib(first.peakRss - baseline.peakRss);
      const load = os.loadavg()[0]!.toFixed(1);
      return {
        scenario: 'org-import',
        requestsPerSecond: 0,
        p50Ms: first.ms,
        p99Ms: first.ms,
        errors: 0,
        non2xx: 0,
        connections: 1,
        durationSeconds: Math.round((first.ms + again.ms) / 100) / 10,
        peakRssMiB: mib(first.peakRss),
        notes: `CLI process: ${rows} rows (${fs.statSync(file).size} bytes, ${added} employments) previewed + applied in ${first.ms} ms (CLI CPU ${first.cpuSeconds.toFixed(1)} s; target < 30,000 ms); unchanged re-import ${again.ms} ms (CLI CPU ${again.cpuSeconds.toFixed(1)} s; target < 15,000 ms); peak RSS ${mib(first.peakRss)} MiB vs ${mib(baseline.peakRss)} MiB for a 1-row dry run: growth ${growth} MiB (target < 200)`,
        details: `National organisation written first (all municipalities but Oslo, through the import's planning and batched writes): ${national.municipalities} municipalities, ${national.employees} employees, ${national.employments} employments, ${national.units} units in ${Math.round(seedMs / 1000)} s. Timings are of the whole CLI process (start, connect, read, preview, apply), on the shared 2-core machine with PostgreSQL; load average at the end ${load} (other work on the machine).`,
      };
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
