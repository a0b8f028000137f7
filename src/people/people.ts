import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Locale } from '../web/i18n.js';

export interface Person {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
  readonly locale: Locale | null;
}

export interface PersonDetails {
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  email?: string | null;
  locale?: Locale | null;
}

const COLUMNS = ['id', 'tenant_id', 'name', 'given_name', 'family_name', 'email', 'locale'] as const;

type PersonRow = { id: string; tenant_id: string; name: string | null; given_name: string | null; family_name: string | null; email: string | null; locale: Locale | null };

function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    givenName: row.given_name,
    familyName: row.family_name,
    email: row.email,
    locale: row.locale,
  };
}

export async function createPerson(db: Kysely<Schema>, tenantId: string, details: PersonDetails = {}): Promise<Person> {
  const row = await db
    .insertInto('people')
    .values({
      tenant_id: tenantId,
      name: details.name ?? null,
      given_name: details.givenName ?? null,
      family_name: details.familyName ?? null,
      email: details.email ?? null,
      locale: details.locale ?? null,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toPerson(row);
}

/** Tenant-scoped: a person of another tenant is not found. */
export async function findPerson(db: Kysely<Schema>, tenantId: string, personId: string): Promise<Person | undefined> {
  const row = await db
    .selectFrom('people')
    .select(COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', personId)
    .executeTakeFirst();
  return row && toPerson(row);
}

/** Updates only the details given; absent ones are kept (a later launch may send less). */
export async function updatePersonDetails(db: Kysely<Schema>, tenantId: string, personId: string, details: PersonDetails): Promise<void> {
  const set: Record<string, unknown> = {};
  if (details.name !== undefined) set['name'] = details.name;
  if (details.givenName !== undefined) set['given_name'] = details.givenName;
  if (details.familyName !== undefined) set['family_name'] = details.familyName;
  if (details.email !== undefined) set['email'] = details.email;
  if (details.locale !== undefined) set['locale'] = details.locale;
  if (Object.keys(set).length === 0) return;
  await db
    .updateTable('people')
    .set({ ...set, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', personId)
    .execute();
}
