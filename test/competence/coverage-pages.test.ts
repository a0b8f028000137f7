import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import type { RunningServer } from '../../src/server.js';
import { addPerson } from '../access/support.js';
import { DesignerClient } from '../designer/support/designer-http.js';
import { SECRET, startToolWithDevLms } from '../lti/support/lti-http.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { coverageWorld, type CoverageWorld } from './rollups-support.js';

/** The pages' "today": the day the hand-computed figures of rollups-support.ts are for. */
const NOW = new Date('2027-06-01T10:00:00Z');

describe(`the coverage matrix and the region's coverage (${BACKEND})`, { timeout: 90_000 }, () => {
  let testDb: TestDatabase;
  let server: RunningServer;
  let url: string;
  let w: CoverageWorld;
  let manager: DesignerClient;
  let admin: DesignerClient;
  let bergManager: DesignerClient;
  let regionAdmin: DesignerClient;
  let learner: DesignerClient;
  const db = () => testDb.database.db;
  const tokens = new SessionTokens(SECRET);
  const clientOf = async (personId: string, tenantId: string, role: LtiSession['role']) =>
    new DesignerClient(url, await tokens.issue({ personId, tenantId, role, contextId: null, resourceLinkId: null, platformId: 'none', locale: 'nb' }));
  const audits = () => db().selectFrom('audit_events').select(['action', 'actor_id', 'subject_person_id', 'object_id']).where('action', '=', 'competence.gaps.viewed').orderBy('id').execute();

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    testDb = await createTestDatabase();
    ({ server, url } = await startToolWithDevLms(testDb.database));
    w = await coverageWorld(db());
    manager = await clientOf(w.people.ingrid, w.as, 'manager');
    admin = await clientOf(w.asAdmin, w.as, 'admin');
    bergManager = await clientOf(w.people.bergLeader, w.berg, 'manager');
    regionAdmin = await clientOf(await addPerson(db(), w.region, 'Rita Region'), w.region, 'admin');
    learner = await clientOf(w.people.anne, w.as, 'learner');
  });
  afterAll(async () => {
    vi.useRealTimers();
    await server?.close();
    await testDb?.dispose();
  });

  const cellOf = (body: string, requirementId: string, unitId: string) => new RegExp(`data-cell="${requirementId}:${unitId}" data-covered="(\\d+)" data-applicable="(\\d+)"`).exec(body)?.slice(1);

  it("a manager's matrix covers their units only, with numbers and words beside the colour", async () => {
    const page = await manager.get('/manage/competence');
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-coverage="manager"');
    const { r1, r2 } = w.requirements;
    // Ingrid leads Sykehjem (with Avdeling 1): Ingrid met, Anne expiring, Bjørn expired.
    expect(cellOf(page.body, r1, w.units.sh.id)).toEqual(['2', '3']);
    expect(cellOf(page.body, r1, w.units.sh1.id)).toEqual(['0', '1']);
    expect(cellOf(page.body, r2, w.units.sh.id)).toEqual(['0', '1']);
    expect(page.body).toContain('66,7 % · delvis');
    expect(page.body).toContain('2 av 3');
    expect(page.body).toMatch(/<th scope="col"[^>]*>Krav<\/th>/);
    // Units beside the scope are not columns (the requirement may name the unit it is set for).
    expect(page.body).not.toMatch(/Hjemmetjeneste|Cecilie|Frida/);
    // No names in the matrix itself: people are named only in a cell's drill-down.
    expect(page.body).not.toMatch(/Anne Sykepleier|Bjørn Fagarbeider/);
    expect(await audits()).toEqual([]);
    expect((await manager.get('/manage')).body).toContain('/manage/competence?');
  });

  it('drills down to the people of a cell, linked to their pages, each read audited', async () => {
    const { r1 } = w.requirements;
    const page = await manager.get('/manage/competence', { requirement: r1, cell: w.units.sh.id });
    expect(page.status).toBe(200);
    const rows = [...page.body.matchAll(/data-person-row="([^"]+)" data-status="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([[w.people.ingrid, 'met'], [w.people.anne, 'expiring'], [w.people.bjorn, 'expired']]);
    expect(page.body).toContain(`/manage/people/${w.people.anne}?`);
    expect(page.body).toContain('1. juli 2027');
    expect((await audits()).map((a) => [a.actor_id, a.subject_person_id, a.object_id])).toEqual(rows.map(([id]) => [w.people.ingrid, id, r1]));
  });

  it('filters by unit, job title, competence, mandatory, expiry window and newcomers', async () => {
    const { r1, r2, r3 } = w.requirements;
    const nurses = await manager.get('/manage/competence', { job: 'Sykepleier' });
    expect(cellOf(nurses.body, r1, w.units.sh.id)).toEqual(['1', '1']);
    expect(nurses.body).not.toContain(`data-cell="${r3}:`);
    const lien = await manager.get('/manage/competence', { unit: w.units.sh1.id });
    expect(cellOf(lien.body, r1, w.units.sh1.id)).toEqual(['0', '1']);
    expect(lien.body).not.toContain(`data-cell="${r1}:${w.units.sh.id}"`);
    const firstAid = await manager.get('/manage/competence', { competence: w.competences.forstehjelp });
    expect(firstAid.body).toContain(`data-cell="${r2}:`);
    expect(firstAid.body).not.toContain(`data-cell="${r1}:`);
    const mandatory = await manager.get('/manage/competence', { show: 'mandatory' });
    expect(mandatory.body).not.toContain(`data-cell="${r3}:`);
    expect(mandatory.body).toContain(`data-cell="${r1}:`);
    // With no warning window Anne's fire safety is simply met.
    const status = (body: string, s: string) => new RegExp(`data-status="${s}"><th scope="row">[^<]+</th><td data-numeric>(\\d+)</td>`).exec(body)?.[1];
    expect(status((await manager.get('/manage/competence')).body, 'expiring')).toBe('1');
    expect(status((await manager.get('/manage/competence', { days: '0' })).body, 'expiring')).toBe('0');
    // The newcomer filter, for the whole municipality: Frida only.
    const newcomers = await admin.get('/admin/competence/coverage', { show: 'newcomers' });
    expect(newcomers.body).toContain('data-people-count="1"');
    const bad = await manager.get('/manage/competence', { days: 'mange' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Skriv et helt antall dager fra 0 til 730.');
  });

  it("refuses units outside the manager's scope and other municipalities' ids as not found", async () => {
    const { r1 } = w.requirements;
    for (const query of [
      { unit: w.units.ht.id },
      { unit: w.units.bergUnit.id },
      { unit: crypto.randomUUID() },
      { unit: 'not-a-uuid' },
      { requirement: r1, cell: w.units.ht.id },
      { requirement: r1, cell: w.units.root.id },
      { requirement: crypto.randomUUID(), cell: w.units.sh.id },
    ]) {
      expect((await manager.get('/manage/competence', query)).status, JSON.stringify(query)).toBe(404);
    }
    // Berg's manager asks for Ås's requirement and unit: not found, nothing of Ås shown or audited.
    const before = (await audits()).length;
    expect((await bergManager.get('/manage/competence', { requirement: r1, cell: w.units.sh.id })).status).toBe(404);
    expect((await bergManager.get('/manage/competence', { unit: w.units.sh.id })).status).toBe(404);
    const own = await bergManager.get('/manage/competence');
    expect(own.status).toBe(200);
    expect(own.body).toContain('data-no-requirements');
    expect((await audits()).length).toBe(before);
    // Other roles: a learner is refused; a manager may not use the administrator's page.
    expect((await learner.get('/manage/competence')).status).toBe(403);
    expect((await manager.get('/admin/competence/coverage')).status).toBe(403);
    expect((await regionAdmin.get('/admin/competence/coverage')).status).toBe(403);
  });

  it("a municipality administrator sees the whole municipality, from the top units down", async () => {
    const { r1, r2 } = w.requirements;
    const page = await admin.get('/admin/competence/coverage');
    expect(page.status).toBe(200);
    expect(cellOf(page.body, r1, w.units.root.id)).toEqual(['2', '5']);
    expect(cellOf(page.body, r2, w.units.root.id)).toEqual(['1', '2']);
    const ho = await admin.get('/admin/competence/coverage', { unit: w.units.ho.id });
    expect(cellOf(ho.body, r1, w.units.ht.id)).toEqual(['0', '3']);
    const drill = await admin.get('/admin/competence/coverage', { requirement: r2, cell: w.units.ht.id });
    expect([...drill.body.matchAll(/data-person-row="([^"]+)" data-status="([^"]+)"/g)].map((m) => m[2])).toEqual(['met', 'grace']);
    expect(drill.body).toContain('Introduksjonstid til 29. juli 2027');
    expect((await admin.get('/admin/competence/coverage', { unit: w.units.bergUnit.id })).status).toBe(404);
  });

  it('the region shows coverage per municipality side by side: "< 5", no share for small groups, no names', async () => {
    const page = await regionAdmin.get('/region');
    expect(page.status).toBe(200);
    const row = (code: string) => [...(new RegExp(`data-coverage-competence="${code}">(.*?)</tr>`, 's').exec(page.body)?.[1] ?? '').matchAll(/<td data-numeric>([^<]*)<\/td>/g)].map((m) => m[1]);
    // Ås: 2 of 5 hold fire safety (both groups small: no share); Berg has no requirements.
    expect(row('brannvern')).toEqual(['&lt; 5 av 5 (andel holdes tilbake)', 'ingen krav']);
    expect(row('hms')).toEqual(['&lt; 5 av &lt; 5 (andel holdes tilbake)', 'ingen krav']);
    expect(row('')).toEqual(['&lt; 5 av 8 (andel holdes tilbake)', 'ingen krav']);
    expect(page.body).not.toMatch(/Ingrid|Anne|Bjørn|Cecilie|Frida|Dag Lærer|Gro Berg|Hans Berg/);
    for (const id of Object.values(w.people)) expect(page.body).not.toContain(id);
  });
});
