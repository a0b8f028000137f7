import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../src/db/schema.js';
import { SecretBox } from '../../src/lti/secret-box.js';
import { enrol } from '../../src/paths/enrolments.js';
import { EvaluationPool, RELEASE_INTERVAL_MS, RELEASE_MINIMUM } from '../../src/paths/evaluation-pool.js';
import { evaluationReport } from '../../src/paths/evaluations.js';
import type { Clock } from '../../src/paths/ports.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, parallelDatabase, person, publishedPath, type World } from './fixtures.js';

const evaluation = {
  type: 'evaluation' as const, title: 'Hva syntes du?', required: true,
  config: { questions: [
    { id: 'nytte', kind: 'scale' as const, text: 'Hvor nyttig var kurset?', min: 1 as const, max: 5 },
    { id: 'kommentar', kind: 'text' as const, text: 'Noe du vil si?', maxLength: 200 },
  ] },
};

const seal = new SecretBox('test-secret-for-evaluation-answers', 'evaluation-answers');
const HOUR = 60 * 60 * 1000;

class TestClock implements Clock {
  constructor(public current: Date) {}
  now(): Date { return this.current; }
  advance(ms: number): void { this.current = new Date(this.current.getTime() + ms); }
}

interface RowSeen { table: string; xmin: string; text: string }

/** Every row of every table, with its transaction id and its text, as an operator with SQL access reads them. */
async function everyRow(db: Kysely<Schema>): Promise<RowSeen[]> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
  const seen: RowSeen[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ xmin: string; text: string }>`select t.xmin::text as xmin, t::text as text from ${sql.table(name)} as t`.execute(db);
    seen.push(...rows.map((r) => ({ table: name, ...r })));
  }
  return seen;
}

describe(`anonymous evaluations against the database and the clock (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: World;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await createWorld(testDb.database.db);
  });
  afterAll(() => testDb.dispose());

  const learners = async (pathId: string, n: number) => {
    const db = testDb.database.db;
    return Promise.all(Array.from({ length: n }, async () => {
      const personId = await person(db, world.inRegion);
      return { personId, ...(await enrol(db, world.inRegion, { personId, pathId })) };
    }));
  };

  /**
   * What an operator finds after a release: the answers' text only in the answers table; the answer
   * rows written by one transaction that wrote nothing about a person; on disk in an order other
   * than the one they were given in; random ids; no time but the release's day.
   */
  async function operatorFindsNoLink(pathId: string, markersInOrderGiven: string[], releasedOn: string) {
    const db = testDb.database.db;
    const { rows: answers } = await sql<{ xmin: string; ctid: string; id: string; marker: string; released_on: string }>`
      select xmin::text as xmin, ctid::text as ctid, id::text as id, left(answers->>'kommentar', 41) as marker, released_on::text as released_on
      from path_evaluation_answers where path_id = ${pathId} order by ctid`.execute(db);
    expect(answers.map((a) => a.marker).sort()).toEqual([...markersInOrderGiven].sort());
    // Physical order is not the order given (odds of a random match: 1 in 8!).
    expect(answers.map((a) => a.marker)).not.toEqual(markersInOrderGiven);
    // One transaction wrote them all: the release's, which touched no row about a person.
    const releaseXid = answers[0]!.xmin;
    expect(new Set(answers.map((a) => a.xmin))).toEqual(new Set([releaseXid]));
    const rows = await everyRow(db);
    const sameTransaction = rows.filter((r) => r.xmin === releaseXid).map((r) => r.table);
    expect(new Set(sameTransaction)).toEqual(new Set(['path_evaluation_answers', 'path_evaluation_releases']));
    // The answers' words are nowhere else: not in the outbox, progress, receipts or the pool.
    for (const marker of markersInOrderGiven) {
      expect(rows.filter((r) => r.text.includes(marker)).map((r) => r.table)).toEqual(['path_evaluation_answers']);
    }
    expect(await db.selectFrom('path_evaluation_pending').select('id').where('path_id', '=', pathId).execute()).toEqual([]);
    // Random (version 4) ids, and no time but the release's day.
    for (const a of answers) expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(answers.map((a) => a.released_on))).toEqual(new Set([releasedOn]));
    const { rows: columns } = await sql<{ name: string; type: string }>`
      select column_name as name, data_type as type from information_schema.columns
      where table_schema = 'public' and table_name = 'path_evaluation_answers' order by column_name`.execute(db);
    expect(columns).toEqual([
      { name: 'answers', type: 'jsonb' }, { name: 'id', type: 'uuid' }, { name: 'path_id', type: 'uuid' },
      { name: 'released_on', type: 'date' }, { name: 'step_id', type: 'uuid' }, { name: 'tenant_id', type: 'uuid' },
    ]);
  }

  /** Before a release the answers are in the pool, sealed: nothing in the database shows their words. */
  async function nothingReadableBeforeRelease(markers: string[]) {
    const rows = await everyRow(testDb.database.db);
    for (const marker of markers) expect(rows.filter((r) => r.text.includes(marker))).toEqual([]);
  }

  it('answers given one at a time: an operator finds no link from an answer to the person who gave it', async () => {
    const db = testDb.database.db;
    const clock = new TestClock(new Date('2026-11-02T09:00:00Z'));
    const pool = new EvaluationPool({ db, seal, clock });
    const { pathId, stepIds } = await publishedPath(db, world, [evaluation]);
    const markers: string[] = [];
    // Comments of every length, up to the longest the question takes in the widest characters.
    const padding = ['', 'kort', 'litt lengre kommentar', '€'.repeat(150), '"\\'.repeat(60), '😀'.repeat(70), 'æ\r\nø'.repeat(30), ''];
    for (const [i, learner] of (await learners(pathId, 8)).entries()) {
      const marker = `svar-${randomUUID()}`;
      markers.push(marker);
      await pool.answer(world.inRegion, { enrolmentId: learner.enrolmentId, stepId: stepIds[0]!, idempotencyKey: `eval-${i}`, answers: { nytte: 1 + (i % 5), kommentar: `${marker}${padding[i]}`.slice(0, 200) } });
      clock.advance(7 * 60 * 1000);
    }
    await nothingReadableBeforeRelease(markers);
    // Sealing keeps lengths: every pending row of the step is as long as every other.
    const sealed = await db.selectFrom('path_evaluation_pending').select('sealed').where('path_id', '=', pathId).execute();
    expect(sealed).toHaveLength(8);
    expect(new Set(sealed.map((row) => row.sealed.length)).size).toBe(1);
    expect(await pool.releaseStep(pathId, stepIds[0]!)).toBe(8);
    await operatorFindsNoLink(pathId, markers, '2026-11-02');
  });

  it('answers given at the same time: the same, and two releases running at once release them once', async () => {
    const db = testDb.database.db;
    const parallel = parallelDatabase(testDb);
    try {
      const clock = new TestClock(new Date('2026-11-03T09:00:00Z'));
      const pool = new EvaluationPool({ db: parallel.database.db, seal, clock });
      const { pathId, stepIds } = await publishedPath(db, world, [evaluation]);
      const enrolled = await learners(pathId, 12);
      const markers = enrolled.map(() => `svar-${randomUUID()}`);
      await Promise.all(enrolled.map((learner, i) => pool.answer(world.inRegion, {
        enrolmentId: learner.enrolmentId, stepId: stepIds[0]!, idempotencyKey: `eval-${i}`, answers: { nytte: 3, kommentar: markers[i]! },
      })));
      await nothingReadableBeforeRelease(markers);
      const releases = await Promise.all([pool.releaseStep(pathId, stepIds[0]!), pool.releaseStep(pathId, stepIds[0]!)]);
      expect(releases.sort()).toEqual([0, 12]);
      // Given at once, there is no order given to compare with: the order of the markers stands in for it.
      await operatorFindsNoLink(pathId, markers, '2026-11-03');
    } finally {
      await parallel.close();
    }
  });

  it('a designer cannot match a single new answer to a completion time: the report changes only in releases of five or more, at most daily', async () => {
    const db = testDb.database.db;
    const clock = new TestClock(new Date('2026-11-04T08:00:00Z'));
    const pool = new EvaluationPool({ db, seal, clock });
    const { pathId, stepIds } = await publishedPath(db, world, [evaluation]);
    const enrolled = await learners(pathId, 16);
    let given = 0;
    const answerNext = async (value: number) => {
      const learner = enrolled[given]!;
      given += 1;
      await pool.answer(world.inRegion, { enrolmentId: learner.enrolmentId, stepId: stepIds[0]!, idempotencyKey: `eval-${given}`, answers: { nytte: value, kommentar: `Svar ${given}` } });
      clock.advance(HOUR);
    };
    const report = () => evaluationReport(db, world.inRegion, pathId, stepIds[0]!);

    for (let i = 0; i < RELEASE_MINIMUM - 1; i += 1) await answerNext(4);
    expect(await pool.releaseDue()).toEqual([]);
    expect(await report()).toEqual({ status: 'too-few-answers', minimum: 5, releasedOn: null });
    await answerNext(2);
    expect(await pool.releaseDue()).toEqual([{ pathId, stepId: stepIds[0]!, answers: 5 }]);
    const first = await report();
    expect(first).toMatchObject({ status: 'ready', respondents: 5, releasedOn: '2026-11-04' });

    // The sixth learner completes (the gradebook shows when): the report does not move.
    await answerNext(5);
    expect(await pool.releaseDue()).toEqual([]);
    expect(await report()).toEqual(first);
    // Five new answers, but within a day of the last release: still nothing new.
    for (let i = 0; i < 4; i += 1) await answerNext(1);
    expect(await pool.releaseDue()).toEqual([]);
    expect(await report()).toEqual(first);

    // A day after the last release, the five new answers come together.
    clock.current = new Date(Date.parse('2026-11-04T13:00:00Z') + RELEASE_INTERVAL_MS);
    expect(await pool.releaseDue()).toEqual([{ pathId, stepId: stepIds[0]!, answers: 5 }]);
    const second = await report();
    expect(second).toMatchObject({ status: 'ready', respondents: 10, releasedOn: '2026-11-05' });
    // One more completion, days later: alone it is never released, however long it waits.
    await answerNext(3);
    clock.advance(3 * RELEASE_INTERVAL_MS);
    expect(await pool.releaseDue()).toEqual([]);
    expect(await report()).toEqual(second);
    // What the designer sees of a release is a group of five or more: its values, not whose.
    if (second.status !== 'ready' || first.status !== 'ready') throw new Error('report not ready');
    expect(second.questions[0]).toMatchObject({ kind: 'scale', answers: 10, distribution: { 1: 4, 2: 1, 3: 0, 4: 4, 5: 1 } });
  });

  it('a pending answer moved to another step in the database is not opened there, and nothing pending is lost', async () => {
    const db = testDb.database.db;
    const clock = new TestClock(new Date('2026-11-06T09:00:00Z'));
    const pool = new EvaluationPool({ db, seal, clock });
    const { pathId, stepIds } = await publishedPath(db, world, [evaluation, { ...evaluation, title: 'Og dette?' }]);
    for (const [i, learner] of (await learners(pathId, 5)).entries()) {
      await pool.answer(world.inRegion, { enrolmentId: learner.enrolmentId, stepId: stepIds[0]!, idempotencyKey: `eval-${i}`, answers: { nytte: 4 } });
    }
    const sealed = await db.selectFrom('path_evaluation_pending').select(['tenant_id', 'sealed']).where('step_id', '=', stepIds[0]!).execute();
    await db.insertInto('path_evaluation_pending').values(sealed.map((row) => ({ ...row, path_id: pathId, step_id: stepIds[1]! }))).execute();
    await expect(pool.releaseStep(pathId, stepIds[1]!)).rejects.toThrow('sealed for another step');
    expect(await db.selectFrom('path_evaluation_pending').select('id').where('step_id', '=', stepIds[1]!).execute()).toHaveLength(5);
    expect(await db.selectFrom('path_evaluation_answers').select('id').where('path_id', '=', pathId).execute()).toEqual([]);
    // A pool with another secret cannot open them either.
    const otherSecret = new EvaluationPool({ db, seal: new SecretBox('another-secret', 'evaluation-answers'), clock });
    await expect(otherSecret.releaseStep(pathId, stepIds[0]!)).rejects.toThrow();
    expect(await pool.releaseStep(pathId, stepIds[0]!)).toBe(5);
  });
});
