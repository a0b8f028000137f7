import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../../src/people/people.js';
import { as, createLrsFixture, query, statementAbout, type Credentials, type LrsFixture } from '../../xapi/lrs-fixture.js';

/**
 * Part Three §2.1.3 "Filter Conditions for StatementRefs": a statement targeting a matching
 * statement matches too, and the rule applies recursively (a targets b targets c: c matching makes
 * b and a match). Voided statements never appear themselves, but chains still pass through them.
 */
let f: LrsFixture;
let kari: Person;
let actor: Record<string, unknown>;
beforeAll(async () => {
  f = await createLrsFixture({ maxPageSize: 2 });
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  actor = f.actorOf(kari);
});
afterAll(() => f.dispose());

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const REFERS = 'https://laering.example.no/verbs/refers';

function refTo(target: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return statementAbout({ mbox: `mailto:${randomUUID()}@elsewhere.example` }, {
    verb: { id: REFERS },
    object: { objectType: 'StatementRef', id: target['id'] },
    ...overrides,
  });
}

async function ids(credentials: Credentials, params: Record<string, string | object>): Promise<string[]> {
  const seen: string[] = [];
  let next = `/xapi/statements?${query(params)}`;
  for (let pages = 0; next && pages < 20; pages += 1) {
    const res = await as(f.app, credentials).get(next);
    expect(res.status, res.text).toBe(200);
    seen.push(...(res.body.statements as { id: string }[]).map((s) => s.id));
    next = res.body.more;
  }
  return seen.sort();
}

async function post(...statements: Record<string, unknown>[]): Promise<void> {
  for (const statement of statements) await as(f.app, f.a).post('/xapi/statements').send(statement).expect(200);
}

describe('StatementRef chains', () => {
  it('a filter matching c returns b (targets c) and a (targets b), for agent, verb, activity and registration', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const activity = `https://laering.example.no/activities/${randomUUID()}`;
    const registration = randomUUID();
    const c = statementAbout(actor, { verb: { id: verb }, object: { id: activity }, context: { registration } });
    const b = refTo(c);
    const a = refTo(b);
    const d = refTo(a);
    await post(c, b, a, d);
    const chain = [c['id'], b['id'], a['id'], d['id']].sort();
    expect(await ids(f.a, { verb })).toEqual(chain);
    expect(await ids(f.a, { activity })).toEqual(chain);
    expect(await ids(f.a, { registration })).toEqual(chain);
    expect(await ids(f.a, { agent: actor, verb })).toEqual(chain);
    // The time filters still apply to the referring statement itself.
    const stored = (await as(f.app, f.a).get(`/xapi/statements?statementId=${b['id'] as string}`)).body.stored as string;
    expect(await ids(f.a, { verb, until: stored })).toEqual([c['id'], b['id']].sort());
    // A filter that c does not match finds none of the chain (the referrers match by their own content only).
    expect(await ids(f.a, { verb, activity: 'https://laering.example.no/other' })).toEqual([]);
  });

  it('a chain whose target arrives last still matches, and a cycle of references ends', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const c = statementAbout(actor, { verb: { id: verb } });
    const b = refTo(c);
    const a = refTo(b);
    await post(a, b, c);
    expect(await ids(f.a, { verb })).toEqual([a['id'], b['id'], c['id']].sort());
    // x and y refer to each other: neither matches a filter they do not match themselves, and the query ends.
    const xId = randomUUID();
    const yId = randomUUID();
    const x = refTo({ id: yId }, { id: xId });
    const y = refTo({ id: xId }, { id: yId });
    await post(x, y);
    expect(await ids(f.a, { verb })).toEqual([a['id'], b['id'], c['id']].sort());
    expect((await ids(f.a, { verb: REFERS })).filter((id) => id === xId || id === yId).sort()).toEqual([xId, yId].sort());
  });

  it('a voided statement is never returned, but chains through it still match', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const c = statementAbout(actor, { verb: { id: verb } });
    const b = refTo(c);
    const a = refTo(b);
    const voidB = statementAbout(actor, { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: b['id'] } });
    const voidC = statementAbout(actor, { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: c['id'] } });
    await post(c, b, a, voidB, voidC);
    expect(await ids(f.a, { verb })).toEqual([a['id'], voidB['id'], voidC['id']].sort());
  });

  it('a chain does not pass through a statement the reader cannot see', async () => {
    const verb = `https://laering.example.no/verbs/${randomUUID()}`;
    const bergenPerson = await f.person(f.tenantB, 'ola@bergen.kommune.no');
    const c = statementAbout(actor, { verb: { id: verb } });
    // b is Bergen's (written by Bergen's client about a Bergen employee): Oslo cannot see it.
    const b = statementAbout(f.actorOf(bergenPerson), { verb: { id: REFERS }, object: { objectType: 'StatementRef', id: c['id'] } });
    const a = refTo(b);
    await post(c, a);
    await as(f.app, f.b).post('/xapi/statements').send(b).expect(200);
    expect(await ids(f.a, { verb })).toEqual([c['id']]);
    expect(await ids(f.b, { verb })).toEqual([]);
  });
});
