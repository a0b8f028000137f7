import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { CLAIM, type LaunchClaims } from '../../src/lti/claims.js';
import type { Platform } from '../../src/lti/platforms.js';
import { createPerson } from '../../src/people/people.js';

/** An employee as the HR import makes them: a person of the tool and an employee row. */
export async function employee(db: Kysely<Schema>, tenantId: string, number: string, details: { email?: string; sourcedId?: string; name?: string } = {}) {
  const person = await createPerson(db, tenantId, { name: details.name ?? `Ansatt ${number}`, email: details.email ?? null });
  const row = await db.insertInto('employees').values({ tenant_id: tenantId, person_id: person.id, employee_number: number, sourced_id: details.sourcedId ?? null })
    .returning('id').executeTakeFirstOrThrow();
  return { employeeId: row.id, personId: person.id };
}

/** The claims of a verified learner launch from `platform`. */
export function launchClaims(platform: Platform, sub: string, extra: { email?: string; sourcedId?: string; custom?: Record<string, string>; roles?: string[]; locale?: string } = {}): LaunchClaims {
  return {
    iss: platform.issuer, sub, aud: platform.clientId, nonce: 'n', messageType: 'LtiResourceLinkRequest', deploymentId: platform.deploymentIds[0] ?? '1',
    targetLinkUri: 'http://127.0.0.1/lti/launch', roles: extra.roles ?? ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], custom: extra.custom ?? {},
    raw: { [CLAIM.version]: '1.3.0', ...(extra.sourcedId ? { [CLAIM.lis]: { person_sourcedid: extra.sourcedId } } : {}) },
    name: 'Kari Launcher', locale: extra.locale ?? 'nb', context: { id: 'course-1', title: 'Kurs' }, resourceLink: { id: 'link-1' },
    ...(extra.email ? { email: extra.email } : {}),
  };
}

/** Every column that references people(id), read from the catalogue: 'table.column'. */
export async function peopleReferences(db: Kysely<Schema>): Promise<string[]> {
  const { rows } = await sql<{ ref: string }>`
    select c.conrelid::regclass::text || '.' || a.attname as ref
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
     where c.contype = 'f' and c.confrelid = 'people'::regclass
     order by 1`.execute(db);
  return rows.map((r) => r.ref);
}

/** How many rows of each referencing table name the person (tables with none left out). */
export async function holdings(db: Kysely<Schema>, personId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const ref of await peopleReferences(db)) {
    const [table, column] = ref.split('.') as [string, string];
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(column)} = ${personId}`.execute(db);
    if (rows[0]!.n > 0) counts[ref] = rows[0]!.n;
  }
  return counts;
}

export async function auditActions(db: Kysely<Schema>, subjectPersonId: string) {
  return db.selectFrom('audit_events').select(['action', 'details', 'object_kind', 'object_id', 'actor_kind']).where('subject_person_id', '=', subjectPersonId).orderBy('id').execute();
}
