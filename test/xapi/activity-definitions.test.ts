import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/people/people.js';
import { as, createLrsFixture, query, statementAbout, type LrsFixture } from './lrs-fixture.js';

/**
 * §2.5: the Activities resource answers with every definition the tenant's statements gave, merged.
 * A statement repeating a definition already held leaves the activity's row as it is (so busy
 * activities are not rewritten and locked by every statement); one adding to it still merges.
 */
let f: LrsFixture;
let kari: Person;
beforeAll(async () => {
  f = await createLrsFixture();
  kari = await f.person(f.tenantA, 'kari@oslo.kommune.no');
});
afterAll(() => f.dispose());

async function rowVersion(tenantId: string, activityId: string): Promise<string | undefined> {
  const row = await f.testDatabase.database.db
    .selectFrom('xapi_activities')
    .select(sql<string>`xmin::text`.as('version'))
    .where('tenant_id', '=', tenantId)
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  return row?.version;
}

async function definitionOf(activityId: string, credentials = f.a): Promise<unknown> {
  const res = await as(f.app, credentials).get(`/xapi/activities?${query({ activityId })}`);
  expect(res.status).toBe(200);
  return res.body.definition;
}

describe('activity definitions from statements', () => {
  it('a repeated definition leaves the row untouched; a new language or property is merged in', async () => {
    const id = `https://laering.example.no/activities/${randomUUID()}`;
    const object = { id, definition: { name: { nb: 'Brannvern' }, type: 'http://adlnet.gov/expapi/activities/course' } };
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object })).expect(200);
    const first = await rowVersion(f.tenantA, id);
    expect(first).toBeDefined();
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object })).expect(200);
    // A subset of what is held (one language, no type) changes nothing either.
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id, definition: { name: { nb: 'Brannvern' } } } })).expect(200);
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id } })).expect(200);
    expect(await rowVersion(f.tenantA, id)).toBe(first);
    expect(await definitionOf(id)).toEqual(object.definition);

    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id, definition: { name: { en: 'Fire safety' } } } })).expect(200);
    expect(await rowVersion(f.tenantA, id)).not.toBe(first);
    expect(await definitionOf(id)).toEqual({ ...object.definition, name: { nb: 'Brannvern', en: 'Fire safety' } });
    // The latest value of a property wins, also when the name stays the same.
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id, definition: { type: 'http://adlnet.gov/expapi/activities/lesson' } } })).expect(200);
    expect(await definitionOf(id)).toEqual({ name: { nb: 'Brannvern', en: 'Fire safety' }, type: 'http://adlnet.gov/expapi/activities/lesson' });
  });

  it('concurrent statements with different languages all end up in the definition', async () => {
    const id = `https://laering.example.no/activities/${randomUUID()}`;
    const languages = ['nb', 'nn', 'en', 'se', 'de', 'fr'];
    await Promise.all(
      languages.map((language) =>
        as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id, definition: { name: { [language]: `navn ${language}` } } } })).expect(200),
      ),
    );
    expect(await definitionOf(id)).toEqual({ name: Object.fromEntries(languages.map((language) => [language, `navn ${language}`])) });
  });

  it('a batch taking the careful path (it voids) merges definitions the same way', async () => {
    const id = `https://laering.example.no/activities/${randomUUID()}`;
    const target = statementAbout(f.actorOf(kari), { object: { id, definition: { name: { nb: 'Førstehjelp' } } } });
    await as(f.app, f.a).post('/xapi/statements').send(target).expect(200);
    const before = await rowVersion(f.tenantA, id);
    const batch = [
      statementAbout(f.actorOf(kari), { object: { id, definition: { name: { nb: 'Førstehjelp' } } } }),
      statementAbout(f.actorOf(kari), { verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target['id'] } }),
    ];
    await as(f.app, f.a).post('/xapi/statements').send(batch).expect(200);
    expect(await rowVersion(f.tenantA, id)).toBe(before);
    await as(f.app, f.a).post('/xapi/statements').send([
      statementAbout(f.actorOf(kari), { object: { id, definition: { description: { nb: 'Grunnkurs' } } } }),
      statementAbout(f.actorOf(kari), { verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: batch[0]?.['id'] } }),
    ]).expect(200);
    expect(await definitionOf(id)).toEqual({ name: { nb: 'Førstehjelp' }, description: { nb: 'Grunnkurs' } });
  });

  it('the same activity id in another municipality keeps its own definition', async () => {
    const id = `https://laering.example.no/activities/${randomUUID()}`;
    await as(f.app, f.a).post('/xapi/statements').send(statementAbout(f.actorOf(kari), { object: { id, definition: { name: { nb: 'Oslo' } } } })).expect(200);
    const ola = await f.person(f.tenantB, 'ola@bergen.kommune.no');
    await as(f.app, f.b).post('/xapi/statements').send(statementAbout(f.actorOf(ola), { object: { id, definition: { name: { nb: 'Oslo' } } } })).expect(200);
    await as(f.app, f.b).post('/xapi/statements').send(statementAbout(f.actorOf(ola), { object: { id, definition: { name: { nn: 'Bergen' } } } })).expect(200);
    expect(await definitionOf(id)).toEqual({ name: { nb: 'Oslo' } });
    expect(await definitionOf(id, f.b)).toEqual({ name: { nb: 'Oslo', nn: 'Bergen' } });
  });
});
