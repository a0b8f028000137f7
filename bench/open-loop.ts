import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from './harness.js';
import { percentile } from './harness.js';

export interface OpenLoopResult {
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Achieved arrival rate over the run (requests sent / seconds). */
  readonly offeredPerSecond: number;
  /** From each request's scheduled time to its answer's end: what a client arriving then waits. */
  readonly fromSchedule: { p50: number; p95: number; p99: number; max: number };
  /** From when it was sent: the same less this process's own lateness (a busy machine's timer lag). */
  readonly fromSend: { p50: number; p95: number; p99: number; max: number };
  /** How late this process sent requests behind their schedule, p99 (ms): large means the figures above carry the load generator's own delay. */
  readonly sendLagP99: number;
  readonly cpuMsPerRequest: number;
  readonly peakRssMiB: number;
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) };
};

/**
 * An open-loop load: request i is due at start + i / rate, whatever the answers before it did
 * (a constant arrival rate, as people arriving independently), unlike a closed loop of N connections
 * that each wait for their answer. Latency is measured from the due time, so a slow answer counts for
 * the requests queued behind it (no coordinated omission). Keep-alive connections are opened as needed.
 */
export async function openLoop(context: BenchContext, options: { rate: number; seconds: number; path: (i: number) => string; warmupSeconds?: number; clients?: number }): Promise<OpenLoopResult> {
  // Many people verifying, not one client: request i comes from 127.0.0.(2 + i % clients) (all of
  // 127/8 is the loopback on Linux), each source address with its own keep-alive connections.
  const clients = options.clients ?? 1;
  const agents = Array.from({ length: clients }, () => new http.Agent({ keepAlive: true, maxSockets: 64 }));
  const target = new URL(context.url);
  const get = (path: string, i: number) => new Promise<number>((resolve, reject) => {
    const client = i % clients;
    const req = http.get({ host: target.hostname, port: target.port, path, agent: agents[client], ...(clients > 1 ? { localAddress: `127.0.0.${2 + client}` } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });

  async function run(seconds: number, measure: boolean) {
    const total = Math.round(options.rate * seconds);
    const interval = 1000 / options.rate;
    const fromSchedule: number[] = [];
    const fromSend: number[] = [];
    const lag: number[] = [];
    let errors = 0;
    let non2xx = 0;
    let sent = 0;
    const inFlight: Promise<void>[] = [];
    const start = performance.now() + 20;
    while (sent < total) {
      const now = performance.now();
      // Send every request now due (catching up after a late timer keeps the rate constant).
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent * interval;
        const path = options.path(sent);
        sent++;
        const sentAt = performance.now();
        lag.push(sentAt - due);
        inFlight.push(get(path, sent - 1).then(
          (status) => {
            const end = performance.now();
            if (status < 200 || status >= 300) non2xx++;
            fromSchedule.push(end - due);
            fromSend.push(end - sentAt);
          },
          () => void errors++,
        ));
      }
      const next = start + sent * interval - performance.now();
      if (sent < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, next)));
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - start) / 1000;
    return measure ? { sent, errors, non2xx, fromSchedule, fromSend, lag, elapsed } : undefined;
  }

  try {
    if (options.warmupSeconds) await run(options.warmupSeconds, false);
    let peak = context.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, context.rss())), 100);
    const cpuBefore = context.cpuSeconds();
    const measured = (await run(options.seconds, true))!;
    const cpu = context.cpuSeconds() - cpuBefore;
    clearInterval(sampler);
    return {
      sent: measured.sent,
      completed: measured.fromSchedule.length,
      errors: measured.errors,
      non2xx: measured.non2xx,
      offeredPerSecond: Math.round(measured.sent / measured.elapsed),
      fromSchedule: summary(measured.fromSchedule),
      fromSend: summary(measured.fromSend),
      sendLagP99: summary(measured.lag).p99,
      cpuMsPerRequest: Math.round((cpu * 1000 * 100) / Math.max(1, measured.sent)) / 100,
      peakRssMiB: Math.round(peak / 2 ** 20),
    };
  } finally {
    for (const agent of agents) agent.destroy();
  }
}
