import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import { formFields } from '../../test/learner/support.js';

/**
 * One learner's cmi5 AU session over the tool's real HTTP interfaces, in the order a browser and
 * an AU make the requests: the step page, the launch (the step form's "open", answered 303 to the
 * AU with the cmi5 launch parameters), the fetch URL, LMS.LaunchData, then the AU's statements one
 * at a time (initialized, `answers` answered and experienced statements, passed, completed,
 * terminated) with the session's context template. Each request is timed.
 */

type Json = Record<string, unknown>;

/** What a timed request is, in the results' rows. */
export type RequestKind = 'step page' | 'launch' | 'fetch' | 'LMS.LaunchData' | 'learner preferences' | 'initialized' | 'answered/experienced' | 'passed' | 'completed' | 'terminated';

export const STATEMENT_KINDS: readonly RequestKind[] = ['initialized', 'answered/experienced', 'passed', 'completed', 'terminated'];

export interface Timings {
  /** Milliseconds per request kind. */
  readonly byKind: Map<RequestKind, number[]>;
  /** Each request as it ended: its kind, when it started (performance.now()) and its time. */
  readonly requests: { kind: RequestKind; at: number; ms: number }[];
  /** Answers that were not the expected status, a few of them kept with their text. */
  unexpected: number;
  readonly samples: string[];
}

export function newTimings(): Timings {
  return { byKind: new Map(), requests: [], unexpected: 0, samples: [] };
}

export interface SessionPlan {
  /** The tool's base URL as the bench reaches it. */
  readonly toolUrl: string;
  /** The learner's path page from the launch, with its session token. */
  readonly landing: string;
  readonly stepId: string;
  /** The AU's publisher id (the `au` of the step form). */
  readonly au: string;
  readonly answers: number;
  /** Waits between the learner's actions (ms); the AU's start (fetch, LaunchData, initialized) has none. */
  readonly think: () => number;
}

interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** One HTTP request on a kept-alive connection; its time is from sending to the last byte of the answer. */
function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer & { ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Times one request and checks its status; a refused request stops the session (as it would stop the AU). */
async function timed(timings: Timings, kind: RequestKind, expected: number, url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const answer = await request(url, method, headers, body);
  let list = timings.byKind.get(kind);
  if (!list) timings.byKind.set(kind, (list = []));
  list.push(answer.ms);
  timings.requests.push({ kind, at: performance.now() - answer.ms, ms: answer.ms });
  if (answer.status !== expected) {
    timings.unexpected += 1;
    if (timings.samples.length < 5) timings.samples.push(`${kind}: ${answer.status} ${answer.body.slice(0, 300)}`);
    throw new Error(`${kind} answered ${answer.status}`);
  }
  return answer;
}

/** The tool's own URLs in the launch carry PUBLIC_URL (no port): the bench reaches them at toolUrl. */
function onTool(toolUrl: string, url: string): string {
  const parsed = new URL(url);
  return `${toolUrl}${parsed.pathname}${parsed.search}`;
}

/** Runs one learner's session; the step's form and the AU's statements are real, timed, and checked. */
export async function runAuSession(plan: SessionPlan, timings: Timings): Promise<void> {
  const { toolUrl } = plan;
  const landing = new URL(plan.landing, toolUrl);
  const stepUrl = `${toolUrl}${landing.pathname}/steps/${plan.stepId}`;
  const page = await timed(timings, 'step page', 200, `${stepUrl}${landing.search}`, 'GET', { accept: 'text/html' });
  await sleep(plan.think());
  const form = new URLSearchParams({ ...formFields(page.body, 'open'), au: plan.au }).toString();
  const opened = await timed(timings, 'launch', 303, stepUrl, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, form);
  const q = new URL(opened.location ?? '', toolUrl).searchParams;
  const endpoint = onTool(toolUrl, q.get('endpoint') ?? '');
  const actor = JSON.parse(q.get('actor') ?? 'null') as Json;
  const registration = q.get('registration') ?? '';
  const activityId = q.get('activityId') ?? '';

  // The AU starts: its token, its launch data, the learner preferences, initialized.
  const fetched = await timed(timings, 'fetch', 200, onTool(toolUrl, q.get('fetch') ?? ''), 'POST', {});
  const token = (JSON.parse(fetched.body) as { 'auth-token'?: string })['auth-token'];
  if (!token) throw new Error(`fetch: ${fetched.body}`);
  const xapi = { authorization: `Basic ${token}`, 'x-experience-api-version': '1.0.3' };
  const state = new URLSearchParams({ activityId, agent: JSON.stringify(actor), registration, stateId: CMI5.launchData });
  const launchData = JSON.parse((await timed(timings, 'LMS.LaunchData', 200, `${endpoint}activities/state?${state.toString()}`, 'GET', xapi)).body) as {
    contextTemplate: { contextActivities: Json; extensions: Json }; masteryScore?: number;
  };
  // cmi5 §11: the AU reads the learner preferences on startup; the LMS refuses initialized before it.
  const preferences = new URLSearchParams({ agent: JSON.stringify(actor), profileId: 'cmi5LearnerPreferences' });
  await timed(timings, 'learner preferences', 200, `${endpoint}agents/profile?${preferences.toString()}`, 'GET', xapi);
  const started = performance.now();
  const duration = () => `PT${((performance.now() - started) / 1000).toFixed(2)}S`;

  const send = (kind: RequestKind, statement: Json, categories: string[]) => {
    const template = structuredClone(launchData.contextTemplate);
    const context = {
      ...template, registration,
      contextActivities: { ...template.contextActivities, ...(categories.length ? { category: categories.map((id) => ({ id })) } : {}) },
    };
    if (kind === 'passed' && launchData.masteryScore !== undefined) context.extensions = { ...context.extensions, [CMI5.extensions.masteryScore]: launchData.masteryScore };
    const body = JSON.stringify({ id: randomUUID(), actor, timestamp: new Date().toISOString(), ...statement, context });
    return timed(timings, kind, 200, `${endpoint}statements`, 'POST', { ...xapi, 'content-type': 'application/json' }, body);
  };
  const defined = (verb: string, result?: Json) => ({
    verb: { id: verb, display: { 'en-US': verb.slice(verb.lastIndexOf('/') + 1) } }, object: { objectType: 'Activity', id: activityId }, ...(result ? { result } : {}),
  });

  await send('initialized', defined(CMI5.verbs.initialized), [CMI5.categories.cmi5]);
  for (let n = 1; n <= plan.answers; n += 1) {
    await sleep(plan.think());
    // The test's pages and questions: sub-activities of the AU, "cmi5 allowed" statements (no cmi5 category).
    await send('answered/experienced', n % 2 === 1
      ? {
        verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'nb-NO': 'så' } },
        object: { objectType: 'Activity', id: `${activityId}/side-${n}`, definition: { type: 'http://adlnet.gov/expapi/activities/lesson', name: { 'nb-NO': `Side ${n}: håndhygiene` } } },
      }
      : {
        verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'nb-NO': 'svarte' } },
        object: { objectType: 'Activity', id: `${activityId}/sporsmal-${n}`, definition: {
          type: 'http://adlnet.gov/expapi/activities/cmi.interaction', interactionType: 'choice', name: { 'nb-NO': `Spørsmål ${n}` },
          description: { 'nb-NO': 'Når skal du vaske hendene?' }, correctResponsesPattern: ['b'],
          choices: [{ id: 'a', description: { 'nb-NO': 'Etter besøket' } }, { id: 'b', description: { 'nb-NO': 'Før og etter hvert besøk' } }],
        } },
        result: { response: 'b', success: true, duration: 'PT14S' },
      }, []);
  }
  await sleep(plan.think());
  await send('passed', defined(CMI5.verbs.passed, { success: true, score: { scaled: 0.9 }, duration: duration() }), [CMI5.categories.cmi5, CMI5.categories.moveOn]);
  await send('completed', defined(CMI5.verbs.completed, { completion: true, duration: duration() }), [CMI5.categories.cmi5, CMI5.categories.moveOn]);
  await send('terminated', defined(CMI5.verbs.terminated, { duration: duration() }), [CMI5.categories.cmi5]);
}

export function closeConnections(): void {
  agent.destroy();
}
