import type { Express } from 'express';
import readXlsxFile from 'read-excel-file/node';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantManager } from '../../src/access/manager-grants.js';
import { Principals } from '../../src/access/principal.js';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { SessionTokens } from '../../src/lti/session-token.js';
import { CHART_JS, REPORT_CHARTS_JS } from '../../src/web/ds/scripts.js';
import { reportsRouter } from '../../src/web/competence/reports-router.js';
import { manageRouter } from '../../src/web/access/manage-router.js';
import { SECRET } from '../lti/support/lti-http.js';
import { testApp } from '../support/app.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { addPerson, orgWorld, type OrgWorld } from '../access/support.js';
import { addReportCompetence, REPORT_DAY } from './report-world.js';

/** Parses the export's CSV (`;`, quoted cells with doubled quotes, CRLF) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  return rows;
}

describe(`staffing, competence report and gap exports over HTTP (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let app: Express;
  let w: OrgWorld;
  let injector: string;
  const tokens: Record<'manager' | 'learner' | 'admin' | 'region' | 'bergManager', string> = { manager: '', learner: '', admin: '', region: '', bergManager: '' };
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    w = await orgWorld(db());
    ({ injector } = await addReportCompetence(testDb.database, w.as, w.units, w.people));
    const sessions = new SessionTokens(SECRET);
    const issue = (personId: string, tenantId: string, role: 'learner' | 'manager' | 'admin', locale = 'nb') =>
      sessions.issue({ personId, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'none', locale });
    tokens.manager = await issue(w.people.ingrid, w.as, 'manager');
    tokens.learner = await issue(w.people.anne, w.as, 'learner');
    tokens.admin = await issue(w.asAdmin, w.as, 'admin');
    tokens.region = await issue(await addPerson(db(), w.region, 'Rita Region'), w.region, 'admin');
    await grantManager(db(), { tenantId: w.berg, personId: w.people.bergLeader, unitId: w.units.bergUnit.id, actor: OPERATOR });
    tokens.bergManager = await issue(w.people.bergLeader, w.berg, 'manager');
    const access = { db: db(), sessions, principals: new Principals(db()) };
    app = testApp(testDb.database, { routers: [manageRouter(access), reportsRouter(access)] });
  });
  afterAll(async () => testDb?.dispose());

  const get = (path: string, token: string, query: Record<string, string> = {}) =>
    request(app).get(`${path}?${new URLSearchParams({ session: token, ...query }).toString()}`).set('Accept', 'text/html');
  const exports = () => db().selectFrom('audit_events').select(['subject_person_id', 'actor_id', 'details']).where('action', '=', 'competence.gaps.exported');

  it('leads a manager from their units to the report and the staffing page', async () => {
    const manage = await get('/manage', tokens.manager);
    expect(manage.text).toContain('data-action-link="/manage/competence/report"');
    expect(manage.text).toContain('data-action-link="/manage/staffing"');
  });

  it('shows a manager the staffing of their units: headcount, FTE per job role and unit, part-time bands', async () => {
    const res = await get('/manage/staffing', tokens.manager, { date: REPORT_DAY });
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-staffing');
    // 100 + 80 + 40 + 75.5 = 295.5 %: 2,96 årsverk (Bjørn's 30 % in home care is outside the scope).
    expect(res.text).toMatch(/data-staffing-total>Ansatte: 4 · Årsverk: 2,96</);
    expect(res.text).toMatch(/<tr data-band="50-75"><th scope="row">50–75 %<\/th><td data-numeric>1<\/td>/);
    expect(res.text).toMatch(/<tr data-band="76-99"><th scope="row">76–99 %<\/th><td data-numeric>2<\/td>/);
    expect(res.text).toContain('data-cell="SH1:Helsefagarbeider"');
    expect(res.text).not.toContain('Hjemmetjeneste');
    expect(res.text).not.toContain('Dag Lærer');
    // Before the employments started, nobody.
    const before = await get('/manage/staffing', tokens.manager, { date: '2019-12-31' });
    expect(before.text).toContain('data-no-staff');
    // A date that is no day: a readable page saying so.
    const bad = await get('/manage/staffing', tokens.manager, { date: '2027-02-30' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('data-error-summary');
    expect(bad.text).toContain('ÅÅÅÅ-MM-DD');
  });

  it('the report: coverage per unit, completions per month, expiries, each a chart with its table and description', async () => {
    const res = await get('/manage/competence/report', tokens.manager, { date: REPORT_DAY });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/data-coverage-unit="SH1" data-label="Avdeling 1 \(SH1\)" data-value="33"/);
    expect(res.text).toMatch(/data-coverage-unit="SH" data-label="Sykehjem \(SH\)" data-value="0"/);
    expect(res.text).toContain('data-month="2027-02" data-label="feb. 2027" data-value="1"');
    expect(res.text).toContain('data-expiry="brannvern"');
    for (const id of ['coverage', 'completions', 'expiries']) {
      expect(res.text).toContain(`id="${id}-chart" data-chart-label="Diagram: `);
      expect(res.text).toContain(`data-chart-describedby="${id}-desc"`);
      expect(res.text).toContain(`data-chart="${id}-chart"`);
    }
    expect(res.text).toContain(`<script src="${CHART_JS.href}"></script>`);
    expect(res.text).toContain(`<script src="${REPORT_CHARTS_JS.href}"></script>`);
    // No inline script: the CSP allows only the tool's own files.
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.text).not.toContain('Hjemmetjeneste');
    const viewed = await db().selectFrom('audit_events').select(['actor_id', 'subject_person_id']).where('action', '=', 'competence.report.viewed').execute();
    expect(viewed).toEqual([{ actor_id: w.people.ingrid, subject_person_id: null }]);

    // Nynorsk.
    const nn = await get('/manage/competence/report', tokens.manager, { date: REPORT_DAY, lang: 'nn' });
    expect(nn.text).toContain('Dekning per eining');
  });

  it('serves Chart.js and the chart script from the tool, cacheable by their hashed names', async () => {
    const chart = await request(app).get(CHART_JS.href);
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toMatch(/javascript/);
    expect(chart.text).toContain('Chart');
    expect(chart.headers['cache-control']).toContain('immutable');
    expect((await request(app).get(REPORT_CHARTS_JS.href)).text).toContain('data-chart');
  });

  it('exports the gap rows as CSV: BOM, semicolons, formula characters neutralised, the scope only; audited per person', async () => {
    const res = await get('/manage/competence/export.csv', tokens.manager, { date: REPORT_DAY });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="kompetansegap-${REPORT_DAY}.csv"`);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(res.text.slice(1));
    expect(rows[0]).toEqual(['Navn', 'Ansattnummer', 'Enhet', 'Enhetskode', 'Stilling', 'Kompetansekode', 'Kompetanse', 'Obligatorisk', 'Status', 'Gyldig til', 'Frist for nyansatt']);
    expect(rows).toHaveLength(6);
    expect(rows).toContainEqual(['Bjørn Fagarbeider', '1003', 'Avdeling 1', 'SH1', 'Helsefagarbeider', 'brannvern', 'Brannvern', 'Ja', 'Går snart ut', '2027-07-10', '']);
    // A name, an employee number and a job title starting with =, - and @ are text, never formulas.
    const injected = rows.find((r) => r[0]!.includes('HYPERLINK'))!;
    expect(injected.slice(0, 2)).toEqual(['\'=HYPERLINK("http://evil.example/","klikk")', '\'-1007']);
    expect(injected[4]).toBe('\'@SUM(1+1)');
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
    expect(res.text).not.toMatch(/Hjemme|Dag Lærer|Hans Berg/);

    const audit = await exports().execute();
    expect(audit.map((a) => a.subject_person_id).sort()).toEqual([w.people.ingrid, w.people.anne, w.people.bjorn, injector].sort());
    expect(audit.every((a) => a.actor_id === w.people.ingrid)).toBe(true);
    expect(audit[0]!.details).toMatchObject({ format: 'csv', view: 'manager' });
  });

  it('filters the export by unit (with its subtree), job role, competence, mandatory and status', async () => {
    const csv = async (query: Record<string, string>) => parseCsv((await get('/manage/competence/export.csv', tokens.manager, { date: REPORT_DAY, ...query })).text.slice(1)).slice(1);
    expect((await csv({ unit: w.units.sh1.id })).map((r) => r[3])).toEqual(['SH1', 'SH1', 'SH1']);
    expect(await csv({ unit: w.units.sh.id })).toHaveLength(5);
    expect((await csv({ job: 'helsefagarbeider' })).map((r) => r[5]).sort()).toEqual(['brannvern', 'forstehjelp']);
    expect((await csv({ competence: 'forstehjelp', mandatory: 'recommended' })).map((r) => r[1]).sort()).toEqual(['-1007', '1001', '1002', '1003'].map((n) => (n.startsWith('-') ? `'${n}` : n)).sort());
    expect(await csv({ mandatory: 'mandatory', status: 'missing' })).toEqual([]);
    expect((await csv({ status: 'expiring' })).map((r) => r[0])).toEqual(['Bjørn Fagarbeider']);
  });

  it('refuses a unit outside the scope, another municipality’s unit and nonsense as not found; bad filters as bad requests', async () => {
    const before = (await exports().execute()).length;
    for (const unit of [w.units.ht.id, w.units.sk.id, w.units.bergUnit.id, crypto.randomUUID(), 'not-a-uuid']) {
      const res = await get('/manage/competence/export.csv', tokens.manager, { unit });
      expect(res.status, unit).toBe(404);
      expect(res.text).not.toContain('Hjemme');
      expect((await get('/manage/competence/export.xlsx', tokens.manager, { unit })).status).toBe(404);
    }
    expect((await get('/manage/competence/export.csv', tokens.manager, { status: 'everything' })).status).toBe(400);
    expect((await get('/manage/competence/export.csv', tokens.manager, { mandatory: 'maybe' })).status).toBe(400);
    expect((await get('/manage/competence/export.csv', tokens.manager, { date: '2027-13-01' })).status).toBe(400);
    const problem = await request(app).get(`/manage/competence/export.csv?session=${tokens.manager}&status=everything`).set('Accept', 'application/json');
    expect(problem.headers['content-type']).toContain('application/problem+json');
    // Nothing was read, so nothing was audited.
    expect((await exports().execute()).length).toBe(before);
  });

  it('refuses learners and region administrators; a manager elsewhere sees only their own municipality', async () => {
    for (const path of ['/manage/staffing', '/manage/competence/report', '/manage/competence/export.csv', '/manage/competence/export.xlsx', '/admin/staffing', '/admin/competence/report', '/admin/competence/gaps.csv', '/admin/competence/gaps.xlsx']) {
      expect((await get(path, tokens.learner)).status, path).toBe(403);
      expect((await get(path, tokens.region)).status, path).toBe(403);
      expect((await request(app).get(path).set('Accept', 'text/html')).status, path).toBe(401);
    }
    expect((await get('/admin/competence/gaps.csv', tokens.manager)).status).toBe(403);
    // Berg's manager cannot name Ås's unit, and Berg's export names nobody from Ås.
    expect((await get('/manage/competence/export.csv', tokens.bergManager, { unit: w.units.sh.id })).status).toBe(404);
    const berg = await get('/manage/competence/export.csv', tokens.bergManager, { date: REPORT_DAY });
    expect(berg.status).toBe(200);
    expect(berg.text).not.toMatch(/Bjørn|Anne|Ingrid|HYPERLINK/);
    expect((await get('/manage/staffing', tokens.bergManager, { date: REPORT_DAY })).text).toMatch(/data-staffing-total>Ansatte: 2 · Årsverk: 1,3</);
  });

  it('exports XLSX: a real workbook with a header row, text cells and date cells', async () => {
    const res = await get('/manage/competence/export.xlsx', tokens.manager, { date: REPORT_DAY }).buffer(true).parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="kompetansegap-${REPORT_DAY}.xlsx"`);
    const [sheet] = await readXlsxFile(res.body as Buffer);
    expect(sheet!.sheet).toBe('Kompetansegap');
    const [header, ...rows] = sheet!.data;
    expect(header).toEqual(['Navn', 'Ansattnummer', 'Enhet', 'Enhetskode', 'Stilling', 'Kompetansekode', 'Kompetanse', 'Obligatorisk', 'Status', 'Gyldig til', 'Frist for nyansatt']);
    expect(rows).toHaveLength(5);
    const bjorn = rows.find((r) => r[0] === 'Bjørn Fagarbeider' && r[5] === 'brannvern')!;
    expect(bjorn.slice(0, 9)).toEqual(['Bjørn Fagarbeider', '1003', 'Avdeling 1', 'SH1', 'Helsefagarbeider', 'brannvern', 'Brannvern', 'Ja', 'Går snart ut']);
    expect(bjorn[9]).toBeInstanceOf(Date);
    expect((bjorn[9] as unknown as Date).toISOString().slice(0, 10)).toBe('2027-07-10');
    // Text stays text in a workbook: the employee number is not a number, the name no formula.
    const injected = rows.find((r) => String(r[0]).includes('HYPERLINK'))!;
    expect(injected[0]).toBe('=HYPERLINK("http://evil.example/","klikk")');
    expect(injected[1]).toBe('-1007');
    const audit = await exports().execute();
    expect(audit.filter((a) => (a.details as { format?: string }).format === 'xlsx').map((a) => a.subject_person_id).sort()).toEqual([w.people.ingrid, w.people.anne, w.people.bjorn, injector].sort());
  });

  it('a municipality administrator gets the same for the whole municipality', async () => {
    const staffing = await get('/admin/staffing', tokens.admin, { date: REPORT_DAY });
    expect(staffing.status).toBe(200);
    // Everyone in Ås with an employment that day: 100+80+40+30+100+100+75.5 = 525.5 %.
    expect(staffing.text).toMatch(/data-staffing-total>Ansatte: 6 · Årsverk: 5,26</);
    expect(staffing.text).toContain('data-cell="HT:Sykepleier"');
    const report = await get('/admin/competence/report', tokens.admin, { date: REPORT_DAY });
    expect(report.status).toBe(200);
    expect(report.text).toContain('data-coverage-unit="HT"');
    const csv = parseCsv((await get('/admin/competence/gaps.csv', tokens.admin, { date: REPORT_DAY })).text.slice(1));
    // Bjørn's home-care employment as Helsefagarbeider brings its own Brannvern row.
    expect(csv.filter((r) => r[0] === 'Bjørn Fagarbeider').map((r) => `${r[3]} ${r[5]}`).sort()).toEqual(['HT brannvern', 'SH1 brannvern', 'SH1 forstehjelp']);
    expect(csv.some((r) => r[0] === 'Gro Berg' || r[0] === 'Hans Berg')).toBe(false);
    expect((await get('/admin/competence/gaps.csv', tokens.admin, { unit: w.units.bergUnit.id })).status).toBe(404);
    const audit = await db().selectFrom('audit_events').select('subject_person_id').where('action', '=', 'competence.gaps.exported').where('actor_id', '=', w.asAdmin).execute();
    expect(audit.length).toBe(4);
  });
});
