import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { findCompetence } from '../../src/competence/catalogue.js';
import { applyCatalogueImport } from '../../src/competence/catalogue-import.js';
import { today } from '../../src/competence/holdings.js';
import { addDays } from '../../src/competence/calendar.js';
import { addRequirement } from '../../src/competence/requirements.js';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { enrol } from '../../src/paths/enrolments.js';
import type { RunningServer } from '../../src/server.js';
import { SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { orgWorld, type OrgWorld } from '../access/support.js';
import { publishPath } from '../learner/support.js';

const web: NewStep = { type: 'web', title: 'Film', required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep;

/**
 * The assign and withdraw routes tried as an attacker would: a manager outside their units, another
 * municipality's person, path, competence and assignment ids (404, like ids that never existed), a
 * learner (403); and as they are meant to be used, by a manager and an administrator.
 */
describe(`assigning paths over HTTP (${BACKEND})`, { timeout: 90_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let world: OrgWorld;
  let fireId: string;
  let bergFireId: string;
  let firePath: string;
  let bergPath: string;
  const tokens = new SessionTokens(SECRET);
  const tokenOf = (personId: string, tenantId: string, role: LtiSession['role']) =>
    tokens.issue({ personId, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' });
  let manager: string;
  let admin: string;
  let bergAdmin: string;
  let learner: string;
  const db = () => testDb.database.db;
  const due = () => addDays(today(), 14);

  async function post(path: string, token: string, fields: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ session: token, ...fields }), redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location'), body: await response.text() };
  }
  const get = async (path: string, token: string, query: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}?${new URLSearchParams({ session: token, ...query }).toString()}`);
    return { status: response.status, body: await response.text() };
  };
  const assignFields = (competenceId: string, pathId: string, dueOn: string, note = '') => ({ competence: competenceId, [`a-${competenceId}-path`]: pathId, [`a-${competenceId}-due`]: dueOn, [`a-${competenceId}-note`]: note });
  const count = async () => (await db().selectFrom('competence_assignments').select('id').where('withdrawn_at', 'is', null).execute()).length;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    world = await orgWorld(db());
    await applyCatalogueImport(db(), world.as, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\n', OPERATOR);
    await applyCatalogueImport(db(), world.berg, 'område;kode;kompetanse;gyldighet_måneder\nFelles;brannvern;Brannvern;24\n', OPERATOR);
    fireId = (await findCompetence(db(), world.as, 'brannvern'))!.id;
    bergFireId = (await findCompetence(db(), world.berg, 'brannvern'))!.id;
    for (const job of ['Helsefagarbeider', 'Sykepleier']) await addRequirement(db(), world.as, { competence: fireId, jobTitle: job, mandatory: 'mandatory' }, OPERATOR);
    await addRequirement(db(), world.berg, { competence: bergFireId, jobTitle: 'Assistent', mandatory: 'mandatory' }, OPERATOR);
    firePath = (await publishPath(testDb.database, world.as, [web], { title: 'Brannvern for alle', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } })).pathId;
    bergPath = (await publishPath(testDb.database, world.berg, [web], { title: 'Brannvern i Berg', settings: { grants: [{ competence: 'brannvern', validMonths: 12 }] } })).pathId;
    manager = await tokenOf(world.people.ingrid, world.as, 'manager');
    admin = await tokenOf(world.asAdmin, world.as, 'admin');
    bergAdmin = await tokenOf(world.people.bergLeader, world.berg, 'admin');
    learner = await tokenOf(world.people.bjorn, world.as, 'learner');
  });
  afterAll(async () => {
    await server?.close();
    await testDb?.dispose();
  });

  it('a manager assigns from a gap on the person page of someone in their units, and sees it there', async () => {
    const bjorn = world.people.bjorn;
    const page = await get(`/manage/people/${bjorn}`, manager);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/data-requirement="brannvern" data-status="missing"/);
    expect(page.body).toContain('data-assign-form="brannvern"');
    expect(page.body).toContain('Tildel «Brannvern for alle»');
    const done = await post(`/manage/people/${bjorn}/assignments`, manager, assignFields(fireId, firePath, due(), 'Innen sommeren'));
    expect(done.status).toBe(303);
    expect(done.location).toMatch(new RegExp(`^/manage/people/${bjorn}\\?.*assignment=assigned`));
    const after = await get(`/manage/people/${bjorn}`, manager, { assignment: 'assigned' });
    expect(after.body).toContain('data-assign-notice="assigned"');
    expect(after.body).toMatch(/data-assignment="[0-9a-f-]+" data-status="open"/);
    expect(after.body).toContain(`data-gap-assigned="${firePath}"`);
    // The same click again: one assignment.
    const again = await post(`/manage/people/${bjorn}/assignments`, manager, assignFields(fireId, firePath, due()));
    expect(again.location).toContain('assignment=already');
    expect(await count()).toBe(1);
  });

  it('a manager cannot assign or withdraw outside their units, nor in another municipality (404)', async () => {
    // Cecilie works in home care, beside the nursing home Ingrid leads.
    const outside = await post(`/manage/people/${world.people.cecilie}/assignments`, manager, assignFields(fireId, firePath, due()));
    expect(outside.status).toBe(404);
    const bergPerson = await post(`/manage/people/${world.people.bergWorker}/assignments`, manager, assignFields(bergFireId, bergPath, due()));
    expect(bergPerson.status).toBe(404);
    const unknown = await post(`/manage/people/${crypto.randomUUID()}/assignments`, manager, assignFields(fireId, firePath, due()));
    expect(unknown.status).toBe(404);
    const [assignment] = await db().selectFrom('competence_assignments').select('id').execute();
    const withdrawOutside = await post(`/manage/people/${world.people.cecilie}/assignments/${assignment!.id}/withdraw`, manager, {});
    expect(withdrawOutside.status).toBe(404);
    expect(await count()).toBe(1);
  });

  it("another municipality's path or competence is not found, like one that never existed", async () => {
    const anne = world.people.anne;
    expect((await post(`/manage/people/${anne}/assignments`, manager, assignFields(fireId, bergPath, due()))).status).toBe(404);
    expect((await post(`/manage/people/${anne}/assignments`, manager, assignFields(fireId, crypto.randomUUID(), due()))).status).toBe(404);
    expect((await post(`/manage/people/${anne}/assignments`, manager, assignFields(bergFireId, firePath, due()))).status).toBe(404);
    expect((await post(`/admin/people/${anne}/assignments`, admin, assignFields(bergFireId, bergPath, due()))).status).toBe(404);
    // Berg's administrator cannot reach Ås's person, path or assignment.
    expect((await post(`/admin/people/${anne}/assignments`, bergAdmin, assignFields(fireId, firePath, due()))).status).toBe(404);
    const [assignment] = await db().selectFrom('competence_assignments').select(['id', 'person_id']).execute();
    expect((await post(`/admin/people/${assignment!.person_id}/assignments/${assignment!.id}/withdraw`, bergAdmin, {})).status).toBe(404);
    expect((await post(`/admin/people/${world.people.bergWorker}/assignments`, bergAdmin, assignFields(bergFireId, firePath, due()))).status).toBe(404);
    expect(await count()).toBe(1);
  });

  it('a learner cannot assign, on either page (403)', async () => {
    expect((await post(`/manage/people/${world.people.bjorn}/assignments`, learner, assignFields(fireId, firePath, due()))).status).toBe(403);
    expect((await post(`/admin/people/${world.people.bjorn}/assignments`, learner, assignFields(fireId, firePath, due()))).status).toBe(403);
    expect((await post(`/manage/people/${world.people.bjorn}/assignments`, '', assignFields(fireId, firePath, due()))).status).toBe(401);
    expect(await count()).toBe(1);
  });

  it('a bad due date gives a readable page with the form again, and saves nothing', async () => {
    const refused = await post(`/admin/people/${world.people.anne}/assignments`, admin, assignFields(fireId, firePath, '31.02.2027', 'Viktig'));
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('<h1>Tildelingen ble ikke lagret</h1>');
    expect(refused.body).toContain('Fristen må være en dato som finnes, for eksempel 31.12.2027.');
    expect(refused.body).toContain('value="31.02.2027"');
    expect(refused.body).toContain('>Viktig</textarea>');
    // Dag, a teacher, lacks nothing that the path closes.
    const nothing = await post(`/admin/people/${world.people.dag}/assignments`, admin, assignFields(fireId, firePath, due()));
    expect(nothing.status).toBe(400);
    expect(nothing.body).toContain('Personen mangler ikke denne kompetansen lenger.');
    expect(await count()).toBe(1);
  });

  it('an administrator assigns and withdraws from the person page; the learner sees the assignment', async () => {
    const anne = world.people.anne;
    const done = await post(`/admin/people/${anne}/assignments`, admin, assignFields(fireId, firePath, due()));
    expect(done.status).toBe(303);
    const page = await get(`/admin/people/${anne}`, admin, { assignment: 'assigned' });
    expect(page.body).toContain('data-assign-notice="assigned"');
    const id = /data-assignment="([0-9a-f-]+)" data-status="open"/.exec(page.body)![1]!;

    const anneToken = await tokenOf(anne, world.as, 'learner');
    const mine = await get('/learn', anneToken);
    expect(mine.body).toContain(`data-assigned="${firePath}" data-status="open"`);
    expect(mine.body).toContain('Tildelt av lederen din');
    expect(mine.body).toContain('Tildelt av kommunen');
    expect(mine.body).toContain('data-find-path="unknown"');
    const competence = await get('/learn/competence', anneToken);
    expect(competence.body).toContain(`data-assigned="${firePath}"`);
    expect(competence.body).toMatch(/data-requirement="brannvern" data-status="missing"/);
    expect(competence.body).toContain(`data-gap-path="${firePath}"`);

    // Once launched (enrolled), the assignment opens the learner's path page.
    const { enrolmentId } = await enrol(db(), world.as, { personId: anne, pathId: firePath });
    const enrolled = await get('/learn', anneToken);
    expect(enrolled.body).toMatch(new RegExp(`href="/learn/enrolments/${enrolmentId}\\?session=[^"]+" data-open-path="${firePath}"`));

    const withdrawn = await post(`/admin/people/${anne}/assignments/${id}/withdraw`, admin, {});
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.location).toContain('assignment=withdrawn');
    expect((await get('/learn', anneToken)).body).not.toContain('data-assigned=');
    const audit = await db().selectFrom('audit_events').select('action').where('object_id', '=', id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['competence.assignment.added', 'competence.assignment.withdrawn']);
  });

  it('a manager withdraws an assignment of someone in their units', async () => {
    const [assignment] = await db().selectFrom('competence_assignments').select('id').where('person_id', '=', world.people.bjorn).where('withdrawn_at', 'is', null).execute();
    const withdrawn = await post(`/manage/people/${world.people.bjorn}/assignments/${assignment!.id}/withdraw`, manager, {});
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.location).toMatch(new RegExp(`^/manage/people/${world.people.bjorn}\\?.*assignment=withdrawn`));
    const page = await get(`/manage/people/${world.people.bjorn}`, manager);
    expect(page.body).toContain(`data-assignment="${assignment!.id}" data-status="withdrawn"`);
    // The gap offers the path again.
    expect(page.body).toContain('Tildel «Brannvern for alle»');
  });
});
