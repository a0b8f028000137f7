import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, readMigrationFiles } from '../../src/db/migrations.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Migration 0303 on data stored under the earlier rule: statements stay with the tenant that stored
 * them, and a statement voided by another tenant's voiding statement is voided no more.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
});
afterAll(() => t.dispose());

it('keeps every statement with its storing tenant and undoes voiding across tenants', async () => {
  const files = readMigrationFiles();
  await migrate(t.database, files.filter((file) => file.name < '0303'));
  const { db } = t.database;
  const tenant = async (kommunenummer: string) =>
    (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer, name: `K ${kommunenummer}` }).returning('id').executeTakeFirstOrThrow()).id;
  const oslo = await tenant('0301');
  const bergen = await tenant('4601');
  const client = async (tenantId: string) =>
    (await sql<{ id: string }>`insert into xapi_clients (tenant_id, name, key, secret_hash, scopes)
      values (${tenantId}, 'c', ${randomUUID()}, 'x', '{all}') returning id`.execute(db)).rows[0]!.id;
  const osloClient = await client(oslo);
  const bergenClient = await client(bergen);
  const insert = async (tenantId: string, clientId: string, voids?: string, voided = false) => {
    const id = randomUUID();
    await sql`insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, verb_id, object_statement_ref, is_voiding, voided, related_agent_keys, related_activity_ids)
      values (${id}, ${tenantId}, ${clientId}, ${JSON.stringify({ id })}::jsonb, now(), ${voids ? 'http://adlnet.gov/expapi/verbs/voided' : 'v'}, ${voids ?? null}, ${voids !== undefined}, ${voided}, '{}', '{}')`.execute(db);
    return id;
  };
  const voidedAcross = await insert(oslo, osloClient, undefined, true);
  await insert(bergen, bergenClient, voidedAcross);
  const voidedWithin = await insert(oslo, osloClient, undefined, true);
  await insert(oslo, osloClient, voidedWithin);

  await migrate(t.database, files);
  const rows = await db.selectFrom('xapi_statements').select(['statement_id', 'tenant_id', 'voided']).execute();
  const byId = new Map(rows.map((row) => [row.statement_id, row]));
  expect(byId.get(voidedAcross)).toMatchObject({ tenant_id: oslo, voided: false });
  expect(byId.get(voidedWithin)).toMatchObject({ tenant_id: oslo, voided: true });
  // The same id may now be stored by another tenant; within one tenant it stays unique.
  await insert(bergen, bergenClient).then(() => undefined);
  await sql`insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, verb_id, related_agent_keys, related_activity_ids)
    values (${voidedAcross}, ${bergen}, ${bergenClient}, '{}'::jsonb, now(), 'v', '{}', '{}')`.execute(db);
  await expect(sql`insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, verb_id, related_agent_keys, related_activity_ids)
    values (${voidedAcross}, ${oslo}, ${osloClient}, '{}'::jsonb, now(), 'v', '{}', '{}')`.execute(db)).rejects.toThrow();
});
