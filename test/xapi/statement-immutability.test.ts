import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createLrsFixture, statementAbout, type LrsFixture } from './lrs-fixture.js';

let f: LrsFixture;
beforeAll(async () => {
  f = await createLrsFixture();
});
afterAll(() => f.dispose());

describe('statements are immutable once stored (Part Two §2.3.1), enforced by the database', () => {
  it('refuses changing a stored statement or un-voiding it, and allows voiding', async () => {
    const statement = statementAbout({ mbox: 'mailto:a@b.no' });
    await as(f.app, f.a).post('/xapi/statements').send(statement).expect(200);
    const { db } = f.testDatabase.database;
    const id = statement['id'] as string;
    await expect(
      db.updateTable('xapi_statements').set({ statement: JSON.stringify({ ...statement, verb: { id: 'https://x.no/changed' } }) }).where('statement_id', '=', id).execute(),
    ).rejects.toThrow(/immutable/);
    await expect(db.updateTable('xapi_statements').set({ stored: new Date(0) }).where('statement_id', '=', id).execute()).rejects.toThrow(/immutable/);
    await db.updateTable('xapi_statements').set({ voided: true }).where('statement_id', '=', id).execute();
    await expect(db.updateTable('xapi_statements').set({ voided: false }).where('statement_id', '=', id).execute()).rejects.toThrow(/immutable/);
    const row = await sql<{ verb: string }>`select statement->'verb'->>'id' as verb from xapi_statements where statement_id = ${id}`.execute(db);
    expect(row.rows[0]?.verb).toBe((statement['verb'] as { id: string }).id);
  });
});
