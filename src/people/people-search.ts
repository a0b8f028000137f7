import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface PersonMatch {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly employeeNumber: string | null;
  /** The code of "Slettet person 7F3K" when the person is erased. */
  readonly pseudonym: string | null;
}

/** LIKE's own characters, escaped so that a search for "50%" finds "50%". */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * People of one tenant found by a name (any part of name, given or family name; case-insensitive),
 * an employee number (exact) or an erased person's pseudonym code (exact, "7F3K" or
 * "Slettet person 7F3K"). Names are searched where they live, never in logs or audit rows.
 */
export async function searchPeople(db: Kysely<Schema>, tenantId: string, text: string, limit = 50): Promise<PersonMatch[]> {
  const query = text.trim();
  if (query === '') return [];
  const pattern = `%${likeEscaped(query.toLowerCase())}%`;
  const code = query.replace(/^.*\s/, '').toUpperCase();
  const rows = await db
    .selectFrom('people as p')
    .leftJoin('employees as e', 'e.person_id', 'p.id')
    .select(['p.id', 'p.name', 'p.email', 'p.pseudonym', 'e.employee_number'])
    .where('p.tenant_id', '=', tenantId)
    .where((eb) => eb.or([
      eb(sql<string>`lower(p.name)`, 'like', pattern),
      eb(sql<string>`lower(p.given_name || ' ' || coalesce(p.family_name, ''))`, 'like', pattern),
      eb(sql<string>`lower(p.family_name)`, 'like', pattern),
      eb('e.employee_number', '=', query),
      eb('p.pseudonym', '=', code),
    ]))
    .orderBy(sql`lower(coalesce(p.name, p.family_name, p.pseudonym))`)
    .orderBy('p.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, employeeNumber: r.employee_number, pseudonym: r.pseudonym }));
}
