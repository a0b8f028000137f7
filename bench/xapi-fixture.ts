import pg from 'pg';
import { openPostgres } from '../src/db/postgres.js';
import { createXapiClient, type XapiScope } from '../src/xapi/credentials.js';

/** Shared by the xapi-* scenarios: a tenant with a client, and the raw insert rate to compare against. */
export async function benchClient(databaseUrl: string, scopes: XapiScope[] = ['all']): Promise<{ tenantId: string; authorization: string; clientId: string }> {
  const database = openPostgres({ connectionString: databaseUrl, poolMax: 2 });
  try {
    const existing = await database.db.selectFrom('tenants').select('id').where('kommunenummer', '=', '0301').executeTakeFirst();
    const tenantId =
      existing?.id ??
      (await database.db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: '0301', name: 'Oslo' }).returning('id').executeTakeFirstOrThrow()).id;
    const { client, secret } = await createXapiClient(database.db, { tenantId, name: 'bench', scopes });
    return { tenantId, clientId: client.id, authorization: `Basic ${Buffer.from(`${client.key}:${secret}`).toString('base64')}` };
  } finally {
    await database.close();
  }
}

export function benchStatement(index: number): Record<string, unknown> {
  return {
    actor: { objectType: 'Agent', mbox: `mailto:learner${index % 1000}@oslo.kommune.no` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'nb-NO': 'fullførte' } },
    object: { id: `https://laering.example.no/activities/${index % 50}`, definition: { name: { 'nb-NO': 'Førstehjelp' } } },
    result: { success: true, completion: true, score: { scaled: 0.9 } },
    context: { registration: '4f1c0e8a-9f3b-4b6e-9d55-1f2a3b4c5d6e', contextActivities: { parent: [{ id: 'https://laering.example.no/paths/1' }] } },
  };
}

/**
 * The raw rate: the same rows (statement JSON and the extracted columns) inserted straight into
 * PostgreSQL from one process, `batchSize` rows per INSERT, for `seconds`.
 */
export async function rawInsertRate(databaseUrl: string, tenantId: string, clientId: string, batchSize: number, seconds: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let rows = 0;
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let i = 0; i < batchSize; i += 1) {
        const statement = { ...benchStatement(rows + i), id: crypto.randomUUID() };
        const base = values.length;
        values.push(statement.id, tenantId, clientId, JSON.stringify(statement), `mbox:mailto:learner${(rows + i) % 1000}@oslo.kommune.no`,
          'http://adlnet.gov/expapi/verbs/completed', `https://laering.example.no/activities/${(rows + i) % 50}`);
        tuples.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, now(), $${base + 5}, $${base + 6}, $${base + 7}, false, array[$${base + 5}], array[$${base + 7}])`);
      }
      await client.query(
        `insert into xapi_statements (statement_id, tenant_id, client_id, statement, stored, actor_key, verb_id, object_activity_id, is_voiding, related_agent_keys, related_activity_ids) values ${tuples.join(', ')}`,
        values,
      );
      rows += batchSize;
    }
    return Math.round(rows / seconds);
  } finally {
    await client.end();
  }
}

export function seconds(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
