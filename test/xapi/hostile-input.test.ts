import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMultipart } from '../../src/xapi/multipart.js';
import { MAX_JSON_DEPTH } from '../../src/xapi/text-input.js';
import { as, createLrsFixture, query, statementAbout, VERSION_HEADER, type LrsFixture } from './lrs-fixture.js';

/**
 * Issue 13 item 4: input built to break the LRS (nesting 100,000 deep, a lone surrogate, a forged
 * `more` token, bytes that are not UTF-8) is a 400 problem with a clear message on every way in,
 * and loses nothing already stored.
 */
let f: LrsFixture;
let actor: Record<string, unknown>;
let kept: Record<string, unknown>;
beforeAll(async () => {
  f = await createLrsFixture();
  actor = f.actorOf(await f.person(f.tenantA));
  kept = statementAbout(actor);
  await as(f.app, f.a).post('/xapi/statements').send(kept).expect(200);
});
afterAll(() => f.dispose());

const nested = (depth: number, leaf = '1') => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
/** A statement whose result extension is `value` (raw JSON text). */
const statementText = (value: string, id = crypto.randomUUID()) =>
  JSON.stringify(statementAbout(actor, { id, result: { extensions: { 'https://x.no/e': 0 } } })).replace('0}}', `${value}}}`);
const BOUNDARY = 'hostile-boundary';

function expectProblem(res: request.Response, detail: RegExp): void {
  expect(res.status, res.text).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(`${res.body.detail as string} ${String(res.body.property ?? '')}`).toMatch(detail);
}

/** Sends the bytes as they are (supertest would serialise a Buffer under a JSON content type). */
const raw = (test: request.Test, contentType: string, body: string | Buffer) =>
  test.set('Content-Type', contentType).serialize((value: unknown) => value as string).send(Buffer.isBuffer(body) ? body : Buffer.from(body));
const postRaw = (body: string | Buffer, contentType = 'application/json') => raw(as(f.app, f.a).post('/xapi/statements'), contentType, body);

async function nothingLost(id?: string): Promise<void> {
  if (id) expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${id}`)).status).toBe(404);
  expect((await as(f.app, f.a).get(`/xapi/statements?statementId=${kept['id'] as string}`)).status).toBe(200);
}

describe('nesting deeper than the documented limit', () => {
  it(`a statement nested 100,000 deep, or one level past ${MAX_JSON_DEPTH}, is a 400; ${MAX_JSON_DEPTH} levels are stored`, async () => {
    expectProblem(await postRaw(nested(100_000)), /more than 100 levels/);
    const id = crypto.randomUUID();
    // The statement itself and its result and extensions objects are three levels.
    expectProblem(await postRaw(statementText(nested(MAX_JSON_DEPTH - 2), id)), /more than 100 levels/);
    await nothingLost(id);
    expect((await postRaw(statementText(nested(MAX_JSON_DEPTH - 3), id))).status).toBe(200);
  });

  it('in a batch, a multipart statement part, the agent parameter, a document merge and a signed payload', async () => {
    expectProblem(await postRaw(`[${statementText(nested(100_000))}]`), /more than 100 levels/);
    const multipart = buildMultipart(BOUNDARY, [{ headers: { 'Content-Type': 'application/json' }, body: Buffer.from(nested(100_000)) }]);
    expectProblem(await postRaw(multipart, `multipart/mixed; boundary=${BOUNDARY}`), /more than 100 levels/);
    // A URL holds about 2,000 levels; the alternate syntax carries parameters in a body, 100,000 deep.
    expectProblem(await as(f.app, f.a).get(`/xapi/statements?${query({ agent: nested(2_000, '{}') })}`), /more than 100 levels/);
    const form = `agent=${nested(100_000, '{}')}&Authorization=${encodeURIComponent(`Basic ${Buffer.from(`${f.a.key}:${f.a.secret}`).toString('base64')}`)}`
      + '&X-Experience-API-Version=1.0.3';
    expectProblem(await request(f.app).post('/xapi/statements?method=GET').set('Content-Type', 'application/x-www-form-urlencoded').send(form), /more than 100 levels/);
    const state = `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent: { mbox: 'mailto:a@b.no' }, stateId: 'deep' })}`;
    expectProblem(await as(f.app, f.a).post(state).set('Content-Type', 'application/json').send(`{"a":${nested(100_000)}}`), /more than 100 levels/);
    expect((await as(f.app, f.a).get(state)).status).toBe(404);
    expectProblem(await postSigned(`{"a":${nested(100_000)}}`), /more than 100 levels/);
  });
});

describe('a lone surrogate', () => {
  it('in a statement, a batch and a multipart part is a 400 naming the property', async () => {
    const id = crypto.randomUUID();
    const single = await postRaw(statementText('"x\\ud800"', id));
    expectProblem(single, /lone UTF-16 surrogate/);
    expect(single.body.property).toBe('statement.result.extensions["https://x.no/e"]');
    const batch = await postRaw(`[${statementText('1')},${statementText('"\\udfff"', id)}]`);
    expectProblem(batch, /lone UTF-16 surrogate/);
    expect(batch.body).toMatchObject({ statement: 1 });
    const keyed = await postRaw(statementText('{"\\ud83d":1}', id));
    expectProblem(keyed, /property name holds a lone/);
    const multipart = buildMultipart(BOUNDARY, [{ headers: { 'Content-Type': 'application/json' }, body: Buffer.from(statementText('"\\ud800"', id)) }]);
    expectProblem(await postRaw(multipart, `multipart/mixed; boundary=${BOUNDARY}`), /lone UTF-16 surrogate/);
    await nothingLost(id);
    // A pair is one character and is stored as it came.
    expect((await postRaw(statementText('"\\ud83d\\ude00"', id))).status).toBe(200);
  });

  it('in the agent parameter of a query and of a document, and in a document merge', async () => {
    expectProblem(await as(f.app, f.a).get(`/xapi/statements?${query({ agent: '{"mbox":"mailto:\\ud800@b.no"}' })}`), /lone UTF-16 surrogate/);
    const state = (agent: string) => `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent, stateId: 's' })}`;
    expectProblem(await as(f.app, f.a).get(state('{"mbox":"mailto:\\udc00@b.no"}')), /lone UTF-16 surrogate/);
    const good = state('{"mbox":"mailto:a@b.no"}');
    await as(f.app, f.a).put(good).set('Content-Type', 'application/json').send('{"a":1}').expect(204);
    expectProblem(await as(f.app, f.a).post(good).set('Content-Type', 'application/json').send('{"b":"\\ud800"}'), /lone UTF-16 surrogate/);
    expect((await as(f.app, f.a).get(good)).body).toEqual({ a: 1 });
  });
});

describe('a forged more token', () => {
  const token = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  it('with a=1e300, a negative or fractional a, parameters that are not strings, or hostile JSON, is a 400', async () => {
    for (const forged of [
      { p: [], a: 1e300 },
      { p: [], a: -1 },
      { p: [], a: 1.5 },
      { p: [['verb', 7]], a: 1 },
      { p: [['verb']], a: 1 },
      { p: 'verb', a: 1 },
      [],
      null,
      // 100,000 deep would not fit in a URL; past the limit is past it.
      nested(MAX_JSON_DEPTH + 1),
      '{"p":[["verb","\\ud800"]],"a":1}',
    ]) {
      expectProblem(await as(f.app, f.a).get(`/xapi/statements?more=${token(forged)}`), /more: is not a more link this LRS gave out/);
    }
    expect((await as(f.app, f.a).get(`/xapi/statements?more=${token({ p: [], a: 2 ** 40 })}`)).status).toBe(200);
  });
});

describe('bytes that are not UTF-8', () => {
  const invalid = (text: string) => Buffer.concat([Buffer.from(text.slice(0, text.indexOf('Kari'))), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(text.indexOf('Kari')))]);

  it('in a statement body, a multipart statement part and a document merge are refused, not replaced with U+FFFD', async () => {
    const id = crypto.randomUUID();
    const text = JSON.stringify(statementAbout(actor, { id, result: { response: 'Kari' } }));
    expectProblem(await postRaw(invalid(text)), /not valid UTF-8/);
    const multipart = buildMultipart(BOUNDARY, [{ headers: { 'Content-Type': 'application/json' }, body: invalid(text) }]);
    expectProblem(await postRaw(multipart, `multipart/mixed; boundary=${BOUNDARY}`), /not valid UTF-8/);
    // Overlong and surrogate encodings are not UTF-8 either.
    expectProblem(await postRaw(Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('}')])), /not valid UTF-8/);
    await nothingLost(id);
    const state = `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent: { mbox: 'mailto:a@b.no' }, stateId: 'utf8' })}`;
    expectProblem(await raw(as(f.app, f.a).post(state), 'application/json', invalid('{"name":"Kari"}')), /not valid UTF-8/);
    // A document that is not JSON is bytes, stored as sent.
    await raw(as(f.app, f.a).put(state), 'application/octet-stream', Buffer.from([0xff, 0xfe])).expect(204);
  });

  it('in a percent-encoded query parameter and in an alternate-syntax form body', async () => {
    expectProblem(await as(f.app, f.a).get('/xapi/statements?agent=%7B%22mbox%22%3A%22mailto%3A%FF%40b.no%22%7D'), /query string is not valid UTF-8/);
    expectProblem(await as(f.app, f.a).get('/xapi/activities?activityId=https%3A%2F%2Fx.no%2F%C0%AF'), /query string is not valid UTF-8/);
    const id = crypto.randomUUID();
    const form = `statementId=${id}&Authorization=${encodeURIComponent(`Basic ${Buffer.from(`${f.a.key}:${f.a.secret}`).toString('base64')}`)}`
      + `&X-Experience-API-Version=1.0.3&content=${encodeURIComponent(JSON.stringify(statementAbout(actor, { id })))}%FF`;
    const res = await request(f.app).post('/xapi/statements?method=PUT').set('Content-Type', 'application/x-www-form-urlencoded').send(form);
    expectProblem(res, /form body is not valid UTF-8/);
    await nothingLost(id);
  });
});

describe('other hostile parameters', () => {
  it('U+0000 in a document id or an agent is a 400, not a database error', async () => {
    const state = (stateId: string, agent = '{"mbox":"mailto:a@b.no"}') => `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent, stateId })}`;
    expectProblem(await as(f.app, f.a).get(state('s\u0000')), /U\+0000/);
    expectProblem(await as(f.app, f.a).put(state('s\u0000')).set('Content-Type', 'text/plain').send('x'), /U\+0000/);
    expectProblem(await as(f.app, f.a).get(state('s', '{"mbox":"mailto:a\\u0000@b.no"}')), /U\+0000/);
    expectProblem(await as(f.app, f.a).get(`/xapi/statements?${query({ agent: '{"mbox":"mailto:a\\u0000@b.no"}' })}`), /U\+0000/);
    expectProblem(await as(f.app, f.a).get(`/xapi/statements?${query({ verb: 'https://x.no/\u0000' })}`), /U\+0000/);
  });

  it('an identifier too long to index is a 400, and nothing of its request is stored', async () => {
    const long = `https://x.no/${randomBytes(2_000).toString('hex')}`;
    const id = crypto.randomUUID();
    expectProblem(await as(f.app, f.a).post('/xapi/statements').send([statementAbout(actor), statementAbout(actor, { id, verb: { id: long } })]), /too long for this LRS to index/);
    await nothingLost(id);
    const state = `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent: { mbox: 'mailto:a@b.no' }, stateId: long })}`;
    expectProblem(await as(f.app, f.a).put(state).set('Content-Type', 'text/plain').send('x'), /too long for this LRS to index/);
    expect((await as(f.app, f.a).get(state)).status).toBe(404);
  });

  it('a key holding U+0000 in the Authorization header is a 401, not a database error', async () => {
    const res = await request(f.app).get('/xapi/statements').set(VERSION_HEADER).set('Authorization', `Basic ${Buffer.from(`${f.a.key}\u0000:x`).toString('base64')}`);
    expect(res.status).toBe(401);
  });

  it('a since or until the database has no year for is a 400', async () => {
    expectProblem(await as(f.app, f.a).get('/xapi/statements?since=0000-01-01T00:00:00Z'), /years 0001 to 9999/);
    expectProblem(await as(f.app, f.a).get('/xapi/statements?until=0000-12-31T23:59:59Z'), /years 0001 to 9999/);
    const state = `/xapi/activities/state?${query({ activityId: 'https://x.no/a', agent: { mbox: 'mailto:a@b.no' }, since: '0000-06-01T00:00:00Z' })}`;
    expectProblem(await as(f.app, f.a).get(state), /years 0001 to 9999/);
  });
});

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A statement signed with `payload` (raw JSON text) as the JWS payload. */
function postSigned(payload: string) {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
  const body = Buffer.from(payload).toString('base64url');
  const jws = `${header}.${body}.${sign('sha256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url')}`;
  const content = Buffer.from(jws);
  const sha2 = createHash('sha256').update(content).digest('hex');
  const statement = statementAbout(actor, {
    attachments: [{ usageType: 'http://adlnet.gov/expapi/attachments/signature', display: { nb: 'Signatur' }, contentType: 'application/octet-stream', length: content.length, sha2 }],
  });
  const multipart = buildMultipart(BOUNDARY, [
    { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(statement)) },
    { headers: { 'Content-Type': 'application/octet-stream', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha2 }, body: content },
  ]);
  return request(f.app).post('/xapi/statements').auth(f.a.key, f.a.secret).set(VERSION_HEADER)
    .set('Content-Type', `multipart/mixed; boundary=${BOUNDARY}`).send(multipart);
}

it('a signed payload with a lone surrogate is a 400', async () => {
  expectProblem(await postSigned('{"actor":"\\ud800"}'), /lone UTF-16 surrogate/);
});
