import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../src/db/migrations.js';
import { boundaryOf, buildMultipart, parseMultipart, type MimePart } from '../../src/xapi/multipart.js';
import { as, createLrsFixture, statementAbout, type Credentials, type LrsFixture } from './lrs-fixture.js';

/**
 * Issue 13 items 1 and 2: attachment bytes belong to the municipality that uploaded them. A client of
 * another municipality that names the hash gets no bytes, and cannot decide the content type that
 * the owner's statements are served with.
 */
let f: LrsFixture;
let osloActor: Record<string, unknown>;
let bergenActor: Record<string, unknown>;
beforeAll(async () => {
  f = await createLrsFixture();
  osloActor = f.actorOf(await f.person(f.tenantA));
  bergenActor = f.actorOf(await f.person(f.tenantB));
});
afterAll(() => f.dispose());

const BOUNDARY = 'attachment-boundary';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function attachment(content: Buffer, contentType: string, extra: Record<string, unknown> = {}) {
  return { usageType: 'https://laering.example.no/usage/bevis', display: { nb: 'Bevis' }, contentType, length: content.length, sha2: sha256(content), ...extra };
}

async function postWithPart(credentials: Credentials, statement: Record<string, unknown>, content: Buffer, partType: string): Promise<void> {
  const body = buildMultipart(BOUNDARY, [
    { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(statement)) },
    { headers: { 'Content-Type': partType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(content) }, body: content },
  ]);
  const res = await as(f.app, credentials).post('/xapi/statements').set('Content-Type', `multipart/mixed; boundary=${BOUNDARY}`).send(body);
  expect(res.status, res.text).toBe(200);
}

async function getParts(credentials: Credentials, url: string): Promise<{ headers: Record<string, string>; parts: MimePart[] }> {
  const res = await as(f.app, credentials)
    .get(url)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  const headers = res.headers as Record<string, string>;
  return { headers, parts: parseMultipart(res.body as Buffer, boundaryOf(headers['content-type'] ?? '') as string) };
}

describe('attachments across municipalities', () => {
  it("a statement of another municipality that names the hash of Oslo's attachment gets none of its bytes", async () => {
    const secret = Buffer.from(`Sykefraværsoppfølging for Kari, ${randomUUID()}`);
    const oslo = statementAbout(osloActor, { attachments: [attachment(secret, 'text/plain')] });
    await postWithPart(f.a, oslo, secret, 'text/plain');

    // Bergen names the hash with a fileUrl of its own: the statement is valid and stored, without bytes.
    const bergen = statementAbout(bergenActor, { attachments: [attachment(secret, 'text/plain', { fileUrl: 'https://bergen.example.no/x' })] });
    await as(f.app, f.b).post('/xapi/statements').send(bergen).expect(200);
    for (const url of [`/xapi/statements?statementId=${bergen['id'] as string}&attachments=true`, '/xapi/statements?attachments=true']) {
      const { parts } = await getParts(f.b, url);
      expect(parts.slice(1).map((p) => p.headers['x-experience-api-hash'])).not.toContain(sha256(secret));
      expect(parts.some((p) => p.body.includes(secret))).toBe(false);
    }
    // A statement Bergen's client writes about Oslo's employee is Bergen's (each municipality is its own
    // LRS): Oslo does not see it, and Bergen gets it without Oslo's bytes.
    const aboutOslo = statementAbout(osloActor, { attachments: [attachment(secret, 'text/plain', { fileUrl: 'https://bergen.example.no/x' })] });
    await as(f.app, f.b).post('/xapi/statements').send(aboutOslo).expect(200);
    await as(f.app, f.a).get(`/xapi/statements?statementId=${aboutOslo['id'] as string}`).expect(404);
    const seenByBergen = await getParts(f.b, `/xapi/statements?statementId=${aboutOslo['id'] as string}&attachments=true`);
    expect(seenByBergen.parts).toHaveLength(1);

    // Oslo's own statement still has its bytes.
    const own = await getParts(f.a, `/xapi/statements?statementId=${oslo['id'] as string}&attachments=true`);
    expect(own.parts[1]?.body.equals(secret)).toBe(true);
  });

  it('each statement is served with its own content type, never another municipality\'s, and never for a browser to render', async () => {
    const bytes = Buffer.from(`<script>alert(document.domain)</script> ${randomUUID()}`);
    const bergen = statementAbout(bergenActor, { attachments: [attachment(bytes, 'text/html')] });
    await postWithPart(f.b, bergen, bytes, 'text/html');
    const oslo = statementAbout(osloActor, { attachments: [attachment(bytes, 'application/pdf')] });
    await postWithPart(f.a, oslo, bytes, 'text/html');

    const osloRead = await getParts(f.a, `/xapi/statements?statementId=${oslo['id'] as string}&attachments=true`);
    expect(osloRead.parts[1]?.headers['content-type']).toBe('application/pdf');
    expect(osloRead.parts[1]?.body.equals(bytes)).toBe(true);
    const bergenRead = await getParts(f.b, `/xapi/statements?statementId=${bergen['id'] as string}&attachments=true`);
    expect(bergenRead.parts[1]?.headers['content-type']).toBe('text/html');
    for (const { headers } of [osloRead, bergenRead]) {
      expect(headers['content-disposition']).toBe('attachment');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toMatch(/^sandbox/);
    }
    const rows = await f.testDatabase.database.db.selectFrom('xapi_attachments').select('tenant_id').where('sha2', '=', sha256(bytes)).execute();
    expect(rows.map((r) => r.tenant_id).sort()).toEqual([f.tenantA, f.tenantB].sort());
  });
});

describe('migration 0304 with attachments stored before it', () => {
  it('gives existing bytes to the tenants that uploaded them and to no tenant that only named the hash', async () => {
    const { db } = f.testDatabase.database;
    const uploaded = Buffer.from(`lastet opp av Oslo ${randomUUID()}`);
    const secondUploader = Buffer.from(`lastet opp av Oslo, så av Bergen ${randomUUID()}`);
    // Statements as the LRS before 0304 stored them: Oslo uploads both; Bergen later names the first
    // with a fileUrl (no bytes sent), and sends the second again without a fileUrl (bytes sent).
    const named = statementAbout(bergenActor, { attachments: [attachment(uploaded, 'text/plain', { fileUrl: 'https://bergen.example.no/y' })] });
    const resent = statementAbout(bergenActor, { attachments: [attachment(secondUploader, 'text/plain')] });
    await postWithPart(f.a, statementAbout(osloActor, { attachments: [attachment(uploaded, 'text/plain')] }), uploaded, 'text/plain');
    await postWithPart(f.a, statementAbout(osloActor, { attachments: [attachment(secondUploader, 'text/plain', { fileUrl: 'https://x.no/z' })] }), secondUploader, 'text/plain');
    await as(f.app, f.b).post('/xapi/statements').send(named).expect(200);
    await postWithPart(f.b, resent, secondUploader, 'text/plain');

    // Back to the shared table of 0300, holding what it held then, and 0304 run again over it.
    const migration = fs.readFileSync(path.join(MIGRATIONS_DIR, '0304_xapi_attachments_per_tenant.sql'), 'utf8');
    await f.testDatabase.database.session(async (session) => {
      await session.exec(`begin;
        create temp table held as select distinct on (sha2) sha2, content, created_at from xapi_attachments order by sha2, created_at;
        drop table xapi_attachments;
        create table xapi_attachments (sha2 text primary key, content_type text not null, content bytea not null, created_at timestamptz not null default now());
        insert into xapi_attachments select sha2, 'text/plain', content, created_at from held;
        drop table held;`);
      await session.exec(migration);
      await session.exec('commit');
    });

    const owners = async (content: Buffer) =>
      (await db.selectFrom('xapi_attachments').select('tenant_id').where('sha2', '=', sha256(content)).execute()).map((r) => r.tenant_id).sort();
    expect(await owners(uploaded)).toEqual([f.tenantA]);
    expect(await owners(secondUploader)).toEqual([f.tenantA, f.tenantB].sort());
    const bergenRead = await getParts(f.b, `/xapi/statements?statementId=${named['id'] as string}&attachments=true`);
    expect(bergenRead.parts).toHaveLength(1);
  });
});
