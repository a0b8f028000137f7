import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../../src/people/people.js';
import { durationToHundredths } from '../../../src/xapi/durations.js';
import { buildMultipart } from '../../../src/xapi/multipart.js';
import { as, createLrsFixture, query, statementAbout, type Credentials, type LrsFixture } from '../../xapi/lrs-fixture.js';

/**
 * xAPI 2.0 (IEEE 9274.1.1) requests next to 1.0.3 ones: what a 2.0 client may send, and the rules
 * that differ when it does (the ADL suite's test/v2_0 names the requirements).
 */
let f: LrsFixture;
let kari: Person;
let actor: Record<string, unknown>;
beforeAll(async () => {
  f = await createLrsFixture();
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  actor = f.actorOf(kari);
});
afterAll(() => f.dispose());

const V2 = { 'X-Experience-API-Version': '2.0.0' };

function as2(credentials: Credentials) {
  const agent = request(f.app);
  const wrap = (test: request.Test) => test.auth(credentials.key, credentials.secret).set(V2);
  return {
    get: (url: string) => wrap(agent.get(url)),
    post: (url: string) => wrap(agent.post(url)),
    put: (url: string) => wrap(agent.put(url)),
    delete: (url: string) => wrap(agent.delete(url)),
  };
}

const contextAgents = [{
  objectType: 'contextAgent',
  agent: { objectType: 'Agent', mbox: 'mailto:veileder@oslo.kommune.no' },
  relevantTypes: ['https://laering.example.no/roles/veileder'],
}];
const contextGroups = [{
  objectType: 'contextGroup',
  group: { objectType: 'Group', mbox: 'mailto:team@oslo.kommune.no', member: [{ mbox: 'mailto:ola@oslo.kommune.no' }] },
  relevantTypes: ['https://laering.example.no/roles/team'],
}];

describe('versions: headers and the About resource', () => {
  it('answers a 2.0 request with X-Experience-API-Version 2.0.0 and a 1.0 request with 1.0.3', async () => {
    for (const header of ['2.0.0', '2.0', '2.0.7']) {
      const res = await request(f.app).get('/xapi/statements').auth(f.a.key, f.a.secret).set('X-Experience-API-Version', header);
      expect(res.status, header).toBe(200);
      expect(res.headers['x-experience-api-version'], header).toBe('2.0.0');
    }
    const old = await as(f.app, f.a).get('/xapi/statements');
    expect(old.headers['x-experience-api-version']).toBe('1.0.3');
    // Errors carry the version of the request too.
    const missing = await as2(f.a).get(`/xapi/statements?statementId=${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers['x-experience-api-version']).toBe('2.0.0');
  });

  it('refuses versions it does not speak, answering as the newest version it does speak', async () => {
    for (const header of ['2.1.0', '3.0.0', '1.1', '0.95', '2.0.x', '1.0.3.1']) {
      const res = await request(f.app).get('/xapi/statements').auth(f.a.key, f.a.secret).set('X-Experience-API-Version', header);
      expect(res.status, header).toBe(400);
      expect(res.headers['content-type'], header).toMatch(/problem\+json/);
      expect(res.headers['x-experience-api-version'], header).toBe('2.0.0');
    }
  });

  // Communication §3.3.s3 (1.0.3 and 2.0 alike): only a request whose header names an older version
  // goes to that version's implementation. One without a header names none, so the newest
  // implementation refuses it and says 2.0.0 (the ADL 2.0.0 suite, XAPI-00331; a 1.0.3 client
  // tolerates any answer from 1.0.0 up, §3.3.s4.b3).
  it('refuses a request without a version header on every resource and method with 400 and 2.0.0', async () => {
    const statement = statementAbout(actor);
    const activity = encodeURIComponent('https://laering.example.no/a/1');
    const agent = encodeURIComponent(JSON.stringify(actor));
    const attempts: [string, request.Test][] = [
      ['GET statements', request(f.app).get(`/xapi/statements?statementId=${randomUUID()}`)],
      ['POST statements', request(f.app).post('/xapi/statements').send(statement)],
      ['PUT statements', request(f.app).put(`/xapi/statements?statementId=${randomUUID()}`).send(statement)],
      ['GET activities', request(f.app).get(`/xapi/activities?activityId=${activity}`)],
      ['GET activities/profile', request(f.app).get(`/xapi/activities/profile?activityId=${activity}`)],
      ['PUT activities/state', request(f.app).put(`/xapi/activities/state?activityId=${activity}&agent=${agent}&stateId=s`).send({ a: 1 })],
      ['GET agents', request(f.app).get(`/xapi/agents?agent=${agent}`)],
      ['DELETE agents/profile', request(f.app).delete(`/xapi/agents/profile?agent=${agent}&profileId=p`)],
    ];
    for (const [label, attempt] of attempts) {
      const res = await attempt.auth(f.a.key, f.a.secret);
      expect(res.status, label).toBe(400);
      expect(res.headers['x-experience-api-version'], label).toBe('2.0.0');
    }
    // Nothing was stored by the refused writes.
    const read = await as2(f.a).get(`/xapi/statements?statementId=${statement['id'] as string}`);
    expect(read.status).toBe(404);
  });

  it('the About resource needs no version header and then answers as 2.0.0', async () => {
    const about = await request(f.app).get('/xapi/about');
    expect(about.status).toBe(200);
    expect(about.headers['x-experience-api-version']).toBe('2.0.0');
    expect((await as(f.app, f.a).get('/xapi/about')).headers['x-experience-api-version']).toBe('1.0.3');
  });

  it('the About resource lists 1.0.3 and 2.0.0', async () => {
    const about = await request(f.app).get('/xapi/about');
    expect(about.body.version).toEqual(['1.0.3', '2.0.0']);
  });
});

describe('2.0 statements', () => {
  it('sets version 2.0.0 on a 2.0 statement without one, keeps the version sent, and 1.0 requests keep 1.0.0', async () => {
    const bare = statementAbout(actor);
    await as2(f.a).post('/xapi/statements').send(bare).expect(200);
    expect((await as2(f.a).get(`/xapi/statements?statementId=${bare['id'] as string}`)).body.version).toBe('2.0.0');
    for (const version of ['1.0.3', '2.0.0', '2.0.2']) {
      const sent = statementAbout(actor, { version });
      await as2(f.a).post('/xapi/statements').send(sent).expect(200);
      expect((await as2(f.a).get(`/xapi/statements?statementId=${sent['id'] as string}`)).body.version, version).toBe(version);
    }
    for (const version of ['2.1.0', '3.0.0', '1.1.0']) {
      expect((await as2(f.a).post('/xapi/statements').send(statementAbout(actor, { version }))).status, version).toBe(400);
    }
    const old = statementAbout(actor);
    await as(f.app, f.a).post('/xapi/statements').send(old).expect(200);
    expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${old['id'] as string}`)).body.version).toBe('1.0.0');
  });

  it('a 1.0.3 request keeps the 1.0.3 rules: no 2.0 version, no contextAgents', async () => {
    expect((await as(f.app, f.a).post('/xapi/statements').send(statementAbout(actor, { version: '2.0.0' }))).status).toBe(400);
    expect((await as(f.app, f.a).post('/xapi/statements').send(statementAbout(actor, { context: { contextAgents } }))).status).toBe(400);
  });

  it('accepts contextAgents and contextGroups, in statements and sub-statements, and finds their agents with related_agents', async () => {
    const statement = statementAbout(actor, { context: { contextAgents, contextGroups } });
    const res = await as2(f.a).post('/xapi/statements').send(statement);
    expect(res.status, res.text).toBe(200);
    const sub = statementAbout(actor, {
      object: { objectType: 'SubStatement', actor, verb: { id: 'https://x.no/v' }, object: { id: 'https://x.no/a' }, context: { contextAgents, contextGroups } },
    });
    await as2(f.a).post('/xapi/statements').send(sub).expect(200);
    const stored = await as2(f.a).get(`/xapi/statements?statementId=${statement['id'] as string}`);
    expect(stored.body.context.contextAgents).toEqual(contextAgents);
    expect(stored.body.context.contextGroups).toEqual(contextGroups);
    for (const agent of [{ mbox: 'mailto:veileder@oslo.kommune.no' }, { objectType: 'Group', mbox: 'mailto:team@oslo.kommune.no' }, { mbox: 'mailto:ola@oslo.kommune.no' }]) {
      const found = await as2(f.a).get(`/xapi/statements?${query({ agent, related_agents: 'true' })}`);
      expect((found.body.statements as { id: string }[]).map((s) => s.id).sort(), JSON.stringify(agent)).toEqual([statement['id'], sub['id']].sort());
    }
    // A 1.0.3 client reads the statement as it was stored.
    const old = await as(f.app, f.a).get(`/xapi/statements?statementId=${statement['id'] as string}`);
    expect(old.status).toBe(200);
    expect(old.body.context.contextAgents).toEqual(contextAgents);
    expect(old.headers['x-experience-api-version']).toBe('1.0.3');
    // format=ids reduces the agents in them to their identifiers.
    const ids = await as2(f.a).get(`/xapi/statements?statementId=${statement['id'] as string}&format=ids`);
    expect(ids.body.context.contextGroups[0].group).toEqual({ objectType: 'Group', mbox: 'mailto:team@oslo.kommune.no' });
  });

  it('refuses malformed contextAgents and contextGroups, naming the property', async () => {
    const agent = { objectType: 'Agent', mbox: 'mailto:a@b.no' };
    const group = { objectType: 'Group', mbox: 'mailto:g@b.no' };
    const cases: [Record<string, unknown>, string][] = [
      [{ contextAgents: [{ objectType: 'Should fail', agent }] }, 'statement.context.contextAgents[0].objectType'],
      [{ contextAgents: [{ agent }] }, 'statement.context.contextAgents[0].objectType'],
      [{ contextAgents: [{ objectType: 'contextAgent', agent: { key: 'x' } }] }, 'statement.context.contextAgents[0].agent.key'],
      [{ contextAgents: [{ objectType: 'contextAgent', agent: group }] }, 'statement.context.contextAgents[0].agent.objectType'],
      [{ contextAgents: [{ objectType: 'contextAgent', agent, relevantTypes: [] }] }, 'statement.context.contextAgents[0].relevantTypes'],
      [{ contextAgents: [{ objectType: 'contextAgent', agent, relevantTypes: ['abc'] }] }, 'statement.context.contextAgents[0].relevantTypes[0]'],
      [{ contextAgents: { objectType: 'contextAgent', agent } }, 'statement.context.contextAgents'],
      [{ contextGroups: [{ objectType: 'contextGroup', group: { key: 'x' } }] }, 'statement.context.contextGroups[0].group.key'],
      [{ contextGroups: [{ objectType: 'contextGroup', group: agent }] }, 'statement.context.contextGroups[0].group.objectType'],
      [{ contextGroups: [{ objectType: 'contextGroup', group, relevantTypes: [] }] }, 'statement.context.contextGroups[0].relevantTypes'],
      [{ contextGroups: [{ objectType: 'contextGroup', group, extra: 1 }] }, 'statement.context.contextGroups[0].extra'],
    ];
    for (const [context, property] of cases) {
      const res = await as2(f.a).post('/xapi/statements').send(statementAbout(actor, { context }));
      expect(res.status, property).toBe(400);
      expect(res.body.property, JSON.stringify(context)).toBe(property);
    }
  });

  it('timestamps of a 2.0 statement must carry a time zone; RFC 3339 with a space is accepted and stored as sent', async () => {
    const withoutZone = statementAbout(actor, { timestamp: '2026-05-04T12:00:00.000' });
    const res = await as2(f.a).post('/xapi/statements').send(withoutZone);
    expect(res.status).toBe(400);
    expect(res.body.property).toBe('statement.timestamp');
    // 1.0.3 reads a timestamp without zone as UTC (unchanged).
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(actor, { timestamp: '2026-05-04T12:00:00.000' })).expect(200);
    const sub = statementAbout(actor, {
      object: { objectType: 'SubStatement', actor, verb: { id: 'https://x.no/v' }, object: { id: 'https://x.no/a' }, timestamp: '2026-05-04T12:00:00' },
    });
    expect((await as2(f.a).post('/xapi/statements').send(sub)).body.property).toBe('statement.object.timestamp');
    for (const timestamp of ['2008-09-15T15:53:00.601-00:00', '2008-09-15T15:53:00.601-0000', '2008-09-15T15:53:00.601-00', '01/011/2015']) {
      expect((await as2(f.a).post('/xapi/statements').send(statementAbout(actor, { timestamp }))).status, timestamp).toBe(400);
    }
    const rfc = statementAbout(actor, { timestamp: '2008-09-15 15:53:00.601+00:00' });
    await as2(f.a).post('/xapi/statements').send(rfc).expect(200);
    expect((await as2(f.a).get(`/xapi/statements?statementId=${rfc['id'] as string}`)).body.timestamp).toBe('2008-09-15 15:53:00.601+00:00');
    const future = statementAbout(actor, { timestamp: new Date(Date.now() + 5 * 365 * 86_400_000).toISOString() });
    await as2(f.a).post('/xapi/statements').send(future).expect(200);
  });

  it('the alternate request syntax is refused in 2.0', async () => {
    const statement = statementAbout(actor);
    const form = new URLSearchParams({
      'X-Experience-API-Version': '2.0.0',
      Authorization: `Basic ${Buffer.from(`${f.a.key}:${f.a.secret}`).toString('base64')}`,
      'Content-Type': 'application/json',
      content: JSON.stringify(statement),
    });
    const res = await request(f.app).post(`/xapi/statements?method=PUT`).type('form').send(`${form.toString()}&statementId=${statement['id'] as string}`);
    expect(res.status).toBe(400);
    expect(res.headers['x-experience-api-version']).toBe('2.0.0');
    const direct = await as2(f.a).post('/xapi/statements?method=GET').type('form').send('');
    expect(direct.status).toBe(400);
    expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${statement['id'] as string}`)).status).toBe(404);
  });
});

describe('2.0 durations (§4.2.7): precision beyond 0.01 s is not compared', () => {
  it('truncates, never rounds', () => {
    expect(durationToHundredths('P1DT12H36M0.12567S')).toBe('P1DT12H36M0.12S');
    expect(durationToHundredths('PT0.1S')).toBe('PT0.10S');
    expect(durationToHundredths('PT5.001S')).toBe('PT5S');
    expect(durationToHundredths('PT5S')).toBe('PT5S');
    expect(durationToHundredths('P1D')).toBe('P1D');
  });

  it('a re-sent 2.0 statement differing only beyond 0.01 s is the same statement; in 1.0.3 it is a conflict', async () => {
    const statement = statementAbout(actor, { result: { duration: 'P1DT12H36M0.12S' } });
    await as2(f.a).post('/xapi/statements').send(statement).expect(200);
    const again = { ...statement, result: { duration: 'P1DT12H36M0.1237S' } };
    expect((await as2(f.a).post('/xapi/statements').send(again)).status).toBe(200);
    expect((await as(f.app, f.a).post('/xapi/statements').send(again)).status).toBe(409);
    expect((await as2(f.a).post('/xapi/statements').send({ ...statement, result: { duration: 'P1DT12H36M0.13S' } })).status).toBe(409);
  });

  it('a signature over the duration to 0.01 s matches its statement in 2.0, not in 1.0.3', async () => {
    const signedPayload = statementAbout(actor, { result: { duration: 'P1DT12H36M0.12S' } });
    const jws = Buffer.from([
      Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url'),
      Buffer.from(JSON.stringify(signedPayload)).toString('base64url'),
      Buffer.from('not checked without x5c').toString('base64url'),
    ].join('.'));
    const attachment = {
      usageType: 'http://adlnet.gov/expapi/attachments/signature',
      display: { en: 'signature' },
      contentType: 'application/octet-stream',
      length: jws.length,
      sha2: createHash('sha256').update(jws).digest('hex'),
    };
    const body = (statement: Record<string, unknown>) => buildMultipart('b0undary', [
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ ...statement, attachments: [attachment] })) },
      { headers: { 'Content-Type': 'application/octet-stream', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': attachment.sha2 }, body: jws },
    ]);
    const precise = { ...signedPayload, result: { duration: 'P1DT12H36M0.1237S' } };
    const old = await as(f.app, f.a).post('/xapi/statements').set('Content-Type', 'multipart/mixed; boundary=b0undary').send(body(precise));
    expect(old.status).toBe(400);
    const res = await as2(f.a).post('/xapi/statements').set('Content-Type', 'multipart/mixed; boundary=b0undary').send(body(precise));
    expect(res.status, res.text).toBe(200);
  });
});

describe('2.0 documents', () => {
  const state = () => `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent: { mbox: 'mailto:a@b.no' }, stateId: randomUUID() })}`;

  it('a 2.0 PUT over an existing State document needs If-Match (409 without), as the profile resources do', async () => {
    const url = state();
    await as2(f.a).put(url).send({ a: 1 }).expect(204);
    const conflict = await as2(f.a).put(url).send({ a: 2 });
    expect(conflict.status).toBe(409);
    expect(JSON.parse((await as2(f.a).get(url)).text)).toEqual({ a: 1 });
    const etag = (await as2(f.a).get(url)).headers['etag'] as string;
    await as2(f.a).put(url).set('If-Match', etag).send({ a: 3 }).expect(204);
    // 1.0.3 keeps the State resource outside ETag concurrency.
    await as(f.app, f.a).put(url).send({ a: 4 }).expect(204);
  });

  it('document lists carry Last-Modified, the newest change among the listed documents', async () => {
    const agent = { mbox: `mailto:${randomUUID()}@b.no` };
    const base = { activityId: 'https://x.no/a', agent };
    await as2(f.a).put(`/xapi/activities/state?${query({ ...base, stateId: 'one' })}`).send({ a: 1 }).expect(204);
    const single = await as2(f.a).get(`/xapi/activities/state?${query({ ...base, stateId: 'one' })}`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await as2(f.a).put(`/xapi/activities/state?${query({ ...base, stateId: 'two' })}`).send({ a: 2 }).expect(204);
    const list = await as2(f.a).get(`/xapi/activities/state?${query(base)}`);
    expect(list.body).toEqual(['one', 'two']);
    expect(Date.parse(list.headers['last-modified'] as string)).toBeGreaterThan(Date.parse(single.headers['last-modified'] as string));
  });
});
