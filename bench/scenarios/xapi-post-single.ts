import { runAutocannon, type Scenario } from '../harness.js';
import { benchClient, benchStatement, rawInsertRate, seconds } from '../xapi-fixture.js';

export const scenario: Scenario = {
  name: 'xapi-post-single',
  description: 'POST /xapi/statements with one statement per request at 20 connections (XAPI_BENCH_SECONDS, default 30 s), beside the raw insert rate',
  async run(context) {
    const { authorization, tenantId, clientId } = await benchClient(context.databaseUrl);
    const duration = seconds('XAPI_BENCH_SECONDS', 30);
    const result = await runAutocannon(context, 'xapi-post-single', {
      path: '/xapi/statements',
      method: 'POST',
      connections: 20,
      duration,
      headers: { Authorization: authorization, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
      body: JSON.stringify(benchStatement(1)),
    });
    const raw = await rawInsertRate(context.databaseUrl, tenantId, clientId, 1, Math.min(duration, 10));
    return { ...result, notes: `${result.requestsPerSecond} statements/s (target ≥ 800); raw single-row INSERT from one process: ${raw} rows/s` };
  },
};
