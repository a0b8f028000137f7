import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/cmi5/vocabulary.js';
import type { NewStep } from '../../src/paths/drafts.js';
import { getProgress } from '../../src/paths/enrolments.js';
import { rawZip, tempFile } from '../content/support/package-zip.js';
import { formFields, launch, postForm, publishPath, sessionInfo, startLearnerWorld, type LearnerWorld } from '../learner/support.js';
import { uploadPackage } from '../scorm/support/server.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { cmi5CourseEntries, INTRO_AU } from './support/course.js';

/**
 * When an AU's statements are worked into the step's outcome (src/web/learner/cmi5-bridge.ts): an
 * AU whose moveOn is NotApplicable is satisfied from the start, so its step is completed as soon as
 * the AU's session begins (initialized), without the learner coming back to the path first.
 */
describe(`the outcome of a cmi5 step as the AU's statements arrive (${BACKEND})`, { timeout: 60_000 }, () => {
  let testDb: TestDatabase;
  let world: LearnerWorld;
  let url: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    world = await startLearnerWorld(testDb.database);
    url = world.url;
  });
  afterAll(async () => {
    await world?.stop();
    await testDb?.dispose();
  });

  it('completes the step of an AU with moveOn NotApplicable when the AU sends initialized', async () => {
    const kari = await sessionInfo(url, (await launch(url, 'learner')).sessionToken!);
    const entries = cmi5CourseEntries().map((e) => (e.name === 'cmi5.xml'
      ? { name: e.name, data: Buffer.from(e.data.toString('utf8').replace('moveOn="Completed" launchMethod="AnyWindow"', 'moveOn="NotApplicable" launchMethod="AnyWindow"')) }
      : e));
    expect(entries.find((e) => e.name === 'cmi5.xml')!.data.toString()).toContain('moveOn="NotApplicable"');
    const zip = tempFile('ikke-relevant.zip');
    fs.writeFileSync(zip, rawZip(entries));
    const uploaded = await uploadPackage(url, kari.tenantId, zip);
    expect(uploaded.status).toBe(201);
    const { id: packageId } = (await uploaded.json()) as { id: string };
    const { pathId, stepIds } = await publishPath(testDb.database, kari.tenantId, [{ type: 'cmi5', title: 'Innføring', required: true, config: { packageId, nodeId: INTRO_AU } } as NewStep]);
    const link = await world.lms.addLink({ title: 'Læringsløp', custom: { laeringslop_path: pathId } });
    const launched = await launch(url, 'learner', link.id);
    const enrolmentId = launched.location!.split('/')[3]!.split('?')[0]!;
    const stepPage = await (await fetch(`${url}${launched.location!.replace('?', `/steps/${stepIds[0]}?`)}`, { headers: { accept: 'text/html' } })).text();
    const opened = await postForm(url, `${launched.location!.split('?')[0]!}/steps/${stepIds[0]}`, { ...formFields(stepPage, 'open'), au: INTRO_AU });
    expect(opened.status).toBe(303);
    const q = new URL(opened.headers.get('location')!, url).searchParams;
    const token = ((await (await fetch(q.get('fetch')!, { method: 'POST' })).json()) as Record<string, string>)['auth-token']!;
    const xapi = { Authorization: `Basic ${token}`, 'X-Experience-API-Version': '1.0.3' };
    const state = new URLSearchParams({ activityId: q.get('activityId')!, agent: q.get('actor')!, registration: q.get('registration')!, stateId: CMI5.launchData });
    const launchData = (await (await fetch(`${url}/xapi/activities/state?${state.toString()}`, { headers: xapi })).json()) as { moveOn: string; contextTemplate: { contextActivities: Record<string, unknown> } };
    expect(launchData.moveOn).toBe('NotApplicable');
    // cmi5 §11: the AU reads the learner preferences before initialized (the LMS refuses it before).
    const preferences = new URLSearchParams({ agent: q.get('actor')!, profileId: 'cmi5LearnerPreferences' });
    expect((await fetch(`${url}/xapi/agents/profile?${preferences.toString()}`, { headers: xapi })).status).toBe(200);

    const initialized = await fetch(`${url}/xapi/statements`, {
      method: 'POST',
      headers: { ...xapi, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        id: randomUUID(), timestamp: new Date().toISOString(), actor: JSON.parse(q.get('actor')!) as unknown, verb: { id: CMI5.verbs.initialized }, object: { objectType: 'Activity', id: q.get('activityId') },
        context: { ...launchData.contextTemplate, registration: q.get('registration'), contextActivities: { ...launchData.contextTemplate.contextActivities, category: [{ id: CMI5.categories.cmi5 }] } },
      }),
    });
    expect(initialized.status).toBe(200);
    // No page of the learner's was asked for since the launch: the statement itself completed the step.
    const progress = await getProgress(testDb.database.db, kari.tenantId, enrolmentId);
    expect(progress.steps[0]).toMatchObject({ status: 'completed' });
    expect(progress.status).toBe('completed');
  });
});
