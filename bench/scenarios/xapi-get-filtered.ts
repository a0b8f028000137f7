import { createHash } from 'node:crypto';
import pg from 'pg';
import type { BenchResult, Scenario } from '../harness.js';
import { benchClient, seconds } from '../xapi-fixture.js';

const PEOPLE = 10_000;
const REGISTRATIONS = 20_000;
const ACTIVITIES = 200;
const PATHS = 20;
/** Every STATEMENT_REF_EVERY-th statement is about an earlier statement (a StatementRef object). */
const STATEMENT_REF_EVERY = 500;
const EPOCH = Date.parse('2026-01-01T00:00:00Z');
const VERBS = ['completed', 'experienced', 'attempted', 'passed'].map((v) => `http://adlnet.gov/expapi/verbs/${v}`);
const COMMENTED = 'http://adlnet.gov/expapi/verbs/commented';

/** Row g is stored g seconds after EPOCH: `stored` rises with insertion order, as it does in the LRS. */
const storedAt = (g: number) => new Date(EPOCH + g * 1000).toISOString();

/**
 * Grows the tenant's statements from `from` to `to` rows, generated in the database (generate_series)
 * so that 5 million rows take minutes, not hours. Learners are the tenant's people (account at
 * PUBLIC_URL); each statement has a verb, an activity under a path (context parent), a registration
 * and an instructor; every 500th is a StatementRef to an earlier statement.
 */
export async function grow(client: pg.Client, tenantId: string, writerId: string, people: readonly string[], from: number, to: number): Promise<void> {
  const insert = () => insertRows(client, tenantId, writerId, people, from, to);
  await (to - from >= BULK ? withoutSecondaryIndexes(client, insert) : insert());
}

async function insertRows(client: pg.Client, tenantId: string, writerId: string, people: readonly string[], from: number, to: number): Promise<void> {
  const chunk = 250_000;
  for (let start = from; start < to; start += chunk) {
    const end = Math.min(start + chunk, to);
    await client.query(
      `with src as (
         select g, md5('bench-statement-' || g)::uuid as id,
                'account:http://127.0.0.1 ' || ($3::text[])[1 + (g % ${PEOPLE})] as actor,
                ($3::text[])[1 + (g % ${PEOPLE})] as person,
                ($3::text[])[1 + (g % 97)] as instructor,
                case when g % ${STATEMENT_REF_EVERY} = ${STATEMENT_REF_EVERY - 1} then md5('bench-statement-' || (g - 250))::uuid end as ref,
                ($6::text[])[1 + (g % 4)] as verb,
                'https://laering.example.no/activities/' || (g % ${ACTIVITIES}) as activity,
                'https://laering.example.no/paths/' || (g % ${PATHS}) as path,
                md5('bench-registration-' || (g % ${REGISTRATIONS}))::uuid as registration,
                timestamptz '${new Date(EPOCH).toISOString()}' + g * interval '1 second' as stored
         from generate_series($4::bigint, $5::bigint - 1) g)
       insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, actor_key, verb_id, object_activity_id,
         object_statement_ref, is_voiding, registration, related_agent_keys, related_activity_ids)
       select id, $1, $2,
              jsonb_build_object('id', id,
                'actor', jsonb_build_object('objectType', 'Agent', 'account', jsonb_build_object('homePage', 'http://127.0.0.1', 'name', person)),
                'verb', jsonb_build_object('id', case when ref is null then verb else '${COMMENTED}' end),
                'object', case when ref is null then jsonb_build_object('objectType', 'Activity', 'id', activity)
                               else jsonb_build_object('objectType', 'StatementRef', 'id', ref) end,
                'context', jsonb_build_object('registration', registration,
                  'instructor', jsonb_build_object('objectType', 'Agent', 'account', jsonb_build_object('homePage', 'http://127.0.0.1', 'name', instructor)),
                  'contextActivities', jsonb_build_object('parent', jsonb_build_array(jsonb_build_object('id', path)))),
                'stored', to_jsonb(stored), 'timestamp', to_jsonb(stored), 'version', '1.0.0',
                'authority', jsonb_build_object('objectType', 'Agent', 'account', jsonb_build_object('homePage', 'http://127.0.0.1/xapi/clients', 'name', 'bench'))),
              stored, actor, case when ref is null then verb else '${COMMENTED}' end, case when ref is null then activity end,
              ref, false, registration,
              array[actor, 'account:http://127.0.0.1 ' || instructor],
              case when ref is null then array[activity, path] else array[path] end
       from src`,
      [tenantId, writerId, people, start, end, VERBS],
    );
  }
}

/** From this many new rows on, the secondary indexes are built once after the rows rather than row by row. */
const BULK = 1_000_000;

/**
 * Drops the table's indexes other than its primary key and unique constraints, runs `work`, then
 * creates them again from their own definitions (pg_indexes): the same indexes, built in bulk, which
 * takes a fraction of the time of 5 million GIN and btree insertions.
 */
async function withoutSecondaryIndexes(client: pg.Client, work: () => Promise<void>): Promise<void> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i where i.indrelid = 'xapi_statements'::regclass and not i.indisprimary and not i.indisunique`,
  );
  for (const row of rows) await client.query(`drop index ${row.name}`);
  try {
    await work();
  } finally {
    await client.query("set maintenance_work_mem = '512MB'");
    for (const row of rows) await client.query(row.definition);
    await client.query('reset maintenance_work_mem');
  }
}

interface Filter {
  readonly name: string;
  readonly params: Record<string, string>;
}

/** Every parameter of xAPI 1.0.3 Part Three §2.1.3 alone, then the combinations readers send. */
export function filtersFor(size: number, people: readonly string[], voidedId: string): Filter[] {
  const agent = (index: number) => JSON.stringify({ objectType: 'Agent', account: { homePage: 'http://127.0.0.1', name: people[index] } });
  const activity = 'https://laering.example.no/activities/7';
  const path = 'https://laering.example.no/paths/3';
  const registration = registrationOf(42);
  const verb = VERBS[0] as string;
  const since = storedAt(Math.floor(size * 0.9));
  const until = storedAt(Math.floor(size * 0.1));
  const windowSince = storedAt(Math.floor(size * 0.45));
  const windowUntil = storedAt(Math.floor(size * 0.55));
  return [
    { name: 'none', params: {} },
    { name: 'statementId', params: { statementId: idOf(Math.floor(size / 2) + 1) } },
    { name: 'voidedStatementId', params: { voidedStatementId: voidedId } },
    { name: 'agent', params: { agent: agent(42) } },
    { name: 'verb', params: { verb } },
    { name: 'activity', params: { activity } },
    { name: 'registration', params: { registration } },
    { name: 'agent+related_agents (instructor)', params: { agent: agent(3), related_agents: 'true' } },
    { name: 'activity+related_activities (path)', params: { activity: path, related_activities: 'true' } },
    { name: 'since (newest 10%)', params: { since } },
    { name: 'until (oldest 10%)', params: { until } },
    { name: 'since+until (middle 10%)', params: { since: windowSince, until: windowUntil } },
    { name: 'limit=10', params: { limit: '10' } },
    { name: 'ascending', params: { ascending: 'true' } },
    { name: 'format=ids', params: { format: 'ids' } },
    { name: 'format=canonical', params: { format: 'canonical' } },
    { name: 'agent+verb+since', params: { agent: agent(42), verb, since: storedAt(Math.floor(size * 0.5)) } },
    { name: 'verb+activity', params: { verb, activity } },
    { name: 'agent+activity', params: { agent: agent(42), activity: 'https://laering.example.no/activities/42' } },
    { name: 'registration+verb', params: { registration, verb: VERBS[2] as string } },
    { name: 'verb (none match)', params: { verb: 'https://laering.example.no/verbs/never-used' } },
    { name: 'agent+verb (none match)', params: { agent: agent(42), verb: VERBS[1] as string } },
    { name: 'related_activities+verb+until+ascending', params: { activity: path, related_activities: 'true', verb, until, ascending: 'true' } },
    { name: 'related_agents+activity+since', params: { agent: agent(3), related_agents: 'true', activity, since: windowSince } },
    { name: 'verb+limit=10+format=ids', params: { verb, limit: '10', format: 'ids' } },
    { name: 'attachments=true', params: { attachments: 'true' } },
    { name: 'agent+attachments=true', params: { agent: agent(42), attachments: 'true' } },
  ];
}

function registrationOf(n: number): string {
  return uuidFromMd5(`bench-registration-${n % REGISTRATIONS}`);
}

function idOf(g: number): string {
  return uuidFromMd5(`bench-statement-${g}`);
}

function uuidFromMd5(text: string): string {
  // PostgreSQL's md5(text)::uuid: the 32 hex digits as a UUID.
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The JSON of an answer; with attachments=true it is the first part of a multipart/mixed body. */
function statementPart(body: string, contentType: string): string {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!contentType.startsWith('multipart/mixed') || !boundary) return body;
  const first = body.split(`--${boundary}`)[1] ?? '';
  return first.slice(first.indexOf('\r\n\r\n') + 4).trimEnd();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

interface Measured {
  readonly size: number;
  readonly filter: string;
  readonly statements: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly failures: number;
}

/** One request at a time (the latency a reader sees, not queueing behind other load), after a warm-up. */
export async function measure(url: string, authorization: string, filter: Filter, requests: number): Promise<Omit<Measured, 'size' | 'filter'>> {
  const target = `${url}/xapi/statements?${new URLSearchParams(filter.params).toString()}`;
  const headers = { Authorization: authorization, 'X-Experience-API-Version': '1.0.3' };
  const times: number[] = [];
  let failures = 0;
  let statements = 0;
  for (let i = 0; i < requests + 5; i += 1) {
    const started = performance.now();
    const res = await fetch(target, { headers });
    const body = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) failures += 1;
    if (i === 0 && res.status === 200) {
      const parsed = JSON.parse(statementPart(body, res.headers.get('content-type') ?? '')) as { statements?: unknown[] };
      statements = parsed.statements ? parsed.statements.length : 1;
    }
    if (i >= 5) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { statements, p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), p99: round(percentile(times, 99)), failures };
}

export function table(results: readonly Measured[], sizes: readonly number[]): string {
  const filters = [...new Set(results.map((r) => r.filter))];
  const cell = (size: number, filter: string) => {
    const r = results.find((m) => m.size === size && m.filter === filter);
    return r ? `${r.p95} (${r.statements})${r.failures ? ` ${r.failures} failed` : ''}` : '';
  };
  return [
    `p95 ms per filter and size (statements on the first page in brackets); one request at a time, ${requestsPerFilter()} timed requests after 5 untimed:`,
    '',
    `| filter | ${sizes.map((s) => `${s.toLocaleString('en')} statements`).join(' | ')} |`,
    `|---|${sizes.map(() => '---').join('|')}|`,
    ...filters.map((filter) => `| ${filter} | ${sizes.map((size) => cell(size, filter)).join(' | ')} |`),
  ].join('\n');
}

function requestsPerFilter(): number {
  return Math.round(seconds('XAPI_BENCH_REQUESTS', 100));
}

export const scenario: Scenario = {
  name: 'xapi-get-filtered',
  description:
    'GET /xapi/statements with every filter of xAPI 1.0.3 §2.1.3 and combinations, at XAPI_BENCH_SIZES statements (default 1000,100000,5000000), one request at a time',
  async run(context) {
    const sizes = (process.env['XAPI_BENCH_SIZES'] ?? '1000,100000,5000000').split(',').map(Number).sort((a, b) => a - b);
    const writer = await benchClient(context.databaseUrl, ['statements/write']);
    const reader = await benchClient(context.databaseUrl, ['statements/read']);
    const client = new pg.Client({ connectionString: context.databaseUrl });
    await client.connect();
    const results: Measured[] = [];
    const seeding: string[] = [];
    let peak = context.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, context.rss())), 200);
    const cpuBefore = context.cpuSeconds();
    const started = performance.now();
    try {
      await client.query(`insert into people (tenant_id, name) select $1, 'Person ' || g from generate_series(1, ${PEOPLE}) g`, [writer.tenantId]);
      const people = (await client.query<{ id: string }>('select id::text from people where tenant_id = $1 order by id', [writer.tenantId])).rows.map((r) => r.id);
      let stored = 0;
      let voidedId: string | undefined;
      for (const size of sizes) {
        const seedStarted = Date.now();
        await grow(client, writer.tenantId, writer.clientId, people, stored, size);
        // What the LRS's StatementStatistics does after writes of this volume (the rows here bypass it).
        await client.query('analyze xapi_statements');
        stored = size;
        seeding.push(`${size.toLocaleString('en')} in ${Math.round((Date.now() - seedStarted) / 1000)} s`);
        if (!voidedId) voidedId = await voidOne(context.url, writer.authorization, idOf(42));
        for (const filter of filtersFor(size, people, voidedId)) {
          results.push({ size, filter: filter.name, ...(await measure(context.url, reader.authorization, filter, requestsPerFilter())) });
        }
        const worst = results.filter((r) => r.size === size).reduce((a, b) => (b.p95 > a.p95 ? b : a));
        process.stdout.write(`  ${size} statements: worst p95 ${worst.p95} ms (${worst.filter})\n`);
      }
    } finally {
      clearInterval(sampler);
      await client.end();
    }
    const all = results.map((r) => r.p50).sort((a, b) => a - b);
    const worst = results.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    const requests = results.length * requestsPerFilter();
    const failures = results.reduce((n, r) => n + r.failures, 0);
    const result: BenchResult = {
      scenario: 'xapi-get-filtered',
      requestsPerSecond: 0,
      p50Ms: percentile(all, 50),
      p99Ms: Math.max(...results.map((r) => r.p99)),
      errors: 0,
      non2xx: failures,
      connections: 1,
      durationSeconds: Math.round((performance.now() - started) / 1000),
      peakRssMiB: Math.round(peak / 1024 / 1024),
      cpuMsPerRequest: Math.round(((context.cpuSeconds() - cpuBefore) * 1000 * 100) / requests) / 100,
      notes: `${results.length} filter × size cells; worst p95 ${worst.p95} ms (${worst.filter} at ${worst.size.toLocaleString('en')}), target p95 < 50 ms; p50 is the median of the cells' p50, p99 the largest cell p99; seeded ${seeding.join(', ')} (each followed by the ANALYZE the LRS runs as the table grows); details below`,
      details: table(results, sizes),
    };
    return result;
  },
};

/** Voids one seeded statement through the LRS, so that voidedStatementId has something to find. */
export async function voidOne(url: string, authorization: string, target: string): Promise<string> {
  const res = await fetch(`${url}/xapi/statements`, {
    method: 'POST',
    headers: { Authorization: authorization, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
    body: JSON.stringify({
      actor: { objectType: 'Agent', mbox: 'mailto:admin@oslo.kommune.no' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: target },
    }),
  });
  if (res.status !== 200) throw new Error(`voiding ${target} answered ${res.status}: ${await res.text()}`);
  return target;
}
