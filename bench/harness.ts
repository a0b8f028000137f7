import fs from 'node:fs';
import autocannon from 'autocannon';

/** What a scenario gets: the running server and a way to sample its memory. */
export interface BenchContext {
  /** Base URL of the server under test, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Connection string of the fresh server database the server uses. */
  readonly databaseUrl: string;
  /** Resident set size of the server process now, in bytes. */
  rss(): number;
  /** CPU time (user + system) the server process has used so far, in seconds. */
  cpuSeconds(): number;
}

export interface BenchResult {
  readonly scenario: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** autocannon has no p95; p97.5 bounds it from above. */
  readonly p97_5Ms?: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Peak RSS of the server during the run, in MiB. */
  readonly peakRssMiB: number;
  /** Server CPU time per request, in ms: steadier than requests/s when the load generator and
   *  PostgreSQL share the cores. */
  readonly cpuMsPerRequest?: number;
  readonly notes?: string;
  /** Markdown written below the results table (e.g. a scenario's per-case figures). */
  readonly details?: string;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<BenchResult>;
}

/** The process and its children (the workers of WORKERS > 1), from /proc. */
function processTree(pid: number): number[] {
  const children = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
  return [pid, ...children];
}

function sumOver(pid: number, read: (pid: number) => number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      total += read(p);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** utime + stime of a process and its children, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
export function cpuSecondsOf(pid: number): number {
  return sumOver(pid, (p) => {
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  });
}

/** Resident set size of a process and its children, in bytes. */
export function rssOf(pid: number): number {
  return sumOver(pid, (p) => {
    const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  });
}

/** Runs autocannon against the server and samples the server's RSS while it runs. */
export async function runAutocannon(
  context: BenchContext,
  scenario: string,
  options: Omit<autocannon.Options, 'url'> & { path: string },
  notes?: string,
): Promise<BenchResult> {
  let peak = context.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, context.rss())), 100);
  const { path, ...rest } = options;
  try {
    const cpuBefore = context.cpuSeconds();
    const result = await autocannon({ ...rest, url: context.url + path });
    const cpu = context.cpuSeconds() - cpuBefore;
    return {
      scenario,
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      p97_5Ms: result.latency.p97_5,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      connections: result.connections,
      durationSeconds: result.duration,
      peakRssMiB: Math.round(peak / 1024 / 1024),
      cpuMsPerRequest: result.requests.total > 0 ? Math.round((cpu * 1000 * 100) / result.requests.total) / 100 : 0,
      ...(notes ? { notes } : {}),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** The p-th percentile of times sorted ascending (nearest rank); 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Works through `items` with at most `limit` at a time (the load's connections). */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}
