/**
 * Migration 0106 on a database made before it, holding the same Moodle user twice (once per
 * registration of the site): the people are merged with their progress, completions and queued
 * scores, and launches find the merged person afterwards.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readMigrationFiles } from '../../src/db/migrations.js';
import type { Schema } from '../../src/db/schema.js';
import { recordLaunch } from '../../src/lti/identity.js';
import { findPlatformById } from '../../src/lti/platforms.js';
import { createPerson } from '../../src/people/people.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol } from '../../src/paths/enrolments.js';
import { CLAIM } from '../../src/lti/claims.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { createWorld, publishedPath, webStep, type World } from '../paths/fixtures.js';

const MERGE = '0106_lti_people_by_issuer_and_subject.sql';
const ISSUER = 'https://kslaring.merge.example';

describe(`merging people who are one platform user (migration ${MERGE}, ${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let db: Kysely<Schema>;
  let world: World;
  const ids: Record<string, string> = {};
  let before: { completions: { id: string; enrolment_id: string; evidence: unknown; completed_at: Date }[] };

  /** A person of the world's municipality with an account on `platform` for `subject`, created at `createdAt`. */
  async function account(platform: string, subject: string, createdAt: string): Promise<string> {
    const person = (await createPerson(db, world.inRegion, { name: subject })).id;
    await sql`update people set created_at = ${createdAt}::timestamptz where id = ${person}`.execute(db);
    await sql`insert into lti_users (platform_id, subject, tenant_id, person_id) values (${platform}, ${subject}, ${world.inRegion}, ${person})`.execute(db);
    return person;
  }
  async function platform(issuer: string, clientId: string): Promise<string> {
    const { rows } = await sql<{ id: string }>`insert into lti_platforms (tenant_id, name, issuer, client_id, auth_endpoint, token_endpoint, jwks_url)
      values (${world.inRegion}, 'Moodle', ${issuer}, ${clientId}, ${`${issuer}/auth`}, ${`${issuer}/token`}, ${`${issuer}/jwks`}) returning id`.execute(db);
    await sql`insert into lti_deployments (platform_id, deployment_id) values (${rows[0]!.id}, '1')`.execute(db);
    return rows[0]!.id;
  }
  const done = (enrolmentId: string, stepId: string, key: string) =>
    deliverOutcome(db, world.inRegion, { enrolmentId, stepId, idempotencyKey: key, outcome: { kind: 'web', event: 'done' } });
  const opened = (enrolmentId: string, stepId: string, key: string) =>
    deliverOutcome(db, world.inRegion, { enrolmentId, stepId, idempotencyKey: key, outcome: { kind: 'web', event: 'opened' } });
  const enrolmentOf = async (personId: string, pathId: string) => (await enrol(db, world.inRegion, { personId, pathId })).enrolmentId;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrate: false });
    db = testDb.database.db;
    // The database as it was before the merge: every other migration applied.
    await migrate(testDb.database, readMigrationFiles().filter((f) => f.name !== MERGE));
    world = await createWorld(db);
    const first = await platform(ISSUER, 'client-before');
    const second = await platform(ISSUER, 'client-after-re-registration');
    const canvas = await platform('https://canvas.merge.example', 'client-before');
    ids['first'] = first;
    ids['second'] = second;

    const old = await account(first, 'moodle-7', '2026-01-01T08:00:00Z');
    const renewed = await account(second, 'moodle-7', '2026-06-01T08:00:00Z');
    const oldOnly = await account(first, 'moodle-8', '2026-01-02T08:00:00Z');
    const renewedOnly = await account(second, 'moodle-8', '2026-06-02T08:00:00Z');
    const bystander = await account(first, 'moodle-9', '2026-01-03T08:00:00Z');
    const otherIssuer = await account(canvas, 'moodle-7', '2025-01-01T08:00:00Z');
    Object.assign(ids, { old, renewed, oldOnly, renewedOnly, bystander, otherIssuer });

    // P1: the old registration's enrolment half done; after re-registration, completed anew.
    const p1 = await publishedPath(db, world, [webStep(), webStep()]);
    const p1Old = await enrolmentOf(old, p1.pathId);
    await done(p1Old, p1.stepIds[0]!, 'p1-old-1');
    const p1New = await enrolmentOf(renewed, p1.pathId);
    await done(p1New, p1.stepIds[0]!, 'p1-new-1');
    await done(p1New, p1.stepIds[1]!, 'p1-new-2');
    // P2: only through the new registration.
    const p2 = await publishedPath(db, world, [webStep(), webStep()]);
    const p2New = await enrolmentOf(renewed, p2.pathId);
    await done(p2New, p2.stepIds[0]!, 'p2-new-1');
    // P3: completed through both: two completion records.
    const p3 = await publishedPath(db, world, [webStep()]);
    const p3Old = await enrolmentOf(old, p3.pathId);
    await done(p3Old, p3.stepIds[0]!, 'p3-old-1');
    const p3New = await enrolmentOf(renewed, p3.pathId);
    await done(p3New, p3.stepIds[0]!, 'p3-new-1');
    // P4: both in progress, on different steps.
    const p4 = await publishedPath(db, world, [webStep(), webStep(), webStep()]);
    const p4Old = await enrolmentOf(old, p4.pathId);
    await done(p4Old, p4.stepIds[0]!, 'p4-old-1');
    const p4New = await enrolmentOf(renewed, p4.pathId);
    await opened(p4New, p4.stepIds[1]!, 'p4-new-2');
    // The second pair: the new person has only an enrolment the old one lacks.
    const p2OnlyNew = await enrolmentOf(renewedOnly, p2.pathId);
    await enrolmentOf(oldOnly, p4.pathId);
    Object.assign(ids, { p1: p1.pathId, p2: p2.pathId, p3: p3.pathId, p4: p4.pathId, p1Old, p1New, p2New, p3Old, p3New, p4Old, p4New, p2OnlyNew, p4Step2: p4.stepIds[1]! });

    // A score waiting for the LMS, queued for the new person.
    const { rows: link } = await sql<{ id: string }>`insert into lti_resource_links (tenant_id, platform_id, resource_link_id) values (${world.inRegion}, ${second}, 'link-1') returning id`.execute(db);
    await sql`insert into lti_ags_outbox (tenant_id, resource_link_id, person_id, result_key, score) values (${world.inRegion}, ${link[0]!.id}, ${renewed}, 'score-1', '{"scoreGiven":1}')`.execute(db);

    before = { completions: (await sql<{ id: string; enrolment_id: string; evidence: unknown; completed_at: Date }>`select id, enrolment_id, evidence, completed_at from path_completions order by id`.execute(db)).rows };
    expect(await migrate(testDb.database)).toEqual([MERGE]);
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  const enrolments = async (personId: string) =>
    (await db.selectFrom('path_enrolments').select(['id', 'path_id', 'status']).where('person_id', '=', personId).orderBy('path_id').execute());

  it('leaves one account per tenant, issuer and subject, pointing at the person made first', async () => {
    const accounts = await db.selectFrom('lti_users').select(['issuer', 'subject', 'person_id']).orderBy('issuer').orderBy('subject').execute();
    expect(accounts).toEqual([
      { issuer: 'https://canvas.merge.example', subject: 'moodle-7', person_id: ids['otherIssuer'] },
      { issuer: ISSUER, subject: 'moodle-7', person_id: ids['old'] },
      { issuer: ISSUER, subject: 'moodle-8', person_id: ids['oldOnly'] },
      { issuer: ISSUER, subject: 'moodle-9', person_id: ids['bystander'] },
    ]);
    // The person whose enrolments all moved is gone.
    expect(await db.selectFrom('people').select('id').where('id', '=', ids['renewedOnly']!).execute()).toEqual([]);
    const kept = (await enrolments(ids['oldOnly']!)).map((e) => e.id);
    expect(kept).toHaveLength(2);
    expect(kept).toContain(ids['p2OnlyNew']);
  });

  it('keeps every completion record as it was, each with the person it documents', async () => {
    const after = (await sql<{ id: string; enrolment_id: string; evidence: unknown; completed_at: Date; person_id: string }>`select id, enrolment_id, evidence, completed_at, person_id from path_completions order by id`.execute(db)).rows;
    expect(after.map(({ person_id: _, ...rest }) => rest)).toEqual(before.completions);
    const personOf = new Map(after.map((c) => [c.enrolment_id, c.person_id]));
    expect(personOf.get(ids['p1New']!)).toBe(ids['old']);
    expect(personOf.get(ids['p3Old']!)).toBe(ids['old']);
    // Completed through both registrations: the later one stays with the person it was made for,
    // who is kept for it (without an LTI account).
    expect(personOf.get(ids['p3New']!)).toBe(ids['renewed']);
    expect(await enrolments(ids['renewed']!)).toEqual([{ id: ids['p3New'], path_id: ids['p3'], status: 'completed' }]);
  });

  it('keeps the furthest enrolment of each path and takes the other one’s further steps into it', async () => {
    const mine = await enrolments(ids['old']!);
    expect(new Map(mine.map((e) => [e.path_id, [e.id, e.status]]))).toEqual(new Map([
      [ids['p1'], [ids['p1New'], 'completed']],
      [ids['p2'], [ids['p2New'], 'in_progress']],
      [ids['p3'], [ids['p3Old'], 'completed']],
      [ids['p4'], [ids['p4Old'], 'in_progress']],
    ]));
    const p4Steps = await db.selectFrom('path_step_progress').select(['step_id', 'status']).where('enrolment_id', '=', ids['p4Old']!).execute();
    expect(p4Steps).toHaveLength(2);
    expect(p4Steps).toContainEqual({ step_id: ids['p4Step2'], status: 'in_progress' });
    for (const gone of [ids['p1Old'], ids['p4New']]) {
      expect(await db.selectFrom('path_enrolments').select('id').where('id', '=', gone!).execute()).toEqual([]);
    }
    // Its receipts moved along: delivering the same outcome again changes nothing.
    const receipts = await db.selectFrom('path_outcome_receipts').select('idempotency_key').where('enrolment_id', '=', ids['p4Old']!).execute();
    expect(receipts.map((r) => r.idempotency_key).sort()).toEqual(['p4-new-2', 'p4-old-1']);
    const events = await db.selectFrom('path_events').select(['person_id']).where('enrolment_id', 'in', [ids['p1New']!, ids['p2New']!, ids['p4Old']!]).execute();
    expect(new Set(events.map((e) => e.person_id))).toEqual(new Set([ids['old']]));
  });

  it('keeps the queued score, now for the merged person', async () => {
    expect(await db.selectFrom('lti_ags_outbox').select(['person_id', 'result_key']).execute()).toEqual([{ person_id: ids['old'], result_key: 'score-1' }]);
  });

  it('finds the merged person on the next launch through either registration', async () => {
    for (const registration of [ids['first']!, ids['second']!]) {
      const platform = (await findPlatformById(db, registration))!;
      const identity = await recordLaunch(db, platform, {
        iss: ISSUER, sub: 'moodle-7', aud: platform.clientId, nonce: 'n', messageType: 'LtiResourceLinkRequest', deploymentId: '1', targetLinkUri: 'http://127.0.0.1/lti/launch',
        roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], custom: {}, raw: { [CLAIM.version]: '1.3.0' }, resourceLink: { id: 'link-1' },
      });
      expect(identity.personId).toBe(ids['old']);
    }
  });
});
