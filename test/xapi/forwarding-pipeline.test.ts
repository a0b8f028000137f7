import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { StatementForwarder } from '../../src/xapi/forwarding/forwarder.js';
import { forwardingBox, forwardingStatus, saveForwardingTarget } from '../../src/xapi/forwarding/targets.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { storeStatements } from '../../src/xapi/statement-store.js';
import { StatementGroups } from '../../src/xapi/statement-groups.js';
import { ownTenantReader } from '../../src/xapi/visibility.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { SECRET, statement, until } from './forwarding-support.js';

/**
 * The forwarder records a batch the target took whole while it sends the next one. What must hold
 * anyway: when a batch goes out, the queue's place is never further than the batches answered, and
 * never more than one answered batch behind; a batch that fails is recorded before anything after it
 * goes; and in the end each statement went once, in order, and the place is past the last one.
 */
describe(`forwarding records a taken batch while it sends the next (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  const box = forwardingBox(SECRET);

  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.dispose();
  });

  it('never moves the place past an unanswered batch, nor lags more than one batch', async () => {
    const db = testDb.database.db;
    const tenantId = (await db.insertInto('tenants')
      .values({ kind: 'municipality', kommunenummer: '9931', name: 'Kø kommune', county_number: '99', county_name: null, retired_at: null })
      .returning('id').executeTakeFirstOrThrow()).id;
    const { client } = await createXapiClient(db, { tenantId, name: 'source', scopes: ['statements/write'] });
    const ids = Array.from({ length: 95 }, () => crypto.randomUUID());
    const reader = ownTenantReader(client, 'https://laering.example.no');
    for (let i = 0; i < ids.length; i += 19) await storeStatements(db, new StatementGroups(db), reader, ids.slice(i, i + 19).map((id, n) => statement(i + n, 'completed', id)), new Map());
    const seqOf = new Map((await db.selectFrom('xapi_statements').select(['statement_id', 'seq']).where('tenant_id', '=', tenantId).execute()).map((r) => [r.statement_id, Number(r.seq)]));

    const sent: { ids: string[]; placeAtSend: number }[] = [];
    let failOnce = 6; // the sixth batch gets a 503 once
    const fakeLrs: typeof fetch = async (_url, init) => {
      const batch = (JSON.parse(String(init!.body)) as { id: string }[]).map((s) => s.id);
      const target = await db.selectFrom('xapi_forwarding_targets').select('last_seq').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      sent.push({ ids: batch, placeAtSend: Number(target.last_seq) });
      if (sent.length === failOnce) {
        failOnce = -1;
        return new Response('{"detail":"busy"}', { status: 503 });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Response(JSON.stringify(batch), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    await saveForwardingTarget(db, box, tenantId, { endpoint: 'https://lrs.example.no/xapi/', key: 'k', secret: 's', filter: 'all', history: true });
    const forwarder = new StatementForwarder({ db, logger: createLogger('silent'), box, publicUrl: 'https://laering.example.no', batchSize: 10, backoffMs: 50, pollIntervalMs: 20, fetch: fakeLrs });
    forwarder.start();
    try {
      await until('all forwarded and recorded', async () => (await forwardingStatus(db, tenantId))?.delivered === ids.length);
    } finally {
      await forwarder.stop();
    }

    // Each statement taken once, in order (the refused batch went again whole).
    const taken = sent.filter((_, n) => n !== 5).flatMap((s) => s.ids);
    expect(taken).toEqual(ids);
    expect(sent[6]!.ids).toEqual(sent[5]!.ids);
    const lastOf = (s: { ids: string[] }) => seqOf.get(s.ids.at(-1)!)!;
    for (const [n, s] of sent.entries()) {
      if (n === 0) continue;
      const answeredBefore = sent.slice(0, n).filter((_, k) => k !== 5);
      // Never past what was answered; at most the one last answered batch not yet recorded.
      expect(s.placeAtSend).toBeLessThanOrEqual(answeredBefore.length ? lastOf(answeredBefore.at(-1)!) : 0);
      if (answeredBefore.length >= 2) expect(s.placeAtSend).toBeGreaterThanOrEqual(lastOf(answeredBefore.at(-2)!));
    }
    // After the refusal, the batches before it were all recorded before it went again.
    expect(sent[6]!.placeAtSend).toBe(lastOf(sent[4]!));
    expect(await forwardingStatus(db, tenantId)).toMatchObject({ pending: 0, delivered: ids.length, lastError: null, attempts: 0 });
    const place = await db.selectFrom('xapi_forwarding_targets').select('last_seq').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    expect(Number(place.last_seq)).toBe(seqOf.get(ids.at(-1)!));
  });
});
