import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personActor } from '../../src/audit/audit-log.js';
import { addEmployee, addEmployment } from '../../src/organisation/employments.js';
import { createOrgUnit, endOrgUnit, findOrgUnit } from '../../src/organisation/org-units.js';
import { landingRouter } from '../../src/web/landing/router.js';
import { organisationRouter } from '../../src/web/organisation/router.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminWorld, client, unescape, type AdminWorld } from './support.js';

describe(`the admin's organisation and people pages over HTTP (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: AdminWorld;
  let admin: ReturnType<typeof client>;
  let osloAdmin: ReturnType<typeof client>;
  const db = () => testDb.database.db;
  const units: Record<string, string> = {};
  let kari: string;
  let kariEmployment: string;
  let osloUnit: string;
  let osloPerson: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await adminWorld(testDb.database, (sessions) => [organisationRouter({ db: testDb.database.db, sessions }), landingRouter({ db: testDb.database.db, sessions })]);
    admin = client(world.app, await world.token(world.kongsberg));
    osloAdmin = client(world.app, await world.token(world.oslo));
    const actor = personActor((await db().selectFrom('people').select('id').where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow()).id);
    const root = await createOrgUnit(db(), world.kongsberg, actor, { code: 'K', name: 'Kongsberg kommune', parentId: null });
    const helse = await createOrgUnit(db(), world.kongsberg, actor, { code: 'HO', name: 'Helse og omsorg', parentId: root.id });
    const sykehjem = await createOrgUnit(db(), world.kongsberg, actor, { code: 'HO-SH', name: 'Sykehjem', parentId: helse.id });
    const hjemme = await createOrgUnit(db(), world.kongsberg, actor, { code: 'HO-HT', name: 'Hjemmetjenesten', parentId: helse.id });
    Object.assign(units, { root: root.id, helse: helse.id, sykehjem: sykehjem.id, hjemme: hjemme.id });
    const employee = await addEmployee(db(), world.kongsberg, actor, { employeeNumber: '1001', givenName: 'Kari', familyName: 'Nordmann', email: 'kari@kongsberg.kommune.no' });
    kari = employee.personId;
    kariEmployment = (await addEmployment(db(), world.kongsberg, actor, kari, { orgUnitId: sykehjem.id, jobTitle: 'Helsefagarbeider', percentage: '40', startDate: '2024-01-01', leadsUnit: false })).id;
    await addEmployment(db(), world.kongsberg, actor, kari, { orgUnitId: hjemme.id, jobTitle: 'Helsefagarbeider', percentage: '30,5', startDate: '2024-01-01', leadsUnit: true });
    osloUnit = (await createOrgUnit(db(), world.oslo, actor, { code: 'O', name: 'Oslo kommune', parentId: null })).id;
    osloPerson = (await addEmployee(db(), world.oslo, actor, { employeeNumber: '9', givenName: 'Per', familyName: 'Oslo' })).personId;
  });
  afterAll(async () => testDb?.dispose());

  it('shows the tree with counts, folds units below, and finds units by code or name (nb, nn, en)', async () => {
    const page = await admin.get('/admin/org');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Organisasjon</h1>');
    expect(page.text).toMatch(/data-unit="K">.*data-counts="0\/1"/s);
    expect(page.text).toMatch(/data-unit="HO-HT">.*data-counts="1\/1"/s);
    expect(page.text).toContain('Underenheter (2)');
    expect(page.text).not.toContain('Oslo kommune');
    const search = await admin.get('/admin/org', { q: 'sykehj' });
    expect(search.text).toMatch(/data-unit-hits>[\s\S]*Sykehjem \(HO-SH\)[\s\S]*<\/section>/);
    expect((await admin.get('/admin/org', { q: 'Oslo' })).text).toContain('Ingen enheter passer til søket.');
    expect((await admin.get('/admin/org', { lang: 'nn' })).text).toContain('Undereiningar (2)');
    expect((await admin.get('/admin/org', { lang: 'en' })).text).toContain('Units below (2)');
  });

  it('creates a unit, and a refused one keeps what was typed', async () => {
    const made = await admin.post('/admin/org/units', { code: 'OPP', name: 'Oppvekst', parent: units['root']! });
    expect(made.status).toBe(303);
    const id = /\/admin\/org\/units\/([0-9a-f-]{36})/.exec(made.headers['location']!)![1]!;
    expect((await findOrgUnit(db(), world.kongsberg, id))!.parentId).toBe(units['root']);
    const taken = await admin.post('/admin/org/units', { code: 'OPP', name: 'Oppvekst to', parent: units['helse']! });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('data-error-summary');
    expect(taken.text).toContain('Koden er allerede brukt av en annen enhet i kommunen.');
    expect(taken.text).toContain('value="Oppvekst to"');
    expect(taken.text).toMatch(new RegExp(`<option value="${units['helse']}" selected>`));
    // A parent of another municipality is not found there.
    const foreign = await admin.post('/admin/org/units', { code: 'NY', name: 'Ny', parent: osloUnit });
    expect(foreign.status).toBe(400);
    expect(foreign.text).toContain('Den overordnede enheten finnes ikke i kommunen.');
  });

  it('edits, moves and ends a unit; a move under its own sub-unit is refused and keeps the choice', async () => {
    const page = await admin.get(`/admin/org/units/${units['helse']}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-unit-title>Helse og omsorg</h1>');
    expect(page.text).toMatch(/data-fact="subtree">1</);

    const cycle = await admin.post(`/admin/org/units/${units['helse']}`, { action: 'move', parent: units['sykehjem']! });
    expect(cycle.status).toBe(400);
    expect(unescape(cycle.text)).toContain('En enhet kan ikke flyttes under seg selv eller en av sine egne underenheter.');
    expect(cycle.text).toMatch(new RegExp(`<option value="${units['sykehjem']}" selected>`));
    expect((await findOrgUnit(db(), world.kongsberg, units['helse']!))!.parentId).toBe(units['root']);
    const nn = await admin.post(`/admin/org/units/${units['helse']}`, { action: 'move', parent: units['hjemme']!, lang: 'nn' });
    expect(unescape(nn.text)).toContain('Ei eining kan ikkje flyttast under seg sjølv');

    const renamed = await admin.post(`/admin/org/units/${units['hjemme']}`, { action: 'change', code: 'HO-HJT', name: 'Hjemmetjenesten sentrum' });
    expect(renamed.status).toBe(303);
    const takenCode = await admin.post(`/admin/org/units/${units['hjemme']}`, { action: 'change', code: 'HO-SH', name: 'Typed name' });
    expect(takenCode.status).toBe(409);
    expect(takenCode.text).toContain('value="HO-SH"');
    expect(takenCode.text).toContain('value="Typed name"');

    const moved = await admin.post(`/admin/org/units/${units['sykehjem']}`, { action: 'move', parent: '' });
    expect(moved.status).toBe(303);
    expect((await findOrgUnit(db(), world.kongsberg, units['sykehjem']!))!.path).toEqual([units['sykehjem']]);

    const busy = await admin.post(`/admin/org/units/${units['sykehjem']}`, { action: 'end', 'ended-on': '31.12.2026' });
    expect(busy.status).toBe(400);
    expect(busy.text).toContain('1 arbeidsforhold i enheten eller underenhetene løper etter sluttdatoen.');
    expect(busy.text).toContain('value="31.12.2026"');
    const badDate = await admin.post(`/admin/org/units/${units['sykehjem']}`, { action: 'end', 'ended-on': '31.02.2026' });
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain('Skriv en dato som dd.mm.åååå');
  });

  it('finds people and shows a person with employments and history, audited as viewed', async () => {
    for (const q of ['nordmann', '1001', 'kari@kongsberg']) {
      const found = await admin.get('/admin/people', { q });
      expect(found.status).toBe(200);
      expect(found.text).toContain(`data-person="${kari}"`);
    }
    expect((await admin.get('/admin/people', { q: 'Per' })).text).toContain('Ingen personer passer til søket.');
    const page = await admin.get(`/admin/people/${kari}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-person-name>Kari Nordmann</h1>');
    expect(page.text).toContain('30,5 %');
    const viewed = await db().selectFrom('audit_events').select(['actor_id', 'subject_person_id']).where('action', '=', 'person.viewed').execute();
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.subject_person_id).toBe(kari);
  });

  it('adds an employee (a taken number refused), then adds, changes and ends employments', async () => {
    const taken = await admin.post('/admin/people', { 'employee-number': '1001', 'given-name': 'Ola', 'family-name': 'Dobbel', email: '' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('Ansattnummeret er allerede brukt av en annen ansatt i kommunen.');
    expect(taken.text).toContain('value="Dobbel"');
    const added = await admin.post('/admin/people', { 'employee-number': '1002', 'given-name': 'Ola', 'family-name': 'Nordmann', email: 'ola@kongsberg.kommune.no' });
    expect(added.status).toBe(303);
    const ola = /\/admin\/people\/([0-9a-f-]{36})/.exec(added.headers['location']!)![1]!;

    const bad = await admin.post(`/admin/people/${ola}/employments`, { unit: units['hjemme']!, 'job-title': 'Sykepleier', percentage: '150', 'start-date': '01.08.2026' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Skriv en stillingsprosent over 0 og høyst 100');
    expect(bad.text).toContain('value="150"');
    expect(bad.text).toContain('value="Sykepleier"');
    const ok = await admin.post(`/admin/people/${ola}/employments`, { unit: units['hjemme']!, 'job-title': 'Sykepleier', 'job-code': '7174', percentage: '75,5', 'start-date': '01.08.2025', leads: 'yes' });
    expect(ok.status).toBe(303);
    const employment = await db().selectFrom('employments').selectAll().where('job_code', '=', '7174').executeTakeFirstOrThrow();
    expect([employment.percentage, employment.start_date, employment.leads_unit]).toEqual(['75.50', '2025-08-01', true]);

    const p = `e-${employment.id}-`;
    const change = await admin.post(`/admin/people/${ola}/employments/${employment.id}`, { action: 'change', [`${p}unit`]: units['hjemme']!, [`${p}job-title`]: 'Spesialsykepleier', [`${p}percentage`]: '80', [`${p}start-date`]: '01.08.2025', [`${p}end-date`]: '01.01.2020' });
    expect(change.status).toBe(400);
    expect(change.text).toContain('Sluttdatoen kan ikke være før startdatoen.');
    expect(change.text).toContain('value="Spesialsykepleier"');
    expect(change.text).toMatch(new RegExp(`data-employment-forms="${employment.id}" open`));
    expect((await admin.post(`/admin/people/${ola}/employments/${employment.id}`, { action: 'change', [`${p}unit`]: units['hjemme']!, [`${p}job-title`]: 'Spesialsykepleier', [`${p}percentage`]: '80', [`${p}start-date`]: '01.08.2025' })).status).toBe(303);
    const ended = await admin.post(`/admin/people/${ola}/employments/${employment.id}`, { action: 'end', [`${p}end-on`]: '2026-01-31' });
    expect(ended.status).toBe(303);
    const again = await admin.post(`/admin/people/${ola}/employments/${employment.id}`, { action: 'end', [`${p}end-on`]: '2026-02-01' });
    expect(again.status).toBe(400);
    expect(unescape(again.text)).toContain('Arbeidsforholdet er allerede avsluttet. Endre sluttdatoen under «Endre» i stedet.');
    const history = await admin.get(`/admin/people/${ola}`);
    expect(history.text).toMatch(new RegExp(`data-employment="${employment.id}" data-status="ended"`));
    expect(history.text).toContain('Spesialsykepleier');
    expect((await db().selectFrom('audit_events').select('action').where('subject_person_id', '=', ola).orderBy('id').execute()).map((a) => a.action))
      .toEqual(['org.employee.added', 'org.employment.added', 'org.employment.changed', 'org.employment.ended', 'person.viewed']);
  });

  it('answers another municipality’s ids with 404 and changes nothing there', async () => {
    for (const path of [`/admin/org/units/${osloUnit}`, `/admin/people/${osloPerson}`, '/admin/org/units/not-a-uuid', '/admin/people/12345']) {
      const answer = await admin.get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.text).not.toContain('Oslo kommune');
      expect(answer.text).not.toContain('Per Oslo');
    }
    expect((await admin.post(`/admin/org/units/${osloUnit}`, { action: 'change', code: 'X', name: 'Kapret' })).status).toBe(404);
    expect((await admin.post(`/admin/org/units/${osloUnit}`, { action: 'end', 'ended-on': '01.01.2026' })).status).toBe(404);
    expect((await admin.post(`/admin/people/${osloPerson}/employments`, { unit: osloUnit, 'job-title': 'X', percentage: '10', 'start-date': '01.01.2026' })).status).toBe(404);
    // Kongsberg's employment addressed under Oslo's person, or Oslo's admin at Kongsberg's ids.
    expect((await admin.post(`/admin/people/${osloPerson}/employments/${kariEmployment}`, { action: 'end' })).status).toBe(404);
    expect((await osloAdmin.get(`/admin/people/${kari}`)).status).toBe(404);
    expect((await osloAdmin.post(`/admin/people/${kari}/employments/${kariEmployment}`, { action: 'end', [`e-${kariEmployment}-end-on`]: '01.01.2026' })).status).toBe(404);
    expect((await osloAdmin.post(`/admin/org/units/${units['helse']}`, { action: 'move', parent: osloUnit })).status).toBe(404);
    expect((await findOrgUnit(db(), world.oslo, osloUnit))!.name).toBe('Oslo kommune');
    expect((await db().selectFrom('employments').select('end_date').where('id', '=', kariEmployment).executeTakeFirstOrThrow()).end_date).toBeNull();
    expect((await osloAdmin.get('/admin/org')).text).not.toContain('Helse og omsorg');
  });

  it('refuses other roles, a region administrator, and requests without a session', async () => {
    for (const role of ['learner', 'manager', 'designer'] as const) {
      const other = client(world.app, await world.token(world.kongsberg, role));
      expect((await other.get('/admin/org')).status, role).toBe(403);
      expect((await other.get(`/admin/people/${kari}`)).status, role).toBe(403);
    }
    const region = client(world.app, await world.token(world.region));
    for (const path of ['/admin/org', '/admin/people', `/admin/people/${kari}`, `/admin/org/units/${units['helse']}`]) {
      const answer = await region.get(path, { q: 'kari' });
      expect(answer.status, path).toBe(403);
      expect(answer.text).not.toContain('Kari');
    }
    expect((await region.post('/admin/people', { 'employee-number': '7', 'given-name': 'R', 'family-name': 'R' })).status).toBe(403);
    const none = await client(world.app, '').get('/admin/org');
    expect(none.status).toBe(401);
  });

  it('the administrator’s start page links every admin page; a region administrator’s has no org or people pages', async () => {
    const start = await admin.get('/admin');
    for (const path of ['/admin/org', '/admin/people', '/admin/platforms', '/admin/xapi-clients', '/admin/theme']) expect(start.text).toContain(`data-action-link="${path}"`);
    const region = await client(world.app, await world.token(world.region)).get('/admin');
    expect(region.status).toBe(200);
    expect(region.text).not.toContain('data-action-link="/admin/org"');
    expect(region.text).not.toContain('data-action-link="/admin/people"');
    expect(region.text).toContain('data-action-link="/admin/xapi-clients"');
  });

  it('corrects the history of an employment in an ended unit, and refuses ending an ended unit with a message', async () => {
    const actor = personActor((await db().selectFrom('people').select('id').where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow()).id);
    const old = await createOrgUnit(db(), world.kongsberg, actor, { code: 'GML', name: 'Gamle Kongsberg sykehus', parentId: null });
    const per = await addEmployee(db(), world.kongsberg, actor, { employeeNumber: '2001', givenName: 'Per', familyName: 'Pensjonist' });
    const employment = await addEmployment(db(), world.kongsberg, actor, per.personId, { orgUnitId: old.id, jobTitle: 'Portør', percentage: '100', startDate: '1990-01-01', endDate: '2020-12-31', leadsUnit: false });
    await endOrgUnit(db(), world.kongsberg, actor, old.id, '2021-01-31');
    const page = await admin.get(`/admin/people/${per.personId}`);
    expect(page.text).toMatch(new RegExp(`<option value="${old.id}" selected>Gamle Kongsberg sykehus \\(GML\\) – avsluttet 31\\.01\\.2021</option>`));
    const p = `e-${employment.id}-`;
    const corrected = await admin.post(`/admin/people/${per.personId}/employments/${employment.id}`, { action: 'change', [`${p}unit`]: old.id, [`${p}job-title`]: 'Portør og sjåfør', [`${p}percentage`]: '100', [`${p}start-date`]: '01.01.1990', [`${p}end-date`]: '31.12.2020' });
    expect(corrected.status).toBe(303);
    expect((await db().selectFrom('employments').select('job_title').where('id', '=', employment.id).executeTakeFirstOrThrow()).job_title).toBe('Portør og sjåfør');
    // A new employment in the ended unit is refused.
    const refused = await admin.post(`/admin/people/${per.personId}/employments`, { unit: old.id, 'job-title': 'Portør', percentage: '50', 'start-date': '01.01.2026' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Enheten er avsluttet.');
    const again = await admin.post(`/admin/org/units/${old.id}`, { action: 'end', 'ended-on': '01.01.2026' });
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/data-refusal><p class="ds-paragraph">Enheten er avsluttet\.</);
  });
});
