import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, personActor, recordAudit } from '../../src/audit/audit-log.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

describe(`audit log (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let tenantId: string;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const tenant = await testDb.database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow();
    tenantId = tenant.id;
  });
  afterAll(async () => testDb.dispose());

  it('appends events and refuses to change or remove them, whoever asks', async () => {
    await recordAudit(testDb.database.db, { tenantId, actor: OPERATOR, action: 'org.import.applied', object: { kind: 'org-import', id: 'x' }, details: { added: 3 } });
    const person = await testDb.database.db.insertInto('people').values({ tenant_id: tenantId }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(testDb.database.db, { tenantId, actor: personActor(person.id), action: 'person.viewed', subjectPersonId: person.id });
    const rows = await testDb.database.db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
    expect(rows.map((r) => [r.action, r.actor_kind, r.details])).toEqual([
      ['org.import.applied', 'operator', { added: 3 }],
      ['person.viewed', 'person', {}],
    ]);

    await expect(sql`update audit_events set action = 'person.erased'`.execute(testDb.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events`.execute(testDb.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`.execute(testDb.database.db)).rejects.toThrow(/append-only/);
    expect(await testDb.database.db.selectFrom('audit_events').select('id').where('tenant_id', '=', tenantId).execute()).toHaveLength(2);
  });

  it('refuses an action that is not a dotted verb', async () => {
    await expect(recordAudit(testDb.database.db, { tenantId, actor: OPERATOR, action: 'Viewed person' })).rejects.toThrow();
  });
});
