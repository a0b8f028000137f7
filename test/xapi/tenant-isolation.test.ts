import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/people/people.js';
import { as, createLrsFixture, query, statementAbout, type Credentials, type LrsFixture } from './lrs-fixture.js';

/**
 * Each municipality is its own LRS: a client reads only the statements its municipality's clients
 * stored; the rest is invisible through every way in: each filter, `more` links, by id, and documents.
 */
let f: LrsFixture;
let osloPerson: Person;
let bergenPerson: Person;
let osloContent: Credentials;
let bergenContent: Credentials;
const verb = `https://laering.example.no/verbs/${randomUUID()}`;
const activity = `https://laering.example.no/activities/${randomUUID()}`;
const registration = randomUUID();
const osloIds: string[] = [];
const bergenIds: string[] = [];

beforeAll(async () => {
  f = await createLrsFixture({ maxPageSize: 2 });
  osloPerson = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  bergenPerson = await f.person(f.tenantB, 'ola@bergen.kommune.no');
  // Content playing in each municipality writes with that municipality's own client.
  osloContent = await f.client(f.tenantA, ['statements/write']);
  bergenContent = await f.client(f.tenantB, ['statements/write']);
  for (let i = 0; i < 3; i += 1) {
    for (const [person, ids, byMbox, contentClient] of [[osloPerson, osloIds, false, osloContent], [bergenPerson, bergenIds, true, bergenContent]] as const) {
      const actor = byMbox ? { mbox: `mailto:${person.email as string}` } : f.actorOf(person);
      const statement = statementAbout(actor, {
        verb: { id: verb },
        object: { id: activity },
        context: { registration, instructor: f.actorOf(person), contextActivities: { grouping: [{ id: activity }] } },
      });
      await as(f.app, contentClient).post('/xapi/statements').send(statement).expect(200);
      ids.push(statement['id'] as string);
    }
  }
});
afterAll(() => f.dispose());

async function visible(credentials: Credentials, url: string): Promise<string[]> {
  const ids: string[] = [];
  let next = url;
  while (next) {
    const res = await as(f.app, credentials).get(next);
    expect(res.status, res.text).toBe(200);
    ids.push(...(res.body.statements as { id: string }[]).map((s) => s.id));
    next = res.body.more;
  }
  return ids.sort();
}

describe('tenant isolation of statements', () => {
  const filters = () => [
    {},
    { verb },
    { activity },
    { activity, related_activities: 'true' },
    { registration },
    { verb, ascending: 'true' },
    { since: '2000-01-01T00:00:00Z' },
    { until: '2999-01-01T00:00:00Z' },
    { limit: '1' },
    { format: 'ids' },
  ];

  it('each municipality sees only its own employees through every filter and every more link', async () => {
    for (const filter of filters()) {
      expect(await visible(f.a, `/xapi/statements?${query(filter)}`), JSON.stringify(filter)).toEqual([...osloIds].sort());
      expect(await visible(f.b, `/xapi/statements?${query(filter)}`), JSON.stringify(filter)).toEqual([...bergenIds].sort());
    }
  });

  it('asking for the other municipality\'s employee by agent, related_agents or id finds nothing', async () => {
    const bergenAgent = { mbox: `mailto:${bergenPerson.email as string}` };
    expect(await visible(f.a, `/xapi/statements?${query({ agent: bergenAgent })}`)).toEqual([]);
    expect(await visible(f.a, `/xapi/statements?${query({ agent: f.actorOf(bergenPerson), related_agents: 'true' })}`)).toEqual([]);
    expect(await visible(f.b, `/xapi/statements?${query({ agent: bergenAgent })}`)).toEqual([...bergenIds].sort());
    for (const id of bergenIds) {
      expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${id}`)).status).toBe(404);
      expect((await as(f.app, f.b).get(`/xapi/statements?statementId=${id}`)).status).toBe(200);
    }
  });

  it('a more link from one municipality replayed by the other shows only the other\'s own', async () => {
    const first = await as(f.app, f.a).get(`/xapi/statements?${query({ verb, limit: '1' })}`);
    expect(first.body.more).toBeTruthy();
    const replayed = await as(f.app, f.b).get(first.body.more as string);
    for (const s of replayed.body.statements as { id: string }[]) expect(bergenIds).toContain(s.id);
  });

  it('a statement about one municipality\'s employee stored by another\'s client stays in the storing LRS', async () => {
    const aboutBergen = statementAbout({ mbox: `mailto:${bergenPerson.email as string}` }, { verb: { id: verb } });
    await as(f.app, osloContent).post('/xapi/statements').send(aboutBergen).expect(200);
    expect(await visible(f.b, `/xapi/statements?${query({ verb })}`)).not.toContain(aboutBergen['id']);
    expect(await visible(f.a, `/xapi/statements?${query({ verb })}`)).toContain(aboutBergen['id']);
    expect((await as(f.app, f.b).get(`/xapi/statements?statementId=${aboutBergen['id'] as string}`)).status).toBe(404);
  });

  it('the writing client sees what it wrote; statements/read/mine sees nothing else', async () => {
    const reader = await f.client(f.tenantA, ['statements/read/mine']);
    expect(await visible(reader, '/xapi/statements')).toEqual([]);
    const own = statementAbout({ mbox: 'mailto:someone@elsewhere.example' });
    const writerReader = await f.client(f.tenantB, ['statements/write', 'statements/read/mine']);
    await as(f.app, writerReader).post('/xapi/statements').send(own).expect(200);
    expect(await visible(writerReader, '/xapi/statements')).toEqual([own['id']]);
    // It is Bergen's statement: Bergen's readers see it, Oslo's do not.
    expect(await visible(f.b, `/xapi/statements?${query({ verb: (own['verb'] as { id: string }).id })}`)).toContain(own['id']);
    expect(await visible(f.a, `/xapi/statements?${query({ verb: (own['verb'] as { id: string }).id })}`)).not.toContain(own['id']);
  });

  it('voiding another municipality\'s statement does not void it', async () => {
    const target = bergenIds[0] as string;
    const voiding = statementAbout(f.actorOf(osloPerson), { verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target } });
    await as(f.app, f.a).post('/xapi/statements').send(voiding).expect(200);
    expect((await as(f.app, f.b).get(`/xapi/statements?statementId=${target}`)).status).toBe(200);
  });
});

describe('tenant isolation of documents and activities', () => {
  it('state, activity profile and agent profile documents of one municipality are invisible to the other', async () => {
    const agent = { mbox: 'mailto:kari@oslo.kommune.no' };
    const urls = [
      `/xapi/activities/state?${query({ activityId: activity, agent, stateId: 's' })}`,
      `/xapi/activities/profile?${query({ activityId: activity, profileId: 'p' })}`,
      `/xapi/agents/profile?${query({ agent, profileId: 'p' })}`,
    ];
    for (const url of urls) {
      await as(f.app, f.a).put(url).set('If-None-Match', '*').send({ secret: 'oslo' }).expect(204);
      expect((await as(f.app, f.b).get(url)).status, url).toBe(404);
      const list = url.replace(/&(stateId|profileId)=[^&]+/, '');
      expect((await as(f.app, f.b).get(list)).body, list).toEqual([]);
      // Bergen writing the same key makes its own document, leaving Oslo's untouched.
      await as(f.app, f.b).put(url).set('If-None-Match', '*').send({ secret: 'bergen' }).expect(204);
      expect(JSON.parse((await as(f.app, f.a).get(url)).text)).toEqual({ secret: 'oslo' });
    }
  });

  it('the Activities and Agents resources answer from the asking tenant only', async () => {
    const res = await as(f.app, f.b).get(`/xapi/agents?${query({ agent: f.actorOf(osloPerson) })}`);
    expect(res.body.name).toBeUndefined();
    expect(res.body.mbox).toBeUndefined();
    const defined = { id: 'https://laering.example.no/activities/secret', definition: { name: { nb: 'Oslos interne kurs' } } };
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(osloPerson), { object: defined })).expect(200);
    const activityRes = await as(f.app, f.b).get(`/xapi/activities?${query({ activityId: defined.id })}`);
    expect(activityRes.body.definition).toBeUndefined();
  });
});
