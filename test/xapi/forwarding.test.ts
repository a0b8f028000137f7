import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../src/audit/audit-log.js';
import { EvidenceStore } from '../../src/competence/evidence-files.js';
import { createPerson } from '../../src/people/people.js';
import { ERASED_REASON, erasePerson } from '../../src/privacy/erase.js';
import type { RunningServer } from '../../src/server.js';
import { forwardingBox, forwardingStatus, redriveForwarding, saveForwardingTarget } from '../../src/xapi/forwarding/targets.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { lrsClient, postStatements, SECRET, startInstance, startProxy, statement, until, type LrsClient } from './forwarding-support.js';

/**
 * The tool forwarding a municipality's statements to another LRS: a second instance of our own
 * (its own database and port), reached through a proxy that can fail on purpose.
 */
describe(`forwarding statements to the municipality's own LRS (${BACKEND})`, { timeout: 120_000 }, () => {
  let dbA: TestDatabase;
  let dbB: TestDatabase;
  let a: Awaited<ReturnType<typeof startInstance>>;
  let b: RunningServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const box = forwardingBox(SECRET);
  const targets: LrsClient[] = [];
  /** The log lines of the earlier runs of the tool (it restarts in one test). */
  const logs: (() => Record<string, unknown>[])[] = [];

  beforeAll(async () => {
    dbA = await createTestDatabase();
    dbB = await createTestDatabase();
    b = (await startInstance(dbB.database)).server;
    proxy = await startProxy(b.url);
    a = await startInstance(dbA.database);
  }, 120_000);
  afterAll(async () => {
    await a?.server.close();
    await b?.close();
    await proxy?.close();
    await dbA?.dispose();
    await dbB?.dispose();
  }, 60_000);

  /** The statement ids the target's tenant holds, in the order it stored them. */
  const heldBy = async (target: LrsClient) =>
    (await dbB.database.db.selectFrom('xapi_statements').select('statement_id').where('tenant_id', '=', target.tenantId).orderBy('seq').execute()).map((r) => r.statement_id);

  async function pair(source: string, target: string, filter: 'all' | 'completions' = 'all', history = false) {
    const from = await lrsClient(dbA.database, source);
    const to = await lrsClient(dbB.database, target);
    targets.push(to);
    await saveForwardingTarget(dbA.database.db, box, from.tenantId, { endpoint: proxy.url, key: to.key, secret: to.secret, filter, history });
    return { from, to };
  }

  it('forwards in commit order, batched, only the completions when so set, and nothing of another tenant', async () => {
    const { from, to } = await pair('3303', '3303', 'completions');
    const other = await lrsClient(dbA.database, '3301'); // no target: its statements stay home
    const sent = Array.from({ length: 30 }, (_, n) => statement(n, n % 3 === 0 ? 'experienced' : 'completed'));
    for (let i = 0; i < sent.length; i += 10) await postStatements(a.url, from, sent.slice(i, i + 10));
    await postStatements(a.url, other, [statement(99)]);
    const expected = sent.filter((s) => (s['verb'] as { id: string }).id.endsWith('/completed')).map((s) => s['id']);
    const held = await until('the completions arrive', async () => {
      const ids = await heldBy(to);
      return ids.length >= expected.length && ids;
    });
    expect(held).toEqual(expected);
    const status = await until('recorded', async () => {
      const now = await forwardingStatus(dbA.database.db, from.tenantId);
      return now?.delivered === 20 && now;
    });
    expect(status).toMatchObject({ pending: 0, parkedCount: 0, delivered: 20, pausedReason: null, lastError: null });
    // Batched: fewer requests than statements, all POSTs of arrays.
    const requests = proxy.seen.filter((r) => r.ids.some((id) => expected.includes(id)));
    expect(requests.length).toBeLessThan(expected.length);
    expect(requests.every((r) => r.method === 'POST')).toBe(true);
    // The forwarded statement is the stored one with the receiving LRS's own authority and stored.
    const [first] = await dbB.database.db.selectFrom('xapi_statements').select('statement').where('tenant_id', '=', to.tenantId).orderBy('seq').limit(1).execute();
    expect(first!.statement).toMatchObject({ id: expected[0], actor: { mbox: 'mailto:kari1@kongsberg.kommune.no' }, authority: { account: { name: to.key } } });
  });

  it('retries with backoff after 500s and a hang-up, then delivers each statement once', async () => {
    const { from, to } = await pair('0301', '0301');
    let failures = 0;
    proxy.setPlan((request) => {
      if (!request.ids.includes(ids[0]!)) return 'pass';
      failures += 1;
      if (failures <= 2) return { status: 500, body: '{"detail":"database down"}' };
      return failures === 3 ? 'pass-then-hang-up' : 'pass';
    });
    const ids = Array.from({ length: 5 }, () => crypto.randomUUID());
    await postStatements(a.url, from, ids.map((id, n) => statement(n, 'completed', id)));
    const waiting = await until('the first failure is recorded', async () => {
      const status = await forwardingStatus(dbA.database.db, from.tenantId);
      return status?.lastError ? status : undefined;
    });
    expect(waiting.lastError).toContain('500');
    expect(waiting.lastError).toContain('database down');
    expect(waiting.retryAt).not.toBeNull();
    expect(await until('all five arrive', async () => {
      const held = await heldBy(to);
      return held.length === 5 && held;
    })).toEqual(ids);
    // The batch whose answer was lost goes again; the target keeps it once.
    const status = await until('the tool has recorded the delivery', async () => {
      const now = await forwardingStatus(dbA.database.db, from.tenantId);
      return now?.delivered === 5 && now;
    });
    expect(failures).toBe(4);
    expect(status).toMatchObject({ pending: 0, attempts: 0, lastError: null, retryAt: null });
    expect(await heldBy(to)).toEqual(ids);
    proxy.setPlan(() => 'pass');
  });

  it('parks a statement the target refuses (400) with its reason, sends the rest, and re-drives it', async () => {
    const { from, to } = await pair('4601', '4601');
    const ids = Array.from({ length: 6 }, () => crypto.randomUUID());
    const refused = ids[2]!;
    proxy.setPlan((request) => (request.ids.includes(refused) ? { status: 400, body: '{"detail":"statement.result.score.scaled: out of range"}' } : 'pass'));
    await postStatements(a.url, from, ids.map((id, n) => statement(n, 'completed', id)));
    await until('the five others arrive', async () => (await heldBy(to)).length === 5);
    expect(await heldBy(to)).toEqual(ids.filter((id) => id !== refused));
    const parked = await until('the tool has recorded it', async () => {
      const now = await forwardingStatus(dbA.database.db, from.tenantId);
      return now?.parkedCount === 1 && now;
    });
    expect(parked).toMatchObject({ pending: 0, parkedCount: 1, pausedReason: null });
    expect(parked.parked[0]).toMatchObject({ statementId: refused, redrive: false });
    expect(parked.parked[0]!.reason).toContain('400');
    expect(parked.parked[0]!.reason).toContain('out of range');

    // Still refused on re-drive: parked again with the reason; then the target takes it.
    expect(await redriveForwarding(dbA.database.db, from.tenantId)).toEqual({ redriven: 1, resumed: false });
    await until('parked again', async () => {
      const status = await forwardingStatus(dbA.database.db, from.tenantId);
      return status?.parked[0]?.redrive === false;
    });
    proxy.setPlan(() => 'pass');
    await redriveForwarding(dbA.database.db, from.tenantId);
    await until('the re-driven statement arrives and is recorded', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.parkedCount === 0);
    expect((await heldBy(to)).at(-1)).toBe(refused);
    expect(await forwardingStatus(dbA.database.db, from.tenantId)).toMatchObject({ parkedCount: 0, delivered: 6 });
  });

  it('erasing the person removes the target’s reason (which quoted them) from their parked statement, and a re-drive sends it pseudonymous', async () => {
    const { from, to } = await pair('1506', '1506');
    const email = `kari.${crypto.randomUUID().slice(0, 8)}@molde.kommune.no`;
    const kari = (await createPerson(dbA.database.db, from.tenantId, { name: 'Kari Nordmann', email })).id;
    const id = crypto.randomUUID();
    const hers: Record<string, unknown> = { ...statement(1, 'completed', id), actor: { objectType: 'Agent', name: 'Kari Nordmann', mbox: `mailto:${email}` } };
    const other = statement(2);
    // The target quotes the statement it refuses, as LRS validators do.
    proxy.setPlan((request) => (request.ids.includes(id) ? { status: 400, body: `{"detail":"invalid statement: actor {\\"name\\":\\"Kari Nordmann\\",\\"mbox\\":\\"mailto:${email}\\"}"}` } : 'pass'));
    await postStatements(a.url, from, [hers, other]);
    const parked = await until('parked', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.parked[0]);
    expect(parked.reason).toContain(email);

    const evidence = new EvidenceStore(fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-')));
    await erasePerson(dbA.database.db, { tenantId: from.tenantId, personId: kari, actor: OPERATOR, reason: 'request', publicUrl: 'http://localhost:3000', evidence });
    const after = await forwardingStatus(dbA.database.db, from.tenantId);
    expect(after?.parked).toEqual([expect.objectContaining({ statementId: id, reason: ERASED_REASON })]);
    expect(JSON.stringify(after)).not.toContain('Kari');

    proxy.setPlan(() => 'pass');
    await redriveForwarding(dbA.database.db, from.tenantId);
    await until('the re-driven statement arrives', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.parkedCount === 0);
    const held = await dbB.database.db.selectFrom('xapi_statements').select('statement').where('tenant_id', '=', to.tenantId).where('statement_id', '=', id).executeTakeFirstOrThrow();
    expect((held.statement as { actor: unknown }).actor).toEqual({ objectType: 'Agent', account: { homePage: 'http://localhost:3000', name: kari } });
    expect(JSON.stringify(held.statement)).not.toContain(email);
    fs.rmSync(evidence.dir, { recursive: true, force: true });
  });

  it('takes a 409 for a statement the target already holds as delivered', async () => {
    const { from, to } = await pair('5001', '5001');
    const ids = Array.from({ length: 3 }, () => crypto.randomUUID());
    // The target holds a different statement under the second id: the batch is refused (409).
    await postStatements(b.url, to, [statement(77, 'experienced', ids[1]!)]);
    await postStatements(a.url, from, ids.map((id, n) => statement(n, 'completed', id)));
    await until('the other two arrive', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.delivered === 3);
    expect(await forwardingStatus(dbA.database.db, from.tenantId)).toMatchObject({ pending: 0, parkedCount: 0, delivered: 3 });
    expect(proxy.seen.filter((r) => r.ids.includes(ids[0]!)).map((r) => r.method)).toEqual(['POST', 'PUT']);
  });

  it('pauses on a refusal of the target itself (401) with a visible reason, until re-driven', async () => {
    const { from, to } = await pair('1103', '1103');
    await saveForwardingTarget(dbA.database.db, box, from.tenantId, { endpoint: proxy.url, key: to.key, secret: 'not-the-secret', filter: 'all' });
    await postStatements(a.url, from, [statement(1), statement(2)]);
    const paused = await until('paused', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.pausedReason ?? undefined);
    expect(paused).toContain('401');
    expect(paused).not.toContain('not-the-secret');
    expect((await forwardingStatus(dbA.database.db, from.tenantId))!.pending).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await heldBy(to)).toEqual([]);
    // The right secret (a change of settings resumes), and both arrive.
    await saveForwardingTarget(dbA.database.db, box, from.tenantId, { endpoint: proxy.url, key: to.key, secret: to.secret, filter: 'all' });
    await until('both arrive', async () => (await heldBy(to)).length === 2);
  });

  it('cuts the credentials out of a reason when the target echoes them back', async () => {
    const { from, to } = await pair('1108', '1108');
    const basic = Buffer.from(`${to.key}:${to.secret}`).toString('base64');
    const ids = [crypto.randomUUID()];
    proxy.setPlan((request) => (request.ids.includes(ids[0]!) ? { status: 400, body: `{"detail":"bad statement; you sent Authorization: Basic ${basic} (${to.key}:${to.secret})"}` } : 'pass'));
    await postStatements(a.url, from, [statement(1, 'completed', ids[0])]);
    const parked = await until('parked', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.parked[0]);
    expect(parked.reason).toContain('Basic [redacted] ([redacted]:[redacted])');
    proxy.setPlan(() => 'pass');
  });

  it('across a restart of the tool mid-queue, every statement arrives exactly once', async () => {
    const from = await lrsClient(dbA.database, '1106');
    const to = await lrsClient(dbB.database, '1106');
    targets.push(to);
    const ids: string[] = Array.from({ length: 1300 }, () => crypto.randomUUID());
    for (let i = 0; i < ids.length; i += 100) await postStatements(a.url, from, ids.slice(i, i + 100).map((id, n) => statement(i + n, 'completed', id)));
    // The second batch is stored by the target, but its answer never comes back: the tool cannot know.
    let batches = 0;
    proxy.setPlan((request) => (request.ids.some((id) => ids.includes(id)) && ++batches === 2 ? 'pass-then-hang-up' : 'pass'));
    await saveForwardingTarget(dbA.database.db, box, from.tenantId, { endpoint: proxy.url, key: to.key, secret: to.secret, filter: 'all', history: true });
    await until('the second batch was taken and hung up', async () => (await forwardingStatus(dbA.database.db, from.tenantId))?.lastError ?? undefined);
    await a.server.close();
    const before = await heldBy(to);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(ids.length);
    logs.push(a.lines);
    a = await startInstance(dbA.database);
    await until('all arrive', async () => (await heldBy(to)).length >= ids.length, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = await heldBy(to);
    expect(held.length).toBe(ids.length);
    expect(held).toEqual(ids);
    // The batch in doubt went twice; the target kept it once.
    const sentTwice = ids.filter((id) => proxy.seen.filter((r) => r.ids.includes(id)).length > 1);
    expect(sentTwice.length).toBeGreaterThan(0);
    expect(await forwardingStatus(dbA.database.db, from.tenantId)).toMatchObject({ pending: 0, parkedCount: 0 });
  });

  it('never writes the credentials into the log, the stored row or the status', async () => {
    const lines = JSON.stringify([...logs, a.lines].flatMap((read) => read()));
    expect(lines).toContain('forwarding target'); // the log was captured and speaks of forwarding
    const stored = JSON.stringify(await dbA.database.db.selectFrom('xapi_forwarding_targets').selectAll().execute());
    const statuses = JSON.stringify(await Promise.all((await dbA.database.db.selectFrom('xapi_forwarding_targets').select('tenant_id').execute()).map((t) => forwardingStatus(dbA.database.db, t.tenant_id))));
    for (const target of targets) {
      const basic = Buffer.from(`${target.key}:${target.secret}`).toString('base64');
      for (const text of [lines, stored, statuses]) {
        expect(text).not.toContain(target.secret);
        expect(text).not.toContain(target.key);
        expect(text).not.toContain(basic);
      }
    }
  });
});
