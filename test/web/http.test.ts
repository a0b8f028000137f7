import express, { Router, type Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES, ProblemError } from '../../src/web/problem.js';
import { capturingLogger, testApp, testConfig } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

/** Routes that exercise the error paths a capability can hit. */
function probeRouter(): Router {
  const router = Router();
  router.post('/api/echo', (req, res) => {
    req.log.info({ size: JSON.stringify(req.body).length }, 'echo');
    res.json(req.body);
  });
  router.get('/api/invalid', () => {
    throw new ProblemError('validation-failed', 'limit must be a positive number', { errors: [{ field: 'limit' }] });
  });
  router.get('/api/crash', () => {
    throw new Error('secret internal detail at db.ts:42');
  });
  router.get('/crash', async () => {
    await Promise.resolve();
    throw new Error('secret internal detail at db.ts:42');
  });
  return router;
}

const PROBLEM_KEYS = ['type', 'title', 'status'];

describe(`HTTP service (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let app: Express;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    app = testApp(testDb.database, { routers: [probeRouter()], config: testConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://laering.example.no', DATABASE_URL: 'postgres://unused/x', KEY_ENCRYPTION_SECRET: 'x'.repeat(40), CONTENT_ORIGIN: 'https://innhald.example.no' }) });
  });
  afterAll(() => testDb.dispose());

  it('answers unknown API paths with RFC 9457 problem+json', async () => {
    const res = await request(app).get('/api/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Object.keys(res.body)).toEqual(expect.arrayContaining([...PROBLEM_KEYS, 'detail', 'instance', 'reference']));
    expect(res.body).toMatchObject({ type: '/problems/not-found', status: 404, instance: '/api/no-such-thing' });
    expect(res.body.reference).toBe(res.headers['x-request-id']);
  });

  it('keeps the extensions of a problem and its stable type', async () => {
    const res = await request(app).get('/api/invalid');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/problems/validation-failed', detail: 'limit must be a positive number', errors: [{ field: 'limit' }] });
  });

  it('refuses malformed JSON with 400 and a body over the limit with 413', async () => {
    const malformed = await request(app).post('/api/echo').set('content-type', 'application/json').send('{"a": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toBe('/problems/malformed-request-body');
    const big = await request(app).post('/api/echo').send({ filler: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
    expect(big.body.type).toBe('/problems/payload-too-large');
    const fine = await request(app).post('/api/echo').send({ navn: 'Tromsø' });
    expect(fine.body).toEqual({ navn: 'Tromsø' });
  });

  it('tells a person whose form is too large that it is too large, not that it was invalid', async () => {
    const form = 'tekst=' + 'x'.repeat(1024 * 1024 + 10);
    for (const [lang, title] of [['nb', 'Innsendingen er for stor'], ['nn', 'Innsendinga er for stor']] as const) {
      const res = await request(app).post('/no-such-page').set('accept', 'text/html').set('accept-language', lang).type('form').send(form);
      expect(res.status).toBe(413);
      expect(res.text).toContain(`<h1>${title}</h1>`);
      expect(res.text).not.toContain('ikke gyldig');
    }
  });

  it('hides internal errors outside development: no stack, only a reference', async () => {
    const res = await request(app).get('/api/crash');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ type: '/problems/internal-error', status: 500 });
    expect(JSON.stringify(res.body)).not.toMatch(/secret internal detail|db\.ts/);
  });

  it('shows people a readable page in bokmål with the reference, never the stack', async () => {
    const res = await request(app).get('/crash').set('accept', 'text/html');
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<html lang="nb" data-color-scheme="auto">');
    expect(res.text).toContain('Noe gikk galt');
    expect(res.text).toContain(`Referanse: ${res.headers['x-request-id']}`);
    expect(res.text).not.toMatch(/secret internal detail|db\.ts/);
  });

  it('shows the not-found page in nynorsk and English when asked', async () => {
    expect((await request(app).get('/nowhere?lang=nn').set('accept', 'text/html')).text).toContain('Sida finst ikkje');
    expect((await request(app).get('/nowhere').set('accept', 'text/html').set('accept-language', 'en-GB,en;q=0.8')).text).toContain('Page not found');
  });

  it('documents each problem type at its type URI', async () => {
    const res = await request(app).get('/problems/payload-too-large');
    expect(res.status).toBe(200);
    expect(res.text).toContain('HTTP 413');
    expect((await request(app).get('/problems/nonsense')).status).toBe(404);
  });

  it('explains cmi5-action-refused at its type URI in bokmål, nynorsk and English, with each code it is sent with', async () => {
    const expected = {
      nb: ['cmi5-handlingen passer ikke med det deltakeren har gjort', 'Ingenting er endret', 'kan ikke fritas'],
      nn: ['cmi5-handlinga passar ikkje med det deltakaren har gjort', 'Ingenting er endra', 'kan ikkje fritakast'],
      en: ['The cmi5 action does not fit what the learner has done', 'Nothing was changed', 'cannot be waived'],
    } as const;
    for (const [lang, texts] of Object.entries(expected)) {
      const res = await request(app).get(`/problems/cmi5-action-refused?lang=${lang}`);
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain(`<html lang="${lang}"`);
      expect(res.text).toContain(`<h1>${texts[0]}</h1>`);
      expect(res.text).toContain('HTTP 409');
      for (const text of texts.slice(1)) expect(res.text).toContain(text);
      // The codes the waiver and end-session API sends (src/web/cmi5/oversight-router.ts).
      for (const code of ['already-waived', 'already-satisfied', 'ended']) expect(res.text).toContain(`<dt><code>${code}</code></dt>`);
    }
    // The language the reader's browser asks for, when the link has none.
    expect((await request(app).get('/problems/cmi5-action-refused').set('accept-language', 'nn-NO,nn;q=0.9')).text).toContain(expected.nn[0]);
  });

  it('gives every problem type a page of its own in each language', async () => {
    for (const type of Object.keys(PROBLEM_TYPES)) {
      const titles = new Set<string>();
      for (const lang of ['nb', 'nn', 'en']) {
        const res = await request(app).get(`/problems/${type}?lang=${lang}`);
        expect([type, lang, res.status]).toEqual([type, lang, 200]);
        expect(res.text).toContain(`<code>/problems/${type}</code>`);
        titles.add(/<h1>([^<]+)<\/h1>/.exec(res.text)![1]!);
      }
      // Bokmål and English differ for every type: the page is translated, not the English title thrice.
      expect([type, titles.size > 1]).toEqual([type, true]);
    }
  });

  it('sends security headers', async () => {
    const res = await request(app).get('/');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('shows what the tool is, its version and the database kind on the start page', async () => {
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Læringsløp');
    expect(res.text).toMatch(/Versjon<\/dt><dd>\d+\.\d+\.\d+/);
    expect(res.text).toContain(`data-database-kind="${BACKEND}"`);
    expect(res.text).toContain('href="/readyz"');
    // The start page's title is the tool's name once, not "Læringsløp – Læringsløp".
    expect(res.text).toContain('<title>Læringsløp</title>');
    expect(res.text).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('has an icon where browsers look for one', async () => {
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(String(res.body)).toContain('<svg');
    }
  });
});

describe('routers for machine clients', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('come before the page middleware: their answers are not sniffed, carry request ids and no page policy, and errors still become problems', async () => {
    const api = Router();
    api.post('/api/runtime', express.json(), (req, res) => res.json({ got: req.body }));
    api.get('/api/runtime/broken', () => {
      throw new ProblemError('validation-failed', 'no such thing');
    });
    const app = testApp(testDb.database, { apiRouters: [api] });
    const res = await request(app).post('/api/runtime').send({ a: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ got: { a: 1 } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['content-security-policy']).toBeUndefined();
    const broken = await request(app).get('/api/runtime/broken');
    expect(broken.status).toBe(400);
    expect(broken.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Pages still get their policy.
    expect((await request(app).get('/')).headers['content-security-policy']).toMatch(/default-src 'self'/);
  });
});

describe('request logging', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb.dispose());

  it('puts the request id on every line a request logs, and takes a caller-supplied id', async () => {
    const { logger, lines } = capturingLogger();
    const app = testApp(testDb.database, { logger, routers: [probeRouter()] });
    await request(app).post('/api/echo').set('x-request-id', 'lb-1234').send({ a: 1 }).expect('x-request-id', 'lb-1234');
    await request(app).get('/api/crash');
    const logged = lines();
    expect(logged.length).toBeGreaterThanOrEqual(4);
    for (const line of logged) expect(line['requestId'], JSON.stringify(line)).toEqual(expect.any(String));
    expect(logged.filter((l) => l['requestId'] === 'lb-1234').map((l) => l['msg'])).toEqual(expect.arrayContaining(['echo', 'request completed']));
    // The crash's stack goes to the log (for operators), not to the client.
    expect(JSON.stringify(logged)).toContain('secret internal detail');
  });

  it('logs successes at debug, client errors at info and server errors at error', async () => {
    const { logger, lines } = capturingLogger('info');
    const app = testApp(testDb.database, { logger, routers: [probeRouter()] });
    await request(app).get('/healthz').expect(200);
    await request(app).get('/api/no-such-thing').expect(404);
    await request(app).get('/api/crash').expect(500);
    const completed = lines().filter((l) => l['msg'] === 'request completed');
    expect(completed.map((l) => [l['level'], (l['req'] as { url: string }).url, (l['res'] as { statusCode: number }).statusCode])).toEqual([
      [30, '/api/no-such-thing', 404],
      [50, '/api/crash', 500],
    ]);
    for (const line of completed) expect(line['responseTime']).toEqual(expect.any(Number));
  });

  it('replaces a request id that is unsafe to log', async () => {
    const app = testApp(testDb.database);
    const res = await request(app).get('/healthz').set('x-request-id', '<script>alert(1)</script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
