import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { SYSTEM } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { PROJECT_ROOT } from '../project-root.js';
import { applyCatalogueImport } from './catalogue-import.js';

/**
 * A small real catalogue for the development seed: competence areas and names as municipalities'
 * own plans have them (Sørum's strategic competence plan, Kompetanseløftet Nord-Troms), in the
 * catalogue file format, imported through the normal import.
 */
export const DEMO_CATALOGUE_FILE = path.join(PROJECT_ROOT, 'demo', 'kompetansekatalog.csv');

/** Imports the demo catalogue into the tenant's own catalogue when it has none yet. */
export async function ensureDemoCatalogue(db: Kysely<Schema>, tenantId: string): Promise<boolean> {
  const any = await db.selectFrom('competences').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
  if (any) return false;
  await applyCatalogueImport(db, tenantId, fs.readFileSync(DEMO_CATALOGUE_FILE, 'utf8'), SYSTEM);
  return true;
}
