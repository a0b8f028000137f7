import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { codeNeighbourTenants } from './catalogue.js';
import { parseCatalogueCsv, type CatalogueProblem, type CatalogueRow } from './catalogue-csv.js';

export interface CataloguePlan {
  readonly areasAdded: readonly string[];
  readonly areasRenamed: readonly string[];
  readonly competencesAdded: readonly string[];
  readonly competencesChanged: readonly string[];
  readonly unchanged: number;
  /** Own competences the file does not name: kept as they are (an import never removes). */
  readonly notInFile: readonly string[];
  readonly problems: readonly CatalogueProblem[];
  readonly ignoredColumns: readonly string[];
}

export class CatalogueImportRefused extends Error {
  constructor(readonly problems: readonly CatalogueProblem[]) {
    super(`the catalogue file has ${problems.length} problem(s); nothing was imported`);
    this.name = 'CatalogueImportRefused';
  }
}

type Db = Kysely<Schema>;

function sameLevels(row: CatalogueRow, existing: readonly { level: number; description_nb: string }[]): boolean {
  if (existing.length !== row.levels.size) return false;
  return existing.every((l) => row.levels.get(l.level) === l.description_nb);
}

interface Comparison {
  plan: CataloguePlan;
  rows: readonly CatalogueRow[];
  /** Codes (lower case) of the rows to write: added or changed. */
  toWrite: ReadonlySet<string>;
}

async function compare(db: Db, tenantId: string, text: string): Promise<Comparison> {
  const parsed = parseCatalogueCsv(text);
  const problems = [...parsed.problems];
  const areas = await db.selectFrom('competence_areas').select(['id', 'code', 'name_nb']).where('tenant_id', '=', tenantId).execute();
  const own = await db
    .selectFrom('competences')
    .select(['id', 'code', 'name_nb', 'name_nn', 'name_en', 'description_nb', 'description_nn', 'description_en', 'kind', 'default_validity_months', 'source', 'area_id'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const levelRows = own.length
    ? await db.selectFrom('competence_levels').select(['competence_id', 'level', 'description_nb']).where('competence_id', 'in', own.map((c) => c.id)).execute()
    : [];
  const neighbours = (await codeNeighbourTenants(db, tenantId)).filter((id) => id !== tenantId);
  const taken = neighbours.length && parsed.rows.length
    ? await db
        .selectFrom('competences')
        .innerJoin('tenants', 'tenants.id', 'competences.tenant_id')
        .select([sql<string>`lower(competences.code)`.as('code'), 'tenants.name as owner'])
        .where('competences.tenant_id', 'in', neighbours)
        .where(sql<string>`lower(competences.code)`, 'in', parsed.rows.map((r) => r.code.toLowerCase()))
        .execute()
    : [];
  const takenBy = new Map(taken.map((t) => [t.code, t.owner]));

  const areaByCode = new Map(areas.map((a) => [a.code.toLowerCase(), a]));
  const ownByCode = new Map(own.map((c) => [c.code.toLowerCase(), c]));
  const areasAdded = new Set<string>();
  const areasRenamed = new Set<string>();
  const competencesAdded: string[] = [];
  const competencesChanged: string[] = [];
  let unchanged = 0;
  const accepted: CatalogueRow[] = [];
  const toWrite = new Set<string>();
  for (const row of parsed.rows) {
    const owner = takenBy.get(row.code.toLowerCase());
    if (owner) {
      problems.push({ line: row.line, code: 'code-taken', values: { code: row.code, owner } });
      continue;
    }
    accepted.push(row);
    const area = areaByCode.get(row.areaCode.toLowerCase());
    if (!area) areasAdded.add(row.areaName);
    else if (area.name_nb !== row.areaName) areasRenamed.add(row.areaName);
    const existing = ownByCode.get(row.code.toLowerCase());
    if (!existing) {
      competencesAdded.push(row.name.nb);
      toWrite.add(row.code.toLowerCase());
      continue;
    }
    const same =
      existing.code === row.code &&
      existing.name_nb === row.name.nb && existing.name_nn === row.name.nn && existing.name_en === row.name.en &&
      existing.description_nb === row.description.nb && existing.description_nn === row.description.nn && existing.description_en === row.description.en &&
      existing.kind === row.kind && existing.default_validity_months === row.validityMonths && existing.source === row.source &&
      area !== undefined && existing.area_id === area.id &&
      sameLevels(row, levelRows.filter((l) => l.competence_id === existing.id));
    if (same) unchanged++;
    else {
      competencesChanged.push(row.name.nb);
      toWrite.add(row.code.toLowerCase());
    }
  }
  const inFile = new Set(parsed.rows.map((r) => r.code.toLowerCase()));
  return {
    rows: accepted,
    toWrite,
    plan: {
      areasAdded: [...areasAdded],
      areasRenamed: [...areasRenamed],
      competencesAdded,
      competencesChanged,
      unchanged,
      notInFile: own.filter((c) => !inFile.has(c.code.toLowerCase())).map((c) => c.name_nb),
      problems: problems.sort((a, b) => a.line - b.line),
      ignoredColumns: parsed.ignoredColumns,
    },
  };
}

/** What importing the file would change in the tenant's own catalogue, with every problem. Writes nothing. */
export async function previewCatalogueImport(db: Db, tenantId: string, text: string): Promise<CataloguePlan> {
  return (await compare(db, tenantId, text)).plan;
}

/**
 * Imports the file into the tenant's own catalogue, all or nothing: with any problem nothing is
 * written (CatalogueImportRefused lists them). Competences are matched by code; an import adds and
 * updates, never removes. The same file twice changes nothing the second time.
 */
export async function applyCatalogueImport(db: Db, tenantId: string, text: string, actor: AuditActor): Promise<CataloguePlan> {
  return db.transaction().execute(async (trx) => {
    // One import per catalogue at a time, so two uploads cannot both add the same code.
    await sql`select pg_advisory_xact_lock(hashtext('competence-catalogue'), hashtext(${tenantId}))`.execute(trx);
    const { plan, rows, toWrite } = await compare(trx, tenantId, text);
    if (plan.problems.length > 0) throw new CatalogueImportRefused(plan.problems);
    const areaIds = new Map<string, string>();
    for (const row of rows) {
      const key = row.areaCode.toLowerCase();
      if (areaIds.has(key)) continue;
      const area = await trx
        .insertInto('competence_areas')
        .values({ tenant_id: tenantId, code: row.areaCode, name_nb: row.areaName })
        .onConflict((oc) => oc.columns(['tenant_id', 'code']).doUpdateSet({ name_nb: row.areaName, updated_at: new Date() }).where('competence_areas.name_nb', '<>', row.areaName))
        .returning('id')
        .executeTakeFirst();
      const id = area?.id ?? (await trx.selectFrom('competence_areas').select('id').where('tenant_id', '=', tenantId).where('code', '=', row.areaCode).executeTakeFirstOrThrow()).id;
      areaIds.set(key, id);
    }
    for (const row of rows) {
      if (!toWrite.has(row.code.toLowerCase())) continue;
      const values = {
        area_id: areaIds.get(row.areaCode.toLowerCase())!,
        code: row.code,
        name_nb: row.name.nb, name_nn: row.name.nn, name_en: row.name.en,
        description_nb: row.description.nb, description_nn: row.description.nn, description_en: row.description.en,
        kind: row.kind, default_validity_months: row.validityMonths, source: row.source,
      };
      const existing = await trx.selectFrom('competences').select('id').where('tenant_id', '=', tenantId).where(sql`lower(code)`, '=', row.code.toLowerCase()).executeTakeFirst();
      const id = existing
        ? (await trx.updateTable('competences').set({ ...values, updated_at: new Date() }).where('id', '=', existing.id).returning('id').executeTakeFirstOrThrow()).id
        : (await trx.insertInto('competences').values({ tenant_id: tenantId, ...values }).returning('id').executeTakeFirstOrThrow()).id;
      await trx.deleteFrom('competence_levels').where('competence_id', '=', id).execute();
      if (row.levels.size > 0) {
        await trx.insertInto('competence_levels').values([...row.levels].map(([level, description]) => ({ competence_id: id, level, description_nb: description }))).execute();
      }
    }
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'competence.catalogue.imported',
      details: { added: plan.competencesAdded.length, changed: plan.competencesChanged.length, unchanged: plan.unchanged, areasAdded: plan.areasAdded.length },
    });
    return plan;
  });
}
