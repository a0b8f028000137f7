import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { zipFixture } from '../content/support/package-zip.js';
import { seedTenantAndPerson } from './support/seed.js';
import { openAttempt, startScormServer, uploadPackage } from './support/server.js';

// SCORM 2004 sequencing enforced by the server: a launch the rules forbid is refused (docs/content.md).
let testDb: TestDatabase;
let running: Awaited<ReturnType<typeof startScormServer>>;
let base: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  running = await startScormServer(testDb.database);
  base = running.server.url;
}, 120_000);
afterAll(async () => {
  await running?.stop();
  await testDb?.dispose();
});

async function course() {
  const ids = await seedTenantAndPerson(testDb.database.db);
  const upload = await uploadPackage(base, ids.tenantId, await zipFixture('scorm2004-sequencing'));
  expect(upload.status).toBe(201);
  const { id: packageId } = (await upload.json()) as { id: string };
  return { ...ids, packageId, attempt: await openAttempt(base, { ...ids, packageId }) };
}

// The player asks for JSON; problems then come as application/problem+json.
const launch = (token: string, sco: string) => fetch(`${base}/content/${token}/runtime/${sco}/launch`, { method: 'POST', headers: { Accept: 'application/json' } });

/** Launches the SCO and ends its attempt completed and passed (Terminate with exit normal). */
async function finish(token: string, sco: string): Promise<void> {
  const response = await launch(token, sco);
  expect(response.status, `launch of ${sco}`).toBe(200);
  const { session } = (await response.json()) as { session: number };
  const commit = await fetch(`${base}/content/${token}/runtime/${sco}/commit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ session, seq: 1, terminate: true, cmi: { 'cmi.completion_status': 'completed', 'cmi.success_status': 'passed', 'cmi.score.scaled': '0.9', 'cmi.exit': 'normal' } }),
  });
  expect(await commit.json()).toEqual({ result: true, errorCode: 0 });
}

async function refusal(token: string, sco: string) {
  const response = await launch(token, sco);
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as { type: string; reason: string; detail: string };
}

describe('SCORM 2004 sequencing over HTTP', { timeout: 60_000 }, () => {
  it('refuses to launch a disabled SCO with problem+json and stores nothing for it', async () => {
    const { attempt } = await course();
    const problem = await refusal(attempt.token, 'sq-arkiv');
    expect(problem).toMatchObject({ type: '/problems/sco-locked', status: 403, reason: 'disabled' });
    expect(problem.detail).toMatch(/precondition rule disables/);
    const rows = await testDb.database.db.selectFrom('scorm_sco_states').select('sco_id').where('attempt_id', '=', attempt.attemptId).execute();
    expect(rows).toEqual([]);
    // The player page says so instead of starting the SCO.
    const page = await (await fetch(`${base}/content/${attempt.token}/play/sq-arkiv?lang=en`)).text();
    expect(page).toContain('This part is locked');
    expect(page).not.toContain('sco-frame');
  });

  it('follows the course: start, stopForwardTraversal, continue into the forward-only module, attemptLimit, flow-only activity', async () => {
    const { attempt } = await course();
    const token = attempt.token;
    const entry = await fetch(`${base}${attempt.playerUrl}`, { redirect: 'manual' });
    expect(entry.headers.get('location')).toMatch(/\/play\/sq-intro\?/);

    await finish(token, 'sq-intro');
    // The learning part is not completed: choosing the test, past it, is refused.
    expect(await refusal(token, 'sq-prove')).toMatchObject({ reason: 'stop-forward-traversal' });
    // Hidden from choice: only flow reaches the extra material.
    expect(await refusal(token, 'sq-ekstra')).toMatchObject({ reason: 'hidden-from-choice' });
    const next = await fetch(`${base}/content/${token}/navigate/continue?from=sq-intro&lang=nb`, { redirect: 'manual' });
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toMatch(/\/play\/sq-laering\?lang=nb$/);

    await finish(token, 'sq-laering');
    // Reopening the course: the introduction is done, so flow starts after it.
    expect((await fetch(`${base}${attempt.playerUrl}`, { redirect: 'manual' })).headers.get('location')).toMatch(/\/play\/sq-laering\?/);
    await finish(token, 'sq-prove');
    await finish(token, 'sq-oppsummering');
    // One attempt at the test, and it has ended.
    const limit = await refusal(token, 'sq-prove');
    expect(limit).toMatchObject({ reason: 'attempt-limit' });
    const page = await (await fetch(`${base}/content/${token}/play/sq-oppsummering?lang=nb`)).text();
    expect(page).toContain('Prøven <span class="locked">(ingen forsøk igjen)</span>');
    // forwardOnly module: no previous from the summary.
    const back = await fetch(`${base}/content/${token}/navigate/previous?from=sq-oppsummering`, { redirect: 'manual' });
    expect(back.headers.get('location')).toMatch(/\/exit\?/);
    // Continue from the summary leaves the module for the extra material (hidden from choice, reached by flow).
    expect((await launch(token, 'sq-ekstra')).status).toBe(200);
    const end = await fetch(`${base}/content/${token}/navigate/continue?from=sq-ekstra`, { redirect: 'manual' });
    expect(end.headers.get('location')).toMatch(/\/exit\?/);
  });

  it('reads only the attempt the token names, and navigation stays inside the course', async () => {
    const first = await course();
    await finish(first.attempt.token, 'sq-intro');
    const other = await seedTenantAndPerson(testDb.database.db, 'Asker');
    // A package belongs to its tenant: another tenant's learner cannot open an attempt on it.
    const foreign = await fetch(`${base}/api/dev/scorm/attempts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...other, packageId: first.packageId }) });
    expect(foreign.status).toBe(404);
    // A fresh attempt of the same learner has nothing done: the intro is where it starts.
    const fresh = await fetch(`${base}/api/dev/scorm/attempts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tenantId: first.tenantId, personId: first.personId, packageId: first.packageId, fresh: true }) });
    const { playerUrl } = (await fresh.json()) as { playerUrl: string };
    expect((await fetch(`${base}${playerUrl}`, { redirect: 'manual' })).headers.get('location')).toMatch(/\/play\/sq-intro\?/);
    // Navigation needs a valid token, takes only continue/previous, and leads only into the course.
    expect((await fetch(`${base}/content/forged/navigate/continue?from=sq-intro`, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${base}/content/${first.attempt.token}/navigate/jump?from=sq-intro`, { redirect: 'manual' })).status).toBe(404);
    const odd = await fetch(`${base}/content/${first.attempt.token}/navigate/continue?from=${encodeURIComponent('https://evil.example/x')}`, { redirect: 'manual' });
    expect(odd.headers.get('location')).toBe(`/content/${first.attempt.token}/exit?lang=nb`);
  });
});
