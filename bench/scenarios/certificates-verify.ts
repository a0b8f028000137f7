import os from 'node:os';
import { groupedCode } from '../../src/certificates/codes.js';
import type { BenchContext, BenchResult, Scenario } from '../harness.js';
import { openLoop, type OpenLoopResult } from '../open-loop.js';
import { seedCertificates } from '../certificates-fixture.js';

export const VERIFY_RATE = 200;
const VERIFY_SECONDS = 20;
const TARGET_P95_MS = 10;

/** The verification of certificates by code, offered at a constant 200 requests/s (open loop). */
export async function verificationAtRate(context: BenchContext, codes: readonly string[], what: 'api' | 'page'): Promise<OpenLoopResult> {
  // The page is asked as the QR code and the printed URL lead to it (grouped code); the API as a client sends it.
  const path = what === 'api' ? (i: number) => `/api/verify/${codes[i % codes.length]!}` : (i: number) => `/verify/${groupedCode(codes[i % codes.length]!)}`;
  // From 50 addresses: the brake on failed verifications counts per address (a lookup in flight holds one of its 20).
  return openLoop(context, { rate: VERIFY_RATE, seconds: VERIFY_SECONDS, warmupSeconds: 3, path, clients: 50 });
}

const row = (label: string, r: OpenLoopResult) =>
  `| ${label} | ${r.offeredPerSecond} | ${r.fromSchedule.p50} | ${r.fromSchedule.p95} | ${r.fromSchedule.p99} | ${r.fromSchedule.max} | ${r.fromSend.p95} | ${r.sendLagP99} | ${r.cpuMsPerRequest} | ${r.errors + r.non2xx} |`;

export const verdict = (r: OpenLoopResult) => (r.fromSchedule.p95 < TARGET_P95_MS ? 'met' : 'NOT met');

/**
 * Verification p95 under 10 ms at 200 requests/s (issue 16): GET /api/verify/<code> and the page
 * /verify/<code>, each offered at a constant 200 requests/s for 20 s after 3 s of warm-up, over 200
 * certificates. Latency from each request's due time (open loop: no coordinated omission).
 */
export const scenario: Scenario = {
  name: 'certificates-verify',
  description: 'verification by code, JSON API and page, each at a constant 200 requests/s (open loop)',
  async run(context): Promise<BenchResult> {
    const { certificates } = await seedCertificates(context);
    const codes = certificates.map((c) => c.code);
    const loadBefore = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    const api = await verificationAtRate(context, codes, 'api');
    const pageResult = await verificationAtRate(context, codes, 'page');
    const loadAfter = os.loadavg().map((l) => l.toFixed(1)).join(', ');
    const details = [
      `Open loop: a request due every 5 ms for ${VERIFY_SECONDS} s (after 3 s of warm-up), whatever the answers, from 50 source addresses in turn; latency from the due time. Load average before ${loadBefore}, after ${loadAfter} (2 cores, shared).`,
      '',
      '| verification by code | offered req/s | p50 ms | p95 ms | p99 ms | max ms | p95 from send ms | send lag p99 ms | tool CPU ms/request | errors + non-2xx |',
      '|---|---|---|---|---|---|---|---|---|---|',
      row('GET /api/verify/<code> (JSON)', api),
      row('GET /verify/<code> (page)', pageResult),
      '',
      `Target p95 under ${TARGET_P95_MS} ms at ${VERIFY_RATE} requests/s: API ${verdict(api)}, page ${verdict(pageResult)}.`,
    ].join('\n');
    return {
      scenario: 'certificates-verify',
      requestsPerSecond: api.offeredPerSecond,
      p50Ms: api.fromSchedule.p50,
      p99Ms: api.fromSchedule.p99,
      errors: api.errors + pageResult.errors,
      non2xx: api.non2xx + pageResult.non2xx,
      connections: 0,
      durationSeconds: VERIFY_SECONDS * 2,
      peakRssMiB: Math.max(api.peakRssMiB, pageResult.peakRssMiB),
      cpuMsPerRequest: api.cpuMsPerRequest,
      notes: `open loop at ${VERIFY_RATE}/s; API p95 ${api.fromSchedule.p95} ms, page p95 ${pageResult.fromSchedule.p95} ms (target ${TARGET_P95_MS} ms)`,
      details,
    };
  },
};
