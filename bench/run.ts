/**
 * npm run bench [-- scenario…]: builds the tool, starts it on a fresh server PostgreSQL database,
 * runs the scenarios in bench/scenarios/ and appends their results to bench/RESULTS.md.
 *
 * BENCH_WORKERS=n starts the tool with WORKERS=n (its CPU and RSS figures are then the primary's
 * and its workers' together).
 * BENCH_NO_RECORD=1 prints the results without writing them down (trial runs).
 * BENCH_POOL_MAX=n gives the tool a database pool of n connections (default 20).
 * BENCH_PROFILE_DIR=dir also writes a V8 CPU profile of the tool for each scenario into dir.
 * BENCH_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); a new
 * database is created on it for the run and dropped afterwards.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createServerDatabase } from '../test/support/server-database.js';
import { PROJECT_ROOT } from '../src/project-root.js';
import { cpuSecondsOf, rssOf, type BenchResult, type Scenario } from './harness.js';

const serverUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const wanted = process.argv.slice(2);
/** BENCH_WORKERS=n runs the tool with WORKERS=n (default 1). */
const workers = Number(process.env['BENCH_WORKERS'] ?? '1');

async function loadScenarios(): Promise<Scenario[]> {
  const dir = path.join(PROJECT_ROOT, 'bench', 'scenarios');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const module = (await import(path.join(dir, file))) as { scenario: Scenario };
    if (wanted.length === 0 || wanted.includes(module.scenario.name)) scenarios.push(module.scenario);
  }
  return scenarios;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

async function startTool(databaseUrl: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of the tool per scenario there (open in Chrome DevTools).
  const profileDir = process.env['BENCH_PROFILE_DIR'];
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child = spawn(process.execPath, [...profiling, 'dist/src/main.js'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1',
      // The SCORM commits are posted to the tool's own host: content on the tool's origin, accepted here.
      PUBLIC_URL: 'http://127.0.0.1', CONTENT_SAME_ORIGIN: 'allow', KEY_ENCRYPTION_SECRET: 'bench-'.padEnd(48, 'x'), LOG_LEVEL: 'info', DATABASE_POOL_MAX: process.env['BENCH_POOL_MAX'] ?? '20', WORKERS: String(workers) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`the tool exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string; msg?: string };
        if (entry.url && entry.msg?.includes('running')) {
          // The tool's log lines are not read after this: parsing them would take CPU time from
          // the cores the tool is measured on (they are drained below and dropped).
          lines.close();
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  child.stdout!.resume();
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function appendResults(results: readonly BenchResult[]): void {
  const file = path.join(PROJECT_ROOT, 'bench', 'RESULTS.md');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.connections} | ${r.durationSeconds} | ${r.errors} | ${r.non2xx} | ${r.peakRssMiB} | ${r.cpuMsPerRequest ?? ''} | ${r.notes ?? ''} |`,
  );
  const section = [
    '',
    `## ${date}`,
    '',
    `Machine: ${machine()}. Database: server PostgreSQL (${serverUrl.replace(/\/\/[^@]*@/, '//')}). Tool processes: WORKERS=${workers}.`,
    '',
    '| scenario | requests/s | p50 ms | p99 ms | connections | seconds | errors | non-2xx | peak RSS MiB | tool CPU ms/request | notes |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...results.filter((r) => r.details).flatMap((r) => [`${r.scenario}:`, '', r.details as string, '']),
  ].join('\n');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '# Benchmark results\n\nAppended by `npm run bench`; newest last.\n');
  fs.appendFileSync(file, section);
}

const scenarios = await loadScenarios();
if (scenarios.length === 0) throw new Error(`no scenario matches ${wanted.join(', ')}`);
execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
const results: BenchResult[] = [];
for (const scenario of scenarios) {
  const database = await createServerDatabase(serverUrl);
  const tool = await startTool(database.url);
  try {
    process.stdout.write(`${scenario.name}: ${scenario.description}\n`);
    const result = await scenario.run({ url: tool.url, databaseUrl: database.url, rss: () => rssOf(tool.pid), cpuSeconds: () => cpuSecondsOf(tool.pid) });
    process.stdout.write(`  ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, peak RSS ${result.peakRssMiB} MiB, tool CPU ${result.cpuMsPerRequest ?? '-'} ms/request\n`);
    if (result.notes) process.stdout.write(`  ${result.notes}\n`);
    if (result.details) process.stdout.write(`${result.details}\n`);
    results.push(result);
  } finally {
    await tool.stop();
    await database.drop();
  }
}
if (process.env['BENCH_NO_RECORD']) {
  process.stdout.write('BENCH_NO_RECORD is set: results not written to bench/RESULTS.md\n');
} else {
  appendResults(results);
  process.stdout.write('results appended to bench/RESULTS.md\n');
}
