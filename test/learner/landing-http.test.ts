import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { zipFixture } from '../content/support/package-zip.js';
import { SECRET } from '../lti/support/lti-http.js';
import { uploadPackage } from '../scorm/support/server.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from './support.js';

const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
const enrolmentOf = (location: string) => /\/learn\/enrolments\/([0-9a-f-]{36})/.exec(location)![1]!;

/** Each role's start page after a launch without a path, who may see which, and the way back from the player. */
describe(`start pages per role, and the way back from the SCORM player, over HTTP (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;
  let kariToken: string;
  let perToken: string;
  let kari: LtiSession;
  const db = () => testDb.database.db;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
    kariToken = (await launch(url, 'learner')).sessionToken!;
    perToken = (await launch(url, 'learner', undefined, true)).sessionToken!;
    kari = (await sessionInfo(url, kariToken)) as unknown as LtiSession;
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  const page = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
    return { status: response.status, body: await response.text(), location: response.headers.get('location'), response };
  };

  async function enrolKari(pathId: string): Promise<string> {
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    return enrolmentOf((await launch(url, 'learner', link.id)).location!);
  }

  it('leads each role without a path to its own start page, never to the claims the platform sent', async () => {
    for (const [role, path, heading] of [['learner', '/learn', 'Mine læringsløp'], ['manager', '/manage', 'Lederoversikt'], ['admin', '/admin', 'Administrasjon'], ['designer', '/design', 'Startside for læringsdesignere']] as const) {
      const launched = await launch(url, role);
      expect(launched.status, role).toBe(303);
      expect(new URL(launched.location!, url).pathname, role).toBe(path);
      const shown = await page(launched.location!);
      expect(shown.status, role).toBe(200);
      expect(shown.body, role).toContain(`<h1 data-role="${role}">${heading}</h1>`);
      expect(shown.body, role).toContain('Kongsberg');
      expect(shown.body, role).not.toMatch(/purl\.imsglobal\.org|data-session-link|"sub"/);
    }
  });

  it('"Mine læringsløp" with no paths says how a learning path is started', async () => {
    const shown = await page(`/learn?session=${perToken}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('data-empty');
    expect(shown.body).toContain('Du er ikke med i noe læringsløp ennå');
    const nn = await page(`/learn?session=${perToken}&lang=nn`);
    expect(nn.body).toContain('<html lang="nn" data-color-scheme="auto">');
    expect(nn.body).toContain('Du er ikkje med i noko læringsløp enno');
  });

  it('lists the learner\'s own paths: in progress with progress and due date, not started, completed with date and result', async () => {
    const going = await publishPath(testDb.database, kari.tenantId, [web('Les veilederen'), web('Se filmen')], { title: 'Personvern i praksis', settings: { dueAfterDays: 14 } });
    const waiting = await publishPath(testDb.database, kari.tenantId, [web('Les instruksen')], { title: 'Brannvern for alle' });
    const done = await publishPath(testDb.database, kari.tenantId, [web('Se filmen')], { title: 'Førstehjelp – grunnkurs' });
    const goingId = await enrolKari(going.pathId);
    const waitingId = await enrolKari(waiting.pathId);
    const doneId = await enrolKari(done.pathId);
    const markDone = (enrolmentId: string, stepId: string) => deliverOutcome(db(), kari.tenantId, { enrolmentId, stepId, idempotencyKey: `test:${stepId}`, outcome: { kind: 'web', event: 'done' } });
    await markDone(goingId, going.stepIds[0]!);
    await markDone(doneId, done.stepIds[0]!);

    const shown = await page(`/learn?session=${kariToken}`);
    expect(shown.status).toBe(200);
    const section = (state: string) => new RegExp(`<section aria-labelledby="mine-${state}" data-section="${state}">([\\s\\S]*?)</section>`).exec(shown.body)?.[1] ?? '';
    expect(section('in-progress')).toContain('Personvern i praksis');
    expect(section('in-progress')).toContain('1 av 2 trinn fullført');
    expect(section('in-progress')).toMatch(/data-due>Fullføres innen: \d+\. \w+ \d{4}/);
    expect(section('in-progress')).toContain(`href="/learn/enrolments/${goingId}?session=${kariToken}"`);
    expect(section('not-started')).toContain('Brannvern for alle');
    expect(section('not-started')).toContain(`href="/learn/enrolments/${waitingId}?session=${kariToken}"`);
    expect(section('completed')).toContain('Førstehjelp – grunnkurs');
    expect(section('completed')).toMatch(/data-completed-on>Fullført \d+\. \w+ \d{4}/);
    expect(section('completed')).toContain('data-result>Uten poengsum');
    // The path page leads back to the list.
    expect((await page(`/learn/enrolments/${goingId}?session=${kariToken}`)).body).toContain(`<a class="ds-link" href="/learn?session=${kariToken}" data-my-paths-link>Mine læringsløp</a>`);
    const nn = await page(`/learn?session=${kariToken}&lang=nn`);
    expect(nn.body).toContain('Påbyrja (1)');
    expect(nn.body).toContain('Ikkje starta enno (1)');
    expect(nn.body).toContain(`href="/learn/enrolments/${goingId}?session=${kariToken}&amp;lang=nn"`);
  });

  it('shows no one else\'s paths: not another learner\'s, whatever the query asks, nor the person\'s in another tenant', async () => {
    const per = await page(`/learn?session=${perToken}&person=${kari.personId}&personId=${kari.personId}`);
    expect(per.body).toContain('data-empty');
    expect(per.body).not.toContain('Personvern i praksis');
    // A valid session for Kari's person id in another municipality sees that municipality's records only.
    const other = (await db().insertInto('tenants').values({ kind: 'municipality', kommunenummer: '9995', name: 'Annen kommune', county_number: '33', county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow()).id;
    const elsewhere = await new SessionTokens(SECRET).issue({ ...kari, tenantId: other });
    const shown = await page(`/learn?session=${elsewhere}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('data-empty');
    expect(shown.body).not.toContain('Personvern i praksis');
  });

  it('opens each start page to its own role only', async () => {
    const tokens = Object.fromEntries(await Promise.all((['learner', 'manager', 'designer', 'admin'] as const).map(async (role) => [role, (await launch(url, role)).sessionToken!] as const)));
    const expected: Record<string, Record<string, number>> = {
      '/learn': { learner: 200, manager: 200, designer: 403, admin: 403 },
      '/manage': { learner: 403, manager: 200, designer: 403, admin: 403 },
      '/admin': { learner: 403, manager: 403, designer: 403, admin: 200 },
    };
    for (const [path, byRole] of Object.entries(expected)) {
      expect((await page(path)).status, `${path} without a session`).toBe(401);
      expect((await page(`${path}?session=forged.token.value`)).status, `${path} forged`).toBe(401);
      for (const [role, status] of Object.entries(byRole)) expect((await page(`${path}?session=${tokens[role]}`)).status, `${path} as ${role}`).toBe(status);
    }
    const manager = await page(`/manage?session=${tokens['manager']}&lang=nn`);
    expect(manager.body).toContain('<h1 data-role="manager">Leiaroversikt</h1>');
    expect(manager.body).toContain(`href="/learn?session=${tokens['manager']}&amp;lang=nn"`);
    // The manager of the development LMS leads no unit by HR data: the page says where units come from.
    expect(manager.body).toContain('data-no-units');
    expect(manager.body).toContain('Personaldata frå HR eller ein administrator');
    const admin = await page(`/admin?session=${tokens['admin']}`);
    for (const link of ['/admin/managers', '/design', '/design/import', '/design/packages/upload', '/admin/theme', '/admin/links', '/admin/email-domains', '/admin/competence']) {
      expect(admin.body).toContain(`href="${link}?session=${tokens['admin']}"`);
      expect((await page(`${link}?session=${tokens['admin']}`)).status, link).toBe(200);
    }
  });

  describe('the way back from the player', () => {
    let enrolmentId: string;
    let stepId: string;
    let opened: Response;

    beforeAll(async () => {
      const uploaded = await uploadPackage(url, kari.tenantId, await zipFixture('scorm12-single'));
      const packageId = ((await uploaded.json()) as { id: string }).id;
      const path = await publishPath(testDb.database, kari.tenantId, [{ type: 'scorm', title: 'Brannvern – e-læring', required: true, config: { packageId, completion: { rule: 'passed' } } }], { title: 'Brannvern med kurs' });
      stepId = path.stepIds[0]!;
      enrolmentId = await enrolKari(path.pathId);
      const stepPage = await page(`/learn/enrolments/${enrolmentId}/steps/${stepId}?session=${kariToken}`);
      opened = await postForm(url, `/learn/enrolments/${enrolmentId}/steps/${stepId}`, formFields(stepPage.body, 'open'));
    });

    it('keeps the session out of the content origin: an HttpOnly cookie for this enrolment\'s return URL, a plain URL in the player', async () => {
      expect(opened.status).toBe(303);
      expect(opened.headers.get('set-cookie')).toBe(`lr_${enrolmentId.replace(/-/g, '')}=${kariToken}; Max-Age=3600; Path=/learn/return/${enrolmentId}; HttpOnly; Secure; SameSite=Lax`);
      const player = await fetch(`${url}${opened.headers.get('location')}`);
      const html = await player.text();
      expect(player.url).toMatch(/\/content\/[^/]+\/play\//);
      expect(html).toContain(`<a href="${url}/learn/return/${enrolmentId}/${stepId}?lang=nb" id="player-back">Tilbake til læringsløpet</a>`);
      expect(html).not.toContain(kariToken);
      // The exit page leads back the same way.
      const token = opened.headers.get('location')!.split('/')[2]!;
      const exit = await fetch(`${url}/content/${token}/exit?lang=nn`, { redirect: 'manual' });
      expect(exit.status).toBe(303);
      expect(exit.headers.get('location')).toBe(`${url}/learn/return/${enrolmentId}/${stepId}?lang=nn`);
    });

    it('returns to the path page with the session from the cookie, saying the course is not finished yet', async () => {
      const back = await page(`/learn/return/${enrolmentId}/${stepId}?lang=nb`, { cookie: `lr_${enrolmentId.replace(/-/g, '')}=${kariToken}` });
      expect(back.status).toBe(303);
      expect(back.response.headers.get('cache-control')).toBe('no-store');
      expect(back.location).toBe(`/learn/enrolments/${enrolmentId}?session=${kariToken}&lang=nb&returned=${stepId}`);
      const path = await page(back.location!);
      expect(path.body).toContain('data-outcome="incomplete"');
      expect(path.body).toContain('Du er tilbake fra «Brannvern – e-læring»');
    });

    it('refuses a return URL without the cookie (as content that took the URL would have it), with a forged one, or with another learner\'s', async () => {
      const bare = await page(`/learn/return/${enrolmentId}/${stepId}`);
      expect(bare.status).toBe(401);
      expect(bare.body).toContain('data-refusal="session-invalid"');
      const forged = await page(`/learn/return/${enrolmentId}/${stepId}`, { cookie: `lr_${enrolmentId.replace(/-/g, '')}=${kariToken.slice(0, -4)}AAAA` });
      expect(forged.status).toBe(401);
      const perCookie = await page(`/learn/return/${enrolmentId}/${stepId}`, { cookie: `lr_${enrolmentId.replace(/-/g, '')}=${perToken}` });
      expect(perCookie.status).toBe(404);
      expect(perCookie.body).toContain('data-unavailable="enrolment-not-found"');
      expect(perCookie.body).not.toContain('Brannvern med kurs');
      // A cookie for another enrolment is not this one's.
      const elsewhere = await page(`/learn/return/${enrolmentId}/${stepId}`, { cookie: `lr_00000000000040008000000000000000=${kariToken}` });
      expect(elsewhere.status).toBe(401);
    });
  });
});
