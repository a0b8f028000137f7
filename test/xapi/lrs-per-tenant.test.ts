import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/people/people.js';
import { setMemberRead } from '../../src/xapi/region-read.js';
import { as, createLrsFixture, query, statementAbout, type Credentials, type LrsFixture } from './lrs-fixture.js';

/**
 * Attack: each municipality is its own LRS. Municipality B's client probes the ids, documents and
 * activities municipality A stored; every answer must be the one B gets for ids nobody ever used.
 */
let f: LrsFixture;
let kari: Person;
let ola: Person;
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const verb = `https://laering.example.no/verbs/${randomUUID()}`;

beforeAll(async () => {
  f = await createLrsFixture();
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  ola = await f.person(f.tenantB, 'ola@bergen.kommune.no');
});
afterAll(() => f.dispose());

/** What A stores: a plain statement, a voided one and the voiding statement. */
async function storeInA(): Promise<{ plain: Record<string, unknown>; voidingId: string; voidedId: string }> {
  const plain = statementAbout(f.actorOf(kari), { verb: { id: verb } });
  const voided = statementAbout(f.actorOf(kari), { verb: { id: verb } });
  const voiding = statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: voided['id'] } });
  await as(f.app, f.a).put(`/xapi/statements?statementId=${plain['id'] as string}`).send(plain).expect(204);
  await as(f.app, f.a).post('/xapi/statements').send([voided, voiding]).expect(200);
  return { plain, voidingId: voiding['id'] as string, voidedId: voided['id'] as string };
}

/**
 * B's requests about three ids: (0) where A holds a plain statement, (1) where A holds a voiding
 * statement, (2) where A holds a voided statement. Answers: status, and the ids B reads back.
 */
async function probeAsB(ids: [string, string, string], copyOfA: Record<string, unknown>): Promise<unknown[]> {
  const b = as(f.app, f.b);
  const since = new Date(Date.now() - 1).toISOString();
  const answers: unknown[] = [];
  // The status, and whose statement came back (by its actor): ids differ between probes, actors do not.
  const note = (label: string, res: { status: number; body: unknown }) =>
    answers.push([label, res.status, JSON.stringify((res.body as { actor?: unknown } | undefined)?.actor ?? null)]);
  for (const id of ids) {
    note(`get ${id === ids[0] ? 0 : id === ids[1] ? 1 : 2}`, await b.get(`/xapi/statements?statementId=${id}`));
    note('get voided', await b.get(`/xapi/statements?voidedStatementId=${id}`));
  }
  // A's content under A's id, sent by B: B's own new statement (204), then a different one: B's own conflict.
  const copy = { ...copyOfA, id: ids[0] };
  note('put copy', await b.put(`/xapi/statements?statementId=${ids[0]}`).send(copy));
  note('put same again', await b.put(`/xapi/statements?statementId=${ids[0]}`).send(copy));
  note('put different', await b.put(`/xapi/statements?statementId=${ids[0]}`).send(statementAbout(f.actorOf(ola), { id: ids[0] })));
  // Voiding A's voiding statement: for B an unknown id, so accepted (200), not "cannot void a voiding statement" (400).
  const voidsVoiding = statementAbout(f.actorOf(ola), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: ids[1] } });
  note('void 1', await b.post('/xapi/statements').send(voidsVoiding));
  // Storing under the id A voided: B's statement is not voided (A's voiding statement is not B's).
  const underVoided = statementAbout(f.actorOf(ola), { id: ids[2], verb: { id: verb } });
  note('post 2', await b.post('/xapi/statements').send(underVoided));
  note('get 2 after', await b.get(`/xapi/statements?statementId=${ids[2]}`));
  // A batch holding A's plain id again (B's own now) and a fresh statement.
  note('post batch', await b.post('/xapi/statements').send([copy, statementAbout(f.actorOf(ola))]));
  const listed = await b.get(`/xapi/statements?${query({ verb, since })}`);
  answers.push(['query', listed.status, (listed.body.statements as { id: string }[]).map((s) => ids.indexOf(s.id)).sort()]);
  return answers;
}

describe('each municipality is its own LRS (attack by another municipality\'s client)', () => {
  it('nothing B does or asks about statement ids depends on what A stored', async () => {
    const stored = await storeInA();
    const copyOfA = { ...stored.plain };
    const againstA = await probeAsB([stored.plain['id'] as string, stored.voidingId, stored.voidedId], copyOfA);
    const againstFresh = await probeAsB([randomUUID(), randomUUID(), randomUUID()], copyOfA);
    expect(againstA).toEqual(againstFresh);
    const statuses = Object.fromEntries((againstA as [string, number][]).map(([label, status]) => [label, status]));
    expect(statuses).toMatchObject({ 'get 0': 404, 'get 1': 404, 'get 2': 404, 'get voided': 404, 'get 2 after': 200, 'put copy': 204, 'put same again': 204, 'put different': 409, 'void 1': 200, 'post 2': 200, 'post batch': 200 });

    // A's LRS is as A left it: its statements, its voiding, nothing of B's.
    const a = as(f.app, f.a);
    expect((await a.get(`/xapi/statements?statementId=${stored.plain['id'] as string}`)).body.actor).toEqual(f.actorOf(kari));
    expect((await a.get(`/xapi/statements?statementId=${stored.voidingId}`)).status).toBe(200);
    expect((await a.get(`/xapi/statements?voidedStatementId=${stored.voidedId}`)).status).toBe(200);
    expect((await a.get(`/xapi/statements?statementId=${stored.voidedId}`)).status).toBe(404);
    const seenByA = (await a.get(`/xapi/statements?${query({ verb })}`)).body.statements as { actor: unknown }[];
    for (const s of seenByA) expect(s.actor).toEqual(f.actorOf(kari));
  });

  it('B voiding A\'s statement, first or after, leaves it unvoided; B\'s same id is voided in B only', async () => {
    const shared = randomUUID();
    const voiding = statementAbout(f.actorOf(ola), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: shared } });
    await as(f.app, f.b).post('/xapi/statements').send(voiding).expect(200);
    await as(f.app, f.a).put(`/xapi/statements?statementId=${shared}`).send(statementAbout(f.actorOf(kari), { id: shared })).expect(204);
    expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${shared}`)).status).toBe(200);
    await as(f.app, f.b).put(`/xapi/statements?statementId=${shared}`).send(statementAbout(f.actorOf(ola), { id: shared })).expect(204);
    expect((await as(f.app, f.b).get(`/xapi/statements?statementId=${shared}`)).status).toBe(404);
    expect((await as(f.app, f.b).get(`/xapi/statements?voidedStatementId=${shared}`)).status).toBe(200);
    expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${shared}`)).status).toBe(200);
  });

  it('StatementRef chains resolve in the referring statement\'s own LRS', async () => {
    const shared = randomUUID();
    const chainVerb = `https://laering.example.no/verbs/${randomUUID()}`;
    await as(f.app, f.a).put(`/xapi/statements?statementId=${shared}`).send(statementAbout(f.actorOf(kari), { id: shared, verb: { id: chainVerb } })).expect(204);
    const bRef = statementAbout(f.actorOf(ola), { object: { objectType: 'StatementRef', id: shared } });
    await as(f.app, f.b).post('/xapi/statements').send(bRef).expect(200);
    expect((await as(f.app, f.b).get(`/xapi/statements?${query({ verb: chainVerb })}`)).body.statements).toEqual([]);
  });

  it('documents: B\'s writes and reads under A\'s keys act as if A had stored nothing', async () => {
    const activityId = `https://laering.example.no/activities/${randomUUID()}`;
    const agent = { mbox: 'mailto:kari@oslo.kommune.no' };
    const urls = [
      `/xapi/activities/state?${query({ activityId, agent, stateId: 's' })}`,
      `/xapi/activities/profile?${query({ activityId, profileId: 'p' })}`,
      `/xapi/agents/profile?${query({ agent, profileId: 'p' })}`,
    ];
    for (const url of urls) {
      await as(f.app, f.a).put(url).set('If-None-Match', '*').send({ oslo: true }).expect(204);
      const etag = (await as(f.app, f.a).get(url)).headers['etag'] as string;
      expect((await as(f.app, f.b).get(url)).status, url).toBe(404);
      // A's ETag means nothing in B's LRS, and "create only" creates.
      expect((await as(f.app, f.b).put(url).set('If-Match', etag).send({ bergen: true })).status, url).toBe(412);
      await as(f.app, f.b).put(url).set('If-None-Match', '*').send({ bergen: true }).expect(204);
      await as(f.app, f.b).delete(url).expect(204);
      expect(JSON.parse((await as(f.app, f.a).get(url)).text)).toEqual({ oslo: true });
    }
  });

  it('activities and agents: B neither reads nor changes A\'s definitions and people', async () => {
    const id = `https://laering.example.no/activities/${randomUUID()}`;
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id, definition: { name: { nb: 'Oslo internt' } } } })).expect(200);
    await as(f.app, f.b).post('/xapi/statements').send(statementAbout(f.actorOf(ola), { object: { id, definition: { name: { nn: 'Bergen' } } } })).expect(200);
    expect((await as(f.app, f.a).get(`/xapi/activities?${query({ activityId: id })}`)).body.definition).toEqual({ name: { nb: 'Oslo internt' } });
    expect((await as(f.app, f.b).get(`/xapi/activities?${query({ activityId: id })}`)).body.definition).toEqual({ name: { nn: 'Bergen' } });
    const person = (await as(f.app, f.b).get(`/xapi/agents?${query({ agent: { mbox: 'mailto:kari@oslo.kommune.no' } })}`)).body;
    expect(person.name).toBeUndefined();
  });
});

describe('a region\'s read grant over its member municipalities', () => {
  let region: string;
  let aStatement: Record<string, unknown>;
  let bStatement: Record<string, unknown>;
  const regionVerb = `https://laering.example.no/verbs/${randomUUID()}`;

  beforeAll(async () => {
    const { db } = f.testDatabase.database;
    region = (await db.insertInto('tenants').values({ kind: 'region', name: `Region ${randomUUID().slice(0, 6)}` }).returning('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('region_municipalities').values({ region_id: region, municipality_id: f.tenantA }).execute();
    aStatement = statementAbout(f.actorOf(kari), { verb: { id: regionVerb } });
    bStatement = statementAbout(f.actorOf(ola), { verb: { id: regionVerb } });
    await as(f.app, f.a).post('/xapi/statements').send(aStatement).expect(200);
    await as(f.app, f.b).post('/xapi/statements').send(bStatement).expect(200);
  });

  async function regionClient(grant: 'none' | 'granted' | 'granted then revoked'): Promise<Credentials> {
    const client = await f.client(region, ['statements/read', 'statements/write', 'state']);
    if (grant !== 'none') await setMemberRead(f.testDatabase.database.db, client.key, true);
    if (grant === 'granted then revoked') await setMemberRead(f.testDatabase.database.db, client.key, false);
    return client;
  }

  const listed = async (c: Credentials) =>
    ((await as(f.app, c).get(`/xapi/statements?${query({ verb: regionVerb })}`)).body.statements as { id: string }[]).map((s) => s.id);

  it('without the grant (or after it is withdrawn) a region sees nothing of its members', async () => {
    for (const c of [await regionClient('none'), await regionClient('granted then revoked')]) {
      expect(await listed(c)).toEqual([]);
      expect((await as(f.app, c).get(`/xapi/statements?statementId=${aStatement['id'] as string}`)).status).toBe(404);
    }
  });

  it('with the grant it reads its members\' statements, and never a non-member\'s', async () => {
    const c = await regionClient('granted');
    expect(await listed(c)).toEqual([aStatement['id']]);
    expect((await as(f.app, c).get(`/xapi/statements?statementId=${aStatement['id'] as string}`)).status).toBe(200);
    expect((await as(f.app, c).get(`/xapi/statements?statementId=${bStatement['id'] as string}`)).status).toBe(404);
    const related = await as(f.app, c).get(`/xapi/statements?${query({ agent: f.actorOf(kari), related_agents: 'true', verb: regionVerb })}`);
    expect((related.body.statements as { id: string }[]).map((s) => s.id)).toEqual([aStatement['id']]);
  });

  it('with the grant it still cannot write into a member: statements, voiding and documents stay the region\'s', async () => {
    const c = await regionClient('granted');
    const aId = aStatement['id'] as string;
    const overwrite = statementAbout(f.actorOf(kari), { id: aId, verb: { id: regionVerb }, result: { success: false } });
    await as(f.app, c).put(`/xapi/statements?statementId=${aId}`).send(overwrite).expect(204);
    const voiding = statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: aId } });
    await as(f.app, c).post('/xapi/statements').send(voiding).expect(200);
    const seenByA = await as(f.app, f.a).get(`/xapi/statements?statementId=${aId}`);
    expect(seenByA.status).toBe(200);
    expect(seenByA.body.result).toBeUndefined();
    expect(await listed(f.a)).toEqual([aId]);
    // The region's own copy was voided in the region's LRS (its voiding statement is listed, as the
    // voiding statement of a matching statement is); the member's statement is still read.
    expect((await listed(c)).sort()).toEqual([aId, voiding['id']].sort());
    expect((await as(f.app, c).get(`/xapi/statements?statementId=${aId}`)).body.result).toBeUndefined();
    const state = `/xapi/activities/state?${query({ activityId: 'https://laering.example.no/activities/x', agent: f.actorOf(kari), stateId: 'r' })}`;
    await as(f.app, c).put(state).send({ region: true }).expect(204);
    expect((await as(f.app, f.a).get(state)).status).toBe(404);
  });

  it('only a region\'s client can be granted', async () => {
    await expect(setMemberRead(f.testDatabase.database.db, f.a.key, true)).rejects.toThrow(/region/);
    await expect(setMemberRead(f.testDatabase.database.db, 'no-such-key', true)).rejects.toThrow(/no live client/);
  });
});
