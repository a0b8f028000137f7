import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMED_COLUMNS, PERSON_REFERENCES, type PersonColumn } from '../../src/privacy/person-data.js';
import { collectPersonData } from '../../src/privacy/export.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { PUBLIC_URL, seedPerson } from './support.js';

const key = (c: { table: string; column: string }) => `${c.table}.${c.column}`;

// Every column that references people(id), and every column named like a name or an e-mail
// address, read from the database's own catalogue: a table added later without saying what the
// export and the erasure do with it fails here.
describe(`every place a person is kept is exported and erased (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  const db = () => testDb.database.db;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => testDb?.dispose());

  async function catalogue() {
    const references = await sql<{ table: string; column: string }>`
      select c.conrelid::regclass::text as table, a.attname as column
        from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
       where c.contype = 'f' and c.confrelid = 'people'::regclass order by 1, 2`.execute(db());
    const named = await sql<{ table: string; column: string }>`
      select table_name as table, column_name as column from information_schema.columns
       where table_schema = current_schema() and (column_name ~* 'name' or column_name ~* 'e?-?mail') order by 1, 2`.execute(db());
    return { references: references.rows, named: named.rows };
  }

  it('the catalogue and the list in src/privacy/person-data.ts are the same', async () => {
    const { references, named } = await catalogue();
    expect(references.length).toBeGreaterThan(10);
    expect(references.map(key).sort()).toEqual(PERSON_REFERENCES.map(key).sort());
    expect(named.map(key).sort()).toEqual(NAMED_COLUMNS.map(key).sort());
  });

  it('fails for a table that is not listed (shown with a table made for the test)', async () => {
    await sql`create table privacy_coverage_probe (person_id uuid references people (id), contact_email text)`.execute(db());
    try {
      const { references, named } = await catalogue();
      const missing = [...references.filter((c) => !PERSON_REFERENCES.some((p) => key(p) === key(c))), ...named.filter((c) => !NAMED_COLUMNS.some((p) => key(p) === key(c)))];
      expect(missing.map(key)).toEqual(['privacy_coverage_probe.person_id', 'privacy_coverage_probe.contact_email']);
    } finally {
      await sql`drop table privacy_coverage_probe`.execute(db());
    }
  });

  it('every listed people(id) column is a section of the export, and every personal one is erased or kept by a stated rule', async () => {
    const s = await seedPerson(db());
    const data = await collectPersonData(db(), s.world.inRegion, s.person, PUBLIC_URL);
    const check = (c: PersonColumn) => {
      if (c.erasure.kind === 'not-personal') return expect(c.section).toBeNull();
      expect(c.erasure.why.length).toBeGreaterThan(5);
      if (c.table === 'people') return expect(data!.person).toBeDefined();
      expect(Object.keys(data!.sections)).toContain(c.section);
    };
    for (const c of [...PERSON_REFERENCES, ...NAMED_COLUMNS]) check(c);
  });
});
