import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { attemptTokens } from '../../src/scorm/attempt-token.js';
import { ScormRuntime } from '../../src/scorm/runtime.js';
import { attemptOutcome, commitHistory, scoOutcomes } from '../../src/scorm/outcomes.js';
import type { ScoOutcome } from '../../src/scorm/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchOk, runtimeWithPackage } from './support/runtime-setup.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  await testDb.dispose();
});

describe('SCORM 1.2 runtime', () => {
  it('launches ab-initio, stores commits, resumes with entry=resume, and applies the mastery score', async () => {
    const seen: ScoOutcome[] = [];
    const { runtime, tenantId, personId, packageId } = await runtimeWithPackage(testDb.database, 'scorm12-single', [(o) => void seen.push(o)]);
    const { attemptId, token } = await runtime.openAttempt(tenantId, personId, packageId);
    const claims = (await runtime.verifyToken(token))!;
    expect(claims.attemptId).toBe(attemptId);

    const first = await launchOk(runtime, claims, 'item-brannvern');
    expect(first.cmi).toMatchObject({
      'cmi.core.entry': 'ab-initio',
      'cmi.core.student_id': personId,
      'cmi.core.student_name': 'Nordmann, Kari',
      'cmi.core.lesson_status': 'not attempted',
      'cmi.launch_data': 'modus=kort',
      'cmi.student_data.mastery_score': '80',
      'cmi.core.total_time': '0000:00:00.00',
    });
    const bigSuspend = 'ø'.repeat(10_000);
    const ack = await runtime.commit(claims, 'item-brannvern', {
      session: first.session,
      seq: 1,
      cmi: { 'cmi.core.lesson_status': 'incomplete', 'cmi.core.lesson_location': 'side-2', 'cmi.suspend_data': bigSuspend, 'cmi.core.exit': 'suspend', 'cmi.core.session_time': '00:02:30', 'cmi.core.student_id': 'forged', 'cmi.interactions.0.objectives': {} },
    });
    expect(ack).toMatchObject({ result: true, errorCode: 0 });

    const second = await launchOk(runtime, claims, 'item-brannvern');
    expect(second.session).toBe(first.session + 1);
    expect(second.cmi).toMatchObject({ 'cmi.core.entry': 'resume', 'cmi.core.lesson_location': 'side-2', 'cmi.suspend_data': bigSuspend, 'cmi.core.student_id': personId, 'cmi.core.total_time': '0000:02:30.00' });
    expect(second.cmi['cmi.core.exit']).toBeUndefined();

    await runtime.commit(claims, 'item-brannvern', { session: second.session, seq: 1, terminate: true, cmi: { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '85', 'cmi.core.session_time': 'PT1M' } });
    const [outcome] = await scoOutcomes(testDb.database.db, tenantId, attemptId);
    // 85 >= masteryscore 80: passed, whatever the SCO said.
    expect(outcome).toMatchObject({ lessonStatus: 'passed', completionStatus: 'completed', successStatus: 'passed', scoreRaw: 85, scoreScaled: 0.85, totalTimeSeconds: 210 });
    expect(outcome!.completedAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.at(-1)).toMatchObject({ scoId: 'item-brannvern', successStatus: 'passed', personId });
    const third = await launchOk(runtime, claims, 'item-brannvern');
    expect(third.cmi['cmi.core.entry']).toBe('');
  });

  it('refuses invalid writes with the 1.2 error codes and stores nothing of them', async () => {
    const { runtime, tenantId, personId, packageId } = await runtimeWithPackage(testDb.database, 'scorm12-single');
    const { attemptId, token } = await runtime.openAttempt(tenantId, personId, packageId);
    const claims = (await runtime.verifyToken(token))!;
    const { session } = await launchOk(runtime, claims, 'item-brannvern');
    expect(await runtime.commit(claims, 'item-brannvern', { session, seq: 1, cmi: { 'cmi.core.lesson_status': 'done' } })).toMatchObject({ result: false, errorCode: 405 });
    expect(await runtime.commit(claims, 'item-brannvern', { session, seq: 2, cmi: { 'cmi.core.score.raw': '101' } })).toMatchObject({ result: false, errorCode: 405 });
    expect(await runtime.commit(claims, 'item-brannvern', { session, seq: 3, cmi: { 'cmi.core.nonsense': 'x' } })).toMatchObject({ result: false, errorCode: 401 });
    expect(await runtime.commit(claims, 'item-brannvern', { session, seq: 4, cmi: { 'cmi.suspend_data': 'x'.repeat(64_001) } })).toMatchObject({ result: false, errorCode: 405 });
    expect(await runtime.commit(claims, 'item-brannvern', { nope: true })).toMatchObject({ result: false, status: 400 });
    expect(await runtime.commit(claims, 'no-such-sco', { session, seq: 5, cmi: {} })).toMatchObject({ result: false, status: 404 });
    const [outcome] = await scoOutcomes(testDb.database.db, tenantId, attemptId);
    expect(outcome).toMatchObject({ completionStatus: 'not attempted', lessonStatus: null, scoreRaw: null });
  });

  it('two windows: the newer launch owns the SCO; the older window is refused and nothing it sends lands', async () => {
    const { runtime, tenantId, personId, packageId } = await runtimeWithPackage(testDb.database, 'scorm12-single');
    const { attemptId, token } = await runtime.openAttempt(tenantId, personId, packageId);
    const claims = (await runtime.verifyToken(token))!;
    const tabA = await launchOk(runtime, claims, 'item-brannvern');
    const tabB = await launchOk(runtime, claims, 'item-brannvern');
    expect(await runtime.commit(claims, 'item-brannvern', { session: tabB.session, seq: 1, cmi: { 'cmi.suspend_data': 'from B' } })).toMatchObject({ result: true });
    expect(await runtime.commit(claims, 'item-brannvern', { session: tabA.session, seq: 1, cmi: { 'cmi.suspend_data': 'from A' } })).toMatchObject({ result: false, errorCode: 101, status: 409 });
    // A repeated beacon of an already stored commit is acknowledged and changes nothing.
    expect(await runtime.commit(claims, 'item-brannvern', { session: tabB.session, seq: 1, cmi: { 'cmi.suspend_data': 'replayed' } })).toMatchObject({ result: true });
    const next = await launchOk(runtime, claims, 'item-brannvern');
    expect(next.cmi['cmi.suspend_data']).toBe('from B');
    const history = await commitHistory(testDb.database.db, tenantId, attemptId);
    expect(history.map((h) => [h.session, h.accepted])).toEqual([[tabB.session, true], [tabA.session, false]]);
  });

  it('rolls a multi-SCO package up: completed only when every SCO is, score the average', async () => {
    const { runtime, tenantId, personId, packageId, manifest } = await runtimeWithPackage(testDb.database, 'scorm12-multi');
    const { attemptId, token } = await runtime.openAttempt(tenantId, personId, packageId);
    const claims = (await runtime.verifyToken(token))!;
    // del2's prerequisites name del1: locked until del1 is completed or passed.
    expect(await runtime.launch(claims, 'del2')).toEqual({ refused: 'prerequisites' });
    const one = await launchOk(runtime, claims, 'del1');
    await runtime.commit(claims, 'del1', { session: one.session, seq: 1, cmi: { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '60' } });
    expect(await attemptOutcome(testDb.database.db, tenantId, attemptId, manifest)).toMatchObject({ completed: false });
    const two = await launchOk(runtime, claims, 'del2');
    await runtime.commit(claims, 'del2', { session: two.session, seq: 1, cmi: { 'cmi.core.lesson_status': 'completed', 'cmi.core.score.raw': '80' } });
    const outcome = await attemptOutcome(testDb.database.db, tenantId, attemptId, manifest);
    expect(outcome).toMatchObject({ completed: true, successStatus: 'unknown', personId });
    expect(outcome!.scoreScaled).toBeCloseTo(0.7);
    expect((await attemptOutcome(testDb.database.db, tenantId, attemptId, manifest, 'last'))!.scoreScaled).toBeCloseTo(0.8);
    // del2 has masteryscore 70: 80 passes it.
    expect(outcome!.scos.find((s) => s.scoId === 'del2')?.successStatus).toBe('passed');
    // Another tenant sees nothing of it.
    expect(await attemptOutcome(testDb.database.db, '00000000-0000-0000-0000-000000000000', attemptId, manifest)).toBeUndefined();
  });
});

describe('commits served by several processes', () => {
  it('a commit builds on what another process stored, and a launch there still supersedes this window', async () => {
    const { runtime: here, tenantId, personId, packageId } = await runtimeWithPackage(testDb.database, 'scorm12-single');
    // A second process on the same database: its own memory of SCO states and of verified tokens.
    const there = new ScormRuntime({ db: testDb.database.db, tokens: attemptTokens('test-secret-test-secret-test-secret-1234'), logger: createLogger('silent') });
    const { attemptId, token } = await here.openAttempt(tenantId, personId, packageId);
    const claims = (await here.verifyToken(token))!;
    const { session } = await launchOk(here, claims, 'item-brannvern');
    expect(await here.commit(claims, 'item-brannvern', { session, seq: 1, cmi: { 'cmi.core.lesson_location': 'side-1', 'cmi.suspend_data': 'a' } })).toMatchObject({ result: true });
    // The window's next commit lands on the other process (a load balancer), then comes back here.
    expect(await there.commit(claims, 'item-brannvern', { session, seq: 2, cmi: { 'cmi.core.score.raw': '40' } })).toMatchObject({ result: true });
    expect(await here.commit(claims, 'item-brannvern', { session, seq: 3, cmi: { 'cmi.suspend_data': 'c' } })).toMatchObject({ result: true });
    // A repeat of seq 2 reaching this process is acknowledged and changes nothing.
    expect(await here.commit(claims, 'item-brannvern', { session, seq: 2, cmi: { 'cmi.suspend_data': 'stale' } })).toMatchObject({ result: true });
    const [outcome] = await scoOutcomes(testDb.database.db, tenantId, attemptId);
    expect(outcome).toMatchObject({ scoreRaw: 40 });
    const row = await testDb.database.db.selectFrom('scorm_sco_states').select(['cmi', 'last_seq', 'commit_count']).where('attempt_id', '=', attemptId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ last_seq: 3, commit_count: 3, cmi: { 'cmi.core.lesson_location': 'side-1', 'cmi.core.score.raw': '40', 'cmi.suspend_data': 'c' } });

    // A second window opens the SCO through the other process: this process's window is refused.
    const newer = await launchOk(there, claims, 'item-brannvern');
    expect(await here.commit(claims, 'item-brannvern', { session, seq: 4, cmi: { 'cmi.suspend_data': 'old window' } })).toMatchObject({ result: false, status: 409 });
    expect(await here.commit(claims, 'item-brannvern', { session: newer.session, seq: 1, cmi: { 'cmi.suspend_data': 'new window' } })).toMatchObject({ result: true });
    const after = await testDb.database.db.selectFrom('scorm_sco_states').select(['cmi']).where('attempt_id', '=', attemptId).executeTakeFirstOrThrow();
    expect(after.cmi['cmi.suspend_data']).toBe('new window');
    const refused = await testDb.database.db.selectFrom('scorm_commits').select(['seq', 'accepted']).where('attempt_id', '=', attemptId).where('accepted', '=', false).execute();
    expect(refused).toEqual([{ seq: 4, accepted: false }]);
  });

  it('remembers a verified token no longer than the token is valid', async () => {
    const tokens = attemptTokens('test-secret-test-secret-test-secret-1234', 60);
    const claims = { attemptId: 'a1', tenantId: 't1', personId: 'p1', packageId: 'k1' };
    const token = await tokens.sign(claims);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(await tokens.verify(token)).toEqual(claims);
      const answer = (await tokens.verify(token))!;
      expect(answer).toEqual(claims);
      // Changing an answer does not change what the next request gets.
      answer.tenantId = 'other';
      expect(await tokens.verify(token)).toEqual(claims);
      vi.setSystemTime(Date.now() + 120_000);
      expect(await tokens.verify(token)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('SCORM 2004 runtime', () => {
  it('initialises objectives, threshold and passing score from the manifest and decides status from measures', async () => {
    const { runtime, tenantId, personId, packageId } = await runtimeWithPackage(testDb.database, 'scorm2004-4th');
    const { attemptId, token } = await runtime.openAttempt(tenantId, personId, packageId);
    const claims = (await runtime.verifyToken(token))!;
    const launch = await launchOk(runtime, claims, 'pv-sco1');
    expect(launch.cmi).toMatchObject({
      'cmi.entry': 'ab-initio',
      'cmi.learner_id': personId,
      'cmi.completion_threshold': '0.8',
      'cmi.scaled_passing_score': '0.8',
      'cmi.launch_data': 'del=1',
      'cmi.objectives.0.id': 'pv-mål-1',
      'cmi.objectives.1.id': 'pv-begreper',
    });
    expect(await runtime.commit(claims, 'pv-sco1', { session: launch.session, seq: 1, cmi: { 'cmi.score.scaled': '1.5' } })).toMatchObject({ result: false, errorCode: 407 });
    expect(await runtime.commit(claims, 'pv-sco1', { session: launch.session, seq: 2, cmi: { 'cmi.completion_status': 'done' } })).toMatchObject({ result: false, errorCode: 406 });
    expect(await runtime.commit(claims, 'pv-sco1', { session: launch.session, seq: 3, cmi: { 'cmi.learner_name': 'x', 'adl.nav.request': 'continue' } })).toMatchObject({ result: true });
    // Score alone never completes in 2004; progress 0.5 < threshold 0.8 says incomplete even if the SCO claims completed.
    await runtime.commit(claims, 'pv-sco1', { session: launch.session, seq: 4, cmi: { 'cmi.score.scaled': '0.9', 'cmi.progress_measure': '0.5', 'cmi.completion_status': 'completed', 'cmi.session_time': 'PT50S.21S', 'cmi.exit': 'suspend' } });
    let [outcome] = await scoOutcomes(testDb.database.db, tenantId, attemptId);
    expect(outcome).toMatchObject({ completionStatus: 'incomplete', successStatus: 'passed', scoreScaled: 0.9, lessonStatus: null });
    expect(outcome!.totalTimeSeconds).toBeGreaterThanOrEqual(50);
    const resumed = await launchOk(runtime, claims, 'pv-sco1');
    expect(resumed.cmi['cmi.entry']).toBe('resume');
    await runtime.commit(claims, 'pv-sco1', { session: resumed.session, seq: 1, terminate: true, cmi: { 'cmi.progress_measure': '1', 'cmi.exit': 'normal' } });
    [outcome] = await scoOutcomes(testDb.database.db, tenantId, attemptId);
    expect(outcome).toMatchObject({ completionStatus: 'completed' });
    // Terminated with exit=normal: the next launch is a new attempt with fresh data (RTE 4.2.8).
    const fresh = await launchOk(runtime, claims, 'pv-sco1');
    expect(fresh.cmi['cmi.entry']).toBe('ab-initio');
    expect(fresh.cmi['cmi.progress_measure']).toBeUndefined();
    // …but the completion the paths engine saw is kept.
    [outcome] = await scoOutcomes(testDb.database.db, tenantId, attemptId);
    expect(outcome!.completedAt).toBeInstanceOf(Date);
  });

  it('refuses a token that is forged, for another purpose or tampered with', async () => {
    const { runtime, tenantId, personId, packageId } = await runtimeWithPackage(testDb.database, 'scorm2004-4th');
    const { token } = await runtime.openAttempt(tenantId, personId, packageId);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.sub = '00000000-0000-0000-0000-000000000000';
    expect(await runtime.verifyToken(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`)).toBeUndefined();
    expect(await runtime.verifyToken('not.a.token')).toBeUndefined();
    await expect(runtime.openAttempt('00000000-0000-0000-0000-000000000000', personId, packageId)).rejects.toThrow();
  });
});
