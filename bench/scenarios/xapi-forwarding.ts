import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openPostgres } from '../../src/db/postgres.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { forwardingBox, forwardingStatus, removeForwardingTarget, saveForwardingTarget } from '../../src/xapi/forwarding/targets.js';
import type { BenchResult, Scenario } from '../harness.js';

const STATEMENTS = 60_000;
/** The key-encryption secret bench/run.ts starts the tool with: the target's credentials are sealed with it. */
const TOOL_SECRET = 'bench-'.padEnd(48, 'x');
const GIVE_UP_MS = 180_000;

/**
 * Forwarding throughput: 60,000 statements stored in one municipality's LRS, then a forwarding
 * target set (with its history) to another municipality's LRS in the same tool (a local LRS: the
 * tool's own, over HTTP, which validates and stores every statement). Measured: from the target's
 * creation to the moment the receiving tenant holds every statement. The tool's forwarder and the
 * receiving LRS share the tool's process and the 2 cores with PostgreSQL. Target: ≥ 2,000 statements/s.
 */
export const scenario: Scenario = {
  name: 'xapi-forwarding',
  description: `${STATEMENTS} statements forwarded from one tenant's LRS to another's over HTTP (the tool's own LRS as the target)`,
  async run(context): Promise<BenchResult> {
    const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4, applicationName: 'bench-xapi-forwarding' });
    const db = database.db;
    try {
      const tenant = async (kommunenummer: string, name: string) => (await db.insertInto('tenants')
        .values({ kind: 'municipality', kommunenummer, name, county_number: '99', county_name: null, retired_at: null })
        .returning('id').executeTakeFirstOrThrow()).id;
      const source = await tenant('9921', 'Benchmark avsender');
      const receiver = await tenant('9922', 'Benchmark mottaker');
      const writer = (await createXapiClient(db, { tenantId: source, name: 'bench source', scopes: ['statements/write'] })).client;
      const target = await createXapiClient(db, { tenantId: receiver, name: 'bench forwarding target', scopes: ['statements/write'] });

      // Seeded by SQL: the shape a client's statement has once stored (id, timestamp, stored, authority, version).
      const seedStart = performance.now();
      await sql`insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, actor_key, verb_id,
          object_activity_id, related_agent_keys, related_activity_ids)
        select s.id, ${source}::uuid, ${writer.id}::uuid,
          jsonb_build_object(
            'id', s.id,
            'actor', jsonb_build_object('objectType', 'Agent', 'name', 'Kari ' || s.n, 'mbox', 'mailto:kari' || s.n || '@bench.kommune.no'),
            'verb', jsonb_build_object('id', 'http://adlnet.gov/expapi/verbs/completed', 'display', jsonb_build_object('en-US', 'completed')),
            'object', jsonb_build_object('objectType', 'Activity', 'id', 'https://bench.example.no/activities/' || (s.n % 100),
              'definition', jsonb_build_object('name', jsonb_build_object('nb-NO', 'Aktivitet ' || (s.n % 100)))),
            'result', jsonb_build_object('completion', true, 'success', true, 'score', jsonb_build_object('scaled', 0.8)),
            'context', jsonb_build_object('registration', gen_random_uuid()),
            'timestamp', s.at, 'stored', s.at, 'version', '1.0.0',
            'authority', jsonb_build_object('objectType', 'Agent', 'name', 'bench source', 'account', jsonb_build_object('homePage', 'http://127.0.0.1/xapi/clients', 'name', ${writer.key}::text))),
          now(), 'mbox:mailto:kari' || s.n || '@bench.kommune.no', 'http://adlnet.gov/expapi/verbs/completed',
          'https://bench.example.no/activities/' || (s.n % 100), array['mbox:mailto:kari' || s.n || '@bench.kommune.no'], array['https://bench.example.no/activities/' || (s.n % 100)]
        from (select gen_random_uuid() as id, n, to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
              from generate_series(1, ${STATEMENTS}::int) as n) as s`.execute(db);
      // Statistics as a table that grew by use would have them (autovacuum's analyze): without them the
      // planner reads the first batches behind the place by a scan of the whole table.
      await sql`analyze xapi_statements`.execute(db);
      const seedSeconds = (performance.now() - seedStart) / 1000;

      const cpuBefore = context.cpuSeconds();
      let peakRss = context.rss();
      const started = performance.now();
      await saveForwardingTarget(db, forwardingBox(TOOL_SECRET), source, { endpoint: `${context.url}/xapi/`, key: target.client.key, secret: target.secret, filter: 'all', history: true });
      let held = 0;
      const progress: [number, number][] = [];
      while (held < STATEMENTS) {
        if (performance.now() - started > GIVE_UP_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
        held = Number((await db.selectFrom('xapi_statements').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', receiver).executeTakeFirstOrThrow()).n);
        progress.push([(performance.now() - started) / 1000, held]);
        peakRss = Math.max(peakRss, context.rss());
      }
      const seconds = (performance.now() - started) / 1000;
      const load = os.loadavg()[0]!.toFixed(1);
      const cpu = context.cpuSeconds() - cpuBefore;
      const status = await forwardingStatus(db, source);
      const rate = Math.round(held / seconds);
      // The steady rate: between a tenth and nine tenths of the statements (the start-up poll and the last batch left out).
      const at = (share: number) => progress.find(([, n]) => n >= STATEMENTS * share)?.[0];
      const t10 = at(0.1);
      const t90 = at(0.9);
      const steady = t10 !== undefined && t90 !== undefined && t90 > t10 ? Math.round((STATEMENTS * 0.8) / (t90 - t10)) : undefined;
      // Where the end-to-end time goes: before the first batch is held, the steady middle, the last tenth.
      const first = progress.find(([, n]) => n > 0)?.[0];
      const timeline = [['first batch held', first], ['10 %', t10], ['90 %', t90], ['all', at(1)]]
        .map(([label, t]) => `${label} ${t === undefined ? '–' : `${(t as number).toFixed(1)} s`}`).join(', ');

      // The forwarder alone: the same statements again to an LRS that only reads each batch and answers
      // 200 (in the bench process), so that the receiving LRS's own work is left out.
      let sunk = 0;
      const sink = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
      });
      await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
      const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/xapi/`;
      await removeForwardingTarget(db, source);
      const cpuBeforeSink = context.cpuSeconds();
      const sinkStarted = performance.now();
      await saveForwardingTarget(db, forwardingBox(TOOL_SECRET), source, { endpoint: sinkUrl, key: 'sink', secret: 'sink-secret', filter: 'all', history: true });
      while (sunk < STATEMENTS && performance.now() - sinkStarted < GIVE_UP_MS) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        sunk = (await forwardingStatus(db, source))?.delivered ?? 0;
      }
      const sinkSeconds = (performance.now() - sinkStarted) / 1000;
      const sinkCpu = context.cpuSeconds() - cpuBeforeSink;
      await removeForwardingTarget(db, source);
      await new Promise((resolve) => sink.close(resolve));
      const sinkRate = Math.round(sunk / sinkSeconds);

      return {
        scenario: 'xapi-forwarding',
        requestsPerSecond: rate,
        p50Ms: 0,
        p99Ms: 0,
        errors: STATEMENTS - held,
        non2xx: 0,
        connections: 1,
        durationSeconds: Math.round(seconds * 100) / 100,
        peakRssMiB: Math.round(peakRss / 1024 ** 2),
        cpuMsPerRequest: Math.round((cpu * 1000 / Math.max(held, 1)) * 1000) / 1000,
        notes: `${held} of ${STATEMENTS} statements forwarded in ${seconds.toFixed(1)} s: ${rate} statements/s end to end${steady ? `, ${steady}/s steady (10 %–90 %)` : ''} (target ≥ 2000); timeline (polled every 200 ms): ${timeline}; ` +
          `batches of 500 to the tool's own LRS over HTTP; tool CPU per statement (forwarder + receiving LRS) in the CPU column; ` +
          `the forwarder alone (to an LRS that only answers 200): ${sunk} in ${sinkSeconds.toFixed(1)} s = ${sinkRate} statements/s, tool CPU ${Math.round((sinkCpu * 1000 / Math.max(sunk, 1)) * 1000) / 1000} ms per statement; seeded in ${seedSeconds.toFixed(1)} s; machine load average ${load} at the end (other work shares the 2 cores); after the run: ${status?.pending ?? '?'} waiting, ${status?.parkedCount ?? '?'} parked, last error ${status?.lastError ?? 'none'}`,
      };
    } finally {
      await database.close();
    }
  },
};
