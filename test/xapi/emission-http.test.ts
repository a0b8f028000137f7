import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NewStep } from '../../src/paths/drafts.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';

type Json = Record<string, unknown>;

const web = (title: string): NewStep =>
  ({ type: 'web', title, required: true, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } } } as NewStep);

/**
 * The running tool: a real LTI launch from the development LMS, a step marked as done on the
 * learner's page, and the statements the tool's own dispatcher wrote, read through /xapi with the
 * municipality's client.
 */
describe(`the tool emits statements for a learner's launch and completion (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  it('a launched and completed path is in the municipality\'s LRS, named by the LMS account', async () => {
    const first = await launch(world.url, 'learner');
    const kari = await sessionInfo(world.url, first.sessionToken!);
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [web('Les veilederen')]);
    const link = await world.lms.addLink({ title: 'Informasjonssikkerhet', custom: { laeringslop_path: pathId } });
    const launched = await launch(world.url, 'learner', link.id);
    expect(launched.location).toMatch(/^\/learn\/enrolments\//);
    const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;
    const stepPage = await (await fetch(`${world.url}${launched.location!.replace('?', `/steps/${stepIds[0]}?`)}`)).text();
    expect((await postForm(world.url, `/learn/enrolments/${enrolmentId}/steps/${stepIds[0]}`, formFields(stepPage, 'done'))).status).toBe(303);

    const client = await createXapiClient(testDb.database.db, { tenantId: kari.tenantId, name: 'HR', scopes: ['statements/read'] });
    const read = async () => {
      const response = await fetch(`${world.url}/xapi/statements?registration=${enrolmentId}&ascending=true`, {
        headers: { authorization: `Basic ${Buffer.from(`${client.client.key}:${client.secret}`).toString('base64')}`, 'x-experience-api-version': '1.0.3' },
      });
      return ((await response.json()) as { statements: Json[] }).statements;
    };
    const statements = await vi.waitFor(async () => {
      const found = await read();
      if (found.length < 4) throw new Error(`${found.length} statements so far`);
      return found;
    }, { timeout: 20_000, interval: 100 });
    expect(statements.map((s) => ((s['verb'] as Json)['id'] as string).split('/').pop())).toEqual(['registered', 'launched', 'completed', 'completed']);
    const account = await testDb.database.db.selectFrom('lti_users').select(['issuer', 'subject']).where('person_id', '=', kari.personId).executeTakeFirstOrThrow();
    for (const s of statements) expect(s['actor']).toEqual({ objectType: 'Agent', account: { homePage: account.issuer, name: account.subject } });
    const grouping = ((statements[1]!['context'] as Json)['contextActivities'] as { grouping: Json[] }).grouping;
    expect(grouping.map((a) => a['id'])).toEqual([
      `${world.url}/xapi/activities/paths/${pathId}/versions/1`,
      expect.stringMatching(new RegExp(`^${world.url}/xapi/activities/lms/courses/`)),
      expect.stringMatching(new RegExp(`^${world.url}/xapi/activities/lms/links/`)),
    ]);
    expect((grouping[2]!['definition'] as Json)['name']).toEqual({ und: 'Informasjonssikkerhet' });
    expect(statements.at(-1)!['object']).toMatchObject({ id: `${world.url}/xapi/activities/paths/${pathId}` });
    expect(statements.at(-1)!['authority']).toMatchObject({ name: 'Læringsløp' });
  });
});
