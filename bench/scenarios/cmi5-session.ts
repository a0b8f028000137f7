import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DiskContentStore } from '../../src/content/content-store.js';
import { importPackage } from '../../src/content/package-import.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { openPostgres } from '../../src/db/postgres.js';
import { addStep, publish } from '../../src/paths/drafts.js';
import { createPath } from '../../src/paths/paths.js';
import { createPerson } from '../../src/people/people.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { cmi5CourseZip, TEST_AU } from '../../test/cmi5/support/course.js';
import { closeConnections, newTimings, runAuSession, STATEMENT_KINDS, type RequestKind, type Timings } from '../cmi5/au-session.js';
import { percentile, pool, type BenchContext, type BenchResult, type Scenario } from '../harness.js';
import { BenchPlatform } from '../lti/platform.js';
import { SHARED_DATA } from '../org/national-organisation.js';
import { seconds } from '../xapi-fixture.js';

const count = (name: string, fallback: number) => Math.round(seconds(name, fallback));
/** CMI5_BENCH_LEARNERS: learners in an AU session at the same time (issue 18: 200). */
const LEARNERS = count('CMI5_BENCH_LEARNERS', 200);
/** CMI5_BENCH_THINK_MS: the mean wait between a learner's actions (uniform from half to one and a half times it); 0 for none. */
const THINK_MS = Number(process.env['CMI5_BENCH_THINK_MS'] ?? '5000');
/** CMI5_BENCH_RAMP_SECONDS: the learners' launches are spread over this long. */
const RAMP_SECONDS = Number(process.env['CMI5_BENCH_RAMP_SECONDS'] ?? '30');
/** Answered and experienced statements between initialized and passed. */
const ANSWERS = 28;
/** Nordreisa, of the Nord-Troms region (../shared/data/regioner.csv): the course is its home care's. */
const KOMMUNENUMMER = '5544';
/** Untimed sessions before the timed ones: the tool's pool opens its connections and V8 compiles the hot paths. */
const WARM_UP_LEARNERS = 20;

const TARGETS: Partial<Record<RequestKind | 'statements', number>> = { launch: 100, statements: 50 };

function sharedCsv(name: string): string[][] {
  const file = path.join(SHARED_DATA, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is not there: the cmi5-session bench draws its learners from ../shared/data/ beside the project`);
  return fs.readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1).map((line) => line.split(','));
}

/** The job roles of Nord-Troms' health and care services, as many of each as there are in the region. */
function rolesOfNordTroms(): string[] {
  return sharedCsv('stillinger-helse-omsorg.csv').flatMap(([role, employees]) => Array.from({ length: Number(employees) }, () => role!));
}

interface Learner {
  readonly landing: string;
}

interface World {
  readonly tenantId: string;
  readonly stepId: string;
  readonly learners: Learner[];
  readonly warmUp: Learner[];
  readonly municipality: string;
}

/**
 * Nordreisa with a published path of one cmi5 step (the test of our own cmi5 course: moveOn
 * CompletedAndPassed, masteryScore 0.8), and its home-care employees launched into it from the
 * course's resource link by real LTI launches (untimed).
 */
async function prepare(context: BenchContext): Promise<World> {
  const [row] = sharedCsv('kommuner.csv').filter(([number]) => number === KOMMUNENUMMER);
  const roles = rolesOfNordTroms();
  const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 4 });
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cmi5-'));
  let platform: BenchPlatform | undefined;
  try {
    const db = database.db;
    // The tool creates every municipality at its start.
    const tenant = await findMunicipality(db, KOMMUNENUMMER);
    if (!tenant) throw new Error(`municipality ${KOMMUNENUMMER} is not in the tool`);
    const course = await importPackage({ db, store: new DiskContentStore(storeDir), limits: DEFAULT_ZIP_LIMITS }, tenant.id, cmi5CourseZip());
    const designer = (await createPerson(db, tenant.id, { name: 'Fagutvikler hjemmetjenesten' })).id;
    const created = await createPath(db, tenant.id, { title: 'Smittevern i hjemmetjenesten', description: 'Prøve for ansatte i hjemmetjenesten.', language: 'nb', createdBy: designer });
    const stepId = await addStep(db, tenant.id, created.id, { type: 'cmi5', title: 'Prøve i smittevern', required: true, config: { packageId: course.id, nodeId: TEST_AU, allowedOrigins: [] } });
    await publish(db, tenant.id, created.id, designer);
    platform = await BenchPlatform.register(db, tenant.id);
    const launched: Learner[] = [];
    const people = Array.from({ length: LEARNERS + WARM_UP_LEARNERS }, (_, i) => i);
    await pool(people, 8, async (i) => {
      const role = roles[(i * 37) % roles.length]!;
      const landed = await platform!.launch(context.url, { sub: `nordreisa-${i}`, name: `${role} ${i + 1}`, resourceLinkId: 'smittevern-hjemmetjenesten', custom: { laeringslop_path: created.id } });
      if (!/^\/learn\/enrolments\/[0-9a-f-]{36}\?/.test(landed.location)) throw new Error(`the launch landed on ${landed.location}`);
      launched.push({ landing: landed.location });
    });
    return { tenantId: tenant.id, stepId, learners: launched.slice(WARM_UP_LEARNERS), warmUp: launched.slice(0, WARM_UP_LEARNERS), municipality: row?.[1] ?? KOMMUNENUMMER };
  } finally {
    await platform?.close();
    await database.close();
    fs.rmSync(storeDir, { recursive: true, force: true });
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const think = () => (THINK_MS <= 0 ? 0 : THINK_MS * (0.5 + Math.random()));

/** `learners` sessions, started evenly over `rampSeconds`. */
async function runSessions(context: BenchContext, world: World, learners: readonly Learner[], rampSeconds: number, wait: () => number, timings: Timings): Promise<{ failed: number }> {
  let failed = 0;
  await Promise.all(learners.map(async (learner, i) => {
    await new Promise((resolve) => setTimeout(resolve, (rampSeconds * 1000 * i) / learners.length));
    try {
      await runAuSession({ toolUrl: context.url, landing: learner.landing, stepId: world.stepId, au: TEST_AU, answers: ANSWERS, think: wait }, timings);
    } catch (error) {
      failed += 1;
      if (timings.samples.length < 5) timings.samples.push(String(error));
    }
  }));
  return { failed };
}

function row(label: string, times: readonly number[], target?: number): string {
  const sorted = [...times].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const verdict = target === undefined ? '–' : `p99 < ${target} ms: ${p99 < target ? 'met' : '**not met**'}`;
  return `| ${label} | ${sorted.length} | ${round(percentile(sorted, 50))} | ${round(percentile(sorted, 95))} | ${round(p99)} | ${round(sorted.at(-1) ?? 0)} | ${verdict} |`;
}

export const scenario: Scenario = {
  name: 'cmi5-session',
  description: `${LEARNERS} learners in a cmi5 AU session at once (launch from the step, fetch, LMS.LaunchData, ${ANSWERS + 4} statements to /xapi), think time ${THINK_MS} ms, launches spread over ${RAMP_SECONDS} s`,
  async run(context): Promise<BenchResult> {
    const world = await prepare(context);
    try {
      // Untimed: a few whole sessions without think time.
      const warmUp = newTimings();
      // A bench whose sessions are refused would measure refusals: stop instead.
      if ((await runSessions(context, world, world.warmUp, 0, () => 0, warmUp)).failed > 0) throw new Error(`warm-up sessions failed: ${warmUp.samples.join('; ')}`);

      const loadBefore = os.loadavg();
      const timings = newTimings();
      let peak = context.rss();
      const sampler = setInterval(() => (peak = Math.max(peak, context.rss())), 250);
      const cpuBefore = context.cpuSeconds();
      const started = performance.now();
      const { failed } = await runSessions(context, world, world.learners, RAMP_SECONDS, think, timings);
      const elapsed = (performance.now() - started) / 1000;
      const cpu = context.cpuSeconds() - cpuBefore;
      clearInterval(sampler);
      const loadAfter = os.loadavg();

      // What the tool recorded: every session terminated, every learner's path completed.
      const database = openPostgres({ connectionString: context.databaseUrl, poolMax: 1 });
      let completions = 0;
      let terminated = 0;
      try {
        completions = Number((await database.db.selectFrom('path_completions').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', world.tenantId).executeTakeFirstOrThrow()).n);
        terminated = Number((await database.db.selectFrom('cmi5_sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', world.tenantId).where('terminated_at', 'is not', null).executeTakeFirstOrThrow()).n);
      } finally {
        await database.close();
      }

      const statements = STATEMENT_KINDS.flatMap((kind) => timings.byKind.get(kind) ?? []).sort((a, b) => a - b);
      const requests = [...timings.byKind.values()].reduce((n, list) => n + list.length, 0);
      const launches = [...(timings.byKind.get('launch') ?? [])].sort((a, b) => a - b);
      // The launches come in the first RAMP_SECONDS; after the last one every learner is in the AU.
      const lastLaunch = Math.max(...timings.requests.filter((r) => r.kind === 'launch').map((r) => r.at + r.ms));
      const steady = timings.requests.filter((r) => STATEMENT_KINDS.includes(r.kind) && r.at >= lastLaunch).map((r) => r.ms);
      const statementP99 = percentile(statements, 99);
      const launchP99 = percentile(launches, 99);
      const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(', ');
      const all = WARM_UP_LEARNERS + LEARNERS;
      const details = [
        `${world.municipality}: ${LEARNERS} home-care employees (job roles as in ../shared/data/stillinger-helse-omsorg.csv), each launched by LTI from the course link (untimed), then each in one AU session of the test of our own cmi5 course (moveOn CompletedAndPassed, masteryScore 0.8), the step being that AU. Each learner: the step page, the launch (step form "open" → 303 to the AU), after the AU starts the fetch URL, LMS.LaunchData, the learner preferences and initialized, then ${ANSWERS} answered and experienced statements (cmi5 allowed, with the context template), passed (0.9), completed and terminated, each statement its own POST /xapi/statements with the session's auth token. A wait of ${THINK_MS} ms on average (uniform ×0.5–1.5) before the launch and each answer; the launches spread evenly over ${RAMP_SECONDS} s. ${WARM_UP_LEARNERS} whole sessions without waits ran before, untimed. Times are measured in the bench process (one Node process for all learners, on the same 2 cores as the tool and PostgreSQL).`,
        '',
        '| request | count | p50 ms | p95 ms | p99 ms | max ms | target |',
        '|---|---|---|---|---|---|---|',
        ...(['step page', 'launch', 'fetch', 'LMS.LaunchData', 'learner preferences'] as const).map((kind) => row(kind === 'launch' ? 'launch: POST the step form "open" (registration, session, LMS.LaunchData, launched) → 303' : kind === 'fetch' ? 'fetch: POST the fetch URL → auth token' : kind === 'step page' ? 'step page (GET, before the launch)' : kind === 'learner preferences' ? 'GET agents/profile cmi5LearnerPreferences' : 'GET activities/state LMS.LaunchData', timings.byKind.get(kind) ?? [], TARGETS[kind])),
        ...STATEMENT_KINDS.map((kind) => row(`statement: ${kind}`, timings.byKind.get(kind) ?? [])),
        row('statement POST, all', statements, TARGETS.statements),
        row('statement POST once every learner is launched (sent after the last launch answered)', steady, TARGETS.statements),
        '',
        `Sessions: ${LEARNERS - failed} of ${LEARNERS} ran to the end; unexpected answers: ${timings.unexpected}${timings.samples.length ? ` (${timings.samples.join('; ')})` : ''}. Recorded by the tool: ${terminated} of ${all} sessions terminated, ${completions} of ${all} paths completed (the warm-up's included).`,
        `Load average before ${load(loadBefore)}, after ${load(loadAfter)} (1, 5, 15 min). Tool CPU ${((cpu * 1000) / Math.max(1, requests)).toFixed(2)} ms per request over the ${requests} requests.`,
      ].join('\n');
      return {
        scenario: 'cmi5-session',
        requestsPerSecond: Math.round(requests / elapsed),
        p50Ms: round(percentile(statements, 50)),
        p99Ms: round(statementP99),
        errors: failed,
        non2xx: timings.unexpected,
        connections: LEARNERS,
        durationSeconds: Math.round(elapsed * 100) / 100,
        peakRssMiB: Math.round(peak / 1024 / 1024),
        cpuMsPerRequest: Math.round(((cpu * 1000) / Math.max(1, requests)) * 100) / 100,
        notes: `p50/p99 are statement POSTs (target p99 < 50 ms: ${statementP99 < 50 ? 'met' : 'not met'}); launch p99 ${round(launchP99)} ms (target < 100 ms: ${launchP99 < 100 ? 'met' : 'not met'}); ${LEARNERS} learners, think ${THINK_MS} ms`,
        details,
      };
    } finally {
      closeConnections();
    }
  },
};
