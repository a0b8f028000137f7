import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { PROJECT_ROOT } from '../project-root.js';
import { parseMunicipalityCsv, type MunicipalityRow } from './municipality-csv.js';

/** Statistics Norway's classification 131 as shipped with the tool (see reference/README.md). */
export const OFFICIAL_MUNICIPALITIES_FILE = path.join(PROJECT_ROOT, 'reference', 'kommuner.csv');

export function readOfficialMunicipalities(): MunicipalityRow[] {
  return parseMunicipalityCsv(fs.readFileSync(OFFICIAL_MUNICIPALITIES_FILE, 'utf8'));
}

/**
 * Creates each shipped municipality the database does not have yet, in one statement, and answers
 * their numbers. Known ones are left as they are (an operator's newer import or retirement wins), so
 * it is safe on every start and when several processes start together.
 */
export async function createMissingMunicipalities(db: Kysely<Schema>, rows: readonly MunicipalityRow[] = readOfficialMunicipalities()): Promise<string[]> {
  if (rows.length === 0) return [];
  const created = await db
    .insertInto('tenants')
    .values(rows.map((row) => ({
      kind: 'municipality' as const,
      kommunenummer: row.kommunenummer,
      name: row.name,
      county_number: row.countyNumber,
      county_name: row.countyName,
      retired_at: null,
    })))
    .onConflict((oc) => oc.column('kommunenummer').doNothing())
    .returning('kommunenummer')
    .execute();
  return created.map((row) => row.kommunenummer!).sort();
}
