import { randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { openPostgres } from '../../src/db/postgres.js';
import type { Schema } from '../../src/db/schema.js';
import { createPerson } from '../../src/people/people.js';
import { addStep, publish, updateDraftSettings, type NewStep } from '../../src/paths/drafts.js';
import { PathError } from '../../src/paths/errors.js';
import { EvaluationPool } from '../../src/paths/evaluation-pool.js';
import type { Clock } from '../../src/paths/ports.js';
import { SecretBox } from '../../src/lti/secret-box.js';
import { createPath } from '../../src/paths/paths.js';
import type { TestDatabase } from '../support/database.js';

export interface World {
  region: string;
  /** Two municipalities in the region and one outside it. */
  inRegion: string;
  alsoInRegion: string;
  outside: string;
  designer: string;
}

let counter = 0;

async function municipality(db: Kysely<Schema>, name: string): Promise<string> {
  for (;;) {
    const number = String(randomInt(1000, 9999));
    const row = await db.insertInto('tenants').values({ kind: 'municipality', kommunenummer: number, name, county_number: '33', county_name: null, retired_at: null })
      .onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
    if (row) return row.id;
  }
}

export async function createWorld(db: Kysely<Schema>): Promise<World> {
  counter += 1;
  const region = (await db.insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: `Region ${randomUUID()}`, county_number: null, county_name: null, retired_at: null })
    .returning('id').executeTakeFirstOrThrow()).id;
  const inRegion = await municipality(db, `Kommune A${counter}`);
  const alsoInRegion = await municipality(db, `Kommune B${counter}`);
  const outside = await municipality(db, `Kommune C${counter}`);
  await db.insertInto('region_municipalities').values([{ region_id: region, municipality_id: inRegion }, { region_id: region, municipality_id: alsoInRegion }]).execute();
  const designer = (await createPerson(db, inRegion, { name: 'Designer' })).id;
  return { region, inRegion, alsoInRegion, outside, designer };
}

export async function person(db: Kysely<Schema>, tenantId: string): Promise<string> {
  return (await createPerson(db, tenantId, { name: 'Ansatt' })).id;
}

export const scormStep = (required = true): NewStep => ({
  type: 'scorm', title: 'Grunnkurs', required, config: { packageId: 'pkg-1', completion: { rule: 'passed' } },
});
export const webStep = (required = true): NewStep => ({
  type: 'web', title: 'Les veilederen', required, config: { resource: { kind: 'link', url: 'https://www.ks.no/' }, done: { by: 'mark-as-done' } },
});

/** A path owned by the world's first municipality with the given steps, published. */
export async function publishedPath(db: Kysely<Schema>, world: World, steps: NewStep[], settings: Parameters<typeof updateDraftSettings>[3] = {}) {
  const path = await createPath(db, world.inRegion, { title: 'Informasjonssikkerhet', language: 'nb', createdBy: world.designer });
  const stepIds: string[] = [];
  for (const step of steps) stepIds.push(await addStep(db, world.inRegion, path.id, step));
  if (Object.keys(settings).length > 0) await updateDraftSettings(db, world.inRegion, path.id, settings);
  const version = await publish(db, world.inRegion, path.id, world.designer);
  return { pathId: path.id, versionId: version.versionId, stepIds };
}

/** The evaluation pool as the tool builds it, sealing with `secret` (the tool's KEY_ENCRYPTION_SECRET). */
export function evaluationPool(db: Kysely<Schema>, secret = 'test-evaluation-secret', clock?: Clock): EvaluationPool {
  return new EvaluationPool({ db, seal: new SecretBox(secret, 'evaluation-answers'), ...(clock ? { clock } : {}) });
}

/**
 * A second connection pool for tests that need real parallel transactions: on server PostgreSQL
 * many connections; PGlite has one session, so there the same work runs serialised.
 */
export function parallelDatabase(testDb: TestDatabase): { database: Database; close(): Promise<void> } {
  if (!testDb.url) return { database: testDb.database, close: async () => undefined };
  const database = openPostgres({ connectionString: testDb.url, poolMax: 20 });
  return { database, close: () => database.close() };
}

/** The PathError a piece of work is refused with; fails the test when it succeeds or fails otherwise. */
export async function refusal(work: Promise<unknown>): Promise<PathError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof PathError) return error;
    throw error;
  }
  throw new Error('expected a PathError');
}
