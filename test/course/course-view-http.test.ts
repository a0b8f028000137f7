import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../src/db/schema.js';
import { savePlatform, type Platform } from '../../src/lti/platforms.js';
import { SessionTokens, type LtiSession } from '../../src/lti/session-token.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { createPerson } from '../../src/people/people.js';
import { findMunicipality } from '../../src/tenants/tenants.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { launch, publishPath, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { SECRET } from '../lti/support/lti-http.js';
import { createWorld } from '../paths/fixtures.js';
import { courseLaunchRoute } from '../../src/web/course/router.js';
import { startMoodleNrps, type MoodleNrps } from './moodle-nrps.js';

const web = (title: string): NewStep => ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } });
const DAY = 86_400_000;

/**
 * The teacher's course view against a Moodle 4.x roster (test/fixtures/moodle): everyone in the
 * course against the path, members who never launched included; CSV; the reminder list; and who may
 * see it (the course's own teachers only, never another course's or municipality's people).
 */
describe(`the teacher's course view (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let moodle: MoodleNrps;
  let db: Kysely<Schema>;
  let kongsberg: string;
  let platform: Platform;
  let pathId: string;
  let stepIds: string[];
  let contextId: string;
  let linkId: string;
  let teacher: LtiSession;
  const sessions = new SessionTokens(SECRET);
  const people = new Map<string, string>();

  async function account(tenantId: string, subject: string, name: string, email: string | undefined): Promise<string> {
    const person = await createPerson(db, tenantId, { name, ...(email ? { email } : {}) });
    await db.insertInto('lti_users').values({ tenant_id: tenantId, issuer: platform.issuer, subject, person_id: person.id }).execute();
    return person.id;
  }

  async function context(courseId: string, membershipsUrl: string | null, path = pathId): Promise<{ contextId: string; linkId: string }> {
    const row = await db.insertInto('lti_contexts').values({ tenant_id: kongsberg, platform_id: platform.id, context_id: courseId, title: `Emne ${courseId}`, label: `E-${courseId}`, memberships_url: membershipsUrl })
      .returning('id').executeTakeFirstOrThrow();
    const link = await db.insertInto('lti_resource_links').values({
      tenant_id: kongsberg, platform_id: platform.id, context_id: row.id, resource_link_id: `link-${courseId}`, title: 'HMS-løpet',
      custom: JSON.stringify({ laeringslop_path: path }), lineitem_url: null, lineitems_url: null, ags_scopes: '[]',
    }).returning('id').executeTakeFirstOrThrow();
    return { contextId: row.id, linkId: link.id };
  }

  const token = (session: Partial<LtiSession> = {}) => sessions.issue({ ...teacher, ...session });
  async function get(path: string, session: Partial<LtiSession> | null = {}, extra = '') {
    const query = session === null ? extra : `?session=${encodeURIComponent(await token(session))}${extra ? `&${extra}` : ''}`;
    const response = await fetch(`${world.url}${path}${query && !query.startsWith('?') ? `?${query}` : query}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') ?? '', disposition: response.headers.get('content-disposition') ?? '' };
  }
  const rowOf = (body: string, userId: string) => new RegExp(`<tr data-learner="${userId}" data-status="([a-z-]+)">([\\s\\S]*?)</tr>`).exec(body);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = testDb.database.db;
    world = await startLearnerWorld(testDb.database);
    moodle = await startMoodleNrps();
    kongsberg = (await findMunicipality(db, '3303'))!.id;
    platform = await savePlatform(db, {
      tenantId: kongsberg, name: 'Kommunens Moodle', issuer: moodle.url, clientId: 'moodle-client-1',
      authEndpoint: `${moodle.url}/mod/lti/auth.php`, tokenEndpoint: moodle.tokenUrl, jwksUrl: `${moodle.url}/mod/lti/certs.php`, deploymentIds: ['1'],
    });
    ({ pathId, stepIds } = await publishPath(testDb.database, kongsberg, [web('Les HMS-håndboka'), web('Se filmen om verneombud'), web('Kvitter for opplæringen')], {
      title: 'HMS for alle', settings: { dueAfterDays: 14 },
    }));
    ({ contextId, linkId } = await context('7', moodle.membershipsUrl));

    // Who has launched: the teacher (31), Kari (40, completed), Ola (41, overdue), Siri (42, at step 2),
    // Nils (43, launched another link, not this path). Per (44, no e-mail) and Åse (45) never launched.
    const teacherId = await account(kongsberg, '31', 'Lærer Lise Lund', 'lise.lund@kommune.example');
    for (const [subject, name, email] of [['40', 'Kari Nordmann', 'kari.nordmann@kommune.example'], ['41', 'Ola Berg', 'ola.berg@kommune.example'], ['42', 'Siri Haugen', undefined], ['43', 'Nils Ås & Co', undefined]] as const) {
      people.set(subject, await account(kongsberg, subject, name, email));
    }
    const doStep = async (subject: string, steps: number) => {
      const { enrolmentId } = await enrol(db, kongsberg, { personId: people.get(subject)!, pathId });
      for (const stepId of stepIds.slice(0, steps)) {
        await deliverOutcome(db, kongsberg, { enrolmentId, stepId, idempotencyKey: `done:${stepId}`, outcome: { kind: 'web', event: 'done' } });
      }
      return enrolmentId;
    };
    await doStep('40', 3);
    const late = await doStep('41', 1);
    await db.updateTable('path_enrolments').set({ due_at: new Date(Date.now() - 2 * DAY) }).where('id', '=', late).execute();
    await doStep('42', 1);
    // Åse's user id belongs to a person of another municipality on the same issuer: not hers here.
    const other = (await createWorld(db)).outside;
    await account(other, '45', 'Åse i en annen kommune', 'ase@annen.example');
    teacher = { personId: teacherId, tenantId: kongsberg, role: 'designer', contextId, resourceLinkId: linkId, platformId: platform.id, locale: 'nb' };
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
    await moodle?.close();
    await testDb?.dispose();
  });

  it('shows every learner of the Moodle roster against the path, those who never launched included', async () => {
    const page = await get(`/teach/links/${linkId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="nb"');
    expect(page.body).toContain('Alle deltakerne i emnet «Emne 7» fra LMS-ets deltakerliste, mot læringsløpet «HMS for alle»');
    // Learners only, in status order; the teacher and the site administrator are counted, not listed.
    const order = [...page.body.matchAll(/<tr data-learner="(\d+)" data-status="([a-z-]+)">/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(order).toEqual(['41:overdue', '42:in-progress', '43:not-started', '44:not-started', '45:not-started', '40:completed']);
    expect(page.body).toContain('data-others>Emnet har også 2 med andre roller enn deltaker');
    expect(rowOf(page.body, '41')![2]).toContain('Steg 1 av 3 fullført. Neste: Se filmen om verneombud');
    expect(rowOf(page.body, '42')![2]).toContain('Neste: Se filmen om verneombud');
    expect(rowOf(page.body, '40')![2]).toContain('3 av 3 steg fullført');
    // Never launched: Per and Åse (whose user id another municipality's person has); Nils launched.
    expect(rowOf(page.body, '45')![2]).toContain('data-never-launched');
    expect(rowOf(page.body, '44')![2]).toContain('data-never-launched');
    expect(rowOf(page.body, '43')![2]).not.toContain('data-never-launched');
    expect(page.body).not.toContain('Åse i en annen kommune');
    // Moodle's format_string() sends "&" as "&amp;": shown as the name it is, escaped once.
    expect(page.body).toContain('Nils Ås &amp; Co');
    expect(page.body).not.toContain('&amp;amp;');
    expect(page.body).toContain('data-count="overdue">Forsinket: 1');
    expect(page.body).toContain('data-count="completed">Fullført: 1');
    expect(page.body).toContain('Fristen er 14 dager fra deltakeren startet');
    // The course's path is the municipality's own: the way to edit it.
    expect(page.body).toContain(`/design/paths/${pathId}?session=`);
    expect(moodle.requests).toEqual(['/mod/lti/services.php/CourseSection/7/bindings/3/memberships']);
  });

  it('lists who has not completed with the roster’s addresses, and who has none', async () => {
    const page = await get(`/teach/links/${linkId}`);
    const addresses = /<textarea[^>]*data-addresses>([^<]*)<\/textarea>/.exec(page.body)![1]!;
    expect(addresses.split('; ').sort()).toEqual(['ase.bakke@kommune.example', 'nils.as@kommune.example', 'ola.berg@kommune.example', 'siri.haugen@kommune.example']);
    expect(addresses).not.toContain('kari.nordmann');
    // Per's Moodle account has no e-mail ("email": ""): named for the teacher to reach some other way.
    expect(/<ul class="ds-list" data-no-email>([\s\S]*?)<\/ul>/.exec(page.body)![1]).toContain('Per Uten Epost');
    expect(page.body).toContain('De 5 som ikke har fullført');
    // The same addresses as blind copies of a new e-mail, with the path in the subject.
    const mailto = new URL(/<a class="ds-link" href="([^"]+)" data-mailto>/.exec(page.body)![1]!.replace(/&amp;/g, '&'));
    expect(mailto.protocol).toBe('mailto:');
    expect(mailto.searchParams.get('bcc')!.split(',').sort()).toEqual(addresses.split('; ').sort());
    expect(mailto.searchParams.get('subject')).toBe('Påminnelse: HMS for alle');
  });

  it('exports the same as CSV for spreadsheets, with the completion date and score', async () => {
    const csv = await get(`/teach/links/${linkId}/progress.csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.disposition).toBe('attachment; filename="E-7-framdrift.csv"');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Navn;E-post;Status;Steg nå;Fullførte steg;Frist;Fullført;Poeng;Har åpnet lenken;user_id');
    expect(lines).toHaveLength(7);
    const kari = lines.find((l) => l.endsWith(';40'))!.split(';');
    expect(kari.slice(0, 5)).toEqual(['Kari Nordmann', 'kari.nordmann@kommune.example', 'Fullført', '', '3/3']);
    expect(kari[6]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(lines.find((l) => l.endsWith(';44'))).toBe('Per Uten Epost;;Ikke startet;;;;;;Nei;44');
    expect(lines.find((l) => l.endsWith(';43'))).toBe('Nils Ås & Co;nils.as@kommune.example;Ikke startet;;;;;;Ja;43');
  });

  it('records every learner of the tool whose progress was shown, and never the roster in the audit', async () => {
    const before = await db.selectFrom('audit_events').select(['action', 'subject_person_id', 'actor_id', 'object_id', 'details']).where('action', '=', 'course.progress.viewed').execute();
    await get(`/teach/links/${linkId}`);
    const after = await db.selectFrom('audit_events').select(['action', 'subject_person_id', 'actor_id', 'object_id', 'details']).where('action', '=', 'course.progress.viewed').execute();
    const added = after.slice(before.length);
    expect(added.map((a) => a.subject_person_id).sort()).toEqual(['40', '41', '42', '43'].map((s) => people.get(s)).sort());
    expect(added.every((a) => a.actor_id === teacher.personId && a.object_id === linkId)).toBe(true);
    expect(JSON.stringify(added)).not.toContain('@');
  });

  it('lets the course’s administrator see it too, not a region’s administrator', async () => {
    const admin = await get(`/teach/links/${linkId}`, { role: 'admin' });
    expect(admin.status).toBe(200);
    expect(admin.body).toContain('data-learner="40"');
    const region = (await createWorld(db)).region;
    const regionAdmin = await get(`/teach/links/${linkId}`, { role: 'admin', tenantId: region });
    expect(regionAdmin.status).toBe(403);
    expect(regionAdmin.body).not.toContain('Kari Nordmann');
  });

  it('sends a teacher’s launch of a path link from a course there, and nothing else', async () => {
    const route = courseLaunchRoute(db);
    const ask = (session: Partial<LtiSession>, custom: Record<string, string> = { laeringslop_path: pathId }) =>
      route({ session: { ...teacher, ...session }, sessionToken: 'T', claims: { custom } as never, locale: 'nb' });
    expect(await ask({})).toBe(`/teach/links/${linkId}?session=T`);
    expect(await ask({ role: 'admin' })).toBe(`/teach/links/${linkId}?session=T`);
    expect(await ask({ role: 'learner' })).toBeUndefined();
    expect(await ask({ role: 'manager' })).toBeUndefined();
    expect(await ask({ contextId: null })).toBeUndefined();
    expect(await ask({}, {})).toBeUndefined();
    expect(await ask({}, { laeringslop_path: 'forstehjelp' })).toBeUndefined();
    // A region's session has no people to show: left to the designer's routes; so is a teacher of
    // another municipality whose launch came to a course first launched in this one (a region's LMS).
    expect(await ask({ role: 'admin', tenantId: (await createWorld(db)).region })).toBeUndefined();
    expect(await ask({ tenantId: (await createWorld(db)).outside })).toBeUndefined();
  });

  it('refuses learners and managers, and answers 401 without a session', async () => {
    const learner = await get(`/teach/links/${linkId}`, { role: 'learner', personId: people.get('40')! });
    expect(learner.status).toBe(403);
    expect(learner.body).not.toContain('Kari Nordmann');
    expect((await get(`/teach/links/${linkId}/progress.csv`, { role: 'learner' })).status).toBe(403);
    expect((await get(`/teach/links/${linkId}`, { role: 'manager' })).status).toBe(403);
    expect((await get(`/teach/links/${linkId}`, null)).status).toBe(401);
  });

  it('answers another course’s, platform’s or municipality’s link as not found, like one that does not exist', async () => {
    const otherCourse = await context('8', moodle.membershipsUrl);
    // A teacher of course 7 asking for course 8's link: their session is course 7's.
    const other = await get(`/teach/links/${otherCourse.linkId}`);
    expect(other.status).toBe(404);
    expect(other.body).not.toContain('Kari Nordmann');
    expect((await get(`/teach/links/${otherCourse.linkId}/progress.csv`)).status).toBe(404);
    expect((await get(`/teach/links/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await get('/teach/links/not-an-id')).status).toBe(404);
    // The same link from a session without a course, of another platform, or of another municipality.
    expect((await get(`/teach/links/${linkId}`, { contextId: null })).status).toBe(404);
    expect((await get(`/teach/links/${linkId}`, { platformId: crypto.randomUUID() })).status).toBe(404);
    const outside = (await createWorld(db)).outside;
    const stranger = (await createPerson(db, outside, { name: 'Fremmed lærer' })).id;
    expect((await get(`/teach/links/${linkId}`, { tenantId: outside, personId: stranger })).status).toBe(404);
  });

  it('follows Moodle’s paging (limit and from, Link rel="next") and keeps the list only in the cache', async () => {
    const paged = await context('9', `${moodle.membershipsUrl}?limit=3`);
    moodle.requests.length = 0;
    const page = await get(`/teach/links/${paged.linkId}`, { contextId: paged.contextId, resourceLinkId: paged.linkId });
    expect(page.status).toBe(200);
    expect(moodle.requests).toEqual([
      '/mod/lti/services.php/CourseSection/7/bindings/3/memberships?limit=3',
      '/mod/lti/services.php/CourseSection/7/bindings/3/memberships?limit=3&from=3',
      '/mod/lti/services.php/CourseSection/7/bindings/3/memberships?limit=3&from=6',
    ]);
    expect([...page.body.matchAll(/<tr data-learner="(\d+)"/g)].map((m) => m[1]).sort()).toEqual(['40', '41', '42', '43', '44', '45']);
    // Seen again within the cache's time: no new request; "fetch again" within a minute neither.
    await get(`/teach/links/${paged.linkId}`, { contextId: paged.contextId, resourceLinkId: paged.linkId });
    await get(`/teach/links/${paged.linkId}`, { contextId: paged.contextId, resourceLinkId: paged.linkId }, 'refresh=1');
    expect(moodle.requests).toHaveLength(3);
    // The roster is in the NRPS cache and nowhere else: no person or account was made for those who never launched.
    expect(await db.selectFrom('lti_users').select('subject').where('issuer', '=', platform.issuer).where('tenant_id', '=', kongsberg).where('subject', 'in', ['44', '45']).execute()).toEqual([]);
    expect(await db.selectFrom('people').select('id').where('name', 'in', ['Per Uten Epost', 'Åse Bakke']).execute()).toEqual([]);
  });

  it('shows those who opened the link, with a warning, when Moodle cannot give the roster', async () => {
    const failing = await context('10', moodle.membershipsUrl);
    moodle.failWith = 500;
    try {
      const page = await get(`/teach/links/${failing.linkId}`, { contextId: failing.contextId, resourceLinkId: failing.linkId });
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-roster="failed"');
      expect(page.body).toContain('Deltakerlisten kunne ikke hentes fra LMS-et nå');
    } finally {
      moodle.failWith = undefined;
    }
    // Without the NRPS claim (the service switched off for the tool): the same, saying why.
    const none = await context('11', null);
    await db.insertInto('path_enrolment_links').values({ tenant_id: kongsberg, enrolment_id: (await enrol(db, kongsberg, { personId: people.get('42')!, pathId })).enrolmentId, resource_link_id: none.linkId }).execute();
    const page = await get(`/teach/links/${none.linkId}`, { contextId: none.contextId, resourceLinkId: none.linkId });
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-roster="none"');
    expect([...page.body.matchAll(/<tr data-learner="(\d+)" data-status="([a-z-]+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['42:in-progress']);
  });

  it('says so when the link names no path the municipality can see', async () => {
    const lost = await context('12', moodle.membershipsUrl, crypto.randomUUID());
    const page = await get(`/teach/links/${lost.linkId}`, { contextId: lost.contextId, resourceLinkId: lost.linkId });
    expect(page.status).toBe(404);
    expect(page.body).toContain('Lenken viser ikke til et læringsløp');
  });

  it('leads an instructor launching a path link from the development LMS to the course view, a learner to the path', async () => {
    const link = await world.lms.addLink({ title: 'HMS for alle', custom: { laeringslop_path: pathId } });
    const instructor = await launch(world.url, 'designer', link.id);
    expect(instructor.status).toBe(303);
    expect(instructor.location).toMatch(/^\/teach\/links\/[0-9a-f-]{36}\?session=/);
    const page = await fetch(new URL(instructor.location!, world.url));
    const body = await page.text();
    expect(page.status).toBe(200);
    // The development course's roster (NRPS, 21 learners and the second learner besides the role users).
    expect([...body.matchAll(/<tr data-learner="/g)]).toHaveLength(23);
    expect(body).toContain('Deltaker 21');
    const learner = await launch(world.url, 'learner', link.id);
    expect(learner.location).toMatch(/^\/learn\/enrolments\//);
  });
});
