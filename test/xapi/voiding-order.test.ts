import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/people/people.js';
import { as, createLrsFixture, query, statementAbout, type Credentials, type LrsFixture } from './lrs-fixture.js';

/**
 * A voiding statement may arrive before the statement it voids (batches from different clients
 * arrive in any order). The target is voided when it arrives, under the same rules as a target
 * already stored: only a statement the voiding client can see, and never a voiding statement.
 */
let f: LrsFixture;
let kari: Person;
let ola: Person;
beforeAll(async () => {
  f = await createLrsFixture();
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  ola = await f.person(f.tenantB, 'ola@bergen.kommune.no');
});
afterAll(() => f.dispose());

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

function voiding(actor: Record<string, unknown>, targetId: string): Record<string, unknown> {
  return statementAbout(actor, { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: targetId } });
}

async function queried(credentials: Credentials, verb: string): Promise<string[]> {
  const res = await as(f.app, credentials).get(`/xapi/statements?${query({ verb })}`);
  expect(res.status).toBe(200);
  return (res.body.statements as { id: string }[]).map((s) => s.id);
}

async function status(credentials: Credentials, param: 'statementId' | 'voidedStatementId', id: string): Promise<number> {
  return (await as(f.app, credentials).get(`/xapi/statements?${param}=${id}`)).status;
}

describe('voiding before the target arrives', () => {
  it('the target arriving later is voided: out of queries, found by voidedStatementId only', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const target = statementAbout(f.actorOf(kari), { verb: { id: verb } });
    const voider = await f.client(f.tenantA, ['statements/write', 'statements/read']);
    await as(f.app, voider).post('/xapi/statements').send(voiding(f.actorOf(kari), target['id'] as string)).expect(200);
    // Another client of the same municipality sends the target afterwards.
    await as(f.app, f.a).post('/xapi/statements').send(target).expect(200);
    expect(await status(f.a, 'statementId', target['id'] as string)).toBe(404);
    expect(await status(f.a, 'voidedStatementId', target['id'] as string)).toBe(200);
    expect(await queried(f.a, verb)).not.toContain(target['id']);
  });

  it('works by PUT and inside a batch whose other statements are stored normally', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const byPut = statementAbout(f.actorOf(kari), { verb: { id: verb } });
    const inBatch = statementAbout(f.actorOf(kari), { verb: { id: verb } });
    const untouched = statementAbout(f.actorOf(kari), { verb: { id: verb } });
    await as(f.app, f.a).post('/xapi/statements').send([voiding(f.actorOf(kari), byPut['id'] as string), voiding(f.actorOf(kari), inBatch['id'] as string)]).expect(200);
    await as(f.app, f.a).put(`/xapi/statements?statementId=${byPut['id'] as string}`).send(byPut).expect(204);
    await as(f.app, f.a).post('/xapi/statements').send([untouched, inBatch]).expect(200);
    expect(await status(f.a, 'voidedStatementId', byPut['id'] as string)).toBe(200);
    expect(await status(f.a, 'voidedStatementId', inBatch['id'] as string)).toBe(200);
    expect(await status(f.a, 'statementId', untouched['id'] as string)).toBe(200);
  });

  it('a voiding statement and its target sent at the same moment always end with the target voided', async () => {
    const targets = Array.from({ length: 6 }, () => statementAbout(f.actorOf(kari)));
    await Promise.all(targets.flatMap((target) => [
      as(f.app, f.a).post('/xapi/statements').send(voiding(f.actorOf(kari), target['id'] as string)).expect(200),
      as(f.app, f.a).post('/xapi/statements').send(target).expect(200),
    ]));
    for (const target of targets) expect(await status(f.a, 'voidedStatementId', target['id'] as string)).toBe(200);
  });

  it('a voiding statement arriving after an earlier voiding of its id is not voided', async () => {
    const laterVoiding = voiding(f.actorOf(kari), randomUUID());
    await as(f.app, f.a).post('/xapi/statements').send(voiding(f.actorOf(kari), laterVoiding['id'] as string)).expect(200);
    await as(f.app, f.a).post('/xapi/statements').send(laterVoiding).expect(200);
    expect(await status(f.a, 'statementId', laterVoiding['id'] as string)).toBe(200);
    expect(await status(f.a, 'voidedStatementId', laterVoiding['id'] as string)).toBe(404);
    // And the known case stays refused: voiding a stored voiding statement is a 400.
    expect((await as(f.app, f.a).post('/xapi/statements').send(voiding(f.actorOf(kari), laterVoiding['id'] as string))).status).toBe(400);
  });

  it('attack: one municipality cannot void another\'s statement in advance', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const bergenStatement = statementAbout(f.actorOf(ola), { verb: { id: verb } });
    // Oslo's client (scope all) learns or guesses the id and voids it before Bergen sends it…
    await as(f.app, f.a).post('/xapi/statements').send(voiding(f.actorOf(kari), bergenStatement['id'] as string)).expect(200);
    // …also with an actor naming Bergen's employee, and with a write-only client.
    const osloWriter = await f.client(f.tenantA, ['statements/write']);
    await as(f.app, osloWriter).post('/xapi/statements').send(voiding(f.actorOf(ola), bergenStatement['id'] as string)).expect(200);
    await as(f.app, f.b).post('/xapi/statements').send(bergenStatement).expect(200);
    expect(await status(f.b, 'statementId', bergenStatement['id'] as string)).toBe(200);
    expect(await status(f.b, 'voidedStatementId', bergenStatement['id'] as string)).toBe(404);
    // (The voiding statement naming Bergen's employee is visible to Bergen, as any statement about its people is.)
    expect(await queried(f.b, verb)).toContain(bergenStatement['id']);
  });

  it('attack: a client reading only its own statements cannot void another client\'s statement in advance', async () => {
    const mine = await f.client(f.tenantA, ['statements/write', 'statements/read/mine']);
    const target = statementAbout(f.actorOf(kari));
    await as(f.app, mine).post('/xapi/statements').send(voiding(f.actorOf(kari), target['id'] as string)).expect(200);
    await as(f.app, f.a).post('/xapi/statements').send(target).expect(200);
    expect(await status(f.a, 'statementId', target['id'] as string)).toBe(200);
  });

  it('voiding another municipality\'s already stored statement still does nothing', async () => {
    const bergenStatement = statementAbout(f.actorOf(ola));
    await as(f.app, f.b).post('/xapi/statements').send(bergenStatement).expect(200);
    await as(f.app, f.a).post('/xapi/statements').send(voiding(f.actorOf(kari), bergenStatement['id'] as string)).expect(200);
    expect(await status(f.b, 'statementId', bergenStatement['id'] as string)).toBe(200);
  });
});
