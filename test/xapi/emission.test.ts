import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import type { Kysely } from 'kysely';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import type { Schema } from '../../src/db/schema.js';
import { PathEventDispatcher } from '../../src/paths/dispatcher.js';
import { deliverOutcome, registerAttendance } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { listEnrolmentEvents } from '../../src/paths/events.js';
import type { NewStep } from '../../src/paths/drafts.js';
import type { PathEvent, PathEventBatchHandler } from '../../src/paths/ports.js';
import { cancelSignUp, signUpForSession } from '../../src/paths/sessions.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { rememberLaunchLink } from '../../src/web/learner/grade-passback.js';
import { xapiProfileRouter } from '../../src/web/xapi/profile-router.js';
import { xapiRouter } from '../../src/web/xapi/router.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { statementId } from '../../src/xapi/emission/statements.js';
import { XAPI_EMISSION_SUBSCRIBER, xapiEmissionSubscriber } from '../../src/xapi/emission/subscriber.js';
import { concepts, vocabulary } from '../../src/xapi/emission/vocabulary.js';
import { OwnStatements } from '../../src/xapi/own-statements.js';
import { validateStatement } from '../../src/xapi/validation/statement.js';
import { capturingLogger, testApp, testConfig } from '../support/app.js';
import { templateFor, templateViolations, type XapiProfile } from './profile-rules.js';
import { emitHoldingEvents, emitPathEvents, holdingScenario, scoScenario, tenantStatements } from './emission-scenarios.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, evaluationPool, person, publishedPath, type World } from '../paths/fixtures.js';

type Json = Record<string, unknown>;
const PUBLIC_URL = 'https://laering.example.no';
const ISSUER = 'https://itslearning.example.no';
const FREE_TEXT = 'Kursholderen snakket for fort, hilsen Kari';

const steps: NewStep[] = [
  { type: 'scorm', title: 'Grunnkurs', required: true, config: { packageId: 'pkg-1', scoId: 'sco-1', completion: { rule: 'passed' } } },
  { type: 'xapi', title: 'Quiz', required: true, config: { packageId: 'pkg-x', countedVerbs: 'completed' } },
  { type: 'web', title: 'Les veilederen', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } },
  { type: 'self-assessment', title: 'Hvor står du?', required: true, config: { statements: [
    { id: 'a', competence: 'infosik', text: 'Jeg kjenner reglene for passord.' },
    { id: 'b', competence: 'infosik', text: 'Jeg vet hvordan jeg melder avvik.' },
  ], recommendations: [] } },
  { type: 'evaluation', title: 'Hva syntes du?', required: true, config: { questions: [
    { id: 'nytte', kind: 'scale', text: 'Hvor nyttig var kurset?', min: 1, max: 5 },
    { id: 'ros', kind: 'text', text: 'Hva bør vi endre?', maxLength: 200 },
  ] } },
  { type: 'session', title: 'Samling', required: true, config: { date: '2026-12-10', startTime: '09:00', place: 'Rådhuset', capacity: 10 } },
] as NewStep[];

describe(`xAPI statements emitted from path events (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  let db: Kysely<Schema>;
  const { logger } = capturingLogger();
  let learner: string;
  let enrolmentId: string;
  let events: PathEvent[];

  /** Statements of the enrolment in the learner's LRS, in event order (then slot). */
  const emitted = async (tenantId = world.inRegion) => (await db.selectFrom('xapi_statements').select(['statement_id', 'statement', 'stored'])
    .where('tenant_id', '=', tenantId).where('registration', '=', enrolmentId).orderBy('seq').execute())
    .map((r) => ({ ...r, statement: r.statement as Json }));

  function dispatcherWith(handler: PathEventBatchHandler) {
    const dispatcher = new PathEventDispatcher({ db, logger });
    dispatcher.subscribeBatch(XAPI_EMISSION_SUBSCRIBER, handler);
    return dispatcher;
  }
  const emission = () => xapiEmissionSubscriber(db, new OwnStatements(db, PUBLIC_URL), PUBLIC_URL);

  /** On server PostgreSQL an event is deliverable once older transactions of the cluster ended: passes repeat. */
  async function runUntil(dispatcher: PathEventDispatcher, done: () => Promise<boolean>) {
    await vi.waitFor(async () => {
      await dispatcher.runOnce();
      if (!(await done())) throw new Error('not yet emitted');
    }, { timeout: 20_000, interval: 50 });
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = testDb.database.db;
    world = await createWorld(db);
    learner = await person(db, world.inRegion);
    await db.updateTable('people').set({ email: 'kari@kommune.example.no' }).where('id', '=', learner).execute();
    const platform = (await db.insertInto('lti_platforms').values({ tenant_id: world.inRegion, name: 'itslearning', issuer: ISSUER, client_id: 'tool-1',
      auth_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token`, jwks_url: `${ISSUER}/jwks` }).returning('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('lti_users').values({ issuer: ISSUER, subject: 'lms-user-42', tenant_id: world.inRegion, person_id: learner }).execute();
    const course = (await db.insertInto('lti_contexts').values({ tenant_id: world.inRegion, platform_id: platform, context_id: 'ctx-1', title: 'HMS for ansatte' }).returning('id').executeTakeFirstOrThrow()).id;
    const link = (await db.insertInto('lti_resource_links').values({ tenant_id: world.inRegion, platform_id: platform, context_id: course, resource_link_id: 'rl-1', title: 'Læringsløp: informasjonssikkerhet', custom: '{}', ags_scopes: '[]' })
      .returning('id').executeTakeFirstOrThrow()).id;

    const { pathId, stepIds } = await publishedPath(db, world, steps);
    enrolmentId = (await enrol(db, world.inRegion, { personId: learner, pathId })).enrolmentId;
    // The learner page's launch route remembers the LMS link with a path-launched event.
    await rememberLaunchLink(db, world.inRegion, enrolmentId, link);
    const deliver = (i: number, key: string, outcome: Parameters<typeof deliverOutcome>[2]['outcome']) =>
      deliverOutcome(db, world.inRegion, { enrolmentId, stepId: stepIds[i]!, idempotencyKey: key, outcome });
    await deliver(0, 'sco-1', { kind: 'sco', packageId: 'pkg-1', scoId: 'sco-1', completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.8 });
    await deliver(1, 'x-1', { kind: 'xapi', packageId: 'pkg-x', verb: 'failed', scoreScaled: 0.4 });
    await deliver(1, 'x-2', { kind: 'xapi', packageId: 'pkg-x', verb: 'completed' });
    await deliver(2, 'web', { kind: 'web', event: 'done' });
    await deliver(3, 'self', { kind: 'self-assessment', ratings: { a: 2, b: 3 } });
    await evaluationPool(db).answer(world.inRegion, { enrolmentId, stepId: stepIds[4]!, idempotencyKey: 'eval', answers: { nytte: 4, ros: FREE_TEXT } });
    // Signed up, gave the seat back, signed up again.
    await signUpForSession(db, world.inRegion, enrolmentId, stepIds[5]!);
    await cancelSignUp(db, world.inRegion, enrolmentId, stepIds[5]!);
    await signUpForSession(db, world.inRegion, enrolmentId, stepIds[5]!);
    await registerAttendance(db, world.inRegion, { enrolmentId, stepId: stepIds[5]!, attended: true, idempotencyKey: 'attended' });
    events = await listEnrolmentEvents(db, world.inRegion, enrolmentId);
    expect(events.at(-1)?.type).toBe('path-completed');
    const dispatcher = dispatcherWith(emission());
    await runUntil(dispatcher, async () => (await emitted()).length === events.length + 2);
  });
  afterAll(() => testDb?.dispose());

  it('writes each event as statements of the documented shape in the learner\'s municipality\'s LRS', async () => {
    const stored = await emitted();
    const verbs = stored.map((s) => ((s.statement['verb'] as Json)['id'] as string).split('/').pop());
    expect(verbs).toEqual(['registered', 'launched', 'completed', 'passed', 'completed', 'failed', 'completed', 'declared', 'completed', 'registered', 'unregistered', 'registered', 'attended', 'completed']);
    for (const { statement } of stored) expect(() => validateStatement(statement)).not.toThrow();
    const [started, launched, scoCompleted, scoPassed] = stored.map((s) => s.statement);
    // Actor: the LMS account (issuer, LTI subject); one identifier only, so no e-mail beside it (xAPI §2.4.2.1).
    expect(started!['actor']).toEqual({ objectType: 'Agent', account: { homePage: ISSUER, name: 'lms-user-42' } });
    // Deterministic ids: UUID v5 of the event.
    expect(stored[0]!.statement_id).toBe(statementId(events[0]!.id, 'main'));
    expect(stored[3]!.statement_id).toBe(statementId(events[2]!.id, 'success'));
    expect((launched!['context'] as Json)['registration']).toBe(enrolmentId);
    expect(started!['timestamp']).toBe(events[0]!.createdAt.toISOString());
    const context = scoPassed!['context'] as Json;
    expect(context['registration']).toBe(enrolmentId);
    expect(context['platform']).toBe('Læringsløp');
    const activities = context['contextActivities'] as Record<string, Json[]>;
    expect(activities['parent']!.map((a) => a['id'])).toEqual([`${PUBLIC_URL}/xapi/activities/paths/${events[0]!.pathId}`]);
    expect(activities['grouping']!.map((a) => (a['definition'] as Json)['type'])).toEqual([
      'http://adlnet.gov/expapi/activities/course', `${PUBLIC_URL}/profiles/xapi/activity-types/path-version`,
      `${PUBLIC_URL}/profiles/xapi/activity-types/lms-course`, `${PUBLIC_URL}/profiles/xapi/activity-types/lms-link`,
    ]);
    const extensions = context['extensions'] as Json;
    expect(extensions[`${PUBLIC_URL}/profiles/xapi/extensions/municipality`]).toMatchObject({ id: world.inRegion });
    expect(extensions[`${PUBLIC_URL}/profiles/xapi/extensions/lms-platform`]).toBe(ISSUER);
    expect(extensions[`${PUBLIC_URL}/profiles/xapi/extensions/sco`]).toBe('sco-1');
    expect(scoCompleted!['result']).toEqual({ completion: true, score: { scaled: 0.8 } });
    expect(scoPassed!['result']).toEqual({ success: true, completion: true, score: { scaled: 0.8 } });
    expect(stored[5]!.statement['result']).toMatchObject({ success: false });
    expect(stored[7]!.statement['result']).toEqual({ completion: true, extensions: { [`${PUBLIC_URL}/profiles/xapi/extensions/declared-levels`]: { infosik: 2 } } });
    const completed = stored.at(-1)!.statement;
    expect(completed['object']).toMatchObject({ id: `${PUBLIC_URL}/xapi/activities/paths/${events[0]!.pathId}` });
    expect((completed['result'] as Json)['completion']).toBe(true);
    // Nothing in any other tenant's LRS.
    expect(await db.selectFrom('xapi_statements').select('statement_id').where('registration', '=', enrolmentId).where('tenant_id', '<>', world.inRegion).execute()).toEqual([]);
  });

  it('never links an evaluation\'s answers to the person', async () => {
    const stored = await emitted();
    const evaluation = stored[8]!.statement;
    expect((evaluation['object'] as Json)['definition']).toMatchObject({ type: `${PUBLIC_URL}/profiles/xapi/activity-types/evaluation` });
    expect(evaluation['result']).toEqual({ completion: true });
    const all = JSON.stringify(stored);
    expect(all).not.toContain(FREE_TEXT);
    expect(all).not.toContain('nytte');
    expect(all).not.toContain('kari@kommune.example.no');
  });

  it('is read by the municipality\'s own clients through the LRS, and by no other municipality\'s', async () => {
    const config = testConfig({ PUBLIC_URL });
    const app = testApp(testDb.database, { config, routers: [xapiRouter({ db, publicUrl: PUBLIC_URL, bodyLimitBytes: config.bodyLimitBytes })] });
    const own = await createXapiClient(db, { tenantId: world.inRegion, name: 'HR', scopes: ['statements/read'] });
    const other = await createXapiClient(db, { tenantId: world.outside, name: 'HR', scopes: ['all'] });
    const read = (c: typeof own) => request(app).get(`/xapi/statements?registration=${enrolmentId}`).auth(c.client.key, c.secret).set('X-Experience-API-Version', '1.0.3');
    const mine = await read(own);
    expect(mine.status).toBe(200);
    expect((mine.body as { statements: unknown[] }).statements).toHaveLength(events.length + 2);
    const theirs = await read(other);
    expect((theirs.body as { statements: unknown[] }).statements).toEqual([]);
    // Nobody signs in as the emitter.
    const emitter = await db.selectFrom('xapi_clients').select('key').where('key', '=', `emitter:${world.inRegion}`).executeTakeFirstOrThrow();
    expect((await request(app).get('/xapi/statements').auth(emitter.key, '!').set('X-Experience-API-Version', '1.0.3')).status).toBe(401);
  });

  it('stores nothing new when the same events are delivered again', async () => {
    const before = await emitted();
    await db.updateTable('path_event_cursors').set({ last_xid: 0, last_id: 0 }).where('subscriber', '=', XAPI_EMISSION_SUBSCRIBER).execute();
    let seen = 0;
    const handler = emission();
    const dispatcher = dispatcherWith(async (batch) => {
      await handler(batch);
      seen += batch.filter((event) => event.enrolmentId === enrolmentId).length;
    });
    await runUntil(dispatcher, async () => seen === events.length);
    const after = await emitted();
    expect(after.map((s) => [s.statement_id, s.stored])).toEqual(before.map((s) => [s.statement_id, s.stored]));
  });

  it('a handler that fails after storing gets the events again, and their statements are still there once', async () => {
    const { pathId, stepIds } = await publishedPath(db, world, [steps[2]!]);
    const other = await person(db, world.inRegion);
    const second = (await enrol(db, world.inRegion, { personId: other, pathId })).enrolmentId;
    await deliverOutcome(db, world.inRegion, { enrolmentId: second, stepId: stepIds[0]!, idempotencyKey: 'web', outcome: { kind: 'web', event: 'done' } });
    const handler = emission();
    const deliveries: string[] = [];
    let failed = false;
    const dispatcher = dispatcherWith(async (batch) => {
      await handler(batch);
      const mine = batch.filter((event) => event.enrolmentId === second);
      deliveries.push(...mine.map((event) => event.type));
      // As if the process died after the statements' commit and before the cursor moved.
      if (mine.some((event) => event.type === 'path-completed') && !failed) {
        failed = true;
        throw new Error('crashed after storing');
      }
    });
    await runUntil(dispatcher, async () => deliveries.filter((t) => t === 'path-completed').length === 2);
    expect(deliveries.slice(0, 3)).toEqual(['path-started', 'step-completed', 'path-completed']);
    const stored = await db.selectFrom('xapi_statements').select('verb_id').where('registration', '=', second).orderBy('seq').execute();
    expect(stored.map((s) => s.verb_id.split('/').pop())).toEqual(['registered', 'completed', 'completed']);
  });

  it('the profile document and the served JSON-LD profile agree with what is emitted', async () => {
    const app = testApp(testDb.database, { config: testConfig({ PUBLIC_URL }), apiRouters: [xapiProfileRouter(PUBLIC_URL)] });
    const served = await request(app).get('/profiles/xapi');
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toMatch(/^application\/ld\+json/);
    const profile = served.body as { id: string; concepts: Json[]; templates: (Json & { rules: Json[] })[] };
    expect(profile.id).toBe(`${PUBLIC_URL}/profiles/xapi`);

    // With them, a SCORM step's SCOs through the real runtime, and holdings granted, revoked and expired.
    const sco = await scoScenario(testDb.database);
    await emitPathEvents(db, logger, async () => (await tenantStatements(db, sco.tenantId)).length === 8);
    const holdings = await holdingScenario(testDb.database, sco.tenantId, sco.personId, logger);
    const aboutHoldings = async () => (await tenantStatements(db, sco.tenantId)).filter((s) => ((s.statement['object'] as Json)['id'] as string).includes('/competences/'));
    await emitHoldingEvents(holdings.emitter, async () => (await aboutHoldings()).length === 5);
    const statements = [...(await emitted()), ...(await tenantStatements(db, sco.tenantId))].map((s) => s.statement);
    const used = { verbs: new Set<string>(), types: new Set<string>(), extensions: new Set<string>() };
    for (const s of statements) {
      used.verbs.add((s['verb'] as Json)['id'] as string);
      used.types.add(((s['object'] as Json)['definition'] as Json)['type'] as string);
      const context = s['context'] as Json;
      for (const list of Object.values((context['contextActivities'] ?? {}) as Record<string, Json[]>)) for (const a of list) used.types.add((a['definition'] as Json)['type'] as string);
      for (const key of Object.keys((context['extensions'] as Json | undefined) ?? {})) used.extensions.add(key);
      for (const key of Object.keys(((s['result'] as Json | undefined)?.['extensions'] as Json | undefined) ?? {})) used.extensions.add(key);
    }
    // What the profile names: template verbs and activity types (ADL's and its own), its own concepts.
    const named = { verbs: new Set<string>(), types: new Set<string>(), extensions: new Set<string>() };
    for (const t of profile.templates) {
      named.verbs.add(t['verb'] as string);
      named.types.add(t['objectActivityType'] as string);
      for (const key of ['contextParentActivityType', 'contextGroupingActivityType']) for (const type of (t[key] as string[] | undefined) ?? []) named.types.add(type);
      for (const rule of t.rules) for (const type of (rule['any'] as string[] | undefined) ?? []) named.types.add(type);
    }
    for (const c of profile.concepts) {
      if (c['type'] === 'Verb') named.verbs.add(c['id'] as string);
      else if (c['type'] === 'ActivityType') named.types.add(c['id'] as string);
      else named.extensions.add(c['id'] as string);
    }
    const sorted = (s: Set<string>) => [...s].sort();
    expect(sorted(used.verbs)).toEqual(sorted(named.verbs));
    expect(sorted(used.types)).toEqual(sorted(named.types));
    expect(sorted(used.extensions)).toEqual(sorted(named.extensions));

    // Every statement matches exactly one template, and that template's "included" rules hold.
    const met = new Set<string>();
    for (const s of statements) {
      const template = templateFor(profile as unknown as XapiProfile, s);
      expect(template, JSON.stringify(s['verb'])).toBeDefined();
      met.add(template!.id);
      expect(templateViolations(profile as unknown as XapiProfile, s), JSON.stringify(s)).toEqual([]);
      for (const rule of template!.rules) {
        const value = at(s, rule.location);
        if (rule.presence === 'included') expect(value, `${template!.id} ${rule.location}`).not.toBeUndefined();
        if (rule.presence === 'excluded') expect(value, `${template!.id} ${rule.location}`).toBeUndefined();
      }
    }
    // Every template is met by the run.
    expect(profile.templates.map((t) => t['id'] as string).filter((id) => !met.has(id))).toEqual([]);

    // The document names every term (its own with {PUBLIC_URL}) and every template.
    const doc = fs.readFileSync(new URL('../../docs/xapi-profile.md', import.meta.url), 'utf8').replaceAll('{PUBLIC_URL}', PUBLIC_URL);
    for (const c of concepts(vocabulary(PUBLIC_URL))) expect(doc, c.id).toContain(`\`${c.id}\``);
    for (const t of profile.templates) expect(doc, t['id'] as string).toContain(`\`${(t['id'] as string).split('/').pop()}\``);
    const termsIn = /`(http:\/\/adlnet\.gov\/expapi\/(?:verbs|activities)\/[^`\s]+|https:\/\/laering\.example\.no\/profiles\/xapi\/(?:verbs|activity-types|extensions)\/[^`\s]+)`/g;
    const documented = new Set([...doc.matchAll(termsIn)].map((m) => m[1]!));
    const known = new Set([...concepts(vocabulary(PUBLIC_URL)).map((c) => c.id)]);
    expect([...documented].filter((iri) => !known.has(iri))).toEqual([]);
  });

  it('an erasure makes the actor of the emitted statements pseudonymous', async () => {
    await erasePerson(db, { tenantId: world.inRegion, personId: learner, actor: { kind: 'operator', id: 'test' }, reason: 'request', publicUrl: PUBLIC_URL, evidence: new EvidenceStore(fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'))) });
    const stored = await emitted();
    expect(stored.length).toBe(events.length + 2);
    for (const { statement } of stored) expect(statement['actor']).toEqual({ objectType: 'Agent', account: { homePage: PUBLIC_URL, name: learner } });
    expect(JSON.stringify(stored)).not.toContain('lms-user-42');
  });
});

/** The value at a profile rule's location: `$.a.b['iri']` (no wildcards). */
function at(statement: Json, location: string): unknown {
  if (location.includes('[*]')) return true;
  const parts = [...location.slice(1).matchAll(/\.([A-Za-z]+)|\['([^']+)'\]/g)].map((m) => m[1] ?? m[2]!);
  let value: unknown = statement;
  for (const part of parts) value = value && typeof value === 'object' ? (value as Json)[part] : undefined;
  return value;
}
