import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryOf, buildMultipart, parseMultipart } from '../../../src/xapi/multipart.js';
import { as, createLrsFixture, statementAbout, type LrsFixture } from '../../xapi/lrs-fixture.js';

let f: LrsFixture;
let actor: Record<string, unknown>;
beforeAll(async () => {
  f = await createLrsFixture();
  actor = f.actorOf(await f.person(f.tenantA));
});
afterAll(() => f.dispose());

const BOUNDARY = 'xapi-test-boundary';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function attachmentOf(content: Buffer, usageType = 'https://laering.example.no/usage/certificate', contentType = 'text/plain') {
  return { usageType, display: { nb: 'Kursbevis' }, contentType, length: content.length, sha2: sha256(content) };
}

function multipart(statements: unknown, parts: { content: Buffer; hash?: string; contentType?: string }[]): Buffer {
  return buildMultipart(BOUNDARY, [
    { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(statements)) },
    ...parts.map((p) => ({
      headers: { 'Content-Type': p.contentType ?? 'text/plain', 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': p.hash ?? sha256(p.content) },
      body: p.content,
    })),
  ]);
}

const post = (body: Buffer) =>
  as(f.app, f.a).post('/xapi/statements').set('Content-Type', `multipart/mixed; boundary=${BOUNDARY}`).send(body);

describe('Part Three §1.5.2 attachments in multipart/mixed', () => {
  it('stores the attachment once and returns it with attachments=true; re-posting the same works', async () => {
    const content = Buffer.from('Kursbevis for Kari – førstehjelp');
    const statement = statementAbout(actor, { attachments: [attachmentOf(content)] });
    const body = multipart(statement, [{ content }]);
    const res = await post(body);
    expect(res.status, res.text).toBe(200);
    expect((await post(body)).status).toBe(200);
    const got = await as(f.app, f.a)
      .get(`/xapi/statements?statementId=${statement['id'] as string}&attachments=true`)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(got.status).toBe(200);
    const boundary = boundaryOf(got.headers['content-type'] as string) as string;
    const parts = parseMultipart(got.body as Buffer, boundary);
    expect(parts).toHaveLength(2);
    expect(JSON.parse((parts[0]?.body as Buffer).toString()).id).toBe(statement['id']);
    expect(parts[1]?.headers['x-experience-api-hash']).toBe(sha256(content));
    expect(parts[1]?.body.equals(content)).toBe(true);
    const rows = await f.testDatabase.database.db.selectFrom('xapi_attachments').select('sha2').where('sha2', '=', sha256(content)).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a part whose content does not match its hash, a missing part and an extra part', async () => {
    const content = Buffer.from('a');
    const statement = statementAbout(actor, { attachments: [attachmentOf(content)] });
    expect((await post(multipart(statement, [{ content: Buffer.from('b'), hash: sha256(content) }]))).status).toBe(400);
    expect((await post(multipart(statement, []))).status).toBe(400);
    expect((await post(multipart(statement, [{ content }, { content: Buffer.from('extra') }]))).status).toBe(400);
    const plain = await as(f.app, f.a).post('/xapi/statements').send(statement);
    expect(plain.status).toBe(400);
  });

  it('accepts an attachment given by fileUrl without a part', async () => {
    const statement = statementAbout(actor, { attachments: [{ ...attachmentOf(Buffer.from('x')), fileUrl: 'https://files.example.no/x.txt' }] });
    expect((await as(f.app, f.a).post('/xapi/statements').send(statement)).status).toBe(200);
  });
});

describe('Part Two §2.6 signed statements', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const SIGNATURE = 'http://adlnet.gov/expapi/attachments/signature';

  function jws(payload: unknown, alg = 'RS256'): Buffer {
    const header = Buffer.from(JSON.stringify({ alg })).toString('base64url');
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const signature = sign('sha256', Buffer.from(`${header}.${body}`), privateKey).toString('base64url');
    return Buffer.from(`${header}.${body}.${signature}`);
  }

  it('stores a statement whose signature payload is the statement', async () => {
    const statement = statementAbout(actor);
    const token = jws(statement);
    const signed = { ...statement, attachments: [attachmentOf(token, SIGNATURE, 'application/octet-stream')] };
    const res = await post(multipart(signed, [{ content: token, contentType: 'application/octet-stream' }]));
    expect(res.status, res.text).toBe(200);
  });

  it('refuses a signature over another statement, a malformed JWS and a non-RSA algorithm', async () => {
    const statement = statementAbout(actor);
    for (const token of [jws({ ...statement, verb: { id: 'https://x.no/other' } }), Buffer.from('not-a-jws'), jws(statement, 'HS256')]) {
      const signed = { ...statement, attachments: [attachmentOf(token, SIGNATURE, 'application/octet-stream')] };
      const res = await post(multipart(signed, [{ content: token, contentType: 'application/octet-stream' }]));
      expect(res.status).toBe(400);
    }
  });
});
