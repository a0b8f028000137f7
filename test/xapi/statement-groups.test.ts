import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/people/people.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { XapiError } from '../../src/xapi/errors.js';
import { StatementGroups } from '../../src/xapi/statement-groups.js';
import { storeStatements } from '../../src/xapi/statement-store.js';
import { XapiInvalid } from '../../src/xapi/validation/invalid.js';
import { ownTenantReader, type Reader } from '../../src/xapi/visibility.js';
import { as, createLrsFixture, query, statementAbout, type Credentials, type LrsFixture } from './lrs-fixture.js';

/**
 * Group commit: single-statement writes that arrive together are stored by one INSERT. Each request
 * keeps its own answer: a conflict, a repeated id or a statement the database refuses in one request
 * never fails another, and voiding and tenant scoping hold as for writes stored alone.
 *
 * The writes of a test are started in the same tick against a StatementGroups that writes one group
 * at a time, so they form one group; `stats` shows that they did.
 */
let f: LrsFixture;
let kari: Person;
let ola: Person;
let oslo: { reader: Reader; credentials: Credentials };
let bergen: { reader: Reader; credentials: Credentials };
beforeAll(async () => {
  f = await createLrsFixture();
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  ola = await f.person(f.tenantB, 'ola@bergen.kommune.no');
  const client = async (tenantId: string) => {
    const created = await createXapiClient(f.testDatabase.database.db, { tenantId, name: `grouped ${randomUUID().slice(0, 8)}`, scopes: ['all'] });
    return { reader: ownTenantReader(created.client, f.publicUrl), credentials: { key: created.client.key, secret: created.secret } };
  };
  oslo = await client(f.tenantA);
  bergen = await client(f.tenantB);
});
afterAll(() => f.dispose());

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

function groups(): StatementGroups {
  return new StatementGroups(f.testDatabase.database.db, { inFlight: 1, statements: 1000 });
}

/** Starts every write in the same tick; each settles on its own. */
function writeTogether(into: StatementGroups, writes: { reader: Reader; statements: Record<string, unknown>[] }[]) {
  return Promise.allSettled(writes.map((w) => storeStatements(f.testDatabase.database.db, into, w.reader, w.statements, new Map())));
}

async function stored(credentials: Credentials, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await as(f.app, credentials).get(`/xapi/statements?statementId=${id}`);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

describe('grouped statement writes', () => {
  it('stores concurrent writes by one INSERT, each answered with its own ids', async () => {
    const into = groups();
    const statements = Array.from({ length: 5 }, () => statementAbout(f.actorOf(kari)));
    const results = await writeTogether(into, statements.map((s) => ({ reader: oslo.reader, statements: [s] })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual(statements.map((s) => [s['id']]));
    expect(into.stats).toEqual({ groups: 1, writes: 5, retriedAlone: 0 });
    for (const s of statements) expect((await stored(oslo.credentials, s['id'] as string)).status).toBe(200);
  });

  it('a conflicting statement id fails only its own request (409); the others are stored', async () => {
    const held = statementAbout(f.actorOf(kari));
    await as(f.app, oslo.credentials).post('/xapi/statements').send(held).expect(200);
    const conflicting = { ...statementAbout(f.actorOf(kari), { verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } }), id: held['id'] };
    const resent = { ...held };
    const others = [statementAbout(f.actorOf(kari)), statementAbout(f.actorOf(kari))];
    const into = groups();
    const [first, conflict, second, again] = await writeTogether(into, [
      { reader: oslo.reader, statements: [others[0]!] },
      { reader: oslo.reader, statements: [conflicting] },
      { reader: oslo.reader, statements: [others[1]!] },
      { reader: oslo.reader, statements: [resent] },
    ]);
    expect(into.stats.groups).toBe(1);
    expect(into.stats.retriedAlone).toBe(4);
    expect(first).toEqual({ status: 'fulfilled', value: [others[0]!['id']] });
    expect(second).toEqual({ status: 'fulfilled', value: [others[1]!['id']] });
    // The same statement sent again is accepted (§2.1.1), a different one under the same id is a 409.
    expect(again).toEqual({ status: 'fulfilled', value: [held['id']] });
    expect(conflict?.status).toBe('rejected');
    expect((conflict as PromiseRejectedResult).reason).toBeInstanceOf(XapiError);
    expect(((conflict as PromiseRejectedResult).reason as XapiError).kind).toBe('conflict');
    expect(((await stored(oslo.credentials, held['id'] as string)).body['verb'] as { id: string }).id).toBe('http://adlnet.gov/expapi/verbs/completed');
  });

  it('the same new id twice in one group: stored once; the same content is accepted twice, a different one is a 409', async () => {
    const statement = statementAbout(f.actorOf(kari));
    const into = groups();
    const same = await writeTogether(into, [
      { reader: oslo.reader, statements: [statement] },
      { reader: oslo.reader, statements: [{ ...statement }] },
      { reader: oslo.reader, statements: [statementAbout(f.actorOf(kari))] },
    ]);
    expect(into.stats.groups).toBe(1);
    expect(same.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const count = await f.testDatabase.database.db
      .selectFrom('xapi_statements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('statement_id', '=', statement['id'] as string)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);

    const a = statementAbout(f.actorOf(kari), { verb: { id: 'http://adlnet.gov/expapi/verbs/passed' } });
    const b: Record<string, unknown> = { ...statementAbout(f.actorOf(kari), { verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }), id: a['id'] };
    const different = await writeTogether(groups(), [
      { reader: oslo.reader, statements: [a] },
      { reader: oslo.reader, statements: [b] },
    ]);
    const won = different.findIndex((r) => r.status === 'fulfilled');
    const lost = different.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(won).toBeGreaterThanOrEqual(0);
    expect((lost.reason as XapiError).kind).toBe('conflict');
    expect(((await stored(oslo.credentials, a['id'] as string)).body['verb'] as { id: string }).id).toBe(([a, b][won]!['verb'] as { id: string }).id);
  });

  it('a statement the database refuses fails its own request with a 400; the rest of the group is stored', async () => {
    const bad = statementAbout(f.actorOf(kari), { result: { response: 'svar\u0000' } });
    const good = [statementAbout(f.actorOf(kari)), statementAbout(f.actorOf(kari))];
    const into = groups();
    const [one, refused, two] = await writeTogether(into, [
      { reader: oslo.reader, statements: [good[0]!] },
      { reader: oslo.reader, statements: [bad] },
      { reader: oslo.reader, statements: [good[1]!] },
    ]);
    expect(into.stats.groups).toBe(1);
    expect(one?.status).toBe('fulfilled');
    expect(two?.status).toBe('fulfilled');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(XapiInvalid);
    expect((await stored(oslo.credentials, bad['id'] as string)).status).toBe(404);
    for (const s of good) expect((await stored(oslo.credentials, s['id'] as string)).status).toBe(200);
    // Over HTTP it is a problem+json 400 naming the statement.
    const res = await as(f.app, oslo.credentials).post('/xapi/statements').send([statementAbout(f.actorOf(kari)), bad]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ property: 'statements[1]', statement: 1 });
  });

  it('a batch in a failed group stays whole: all of it is stored or none', async () => {
    const held = statementAbout(f.actorOf(kari));
    await as(f.app, oslo.credentials).post('/xapi/statements').send(held).expect(200);
    const doomed = [statementAbout(f.actorOf(kari)), { ...statementAbout(f.actorOf(kari), { verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } }), id: held['id'] }];
    const whole = [statementAbout(f.actorOf(kari)), statementAbout(f.actorOf(kari))];
    const into = groups();
    const [refused, storedWhole] = await writeTogether(into, [
      { reader: oslo.reader, statements: doomed },
      { reader: oslo.reader, statements: whole },
    ]);
    expect(into.stats.groups).toBe(1);
    expect(((refused as PromiseRejectedResult).reason as XapiError).kind).toBe('conflict');
    expect(storedWhole?.status).toBe('fulfilled');
    expect((await stored(oslo.credentials, doomed[0]!['id'] as string)).status).toBe(404);
    for (const s of whole) expect((await stored(oslo.credentials, s['id'] as string)).status).toBe(200);
  });

  it('voiding sent with its target at the same moment voids it; a voiding statement stored first voids a grouped target', async () => {
    const target = statementAbout(f.actorOf(kari));
    const bystander = statementAbout(f.actorOf(kari));
    const voiding = statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target['id'] } });
    const into = groups();
    const results = await writeTogether(into, [
      { reader: oslo.reader, statements: [bystander] },
      { reader: oslo.reader, statements: [voiding] },
      { reader: oslo.reader, statements: [target] },
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect((await stored(oslo.credentials, target['id'] as string)).status).toBe(404);
    expect((await as(f.app, oslo.credentials).get(`/xapi/statements?voidedStatementId=${target['id'] as string}`)).status).toBe(200);
    expect((await stored(oslo.credentials, bystander['id'] as string)).status).toBe(200);

    const later = statementAbout(f.actorOf(kari));
    await as(f.app, oslo.credentials)
      .post('/xapi/statements')
      .send(statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: later['id'] } }))
      .expect(200);
    const others = [statementAbout(f.actorOf(kari)), statementAbout(f.actorOf(kari))];
    const grouped = groups();
    await writeTogether(grouped, [
      { reader: oslo.reader, statements: [others[0]!] },
      { reader: oslo.reader, statements: [later] },
      { reader: oslo.reader, statements: [others[1]!] },
    ]);
    expect(grouped.stats).toEqual({ groups: 1, writes: 3, retriedAlone: 0 });
    expect((await stored(oslo.credentials, later['id'] as string)).status).toBe(404);
    for (const s of others) expect((await stored(oslo.credentials, s['id'] as string)).status).toBe(200);
  });

  it('many voiding statements racing their grouped targets always end with every target voided', async () => {
    const into = new StatementGroups(f.testDatabase.database.db, { inFlight: 2, statements: 1000 });
    const targets = Array.from({ length: 12 }, () => statementAbout(f.actorOf(kari)));
    await Promise.all(
      targets.flatMap((target) => [
        storeStatements(f.testDatabase.database.db, into, oslo.reader, [target], new Map()),
        storeStatements(f.testDatabase.database.db, into, oslo.reader, [
          statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target['id'] } }),
        ], new Map()),
      ]),
    );
    for (const target of targets) {
      expect((await as(f.app, oslo.credentials).get(`/xapi/statements?voidedStatementId=${target['id'] as string}`)).status).toBe(200);
    }
  });

  it('two tenants in one group: each statement keeps its tenant and client, activity definitions stay per tenant', async () => {
    const activity = `https://laering.example.no/activities/${randomUUID()}`;
    const osloStatement = statementAbout(f.actorOf(kari), { object: { id: activity, definition: { name: { nb: 'Brannvern' } } } });
    const osloMore = statementAbout(f.actorOf(kari), { object: { id: activity, definition: { name: { en: 'Fire safety' } } } });
    const bergenStatement = statementAbout(f.actorOf(ola), { object: { id: activity, definition: { name: { nb: 'Brannøving' } } } });
    const into = groups();
    const results = await writeTogether(into, [
      { reader: oslo.reader, statements: [osloStatement] },
      { reader: bergen.reader, statements: [bergenStatement] },
      { reader: oslo.reader, statements: [osloMore] },
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(into.stats).toEqual({ groups: 1, writes: 3, retriedAlone: 0 });
    const rows = await f.testDatabase.database.db
      .selectFrom('xapi_statements')
      .select(['statement_id', 'tenant_id', 'client_id'])
      .where('statement_id', 'in', [osloStatement['id'] as string, bergenStatement['id'] as string])
      .execute();
    const byId = new Map(rows.map((row) => [row.statement_id, row]));
    expect(byId.get(osloStatement['id'] as string)).toMatchObject({ tenant_id: f.tenantA, client_id: oslo.reader.client.id });
    expect(byId.get(bergenStatement['id'] as string)).toMatchObject({ tenant_id: f.tenantB, client_id: bergen.reader.client.id });
    // Each municipality sees its own statement and not the other's.
    expect((await stored(oslo.credentials, bergenStatement['id'] as string)).status).toBe(404);
    expect((await stored(bergen.credentials, osloStatement['id'] as string)).status).toBe(404);
    expect((await stored(bergen.credentials, bergenStatement['id'] as string)).body['authority']).toMatchObject({ name: bergen.reader.client.name });
    const definition = async (credentials: Credentials) =>
      (await as(f.app, credentials).get(`/xapi/activities?${query({ activityId: activity })}`)).body.definition as unknown;
    expect(await definition(oslo.credentials)).toEqual({ name: { nb: 'Brannvern', en: 'Fire safety' } });
    expect(await definition(bergen.credentials)).toEqual({ name: { nb: 'Brannøving' } });
  });

  it('attack: a voiding statement of another municipality does not void a grouped target', async () => {
    const target = statementAbout(f.actorOf(ola));
    await storeStatements(f.testDatabase.database.db, groups(), oslo.reader, [
      statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: target['id'] } }),
    ], new Map());
    const into = groups();
    await writeTogether(into, [
      { reader: bergen.reader, statements: [target] },
      { reader: oslo.reader, statements: [statementAbout(f.actorOf(kari))] },
    ]);
    expect(into.stats.groups).toBe(1);
    expect((await stored(bergen.credentials, target['id'] as string)).status).toBe(200);
  });
});
