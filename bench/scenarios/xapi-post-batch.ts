import { runAutocannon, type Scenario } from '../harness.js';
import { benchClient, benchStatement, rawInsertRate, seconds } from '../xapi-fixture.js';

const BATCH = 50;

export const scenario: Scenario = {
  name: 'xapi-post-batch',
  description: `POST /xapi/statements with batches of ${BATCH} at 10 connections (XAPI_BENCH_SECONDS, default 300 s, for the flat-memory check), beside the raw insert rate`,
  async run(context) {
    const { authorization, tenantId, clientId } = await benchClient(context.databaseUrl);
    const duration = seconds('XAPI_BENCH_SECONDS', 300);
    const body = JSON.stringify(Array.from({ length: BATCH }, (_, i) => benchStatement(i)));
    const mib = () => Math.round(context.rss() / 1024 / 1024);
    const rssBefore = mib();
    // Memory must be flat under load: compare RSS a quarter into the run (warmed up) with the end.
    let rssWarm = 0;
    const warm = setTimeout(() => (rssWarm = mib()), (duration * 1000) / 4);
    const result = await runAutocannon(context, 'xapi-post-batch', {
      path: '/xapi/statements',
      method: 'POST',
      connections: 10,
      duration,
      headers: { Authorization: authorization, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
      body,
    });
    clearTimeout(warm);
    const rssAfter = mib();
    const raw = await rawInsertRate(context.databaseUrl, tenantId, clientId, BATCH, Math.min(duration, 10));
    return {
      ...result,
      notes: `${result.requestsPerSecond * BATCH} statements/s (target ≥ 3000); raw INSERT of ${BATCH} rows from one process: ${raw} rows/s; RSS idle ${rssBefore}, at 25% ${rssWarm}, at end ${rssAfter} MiB (peak ${result.peakRssMiB})`,
    };
  },
};
