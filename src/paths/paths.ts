import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Locale } from '../web/i18n.js';
import { definitionSchema, type PathDefinition } from './definition.js';
import { PathError } from './errors.js';
import type { PathSharing } from './tables.js';
import { visibleTo } from './visibility.js';

export interface PathSummary {
  readonly id: string;
  readonly tenantId: string;
  readonly title: string;
  readonly description: string;
  readonly language: Locale;
  readonly sharing: PathSharing;
  readonly createdBy: string;
  /** Number and id of the newest published version; null while only a draft exists. */
  readonly latestVersion: { readonly id: string; readonly number: number } | null;
}

export interface NewPath {
  title: string;
  description?: string;
  language: Locale;
  sharing?: PathSharing;
  createdBy: string;
}

export function emptyDefinition(title: string, description: string, language: Locale): PathDefinition {
  return {
    title,
    description,
    language,
    steps: [],
    completion: { kind: 'all-required' },
    score: { kind: 'average-scored-required' },
    dueAfterDays: null,
    grants: [],
  };
}

/** Creates a path with an empty draft, owned by `tenantId`; the creator must be a person of it. */
export async function createPath(db: Kysely<Schema>, tenantId: string, input: NewPath): Promise<PathSummary> {
  const definition = definitionSchema.safeParse(emptyDefinition(input.title, input.description ?? '', input.language));
  if (!definition.success) {
    throw new PathError('invalid-definition', 'the path title, description or language is not valid',
      definition.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return db.transaction().execute(async (trx) => {
    const creator = await trx.selectFrom('people').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.createdBy).executeTakeFirst();
    if (!creator) throw new PathError('person-not-found', 'the creator is not a person of this tenant');
    return insertPath(trx, tenantId, input.createdBy, input.sharing ?? 'tenant', definition.data);
  });
}

export async function insertPath(
  trx: Kysely<Schema>,
  tenantId: string,
  createdBy: string,
  sharing: PathSharing,
  definition: PathDefinition,
): Promise<PathSummary> {
  const path = await trx
    .insertInto('paths')
    .values({ tenant_id: tenantId, title: definition.title, description: definition.description, language: definition.language, sharing, created_by: createdBy })
    .returning(['id', 'tenant_id', 'title', 'description', 'language', 'sharing', 'created_by'])
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('path_versions')
    .values({ tenant_id: tenantId, path_id: path.id, status: 'draft', number: null, definition: JSON.stringify(definition) })
    .execute();
  return toSummary({ ...path, latest_version_id: null, latest_version_number: null });
}

type SummaryRow = {
  id: string; tenant_id: string; title: string; description: string; language: Locale; sharing: PathSharing; created_by: string;
  latest_version_id: string | null; latest_version_number: number | null;
};

function toSummary(row: SummaryRow): PathSummary {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    title: row.title,
    description: row.description,
    language: row.language,
    sharing: row.sharing,
    createdBy: row.created_by,
    latestVersion: row.latest_version_id && row.latest_version_number !== null ? { id: row.latest_version_id, number: row.latest_version_number } : null,
  };
}

function summaries(db: Kysely<Schema>, tenantId: string) {
  return db
    .selectFrom('paths as p')
    .leftJoinLateral(
      (eb) => eb.selectFrom('path_versions as v').select(['v.id', 'v.number']).whereRef('v.path_id', '=', 'p.id')
        .where('v.status', '=', 'published').orderBy('v.number', 'desc').limit(1).as('latest'),
      (join) => join.onTrue(),
    )
    .select(['p.id', 'p.tenant_id', 'p.title', 'p.description', 'p.language', 'p.sharing', 'p.created_by',
      'latest.id as latest_version_id', 'latest.number as latest_version_number'])
    .where(visibleTo(tenantId));
}

export interface ListOptions {
  /** Words matched against title and description, case-insensitively. */
  search?: string;
  /** Only paths with a published version (what a learner or Deep Linking may use). */
  publishedOnly?: boolean;
  /** Only the tenant's own paths. */
  ownOnly?: boolean;
  limit?: number;
}

/** Paths the tenant may see: its own and those shared with it, newest first. */
export async function listVisiblePaths(db: Kysely<Schema>, tenantId: string, options: ListOptions = {}): Promise<PathSummary[]> {
  let query = summaries(db, tenantId);
  for (const word of (options.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 10)) {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('p.title', 'ilike', pattern), eb('p.description', 'ilike', pattern)]));
  }
  if (options.publishedOnly) query = query.where('latest.id', 'is not', null);
  if (options.ownOnly) query = query.where('p.tenant_id', '=', tenantId);
  const rows = await query.orderBy('p.updated_at', 'desc').orderBy('p.id').limit(Math.min(options.limit ?? 100, 500)).execute();
  return rows.map(toSummary);
}

/** One path, if the tenant may see it. */
export async function findVisiblePath(db: Kysely<Schema>, tenantId: string, pathId: string): Promise<PathSummary | undefined> {
  const row = await summaries(db, tenantId).where('p.id', '=', pathId).executeTakeFirst();
  return row && toSummary(row);
}

export interface PublishedVersion {
  readonly id: string;
  readonly pathId: string;
  readonly ownerTenantId: string;
  readonly number: number;
  readonly publishedAt: Date;
  readonly definition: PathDefinition;
}

// Published versions never change (the database refuses), so a cache by id is always right.
const versionCache = new Map<string, PublishedVersion>();
const VERSION_CACHE_LIMIT = 1000;

/** A published version by id, without a tenant check: callers have already checked the
 *  enrolment or path that led them here. */
export async function loadPublishedVersion(db: Kysely<Schema>, versionId: string): Promise<PublishedVersion> {
  const cached = versionCache.get(versionId);
  if (cached) return cached;
  const row = await db
    .selectFrom('path_versions')
    .select(['id', 'path_id', 'tenant_id', 'number', 'published_at', 'definition'])
    .where('id', '=', versionId)
    .where('status', '=', 'published')
    .executeTakeFirst();
  if (!row || row.number === null || row.published_at === null) throw new PathError('version-not-found', 'no such published version');
  const version: PublishedVersion = {
    id: row.id,
    pathId: row.path_id,
    ownerTenantId: row.tenant_id,
    number: row.number,
    publishedAt: row.published_at,
    definition: definitionSchema.parse(row.definition),
  };
  if (versionCache.size >= VERSION_CACHE_LIMIT) versionCache.delete(versionCache.keys().next().value!);
  versionCache.set(versionId, version);
  return version;
}

/** A published version of a path the tenant may see. */
export async function findPublishedVersion(db: Kysely<Schema>, tenantId: string, versionId: string): Promise<PublishedVersion | undefined> {
  const row = await db
    .selectFrom('path_versions as v')
    .innerJoin('paths as p', 'p.id', 'v.path_id')
    .select('v.id')
    .where('v.id', '=', versionId)
    .where('v.status', '=', 'published')
    .where(visibleTo(tenantId))
    .executeTakeFirst();
  return row && loadPublishedVersion(db, row.id);
}

/** Published versions of a path the tenant may see, oldest first. */
export async function listPublishedVersions(db: Kysely<Schema>, tenantId: string, pathId: string): Promise<{ id: string; number: number; publishedAt: Date }[]> {
  const rows = await db
    .selectFrom('path_versions as v')
    .innerJoin('paths as p', 'p.id', 'v.path_id')
    .select(['v.id', 'v.number', 'v.published_at'])
    .where('v.path_id', '=', pathId)
    .where('v.status', '=', 'published')
    .where(visibleTo(tenantId))
    .orderBy('v.number')
    .execute();
  return rows.map((r) => ({ id: r.id, number: r.number!, publishedAt: r.published_at! }));
}

/** Changes who the path is shared with; only its owner may. */
export async function setSharing(db: Kysely<Schema>, tenantId: string, pathId: string, sharing: PathSharing): Promise<void> {
  const result = await db
    .updateTable('paths')
    .set({ sharing, updated_at: sql<Date>`now()` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', pathId)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new PathError('path-not-found', 'no such path of this tenant');
}

/**
 * Published paths the tenant may use whose latest version grants any of `competences` (compared
 * case-insensitively with what the designer wrote: a competence's code or name).
 */
export async function publishedPathsGranting(db: Kysely<Schema>, tenantId: string, competences: readonly string[]): Promise<{ id: string; title: string; grants: string[] }[]> {
  const wanted = new Set(competences.map((c) => c.trim().toLowerCase()));
  if (wanted.size === 0) return [];
  const rows = await summaries(db, tenantId).where('latest.id', 'is not', null).orderBy('p.title').limit(500).execute();
  const found: { id: string; title: string; grants: string[] }[] = [];
  for (const row of rows) {
    const version = await loadPublishedVersion(db, row.latest_version_id!);
    const grants = version.definition.grants.map((g) => g.competence.toLowerCase()).filter((g) => wanted.has(g));
    if (grants.length) found.push({ id: row.id, title: version.definition.title, grants });
  }
  return found;
}
