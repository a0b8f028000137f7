import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createLrsFixture, query, type LrsFixture } from '../../xapi/lrs-fixture.js';

let f: LrsFixture;
beforeAll(async () => {
  f = await createLrsFixture();
});
afterAll(() => f.dispose());

const agent = { mbox: 'mailto:ola@oslo.kommune.no' };
const activityId = 'https://laering.example.no/activities/brannvern';
const sha1 = (text: string) => `"${createHash('sha1').update(text).digest('hex')}"`;

describe('Part Three §2.3 State resource', () => {
  const registration = '4f1c0e8a-9f3b-4b6e-9d55-1f2a3b4c5d6e';
  const at = (extra: Record<string, string | object> = {}) => `/xapi/activities/state?${query({ activityId, agent, ...extra })}`;

  it('stores any content type as bytes and returns it with its SHA-1 ETag', async () => {
    const body = 'bokmål: æøå';
    const put = await as(f.app, f.a).put(at({ stateId: 'bookmark' })).set('Content-Type', 'text/plain; charset=utf-8').send(body);
    expect(put.status, put.text).toBe(204);
    const got = await as(f.app, f.a).get(at({ stateId: 'bookmark' }));
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toMatch(/^text\/plain/);
    expect(got.text).toBe(body);
    expect(got.headers['etag']).toBe(sha1(body));
    expect(got.headers['last-modified']).toBeTruthy();
    // State PUT needs no precondition header (the profile resources do).
    expect((await as(f.app, f.a).put(at({ stateId: 'bookmark' })).set('Content-Type', 'text/plain').send('again')).status).toBe(204);
  });

  it('POST merges JSON objects; merging into or with non-JSON is 400', async () => {
    await as(f.app, f.a).post(at({ stateId: 'progress' })).send({ a: 1, b: { x: 1 } }).expect(204);
    await as(f.app, f.a).post(at({ stateId: 'progress' })).send({ b: { y: 2 }, c: 3 }).expect(204);
    const got = await as(f.app, f.a).get(at({ stateId: 'progress' }));
    expect(JSON.parse(got.text)).toEqual({ a: 1, b: { y: 2 }, c: 3 });
    expect((await as(f.app, f.a).post(at({ stateId: 'bookmark' })).send({ a: 1 })).status).toBe(400);
    expect((await as(f.app, f.a).post(at({ stateId: 'progress' })).set('Content-Type', 'application/json').send('[1]')).status).toBe(400);
  });

  it('keeps registrations apart, lists ids (with since), and DELETE without stateId clears the context', async () => {
    await as(f.app, f.a).put(at({ stateId: 'r', registration })).set('Content-Type', 'text/plain').send('in registration').expect(204);
    expect((await as(f.app, f.a).get(at({ stateId: 'r' }))).status).toBe(404);
    const list = await as(f.app, f.a).get(at());
    expect(list.body).toEqual(['bookmark', 'progress']);
    const future = await as(f.app, f.a).get(at({ since: new Date(Date.now() + 60_000).toISOString() }));
    expect(future.body).toEqual([]);
    await as(f.app, f.a).delete(at()).expect(204);
    expect((await as(f.app, f.a).get(at())).body).toEqual([]);
    expect((await as(f.app, f.a).get(at({ registration }))).body).toEqual([]);
  });

  it('requires activityId and agent, and refuses unknown parameters', async () => {
    expect((await as(f.app, f.a).get(`/xapi/activities/state?${query({ agent })}`)).status).toBe(400);
    expect((await as(f.app, f.a).get(`/xapi/activities/state?${query({ activityId })}`)).status).toBe(400);
    expect((await as(f.app, f.a).get(at({ stateid: 'x' }))).status).toBe(400);
    expect((await as(f.app, f.a).get(at({ agent: { name: 'no ifi' } }))).status).toBe(400);
  });
});

describe('Part Three §2.6/§2.7 profile resources and §3.1 concurrency', () => {
  const activityProfile = (extra: Record<string, string> = {}) => `/xapi/activities/profile?${query({ activityId, ...extra })}`;
  const agentProfile = (extra: Record<string, string> = {}) => `/xapi/agents/profile?${query({ agent, ...extra })}`;

  for (const [name, at] of [['activity profile', activityProfile], ['agent profile', agentProfile]] as const) {
    it(`${name}: If-None-Match * creates once; PUT without a precondition on an existing document is 409; If-Match must match (412)`, async () => {
      const url = at({ profileId: 'p' });
      await as(f.app, f.a).put(url).set('If-None-Match', '*').send({ v: 1 }).expect(204);
      expect((await as(f.app, f.a).put(url).set('If-None-Match', '*').send({ v: 2 })).status).toBe(412);
      expect((await as(f.app, f.a).put(url).send({ v: 2 })).status).toBe(409);
      expect((await as(f.app, f.a).put(url).set('If-Match', '"0000000000000000000000000000000000000000"').send({ v: 2 })).status).toBe(412);
      const etag = (await as(f.app, f.a).get(url)).headers['etag'] as string;
      expect(etag).toBe(sha1(JSON.stringify({ v: 1 })));
      await as(f.app, f.a).put(url).set('If-Match', etag).send({ v: 2 }).expect(204);
      expect((await as(f.app, f.a).delete(url).set('If-Match', etag)).status).toBe(412);
      const now = (await as(f.app, f.a).get(url)).headers['etag'] as string;
      await as(f.app, f.a).delete(url).set('If-Match', now).expect(204);
      expect((await as(f.app, f.a).get(url)).status).toBe(404);
    });
  }

  it('a new profile document PUT without a precondition is 400 (ADL XAPI-00273); DELETE needs a profileId', async () => {
    expect((await as(f.app, f.a).put(activityProfile({ profileId: 'fresh' })).send({ a: 1 })).status).toBe(400);
    expect((await as(f.app, f.a).get(activityProfile({ profileId: 'fresh' }))).status).toBe(404);
    expect((await as(f.app, f.a).delete(activityProfile())).status).toBe(400);
  });
});

describe('Part Three §2.5 Activities and §2.6 Agents resources', () => {
  it('returns the activity with the definition its statements gave, merged', async () => {
    const person = await f.person(f.tenantA, 'per@oslo.kommune.no');
    const object = { id: 'https://laering.example.no/activities/hms', definition: { name: { nb: 'HMS' }, type: 'http://adlnet.gov/expapi/activities/course' } };
    await as(f.app, f.a).post('/xapi/statements').send({ actor: f.actorOf(person), verb: { id: 'https://x.no/v' }, object }).expect(200);
    const res = await as(f.app, f.a).get(`/xapi/activities?${query({ activityId: object.id })}`);
    expect(res.body).toEqual({ objectType: 'Activity', id: object.id, definition: object.definition });
    // §2.5: a second statement in another language adds to the name rather than replacing it.
    const english = { id: object.id, definition: { name: { en: 'HSE' }, description: { en: 'Health and safety' } } };
    await as(f.app, f.a).post('/xapi/statements').send({ actor: f.actorOf(person), verb: { id: 'https://x.no/v' }, object: english }).expect(200);
    const merged = await as(f.app, f.a).get(`/xapi/activities?${query({ activityId: object.id })}`);
    const inOneBatch = [
      { actor: f.actorOf(person), verb: { id: 'https://x.no/v' }, object: { id: 'https://x.no/batch', definition: { name: { nb: 'Møte' } } } },
      { actor: f.actorOf(person), verb: { id: 'https://x.no/v' }, object: { id: 'https://x.no/batch', definition: { name: { fr: 'Réunion' } } } },
    ];
    await as(f.app, f.a).post('/xapi/statements').send(inOneBatch).expect(200);
    const batch = await as(f.app, f.a).get(`/xapi/activities?${query({ activityId: 'https://x.no/batch' })}`);
    expect(batch.body.definition.name).toEqual({ nb: 'Møte', fr: 'Réunion' });
    expect(merged.body.definition).toEqual({ ...object.definition, name: { nb: 'HMS', en: 'HSE' }, description: { en: 'Health and safety' } });
    const unknown = await as(f.app, f.a).get(`/xapi/activities?${query({ activityId: 'https://x.no/unknown' })}`);
    expect(unknown.body).toEqual({ objectType: 'Activity', id: 'https://x.no/unknown' });
  });

  it('returns a Person combining account, email and name for our own learners', async () => {
    const person = await f.person(f.tenantA, 'lise@oslo.kommune.no');
    const res = await as(f.app, f.a).get(`/xapi/agents?${query({ agent: { mbox: 'mailto:lise@oslo.kommune.no' } })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      objectType: 'Person',
      name: ['Kari Nordmann'],
      mbox: ['mailto:lise@oslo.kommune.no'],
      account: [{ homePage: f.publicUrl, name: person.id }],
    });
    expect((await as(f.app, f.a).get('/xapi/agents')).status).toBe(400);
  });
});
