import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, readMigrationFiles } from '../../src/db/migrations.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, person, publishedPath } from './fixtures.js';

const evaluation = {
  type: 'evaluation' as const, title: 'Hva syntes du?', required: true,
  config: { questions: [{ id: 'nytte', kind: 'scale' as const, text: 'Nyttig?', min: 1 as const, max: 5 }] },
};

describe(`migration 0420: answers given before releases (${BACKEND})`, () => {
  const opened: TestDatabase[] = [];
  afterAll(async () => {
    for (const testDb of opened) await testDb.dispose();
  });

  it('rewrites old answers as released today, apart from their respondents’ transactions, without version or answer date', async () => {
    const testDb = await createTestDatabase({ migrate: false });
    opened.push(testDb);
    const files = readMigrationFiles();
    await migrate(testDb.database, files.filter((f) => f.name < '0420'));
    const db = testDb.database.db;
    const world = await createWorld(db);
    const { pathId, versionId, stepIds } = await publishedPath(db, world, [evaluation]);
    // As the engine wrote them before: respondent and answer in one transaction, dated the day.
    for (let i = 0; i < 6; i += 1) {
      const personId = await person(db, world.inRegion);
      await db.transaction().execute(async (trx) => {
        await sql`insert into path_evaluation_respondents (path_id, step_id, person_id, tenant_id) values (${pathId}, ${stepIds[0]!}, ${personId}, ${world.inRegion})`.execute(trx);
        await sql`insert into path_evaluation_answers (tenant_id, path_id, version_id, step_id, answers, answered_on)
          values (${world.inRegion}, ${pathId}, ${versionId}, ${stepIds[0]!}, ${JSON.stringify({ nytte: 1 + (i % 5) })}::jsonb, ${`2026-03-0${i + 1}`}::date)`.execute(trx);
      });
    }
    await migrate(testDb.database, files);

    const { rows: answers } = await sql<{ xmin: string; released_on: string }>`
      select xmin::text as xmin, released_on::text as released_on from path_evaluation_answers where path_id = ${pathId}`.execute(db);
    expect(answers).toHaveLength(6);
    const { rows: today } = await sql<{ day: string }>`select current_date::text as day`.execute(db);
    expect(new Set(answers.map((a) => a.released_on))).toEqual(new Set([today[0]!.day]));
    const { rows: respondents } = await sql<{ xmin: string }>`select xmin::text as xmin from path_evaluation_respondents where path_id = ${pathId}`.execute(db);
    expect(respondents).toHaveLength(6);
    const respondentXids = new Set(respondents.map((r) => r.xmin));
    expect(answers.filter((a) => respondentXids.has(a.xmin))).toEqual([]);
    expect(await db.selectFrom('path_evaluation_releases').select(['answers']).where('path_id', '=', pathId).execute()).toEqual([{ answers: 6 }]);
    const { rows: old } = await sql<{ present: boolean }>`select to_regclass('path_evaluation_answers_before_releases') is not null as present`.execute(db);
    expect(old[0]!.present).toBe(false);
  });
});
