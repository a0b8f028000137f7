import type { sql} from 'kysely';
import { type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { personAccountKey } from '../xapi/agents.js';

/** The person's row as the privacy pages and the erasure read it (tenant-scoped). */
export interface PersonRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
  readonly locale: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly erasedAt: Date | null;
  readonly pseudonym: string | null;
}

/** Tenant-scoped: a person of another tenant is not found. `forUpdate` locks the row. */
export async function findPersonRecord(db: Kysely<Schema>, tenantId: string, personId: string, forUpdate = false): Promise<PersonRecord | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(personId)) return undefined;
  let query = db.selectFrom('people').selectAll().where('tenant_id', '=', tenantId).where('id', '=', personId);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && {
    id: row.id, tenantId: row.tenant_id, name: row.name, givenName: row.given_name, familyName: row.family_name, email: row.email,
    locale: row.locale, createdAt: row.created_at, updatedAt: row.updated_at, erasedAt: row.erased_at, pseudonym: row.pseudonym,
  };
}

/** The xAPI agent keys (src/xapi/agents.ts) that name the person: their account at PUBLIC_URL, their e-mail. */
export function agentKeys(publicUrl: string, person: Pick<PersonRecord, 'id' | 'email'>): string[] {
  const keys = [personAccountKey(publicUrl, person.id)];
  if (person.email) keys.push(`mbox:mailto:${person.email.toLowerCase()}`);
  return keys;
}

/** The agent keys of the person's LMS accounts: the actor of the statements the tool emits (docs/xapi-profile.md). */
export function ltiAccountKeys(accounts: readonly { issuer: string; subject: string }[]): string[] {
  return accounts.map((a) => `account:${a.issuer} ${a.subject}`);
}

/** The person's LMS accounts (issuer and subject), read before an erasure removes them. */
export async function ltiSubjects(db: Kysely<Schema>, personId: string): Promise<{ issuer: string; subject: string }[]> {
  return db.selectFrom('lti_users').select(['issuer', 'subject']).where('person_id', '=', personId).execute();
}

/** Rows as JSON objects, from a query the registry built out of constant table and column names. */
export async function jsonRows(db: Kysely<Schema>, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  const { rows } = await query.execute(db);
  return (rows as { row: Record<string, unknown> }[]).map((r) => r.row);
}
