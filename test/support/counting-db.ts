import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';

/** The database, counting the statements sent to it through executeQuery. */
export function countingDb(db: Kysely<Schema>): { db: Kysely<Schema>; statements: () => number } {
  let statements = 0;
  const counting = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'executeQuery') return (...args: Parameters<typeof db.executeQuery>) => ((statements += 1), db.executeQuery(...args));
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { db: counting, statements: () => statements };
}
