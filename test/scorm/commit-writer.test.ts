import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createPerson } from '../../src/people/people.js';
import { attemptTokens } from '../../src/scorm/attempt-token.js';
import { CommitWriter, type GuardedCommitWrite } from '../../src/scorm/commit-writer.js';
import { ScormRuntime } from '../../src/scorm/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { launchOk, runtimeWithPackage } from './support/runtime-setup.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  await testDb.dispose();
});

/** Counts the statements that write commits (the writer's jsonb_to_recordset statement). */
function countingWrites(): { plugin: KyselyPlugin; writes: () => number } {
  let writes = 0;
  return {
    plugin: {
      transformQuery(args) {
        if (JSON.stringify(args.node).includes('jsonb_to_recordset')) writes += 1;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    },
    writes: () => writes,
  };
}

/** `count` learners of one municipality, each launched into the single-SCO package. */
async function launchedLearners(count: number) {
  const setup = await runtimeWithPackage(testDb.database, 'scorm12-single');
  const learners = [];
  for (let i = 0; i < count; i += 1) {
    const person = i === 0 ? { id: setup.personId } : await createPerson(testDb.database.db, setup.tenantId, { name: `Ansatt ${i}` });
    const { attemptId, token } = await setup.runtime.openAttempt(setup.tenantId, person.id, setup.packageId);
    const claims = (await setup.runtime.verifyToken(token))!;
    const { session } = await launchOk(setup.runtime, claims, 'item-brannvern');
    learners.push({ attemptId, claims, session });
  }
  return { ...setup, learners };
}

function write(attemptId: string, tenantId: string, session: number, expectedSeq: number, seq: number, suspend: string): GuardedCommitWrite {
  return {
    tenantId,
    attemptId,
    scoId: 'item-brannvern',
    session,
    expectedSeq,
    seq,
    terminate: false,
    cmi: { 'cmi.suspend_data': suspend },
    openSessionSeconds: 0,
    completionStatus: 'incomplete',
    successStatus: 'unknown',
    lessonStatus: 'incomplete',
    scoreRaw: null,
    scoreMin: null,
    scoreMax: null,
    scoreScaled: null,
    completedAt: null,
    updatedAt: new Date(),
    body: { 'cmi.suspend_data': suspend },
  };
}

async function storedState(attemptId: string) {
  const state = await testDb.database.db.selectFrom('scorm_sco_states').select(['last_seq', 'commit_count', 'cmi']).where('attempt_id', '=', attemptId).executeTakeFirstOrThrow();
  const history = await testDb.database.db.selectFrom('scorm_commits').select(['seq', 'accepted']).where('attempt_id', '=', attemptId).orderBy('id').execute();
  return { lastSeq: Number(state.last_seq), commits: state.commit_count, suspend: state.cmi['cmi.suspend_data'], history: history.map((h) => Number(h.seq)) };
}

describe('SCORM commits written together', () => {
  it('writes commits that arrive together with one statement, and every one is stored and acknowledged', async () => {
    const { tenantId, packageId, learners } = await launchedLearners(12);
    const counting = countingWrites();
    const runtime = new ScormRuntime({ db: testDb.database.db.withPlugin(counting.plugin), tokens: attemptTokens('test-secret-test-secret-test-secret-1234'), logger: createLogger('silent') });
    expect(packageId).toBeTruthy();
    const commitAll = (seq: number) =>
      Promise.all(learners.map((l, i) => runtime.commit(l.claims, 'item-brannvern', { session: l.session, seq, cmi: { 'cmi.core.lesson_status': 'incomplete', 'cmi.suspend_data': `læring ${i}.${seq}` } })));
    // The first commits read their SCO's state; the second ones build on what this process wrote
    // and reach the writer in the same turn of the event loop.
    expect((await commitAll(1)).every((a) => a.result && a.status === 200)).toBe(true);
    const before = counting.writes();
    expect((await commitAll(2)).every((a) => a.result && a.status === 200)).toBe(true);
    expect(counting.writes() - before).toBe(1);
    for (const [i, l] of learners.entries()) {
      expect(await storedState(l.attemptId)).toEqual({ lastSeq: 2, commits: 2, suspend: `læring ${i}.2`, history: [1, 2] });
    }
    expect(tenantId).toBeTruthy();
  });

  it('a commit whose guard no longer matches is not written, and the others in its statement are', async () => {
    const { tenantId, learners } = await launchedLearners(3);
    const writer = new CommitWriter(testDb.database.db);
    const [a, b, c] = learners;
    const results = await Promise.all([
      writer.write(write(a!.attemptId, tenantId, a!.session, 0, 1, 'a')),
      // Built on a state this SCO never had (another window or process got there first).
      writer.write(write(b!.attemptId, tenantId, b!.session, 7, 8, 'b')),
      writer.write(write(c!.attemptId, tenantId, c!.session + 1, 0, 1, 'c')),
    ]);
    expect(results).toEqual([true, false, false]);
    expect(await storedState(a!.attemptId)).toEqual({ lastSeq: 1, commits: 1, suspend: 'a', history: [1] });
    expect(await storedState(b!.attemptId)).toEqual({ lastSeq: 0, commits: 0, suspend: undefined, history: [] });
    expect(await storedState(c!.attemptId)).toEqual({ lastSeq: 0, commits: 0, suspend: undefined, history: [] });
  });

  it('a commit the database refuses fails alone; the commits that arrived with it are stored', async () => {
    const { tenantId, learners } = await launchedLearners(3);
    const writer = new CommitWriter(testDb.database.db);
    const [a, b, c] = learners;
    const results = await Promise.allSettled([
      writer.write(write(a!.attemptId, tenantId, a!.session, 0, 1, 'a')),
      // Its history row names a tenant that does not exist: the whole statement is refused.
      writer.write(write(b!.attemptId, '00000000-0000-4000-8000-000000000000', b!.session, 0, 1, 'b')),
      writer.write(write(c!.attemptId, tenantId, c!.session, 0, 1, 'c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await storedState(a!.attemptId)).toMatchObject({ lastSeq: 1, history: [1] });
    // Nothing half-written: neither the state nor the history of the refused commit.
    expect(await storedState(b!.attemptId)).toEqual({ lastSeq: 0, commits: 0, suspend: undefined, history: [] });
    expect(await storedState(c!.attemptId)).toMatchObject({ lastSeq: 1, history: [1] });
  });

  it('two commits of one SCO are written one after the other, in the order they came', async () => {
    const { tenantId, learners } = await launchedLearners(1);
    const writer = new CommitWriter(testDb.database.db);
    const [a] = learners;
    const results = await Promise.all([
      writer.write(write(a!.attemptId, tenantId, a!.session, 0, 1, 'first')),
      writer.write(write(a!.attemptId, tenantId, a!.session, 1, 2, 'second')),
      writer.write(write(a!.attemptId, tenantId, a!.session, 2, 3, 'third')),
    ]);
    expect(results).toEqual([true, true, true]);
    expect(await storedState(a!.attemptId)).toEqual({ lastSeq: 3, commits: 3, suspend: 'third', history: [1, 2, 3] });
  });

  it('many commits of many SCOs at once: each acknowledged commit is stored exactly once', async () => {
    const { learners } = await launchedLearners(8);
    const runtime = new ScormRuntime({ db: testDb.database.db, tokens: attemptTokens('test-secret-test-secret-test-secret-1234'), logger: createLogger('silent') });
    const rounds = 6;
    const acks = await Promise.all(
      learners.flatMap((l) =>
        Array.from({ length: rounds }, (_, r) =>
          runtime.commit(l.claims, 'item-brannvern', { session: l.session, seq: r + 1, cmi: { 'cmi.core.lesson_location': String(r + 1) } }),
        ),
      ),
    );
    expect(acks.every((a) => a.result)).toBe(true);
    for (const l of learners) {
      const state = await storedState(l.attemptId);
      // Commits of one window may overtake each other; a lower seq after a higher one is a repeat.
      expect(state.lastSeq).toBe(rounds);
      expect(new Set(state.history).size).toBe(state.history.length);
      const row = await testDb.database.db.selectFrom('scorm_sco_states').select('cmi').where('attempt_id', '=', l.attemptId).executeTakeFirstOrThrow();
      expect(row.cmi['cmi.core.lesson_location']).toBe(String(rounds));
    }
  });
});
