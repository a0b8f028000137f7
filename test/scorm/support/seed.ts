import type { Kysely } from 'kysely';
import type { Schema } from '../../../src/db/schema.js';
import { createPerson } from '../../../src/people/people.js';

// Each test file has a database of its own, so a counter keeps the numbers apart.
let counter = 0;

/** A municipality and one employee in it. */
export async function seedTenantAndPerson(db: Kysely<Schema>, name = 'Bærum'): Promise<{ tenantId: string; personId: string }> {
  counter += 1;
  const tenant = await db
    .insertInto('tenants')
    .values({ kind: 'municipality', kommunenummer: String(6000 + counter), name })
    .returning('id')
    .executeTakeFirstOrThrow();
  const person = await createPerson(db, tenant.id, { name: 'Kari Nordmann', givenName: 'Kari', familyName: 'Nordmann' });
  return { tenantId: tenant.id, personId: person.id };
}
