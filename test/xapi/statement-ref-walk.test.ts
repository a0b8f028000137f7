import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Person } from '../../src/people/people.js';
import { createXapiClient } from '../../src/xapi/credentials.js';
import { queryStatements, type QueryTuning, type StatementFilters } from '../../src/xapi/statement-query.js';
import { ownTenantReader, type Reader } from '../../src/xapi/visibility.js';
import { as, createLrsFixture, statementAbout, type LrsFixture } from './lrs-fixture.js';

/**
 * StatementRef chains are walked up from the matching statements when they are few and down from
 * the StatementRef statements when they are many (src/xapi/statement-ref-chains.ts); many matches of
 * a combination or related_* filter are sorted, or walked for beyond the sort limit. Every way, and
 * every page size, must return the same statements.
 */
let f: LrsFixture;
let kari: Person;
let reader: Reader;
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const verb = `https://laering.example.no/verbs/${randomUUID()}`;
const activity = `https://laering.example.no/activities/${randomUUID()}`;
const registration = randomUUID();
const expected = new Set<string>();

beforeAll(async () => {
  f = await createLrsFixture();
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
  const created = await createXapiClient(f.testDatabase.database.db, { tenantId: f.tenantA, name: 'walker', scopes: ['all'] });
  reader = ownTenantReader(created.client, f.publicUrl);
  const post = async (statement: Record<string, unknown>) => {
    await as(f.app, f.a).post('/xapi/statements').send(statement).expect(200);
    return statement;
  };
  const refTo = (id: unknown, overrides: Record<string, unknown> = {}) =>
    statementAbout({ mbox: `mailto:${randomUUID()}@elsewhere.example` }, { verb: { id: 'https://laering.example.no/verbs/refers' }, object: { objectType: 'StatementRef', id }, ...overrides });
  // Matching statements, some interleaved with chains of two and three, one voided (chains pass through it).
  for (let i = 0; i < 6; i += 1) {
    const c = await post(statementAbout(f.actorOf(kari), { verb: { id: verb }, object: { id: activity }, context: { registration } }));
    expected.add(c['id'] as string);
    const b = await post(refTo(c['id']));
    const a = await post(refTo(b['id']));
    expected.add(b['id'] as string).add(a['id'] as string);
    await post(statementAbout(f.actorOf(kari)));
    if (i === 2) {
      const voiding = await post(statementAbout(f.actorOf(kari), { verb: { id: VOIDED }, object: { objectType: 'StatementRef', id: b['id'] } }));
      expected.delete(b['id'] as string);
      expected.add(voiding['id'] as string);
    }
  }
  // A cycle that never reaches a match, and a reference to an id nobody stored.
  const x = randomUUID();
  const y = randomUUID();
  await post(refTo(y, { id: x }));
  await post(refTo(x, { id: y }));
  await post(refTo(randomUUID()));
});
afterAll(() => f.dispose());

async function all(filters: StatementFilters, limit: number, tuning: QueryTuning): Promise<string[]> {
  const seen: string[] = [];
  let after: number | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await queryStatements(f.testDatabase.database.db, reader, filters, { ...(after !== undefined ? { after } : {}), limit }, tuning);
    seen.push(...page.statements.map((s) => String(s.statement['id'])));
    if (!page.more) return seen;
    after = page.last;
  }
  throw new Error('too many pages');
}

it('walking up from the matches and down from the StatementRefs return the same, on every page size', async () => {
  const base = { relatedActivities: false, relatedAgents: false, ascending: false };
  const filterSets: StatementFilters[] = [
    { ...base, verb },
    { ...base, activity },
    { ...base, registration },
    { ...base, verb, ascending: true },
    { ...base, activity, relatedActivities: true },
    { ...base, agentKey: `account:${f.publicUrl} ${kari.id}`, verb },
    { ...base, verb, registration, until: new Date(Date.now() + 60_000) },
    { ...base, activity, relatedActivities: true, verb, ascending: true },
  ];
  for (const filters of filterSets) {
    for (const limit of [1, 2, 3, 500]) {
      const up = await all(filters, limit, { upwardLimit: 1_000, nearRows: 2_000, walkRows: 50_000, sortLimit: 3_000 });
      expect(new Set(up), `${JSON.stringify(filters)} limit ${limit}`).toEqual(expected);
      // Tokens first (no walk judged from the few matches near): few, sorted (combinations and related_*), walked;
      // then walking down from every StatementRef.
      for (const tuning of [
        { upwardLimit: 1_000, nearRows: 1, walkRows: 0, sortLimit: 3_000 },
        { upwardLimit: 0, nearRows: 1, walkRows: 0, sortLimit: 3_000 },
        { upwardLimit: 0, nearRows: 1, walkRows: 0, sortLimit: 0 },
        { upwardLimit: 0, nearRows: 2_000, walkRows: 50_000, sortLimit: 0 },
      ]) {
        expect(await all(filters, limit, tuning), `${JSON.stringify(filters)} limit ${limit} ${JSON.stringify(tuning)}`).toEqual(up);
      }
    }
  }
}, 180_000);

it('a combination of filters no statement matches answers an empty page, however many match each alone', async () => {
  const other = `https://laering.example.no/verbs/${randomUUID()}`;
  await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { verb: { id: other }, object: { id: `${activity}/other` } })).expect(200);
  const base = { relatedActivities: false, relatedAgents: false, ascending: false };
  for (const tuning of [
    { upwardLimit: 1_000, nearRows: 1, walkRows: 0, sortLimit: 3_000 },
    { upwardLimit: 0, nearRows: 1, walkRows: 0, sortLimit: 3_000 },
    { upwardLimit: 0, nearRows: 1, walkRows: 0, sortLimit: 0 },
    { upwardLimit: 1_000, nearRows: 2_000, walkRows: 50_000, sortLimit: 3_000 },
  ]) {
    expect(await all({ ...base, verb: other, activity }, 10, tuning)).toEqual([]);
    expect(await all({ ...base, verb: other, activity, relatedActivities: true }, 10, tuning)).toEqual([]);
    expect(await all({ ...base, verb: other, registration }, 10, tuning)).toEqual([]);
  }
});
