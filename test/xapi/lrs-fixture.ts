import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createPerson, type Person } from '../../src/people/people.js';
import { createXapiClient, type XapiScope } from '../../src/xapi/credentials.js';
import { xapiRouter } from '../../src/web/xapi/router.js';
import { testApp, testConfig } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export interface Credentials {
  key: string;
  secret: string;
}

export interface LrsFixture {
  testDatabase: TestDatabase;
  app: Express;
  publicUrl: string;
  tenantA: string;
  tenantB: string;
  /** A client of tenant A with scope "all". */
  a: Credentials;
  /** A client of tenant B with scope "all". */
  b: Credentials;
  client(tenantId: string, scopes: XapiScope[]): Promise<Credentials>;
  person(tenantId: string, email?: string): Promise<Person>;
  /** The xAPI actor of one of our own learners. */
  actorOf(person: Person): Record<string, unknown>;
  dispose(): Promise<void>;
}

export const VERSION_HEADER = { 'X-Experience-API-Version': '1.0.3' };

export async function createLrsFixture(options: { maxPageSize?: number } = {}): Promise<LrsFixture> {
  const testDatabase = await createTestDatabase();
  const { db } = testDatabase.database;
  const config = testConfig({ PUBLIC_URL: 'https://laering.example.no' });
  const tenant = async (kommunenummer: string, name: string) =>
    (await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer, name }).returning('id').executeTakeFirstOrThrow()).id;
  const tenantA = await tenant('0301', 'Oslo');
  const tenantB = await tenant('4601', 'Bergen');
  const client = async (tenantId: string, scopes: XapiScope[]) => {
    const created = await createXapiClient(db, { tenantId, name: `client ${randomUUID().slice(0, 8)}`, scopes });
    return { key: created.client.key, secret: created.secret };
  };
  const app = testApp(testDatabase.database, {
    config,
    routers: [xapiRouter({ db, publicUrl: config.publicUrl, bodyLimitBytes: config.bodyLimitBytes, ...(options.maxPageSize ? { maxPageSize: options.maxPageSize } : {}) })],
  });
  return {
    testDatabase,
    app,
    publicUrl: config.publicUrl,
    tenantA,
    tenantB,
    a: await client(tenantA, ['all']),
    b: await client(tenantB, ['all']),
    client,
    person: (tenantId, email) => createPerson(db, tenantId, { name: 'Kari Nordmann', email: email ?? null }),
    actorOf: (person) => ({ objectType: 'Agent', account: { homePage: config.publicUrl, name: person.id } }),
    dispose: () => testDatabase.dispose(),
  };
}

/** A valid statement about `actor`, with a fresh id unless told otherwise. */
export function statementAbout(actor: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    actor,
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'nb-NO': 'fullførte', 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: 'https://laering.example.no/paths/forstehjelp', definition: { name: { 'nb-NO': 'Førstehjelp' } } },
    ...overrides,
  };
}

export function as(app: Express, credentials: Credentials) {
  const agent = request(app);
  const wrap = (test: request.Test) => test.auth(credentials.key, credentials.secret).set(VERSION_HEADER);
  return {
    get: (url: string) => wrap(agent.get(url)),
    head: (url: string) => wrap(agent.head(url)),
    post: (url: string) => wrap(agent.post(url)),
    put: (url: string) => wrap(agent.put(url)),
    delete: (url: string) => wrap(agent.delete(url)),
  };
}

export function query(params: Record<string, string | object>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
}
