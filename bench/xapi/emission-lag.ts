import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openPostgres } from '../../src/db/postgres.js';
import { statementId } from '../../src/xapi/emission/statements.js';
import autocannon from 'autocannon';
import { type BenchResult, percentile, type Scenario } from '../harness.js';
import { prepareScormAttempts, scormCommitLoad } from '../scenarios/scorm-commit.js';
import { enrolLearners, runProgress, sampleOtherTransactions, writeProgressPath } from '../paths/progress-load.js';

const LEARNERS = 2000;
const CONNECTIONS = 8;
/** How long the statements may take to catch up after the load before the scenario gives up. */
const CATCH_UP_MS = 120_000;

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The paths-progress load (2,000 learners enrolled, then × the same five steps, 8 at a time, through
 * the engine functions on the bench database) and, beside it for as long as it runs, the scorm-commit
 * load (SCORM 1.2 commits over HTTP to the tool, 50 connections). The tool under test runs its path-events dispatcher
 * as in production: its `xapi-statements` subscriber turns every event into statements in the
 * municipality's LRS. Measured per event: the outbox lag, from the event's row (its transaction's
 * start, path_events.created_at) to its statement's `stored` (the database's clock at the insert),
 * and per completion from the moment the bench saw the completing transaction committed. Target
 * (issue 17): p99 under 2 s.
 */
export const scenario: Scenario = {
  name: 'xapi-emission-lag',
  description: `${LEARNERS} learners × 5 steps (the paths-progress load) with the scorm-commit load beside it; path event → xAPI statement stored, through the tool's path-events subscriber`,
  async run(context): Promise<BenchResult> {
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: CONNECTIONS + 2, applicationName: 'bench-xapi-emission' });
    const db = database.db;
    try {
      const tenant = (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9903', name: 'Benchmark xAPI', county_number: '99', county_name: null, retired_at: null })
        .returning('id').executeTakeFirstOrThrow()).id;
      const path = await writeProgressPath(db, tenant);
      const enrolments = await enrolLearners(db, tenant, path.pathId, LEARNERS, CONNECTIONS);
      const commitLoad = scormCommitLoad(await prepareScormAttempts(context));
      const sampler = sampleOtherTransactions(db);
      const cpuBefore = context.cpuSeconds();
      // The commits go on until the progress load has ended (then stopped), measured as scorm-commit is.
      let stopCommits = () => {};
      const commits = new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon({ ...commitLoad, url: context.url + commitLoad.path, duration: 3600 }, (error, result) => (error ? reject(error) : resolve(result)));
        stopCommits = () => instance.stop();
      });
      const { progress, committed, errors, loadSeconds } = await runProgress(db, tenant, enrolments, path, CONNECTIONS);
      stopCommits();
      const commitResult = await commits;
      const toolCpuSeconds = context.cpuSeconds() - cpuBefore;

      const events = await db.selectFrom('path_events').select(['id', 'type', 'enrolment_id', sql<number>`extract(epoch from created_at) * 1000`.as('created_ms')])
        .where('tenant_id', '=', tenant).execute();
      // Every event has a main statement; a SCORM step passed also a success one.
      const expected = events.length + LEARNERS;
      const waitStarted = performance.now();
      let stored = 0;
      while (performance.now() - waitStarted < CATCH_UP_MS) {
        stored = Number((await db.selectFrom('xapi_statements').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant).executeTakeFirstOrThrow()).n);
        if (stored >= expected) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const caughtUpAfterLoadMs = performance.now() - waitStarted;
      const held = await sampler.stop();
      const rows = await db.selectFrom('xapi_statements').select(['statement_id', sql<number>`extract(epoch from stored) * 1000`.as('stored_ms')])
        .where('tenant_id', '=', tenant).execute();
      const storedAt = new Map(rows.map((r) => [r.statement_id, Number(r.stored_ms)]));
      const lag: number[] = [];
      const completionLag: number[] = [];
      let missing = 0;
      for (const event of events) {
        const at = storedAt.get(statementId(Number(event.id), 'main'));
        if (at === undefined) {
          missing += 1;
          continue;
        }
        lag.push(at - Number(event.created_ms));
        if (event.type === 'path-completed') {
          const seen = committed.get(event.enrolment_id);
          if (seen !== undefined) completionLag.push(at - seen);
        }
      }
      lag.sort((a, b) => a - b);
      completionLag.sort((a, b) => a - b);
      progress.sort((a, b) => a - b);
      const p99 = percentile(lag, 99);
      const details = [
        `| measure (${events.length} path events, ${expected} statements) | p50 ms | p95 ms | p99 ms | max ms |`,
        '|---|---|---|---|---|',
        `| event written (path_events.created_at) → its statement stored | ${round(percentile(lag, 50))} | ${round(percentile(lag, 95))} | ${round(p99)} | ${round(lag.at(-1) ?? 0)} |`,
        `| completion committed (seen by the bench) → its completed statement stored | ${round(percentile(completionLag, 50))} | ${round(percentile(completionLag, 95))} | ${round(percentile(completionLag, 99))} | ${round(completionLag.at(-1) ?? 0)} |`,
        `| one progress update (engine transaction), the load | ${round(percentile(progress, 50))} | ${round(percentile(progress, 95))} | ${round(percentile(progress, 99))} | ${round(progress.at(-1) ?? 0)} |`,
        `| one SCORM commit over HTTP, the load beside it (${commitResult.requests.total} commits, ${Math.round(commitResult.requests.average)}/s; errors ${commitResult.errors + commitResult.timeouts}, non-2xx ${commitResult.non2xx}) | ${commitResult.latency.p50} | – | ${commitResult.latency.p99} | ${commitResult.latency.max} |`,
        '',
        `Statements: ${stored} of ${expected}, the last ${round(caughtUpAfterLoadMs)} ms after the load ended; events without their statement: ${missing}. Target: p99 under 2000 ms — ${p99 < 2000 && missing === 0 ? 'met' : 'NOT met'}.`,
        `Tool CPU during the loads: ${round(toolCpuSeconds)} s over ${round(loadSeconds)} s. Machine load average at the end: ${os.loadavg().map((n) => n.toFixed(1)).join(', ')} (1, 5, 15 min).`,
        `Oldest open transaction in other databases of the server, sampled every 250 ms during the run (${held.length} samples): p50 ${round(percentile(held, 50))} ms, p99 ${round(percentile(held, 99))} ms, max ${round(held.at(-1) ?? 0)} ms; samples over 1 s: ${held.filter((ms) => ms > 1000).length}.`,
      ].join('\n');
      return {
        scenario: 'xapi-emission-lag',
        requestsPerSecond: Math.round(progress.length / loadSeconds),
        p50Ms: round(percentile(lag, 50)),
        p99Ms: round(p99),
        errors: errors + missing + commitResult.errors + commitResult.timeouts,
        non2xx: commitResult.non2xx,
        connections: CONNECTIONS,
        durationSeconds: Math.round(loadSeconds * 100) / 100,
        peakRssMiB: Math.round(context.rss() / 1024 / 1024),
        notes: 'p50/p99 are path event → xAPI statement stored (ms); requests/s are progress updates of the load (SCORM commits beside it: see below); RSS is the tool\'s at the end',
        details,
      };
    } finally {
      await database.close();
    }
  },
};
