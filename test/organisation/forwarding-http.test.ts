import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsRouter } from '../../src/web/integrations/router.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { forwardingBox, openCredentials } from '../../src/xapi/forwarding/targets.js';
import { testConfig } from '../support/app.js';
import { enrol } from '../../src/paths/enrolments.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { createLogger } from '../../src/logger.js';
import { emitPathEvents } from '../xapi/emission-scenarios.js';
import { publishPath } from '../learner/support.js';
import { createWorld, person, publishedPath, webStep } from '../paths/fixtures.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminWorld, client, SECRET, type AdminWorld } from './support.js';

const KEY = 'kongsberg-lrs-key-4711';
const LRS_SECRET = 'Hemmelig-LRS-passord-9d8c7b';

describe(`the admin's forwarding page over HTTP (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: AdminWorld;
  let admin: ReturnType<typeof client>;
  let osloAdmin: ReturnType<typeof client>;
  const db = () => testDb.database.db;
  const config = testConfig({ KEY_ENCRYPTION_SECRET: SECRET });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await adminWorld(testDb.database, (sessions) => [integrationsRouter({ db: testDb.database.db, sessions, config })]);
    admin = client(world.app, await world.token(world.kongsberg));
    osloAdmin = client(world.app, await world.token(world.oslo));
  });
  afterAll(async () => testDb?.dispose());

  it('sets a target with the credentials sealed, refuses bad settings without echoing the secret, and never shows them', async () => {
    const empty = await admin.get('/admin/xapi-forwarding');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('Videresending er ikke satt opp.');

    const inAddress = await admin.post('/admin/xapi-forwarding', { endpoint: `https://${KEY}:${LRS_SECRET}@lrs.kongsberg.no/xapi/`, key: KEY, secret: LRS_SECRET, filter: 'all' });
    expect(inAddress.status).toBe(400);
    expect(inAddress.text).toContain('Ta brukernavn og passord ut av adressen');
    const noSecret = await admin.post('/admin/xapi-forwarding', { endpoint: 'https://lrs.kongsberg.no/xapi', key: KEY, secret: '', filter: 'completions' });
    expect(noSecret.status).toBe(400);
    expect(noSecret.text).toContain('Skriv hemmeligheten.');
    const badAddress = await admin.post('/admin/xapi-forwarding', { endpoint: 'ftp://lrs', key: KEY, secret: LRS_SECRET, filter: 'all' });
    expect(badAddress.status).toBe(400);
    expect(badAddress.text).toContain('Skriv en fullstendig http- eller https-adresse');
    const badFilter = await admin.post('/admin/xapi-forwarding', { endpoint: 'https://lrs.kongsberg.no/xapi/', key: KEY, secret: LRS_SECRET, filter: 'some' });
    expect(badFilter.status).toBe(400);
    for (const refused of [noSecret, badAddress, badFilter]) expect(refused.text).not.toContain(LRS_SECRET);

    const saved = await admin.post('/admin/xapi-forwarding', { endpoint: 'https://lrs.kongsberg.no/xapi/statements', key: KEY, secret: LRS_SECRET, filter: 'completions' });
    expect(saved.status).toBe(303);
    const row = await db().selectFrom('xapi_forwarding_targets').selectAll().where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ endpoint: 'https://lrs.kongsberg.no/xapi/', filter: 'completions' });
    expect(row.credentials_sealed).not.toContain(LRS_SECRET);
    expect(row.credentials_sealed).not.toContain(KEY);
    expect(openCredentials(forwardingBox(SECRET), row.credentials_sealed)).toEqual({ key: KEY, secret: LRS_SECRET });

    const page = await admin.get('/admin/xapi-forwarding', { notice: 'created' });
    expect(page.text).toContain('Videresendingen er satt opp.');
    expect(page.text).toContain('https://lrs.kongsberg.no/xapi/');
    expect(page.text).toContain('Lagret (kryptert)');
    expect(page.text).toContain('data-pending="0"');
    expect(page.text).not.toContain(LRS_SECRET);
    expect(page.text).not.toContain(KEY);

    // A change without a key and a secret keeps the stored ones.
    expect((await admin.post('/admin/xapi-forwarding', { endpoint: 'https://lrs2.kongsberg.no/xapi/', key: '', secret: '', filter: 'all' })).status).toBe(303);
    const changed = await db().selectFrom('xapi_forwarding_targets').selectAll().where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow();
    expect(openCredentials(forwardingBox(SECRET), changed.credentials_sealed)).toEqual({ key: KEY, secret: LRS_SECRET });
    expect(changed.filter).toBe('all');

    const audit = await db().selectFrom('audit_events').select(['action', 'details']).where('tenant_id', '=', world.kongsberg).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['xapi.forwarding.created', 'xapi.forwarding.updated']);
    expect(JSON.stringify(audit)).not.toContain(LRS_SECRET);
  });

  it('shows the parked statements with their reasons and re-drives them, for its own municipality only', async () => {
    const { client: lrsClient } = await createXapiClient(db(), { tenantId: world.kongsberg, name: 'Kurs', scopes: ['statements/write'] });
    const statementId = randomUUID();
    const { seq } = await db().insertInto('xapi_statements').values({
      statement_id: statementId, tenant_id: world.kongsberg, client_id: lrsClient.id, stored: new Date(),
      statement: JSON.stringify({ id: statementId, actor: { mbox: 'mailto:kari@kongsberg.kommune.no' }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' }, object: { id: 'https://x.example/a' } }),
      actor_key: 'mbox:mailto:kari@kongsberg.kommune.no', verb_id: 'http://adlnet.gov/expapi/verbs/completed', object_activity_id: 'https://x.example/a', object_agent_key: null,
      object_statement_ref: null, is_voiding: false, registration: null, related_agent_keys: [], related_activity_ids: [],
    }).returning('seq').executeTakeFirstOrThrow();
    await db().insertInto('xapi_forwarding_parked').values({ tenant_id: world.kongsberg, seq, statement_id: statementId, reason: '400 Bad Request: <b>result.score</b> out of range' }).execute();
    await db().updateTable('xapi_forwarding_targets').set({ paused_reason: '401 Unauthorized', paused_at: new Date() }).where('tenant_id', '=', world.kongsberg).execute();

    const page = await admin.get('/admin/xapi-forwarding');
    expect(page.text).toContain('data-forwarding-status="paused"');
    expect(page.text).toContain('401 Unauthorized');
    expect(page.text).toContain(`data-parked-statement="${statementId}"`);
    expect(page.text).toContain('&lt;b&gt;result.score&lt;/b&gt; out of range');
    expect(page.text).toContain('data-parked="1"');

    // Oslo has no target and sees nothing of Kongsberg's; its re-drive and removal touch nothing.
    const oslo = await osloAdmin.get('/admin/xapi-forwarding');
    expect(oslo.text).toContain('Videresending er ikke satt opp.');
    expect(oslo.text).not.toContain(statementId);
    expect((await osloAdmin.post('/admin/xapi-forwarding/redrive')).status).toBe(303);
    expect((await osloAdmin.post('/admin/xapi-forwarding/remove')).status).toBe(303);
    const designer = client(world.app, await world.token(world.kongsberg, 'designer'));
    expect((await designer.post('/admin/xapi-forwarding/redrive')).status).toBe(403);
    expect((await designer.get('/admin/xapi-forwarding')).status).toBe(403);
    const untouched = await db().selectFrom('xapi_forwarding_parked').select('redrive').where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow();
    expect(untouched.redrive).toBe(false);

    expect((await admin.post('/admin/xapi-forwarding/redrive')).status).toBe(303);
    const redriven = await db().selectFrom('xapi_forwarding_parked').select('redrive').where('tenant_id', '=', world.kongsberg).executeTakeFirstOrThrow();
    expect(redriven.redrive).toBe(true);
    const after = await admin.get('/admin/xapi-forwarding');
    expect(after.text).toContain('data-forwarding-status="active"');
    expect(after.text).toContain('Sendes på nytt');

    expect((await admin.post('/admin/xapi-forwarding/remove')).status).toBe(303);
    expect(await db().selectFrom('xapi_forwarding_targets').selectAll().execute()).toEqual([]);
    expect(await db().selectFrom('xapi_forwarding_parked').selectAll().execute()).toEqual([]);
  });

  it('shows the tool\'s own statements that could not be stored, to its own municipality\'s administrator only', async () => {
    const none = await admin.get('/admin/xapi-forwarding');
    expect(none.text).not.toContain('data-emission-parked');
    // A path event (any tenant's: the entry names only the event) and a parked statement of it.
    const paths = await createWorld(db());
    const { pathId } = await publishedPath(db(), paths, [webStep()]);
    await enrol(db(), paths.inRegion, { personId: await person(db(), paths.inRegion), pathId });
    const event = await db().selectFrom('path_events').select('id').where('path_id', '=', pathId).executeTakeFirstOrThrow();
    const statementId = randomUUID();
    await db().insertInto('xapi_emission_parked').values({ tenant_id: world.kongsberg, statement_id: statementId, event_id: event.id, reason: 'xAPI: statement.actor.account.homePage: must be an <absolute> IRI' }).execute();
    const page = await admin.get('/admin/xapi-forwarding');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-emission-parked="1"');
    expect(page.text).toContain(`data-emission-parked-statement="${statementId}"`);
    expect(page.text).toContain('must be an &lt;absolute&gt; IRI');
    expect(page.text).toContain('Utsagn verktøyet ikke kunne lagre');
    const oslo = await osloAdmin.get('/admin/xapi-forwarding');
    expect(oslo.text).not.toContain(statementId);
    expect(oslo.text).not.toContain('data-emission-parked');
  });

  it('re-drives the tool\'s parked statements once the cause is fixed; what is refused again, or not its own, stays', async () => {
    // A learner of Kongsberg whose LMS was entered with an issuer that is no IRI: every statement about them is parked.
    const learner = await person(db(), world.kongsberg);
    await db().insertInto('lti_users').values({ issuer: 'moodle-skole', subject: 'elev-7', tenant_id: world.kongsberg, person_id: learner }).execute();
    const { pathId, stepIds } = await publishPath(testDb.database, world.kongsberg, [webStep()]);
    const { enrolmentId } = await enrol(db(), world.kongsberg, { personId: learner, pathId });
    await deliverOutcome(db(), world.kongsberg, { enrolmentId, stepId: stepIds[0]!, idempotencyKey: 'done', outcome: { kind: 'web', event: 'done' } });
    const events = await db().selectFrom('path_events').select('id').where('enrolment_id', '=', enrolmentId).execute();
    const parkedOf = () => db().selectFrom('xapi_emission_parked').select(['statement_id', 'reason']).where('tenant_id', '=', world.kongsberg).where('event_id', 'in', events.map((e) => e.id)).execute();
    await emitPathEvents(db(), createLogger('silent'), async () => (await parkedOf()).length === 3);
    const page = await admin.get('/admin/xapi-forwarding');
    expect(page.text).toContain('data-form="emission-redrive"');

    // Oslo's administrator re-drives Oslo's (none): Kongsberg's stay as they are.
    expect((await osloAdmin.post('/admin/xapi-forwarding/emission-redrive', {})).status).toBe(303);
    expect(await parkedOf()).toHaveLength(3);
    // Not fixed yet: refused again, still listed.
    const again = await admin.post('/admin/xapi-forwarding/emission-redrive', {});
    expect(again.status).toBe(303);
    expect(new URL(again.headers['location']!, 'http://x').searchParams.get('left')).toBe('4');
    expect(await parkedOf()).toHaveLength(3);

    await db().updateTable('lti_users').set({ issuer: 'https://moodle.kongsberg.no' }).where('person_id', '=', learner).execute();
    const redriven = await admin.post('/admin/xapi-forwarding/emission-redrive', {});
    expect(redriven.status).toBe(303);
    const notice = await admin.get('/admin/xapi-forwarding', Object.fromEntries(new URL(redriven.headers['location']!, 'http://x').searchParams));
    // The three are stored; the entry of another municipality's event (the test above) is not Kongsberg's to make again.
    expect(notice.text).toContain('3 utsagn ble lagret. 1 kunne fortsatt ikke lagres.');
    expect(await parkedOf()).toEqual([]);
    const stored = await db().selectFrom('xapi_statements').select(['statement', 'tenant_id']).where('registration', '=', enrolmentId).execute();
    expect(stored.map((s) => s.tenant_id)).toEqual([world.kongsberg, world.kongsberg, world.kongsberg]);
    expect((stored[0]!.statement as { actor: unknown }).actor).toEqual({ objectType: 'Agent', account: { homePage: 'https://moodle.kongsberg.no', name: 'elev-7' } });
    const audit = await db().selectFrom('audit_events').select(['action', 'tenant_id']).where('action', '=', 'xapi.emission.redriven').execute();
    expect(audit.map((a) => a.tenant_id).sort()).toEqual([world.kongsberg, world.kongsberg, world.oslo].sort());
  });
});
