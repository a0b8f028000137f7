import { sql, type Kysely, type Selectable } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { CompetenceKind, CompetencesTable } from './tables.js';

export const COMPETENCE_KINDS: readonly CompetenceKind[] = ['education', 'authorisation', 'course', 'experience'];

export interface Texts {
  readonly nb: string;
  readonly nn: string | null;
  readonly en: string | null;
}

export interface CompetenceLevel {
  readonly level: number;
  readonly description: Texts;
}

export interface Competence {
  readonly id: string;
  /** The tenant that keeps it: the municipality itself or one of its regions. */
  readonly ownerTenantId: string;
  readonly areaId: string;
  readonly code: string;
  readonly name: Texts;
  readonly description: { readonly nb: string | null; readonly nn: string | null; readonly en: string | null };
  readonly kind: CompetenceKind;
  readonly defaultValidityMonths: number | null;
  readonly source: string | null;
  readonly levels: readonly CompetenceLevel[];
  readonly retired: boolean;
}

export interface CompetenceArea {
  readonly id: string;
  readonly ownerTenantId: string;
  readonly code: string;
  readonly name: Texts;
  readonly competences: readonly Competence[];
}

/**
 * The tenants whose catalogues a tenant sees: itself, and for a municipality the regions it is a
 * member of (their catalogue is shared by the members).
 */
export async function catalogueTenants(db: Kysely<Schema>, tenantId: string): Promise<string[]> {
  const regions = await db.selectFrom('region_municipalities').select('region_id').where('municipality_id', '=', tenantId).execute();
  return [tenantId, ...regions.map((r) => r.region_id)];
}

/**
 * Tenants whose codes a new competence of `tenantId` must not repeat: those it sees, and for a region
 * also its members' own catalogues (they see the region's).
 */
export async function codeNeighbourTenants(db: Kysely<Schema>, tenantId: string): Promise<string[]> {
  const members = await db.selectFrom('region_municipalities').select('municipality_id').where('region_id', '=', tenantId).execute();
  return [...(await catalogueTenants(db, tenantId)), ...members.map((m) => m.municipality_id)];
}

type CompetenceRow = Omit<Selectable<CompetencesTable>, 'created_at' | 'updated_at'>;

function toCompetence(row: CompetenceRow, levels: readonly CompetenceLevel[]): Competence {
  return {
    id: row.id,
    ownerTenantId: row.tenant_id,
    areaId: row.area_id,
    code: row.code,
    name: { nb: row.name_nb, nn: row.name_nn, en: row.name_en },
    description: { nb: row.description_nb, nn: row.description_nn, en: row.description_en },
    kind: row.kind,
    defaultValidityMonths: row.default_validity_months,
    source: row.source,
    levels,
    retired: row.retired_at !== null,
  };
}

const COMPETENCE_COLUMNS = [
  'id', 'tenant_id', 'area_id', 'code', 'name_nb', 'name_nn', 'name_en', 'description_nb', 'description_nn', 'description_en',
  'kind', 'default_validity_months', 'source', 'retired_at',
] as const;

async function levelsOf(db: Kysely<Schema>, competenceIds: readonly string[]): Promise<Map<string, CompetenceLevel[]>> {
  const byCompetence = new Map<string, CompetenceLevel[]>();
  if (competenceIds.length === 0) return byCompetence;
  const rows = await db.selectFrom('competence_levels').selectAll().where('competence_id', 'in', competenceIds).orderBy('level').execute();
  for (const row of rows) {
    const list = byCompetence.get(row.competence_id) ?? [];
    list.push({ level: row.level, description: { nb: row.description_nb, nn: row.description_nn, en: row.description_en } });
    byCompetence.set(row.competence_id, list);
  }
  return byCompetence;
}

/**
 * The catalogue a tenant sees (its own areas and competences and its regions'), areas and
 * competences in name order. Retired competences only when asked for.
 */
export async function listCatalogue(db: Kysely<Schema>, tenantId: string, options: { includeRetired?: boolean; ownOnly?: boolean } = {}): Promise<CompetenceArea[]> {
  const tenants = options.ownOnly ? [tenantId] : await catalogueTenants(db, tenantId);
  const areas = await db
    .selectFrom('competence_areas')
    .select(['id', 'tenant_id', 'code', 'name_nb', 'name_nn', 'name_en'])
    .where('tenant_id', 'in', tenants)
    .orderBy(sql`lower(name_nb)`)
    .execute();
  let query = db.selectFrom('competences').select(COMPETENCE_COLUMNS).where('tenant_id', 'in', tenants);
  if (!options.includeRetired) query = query.where('retired_at', 'is', null);
  const competences = await query.orderBy(sql`lower(name_nb)`).execute();
  const levels = await levelsOf(db, competences.map((c) => c.id));
  return areas.map((area) => ({
    id: area.id,
    ownerTenantId: area.tenant_id,
    code: area.code,
    name: { nb: area.name_nb, nn: area.name_nn, en: area.name_en },
    competences: competences.filter((c) => c.area_id === area.id).map((c) => toCompetence(c, levels.get(c.id) ?? [])),
  }));
}

/**
 * Several references at once, as findCompetence resolves each (by code, else by bokmål name; the
 * tenant's own before its regions'), in two statements: keyed by the reference trimmed and lower-cased.
 * Without levels: for documenting grants, which need the id and validity only.
 */
export async function findCompetencesForGrants(db: Kysely<Schema>, tenantId: string, references: readonly string[]): Promise<Map<string, GrantedCompetenceRef>> {
  const wanted = [...new Set(references.map((r) => r.trim().toLowerCase()))];
  const found = new Map<string, GrantedCompetenceRef>();
  if (wanted.length === 0) return found;
  const tenants = await catalogueTenants(db, tenantId);
  const rows = await db
    .selectFrom('competences')
    .select(['id', 'tenant_id', 'code', 'name_nb', 'default_validity_months'])
    .where('tenant_id', 'in', tenants)
    .where((eb) => eb.or([eb(sql`lower(code)`, 'in', wanted), eb(sql`lower(name_nb)`, 'in', wanted)]))
    .execute();
  for (const reference of wanted) {
    const rank = (row: (typeof rows)[number]) => (row.code.toLowerCase() === reference ? 0 : 2) + (row.tenant_id === tenantId ? 0 : 1);
    const row = rows.filter((r) => r.code.toLowerCase() === reference || r.name_nb.toLowerCase() === reference).sort((a, b) => rank(a) - rank(b))[0];
    if (row) found.set(reference, { id: row.id, code: row.code, name: row.name_nb, defaultValidityMonths: row.default_validity_months });
  }
  return found;
}

/** A competence a grant names, as findCompetencesForGrants finds it (name in bokmål). */
export interface GrantedCompetenceRef {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly defaultValidityMonths: number | null;
}

/**
 * The competence a path's grant or a self-assessment statement names, as the tenant sees the
 * catalogue: by code (case-insensitive), else by its bokmål name; the tenant's own before its regions'.
 */
export async function findCompetence(db: Kysely<Schema>, tenantId: string, reference: string): Promise<Competence | undefined> {
  const tenants = await catalogueTenants(db, tenantId);
  const wanted = reference.trim().toLowerCase();
  const rows = await db
    .selectFrom('competences')
    .select(COMPETENCE_COLUMNS)
    .where('tenant_id', 'in', tenants)
    .where((eb) => eb.or([eb(sql`lower(code)`, '=', wanted), eb(sql`lower(name_nb)`, '=', wanted)]))
    .execute();
  const rank = (row: CompetenceRow) => (row.code.toLowerCase() === wanted ? 0 : 2) + (row.tenant_id === tenantId ? 0 : 1);
  const row = rows.sort((a, b) => rank(a) - rank(b))[0];
  if (!row) return undefined;
  return toCompetence(row, (await levelsOf(db, [row.id])).get(row.id) ?? []);
}
