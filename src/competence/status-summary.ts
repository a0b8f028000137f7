import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { PollingLoop } from '../background/polling-loop.js';
import { addDays } from './calendar.js';
import type { RequirementStatus } from './gaps.js';
import { today } from './holdings.js';
import type { Requirement } from './requirements.js';
import {
  applyingEmployments, coverageByCompetence, coverageByUnit, coverageOf, coverageTotal, gapReport, noCounts, requirementsShown, sumCounts, WORST_FIRST,
  type Coverage, type GapFilters, type GapReport, type GroupCoverage, type Population,
} from './rollups.js';

/**
 * The status summary (docs/competence.md, "The status summary"): where everyone of a municipality
 * stands against each requirement on a day, kept as rows so that coverage roll-ups are a GROUP BY.
 * The rows are written from `gapReport`, so the rules stay `requirementStatus`'s alone; a summary
 * is read only when it is for the day asked, not stale (triggers mark it when requirements,
 * employments, units or region membership change) and has no dirty people (triggers mark a person
 * when their holdings change; those are recomputed before the read). Otherwise the roll-up is
 * computed from the holdings as before, and the refresher brings the summary up to date.
 */

/** Coverage of a population per column unit and in all, with the requirements shown. */
export interface CoverageRollup {
  readonly onDate: string;
  /** The requirements in force after the filters, in listRequirements' order. */
  readonly requirements: readonly Requirement[];
  readonly byUnit: ReadonlyMap<string, GroupCoverage>;
  readonly total: GroupCoverage;
  /** Where it came from: the summary, or computed from the holdings (the summary was not ready). */
  readonly source: 'summary' | 'computed';
}

export interface RollupOptions {
  /** The units to answer per subtree (or per unit itself with `within: 'unit'`). */
  readonly columns: readonly string[];
  readonly within?: 'subtree' | 'unit';
}

/** In competence_status_counts: the whole municipality as a unit, and "people" as a requirement. */
const NIL = '00000000-0000-0000-0000-000000000000';
/** The warning window of the default view, which the counts are kept for. */
const DEFAULT_WINDOW = 90;

/**
 * What people's rows add to the counts of the default view: per unit subtree (and the whole
 * municipality) and requirement, how many have each status, each person once; and the people per subtree.
 */
function contributions(tenantId: string, day: string, personIds?: readonly string[]) {
  const until = addDays(day, DEFAULT_WINDOW);
  const who = personIds ? sql`and person_id = any(${sql.val(personIds)}::uuid[])` : sql``;
  const n = (status: RequirementStatus) => sql`count(*) filter (where status = ${status})::int`;
  return sql`
    with r as (
      select person_id, requirement_id, unit_path, case when status = 'met' and valid_until <= ${until}::date then 'expiring' else status end as status
        from competence_status_rows where tenant_id = ${tenantId}::uuid ${who}
    ), keyed as (
      select distinct r.person_id, u.unit_id, r.requirement_id, r.status from r cross join lateral unnest(r.unit_path) as u(unit_id)
      union
      select distinct person_id, ${NIL}::uuid, requirement_id, status from r
    )
    select unit_id, requirement_id, ${n('met')} as met, ${n('expiring')} as expiring, ${n('expired')} as expired, ${n('missing')} as missing,
           ${n('grace')} as grace, ${n('declared-only')} as declared_only, count(*)::int as people
      from keyed group by unit_id, requirement_id
    union all
    select unit_id, ${NIL}::uuid, 0, 0, 0, 0, 0, 0, count(distinct person_id)::int from keyed group by unit_id`;
}

const COUNT_COLUMNS = sql`met, expiring, expired, missing, grace, declared_only, people`;

/** Adds (sign 1) or takes away (sign -1) people's contributions to the counts. */
async function moveCounts(trx: Db, tenantId: string, day: string, personIds: readonly string[], sign: 1 | -1): Promise<void> {
  const signed = (c: string) => sql`${sql.lit(sign)} * ${sql.ref(`c.${c}`)}`;
  const added = (c: string) => sql`${sql.ref(c)} = ${sql.ref(`competence_status_counts.${c}`)} + ${sql.ref(`excluded.${c}`)}`;
  const columns = ['met', 'expiring', 'expired', 'missing', 'grace', 'declared_only', 'people'];
  await sql`
    insert into competence_status_counts (tenant_id, unit_id, requirement_id, ${COUNT_COLUMNS})
    select ${tenantId}::uuid, c.unit_id, c.requirement_id, ${sql.join(columns.map(signed))} from (${contributions(tenantId, day, personIds)}) c
    on conflict (tenant_id, unit_id, requirement_id) do update set ${sql.join(columns.map(added))}`.execute(trx);
}

const lockKey = (tenantId: string) => sql`hashtextextended(${`competence-status:${tenantId}`}, 0)`;

type Db = Kysely<Schema> | Transaction<Schema>;

/** The rows of a report (computed without a warning window): one per person × requirement × applying employment. */
function rowsOf(tenantId: string, report: GapReport) {
  const rows: Schema['competence_status_rows'][] = [];
  for (const person of report.people) {
    for (const s of person.statuses) {
      for (const e of applyingEmployments(person, s)) {
        rows.push({
          tenant_id: tenantId, person_id: person.personId, requirement_id: s.requirement.id, competence_id: s.requirement.competence.id,
          org_unit_id: e.unitId, unit_path: [...e.unitPath],
          job_title: e.jobTitle.toLowerCase(), status: s.status as Exclude<RequirementStatus, 'expiring'>, valid_until: s.validUntil,
        });
      }
    }
  }
  return rows;
}

/** Many rows in few statements: one array per column, unnested. */
async function insertRows(trx: Db, rows: readonly Schema['competence_status_rows'][]): Promise<void> {
  const BATCH = 20_000;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const col = <K extends keyof Schema['competence_status_rows']>(k: K) => batch.map((r) => r[k]);
    // unit_path is an array per row: carried as text ('{a,b}') and cast back.
    await sql`
      insert into competence_status_rows (tenant_id, person_id, requirement_id, competence_id, org_unit_id, unit_path, job_title, status, valid_until)
      select t, p, q, c, u, up::uuid[], j, s, v
        from unnest(${col('tenant_id')}::uuid[], ${col('person_id')}::uuid[], ${col('requirement_id')}::uuid[], ${col('competence_id')}::uuid[],
                    ${col('org_unit_id')}::uuid[],
                    ${batch.map((r) => `{${r.unit_path.join(',')}}`)}::text[], ${col('job_title')}::text[], ${col('status')}::text[],
                    ${col('valid_until')}::date[]) as x(t, p, q, c, u, up, j, s, v)`.execute(trx);
  }
}

/**
 * Recomputes a municipality's whole summary for the day. Answers false when another refresh of it
 * is under way, or when something changed it while it was read (it stays stale for the next pass).
 * The reading and computing happen outside any transaction, so a large municipality's refresh does
 * not hold back what waits for older transactions to finish (the path-events dispatcher); only the
 * writing of the rows is one transaction.
 */
export async function refreshSummary(db: Kysely<Schema>, tenantId: string, day: string): Promise<boolean> {
  return db.connection().execute(async (conn) => {
    const { rows: [lock] } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${lockKey(tenantId)}) as locked`.execute(conn);
    if (!lock?.locked) return false;
    try {
      // From here on, a change marks the summary changed (a trigger) and this computation is not kept.
      // One that had marked it before and is not committed yet holds its row: this waits for it.
      await conn.transaction().execute(async (trx) => {
        await sql`insert into competence_status_summaries (tenant_id, changed) values (${tenantId}::uuid, false)
                  on conflict (tenant_id) do update set changed = false`.execute(trx);
        // Their holdings are committed, so the computation below sees them.
        await trx.deleteFrom('competence_status_dirty').where('tenant_id', '=', tenantId).execute();
      });
      const report = await gapReport(conn, { tenantId }, day, { expiringDays: 0 });
      const rows = rowsOf(tenantId, report);
      return await conn.transaction().execute(async (trx) => {
        const summary = await trx.selectFrom('competence_status_summaries').select('changed').where('tenant_id', '=', tenantId).forUpdate().executeTakeFirst();
        if (!summary || summary.changed) return false;
        await trx.deleteFrom('competence_status_rows').where('tenant_id', '=', tenantId).execute();
        await insertRows(trx, rows);
        await trx.deleteFrom('competence_status_counts').where('tenant_id', '=', tenantId).execute();
        await sql`insert into competence_status_counts (tenant_id, unit_id, requirement_id, ${COUNT_COLUMNS})
                  select ${tenantId}::uuid, c.* from (${contributions(tenantId, day)}) c`.execute(trx);
        await trx.updateTable('competence_status_summaries').set({ stale: false, computed_on: day, refreshed_at: new Date() }).where('tenant_id', '=', tenantId).execute();
        return true;
      });
    } finally {
      await sql`select pg_advisory_unlock(${lockKey(tenantId)})`.execute(conn);
    }
  });
}

/**
 * Recomputes the rows of the people whose holdings changed, when the summary is for the day and not
 * stale. Answers whether the summary is then ready to read (false: stale, another day, or busy).
 */
export async function refreshDirtyPeople(db: Kysely<Schema>, tenantId: string, day: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const { rows: [lock] } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${lockKey(tenantId)}) as locked`.execute(trx);
    if (!lock?.locked) return false;
    const summary = await trx.selectFrom('competence_status_summaries').select(['computed_on', 'stale']).where('tenant_id', '=', tenantId).executeTakeFirst();
    if (!summary || summary.stale || summary.computed_on !== day) return false;
    const dirty = await trx.deleteFrom('competence_status_dirty').where('tenant_id', '=', tenantId).returning('person_id').execute();
    if (dirty.length === 0) return true;
    const personIds = dirty.map((d) => d.person_id);
    const report = await gapReport(trx, { tenantId, personIds }, day, { expiringDays: 0 });
    await moveCounts(trx, tenantId, day, personIds, -1);
    await trx.deleteFrom('competence_status_rows').where('tenant_id', '=', tenantId).where('person_id', 'in', personIds).execute();
    await insertRows(trx, rowsOf(tenantId, report));
    await moveCounts(trx, tenantId, day, personIds, 1);
    await trx.deleteFrom('competence_status_counts').where('tenant_id', '=', tenantId).where('people', '<=', 0).execute();
    return true;
  });
}

/** Whether the summary can answer for the day (dirty people recomputed first); records that it was wanted. */
export async function summaryReady(db: Kysely<Schema>, tenantId: string, day: string): Promise<boolean> {
  // One statement. The dirty probe is ordered by its primary key so the planner walks that index:
  // unordered, a LIMIT 1 over many other municipalities' marks was planned as a sequential scan.
  const { rows: [summary] } = await sql<{ computed_on: string | null; stale: boolean; requested_at: Date; dirty: boolean }>`
    select s.computed_on::text as computed_on, s.stale, s.requested_at,
           exists (select 1 from competence_status_dirty d where d.tenant_id = s.tenant_id order by d.tenant_id, d.person_id limit 1) as dirty
      from competence_status_summaries s where s.tenant_id = ${tenantId}::uuid`.execute(db);
  if (!summary) {
    await db.insertInto('competence_status_summaries').values({ tenant_id: tenantId }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
    return false;
  }
  if (Date.now() - summary.requested_at.getTime() > 3_600_000) {
    await db.updateTable('competence_status_summaries').set({ requested_at: new Date() }).where('tenant_id', '=', tenantId).execute();
  }
  if (summary.stale || summary.computed_on !== day) return false;
  return summary.dirty ? refreshDirtyPeople(db, tenantId, day) : true;
}

interface CountRow {
  unit_id: string | null;
  requirement_id: string | null;
  status: RequirementStatus | null;
  n: string | number;
}

/** The rows of the population after the filters, with 'expiring' derived for the warning window. */
function baseRows(population: Population, day: string, filters: GapFilters, requirementIds: readonly string[]) {
  const expiringUntil = addDays(day, filters.expiringDays ?? 90);
  const conditions = [sql`tenant_id = ${population.tenantId}::uuid`, sql`requirement_id = any(${sql.val(requirementIds)}::uuid[])`];
  if (population.unitIds) conditions.push(sql`org_unit_id = any(${sql.val(population.unitIds)}::uuid[])`);
  if (population.personIds) conditions.push(sql`person_id = any(${sql.val(population.personIds)}::uuid[])`);
  if (filters.unitId) conditions.push(sql`unit_path @> array[${filters.unitId}::uuid]`);
  if (filters.jobTitle) conditions.push(sql`job_title = ${filters.jobTitle.toLowerCase()}`);
  const filtered = sql`select person_id, requirement_id, competence_id, org_unit_id, unit_path,
      case when status = 'met' and valid_until <= ${expiringUntil}::date then 'expiring' else status end as status
      from competence_status_rows where ${sql.join(conditions, sql` and `)}`;
  if (!filters.newcomersOnly) return filtered;
  return sql`select * from (${filtered}) f where person_id in (select person_id from (${filtered}) g where status = 'grace')`;
}

function tally(rows: readonly CountRow[]): Map<string, Record<RequirementStatus, number>> {
  const out = new Map<string, Record<RequirementStatus, number>>();
  for (const r of rows) {
    if (r.requirement_id === null || r.status === null) continue;
    let counts = out.get(r.requirement_id);
    if (!counts) out.set(r.requirement_id, (counts = noCounts()));
    counts[r.status] += Number(r.n);
  }
  return out;
}

function groupCoverage(byRequirementCounts: Map<string, Record<RequirementStatus, number>>, people: number): GroupCoverage {
  return { byRequirement: new Map([...byRequirementCounts].map(([id, counts]) => [id, coverageOf(counts)])), all: coverageOf(sumCounts(byRequirementCounts.values())), people };
}

async function rollupFromSummary(db: Kysely<Schema>, population: Population, day: string, filters: GapFilters, requirements: readonly Requirement[], options: RollupOptions): Promise<Pick<CoverageRollup, 'byUnit' | 'total'>> {
  const base = baseRows(population, day, filters, requirements.map((r) => r.id));
  // A person counts once per requirement (and per unit), however many employments bring it.
  const { rows: totalRows } = await sql<CountRow>`
    select null as unit_id, requirement_id, status, count(distinct person_id) as n from (${base}) b
     group by grouping sets ((requirement_id, status), ())`.execute(db);
  const unitMatch = options.within === 'unit' ? sql`b.org_unit_id = c.unit_id` : sql`b.unit_path @> array[c.unit_id]`;
  const { rows: unitRows } = options.columns.length === 0 ? { rows: [] as CountRow[] } : await sql<CountRow>`
    select c.unit_id, b.requirement_id, b.status, count(distinct b.person_id) as n
      from (${base}) b join unnest(${sql.val(options.columns)}::uuid[]) as c(unit_id) on ${unitMatch}
     group by grouping sets ((c.unit_id, b.requirement_id, b.status), (c.unit_id))`.execute(db);
  const totalPeople = Number(totalRows.find((r) => r.requirement_id === null)?.n ?? 0);
  const total = groupCoverage(tally(totalRows), totalPeople);
  const byUnit = new Map<string, GroupCoverage>();
  for (const unitId of options.columns) {
    const own = unitRows.filter((r) => r.unit_id === unitId);
    const people = Number(own.find((r) => r.requirement_id === null)?.n ?? 0);
    if (people > 0) byUnit.set(unitId, groupCoverage(tally(own), people));
  }
  return { byUnit, total };
}

/**
 * The default view from the counts: no filter but the unit (and the default warning window),
 * subtrees as columns, and a population that is the whole municipality or whole subtrees under one
 * top unit (a manager's scope is). Answers null when the view is not one the counts are kept for.
 */
async function rollupFromCounts(db: Kysely<Schema>, population: Population, filters: GapFilters, requirements: readonly Requirement[], options: RollupOptions): Promise<Pick<CoverageRollup, 'byUnit' | 'total'> | null> {
  const isDefault = !filters.jobTitle && !filters.newcomersOnly && !filters.competenceId && !filters.mandatoryOnly
    && (filters.expiringDays ?? DEFAULT_WINDOW) === DEFAULT_WINDOW && options.within !== 'unit' && !population.personIds;
  if (!isDefault) return null;
  const columns = [...options.columns];
  const units = population.unitIds ?? null;
  const shaped = units !== null || filters.unitId !== undefined;
  // One statement: the population's shape (each column, and the total, must be a whole subtree inside
  // the population and the unit filter; without a unit filter the total is the population's single
  // root), then the counts of the columns and the total, one text per unit (a row per unit ×
  // requirement costs more to send and parse than the numbers themselves), each unit read in its
  // primary key's order so nothing is sorted.
  const { rows } = await sql<{ roots: string[] | null; open: boolean; unit_id: string | null; counts: string | null }>`
    with shape as (
      select (select array_agg(id) from org_units where ${shaped} and tenant_id = ${population.tenantId}::uuid and id = any(${sql.val(units ?? [])}::uuid[])
                and (parent_id is null or not (parent_id = any(${sql.val(units ?? [])}::uuid[])))) as roots,
             ${shaped} and exists (select 1 from org_units where tenant_id = ${population.tenantId}::uuid
                        and path && ${sql.val([...columns, ...(filters.unitId ? [filters.unitId] : [])])}::uuid[]
                        and ((${units !== null} and not (id = any(${sql.val(units ?? [])}::uuid[])))
                          or (${filters.unitId ?? null}::uuid is not null and id = any(${sql.val(columns)}::uuid[]) and not (path @> array[${filters.unitId ?? NIL}::uuid])))) as open
    )
    select shape.roots, shape.open, u.id as unit_id,
           (select string_agg(concat_ws(',', requirement_id, met, expiring, expired, missing, grace, declared_only, people), ';')
              from competence_status_counts
             where tenant_id = ${population.tenantId}::uuid and unit_id = u.id and people > 0) as counts
      from shape left join lateral unnest(${sql.val([...columns, ...(filters.unitId ? [filters.unitId] : shaped ? [] : [NIL])])}::uuid[]
                                          || case when ${!shaped || filters.unitId !== undefined} or cardinality(shape.roots) <> 1 then '{}'::uuid[] else shape.roots end) as u(id)
        on not shape.open`.execute(db);
  const shape = rows[0];
  if (!shape || shape.open) return null;
  let totalKey = filters.unitId ?? NIL;
  if (shaped && !filters.unitId) {
    if (shape.roots?.length !== 1) return null;
    totalKey = shape.roots[0]!;
  }
  const requirementIds = new Set(requirements.map((r) => r.id));
  const countsOf = new Map(rows.filter((r) => r.unit_id !== null).map((r) => [r.unit_id!, r.counts ?? '']));
  const group = (unitId: string): GroupCoverage | undefined => {
    const encoded = countsOf.get(unitId);
    if (!encoded) return undefined;
    let people = 0;
    const counts = new Map<string, Record<RequirementStatus, number>>();
    for (const entry of encoded.split(';')) {
      const [requirementId, met, expiring, expired, missing, grace, declaredOnly, n] = entry.split(',');
      if (requirementId === NIL) people = Number(n);
      else if (requirementIds.has(requirementId!)) {
        counts.set(requirementId!, { met: Number(met), expiring: Number(expiring), expired: Number(expired), missing: Number(missing), grace: Number(grace), 'declared-only': Number(declaredOnly) });
      }
    }
    return people === 0 ? undefined : groupCoverage(counts, people);
  };
  const byUnit = new Map<string, GroupCoverage>();
  for (const id of columns) {
    const g = group(id);
    if (g) byUnit.set(id, g);
  }
  return { byUnit, total: group(totalKey) ?? groupCoverage(new Map(), 0) };
}

/**
 * Coverage of a population on a day: per column unit (subtree, or the unit itself) and in all. From
 * the summary when it is ready for the day, else computed from the holdings; the answers are the same
 * (test/competence/status-summary.test.ts).
 */
export async function coverageRollup(db: Kysely<Schema>, population: Population, onDate: string, filters: GapFilters, options: RollupOptions): Promise<CoverageRollup> {
  const requirements = await requirementsShown(db, population.tenantId, onDate, filters);
  const empty = (): CoverageRollup => ({ onDate, requirements, byUnit: new Map(), total: groupCoverage(new Map(), 0), source: 'computed' });
  if (requirements.length === 0 || population.unitIds?.length === 0) return empty();
  if (await summaryReady(db, population.tenantId, onDate)) {
    const counted = await rollupFromCounts(db, population, filters, requirements, options);
    return { onDate, requirements, ...(counted ?? (await rollupFromSummary(db, population, onDate, filters, requirements, options))), source: 'summary' };
  }
  const report = await gapReport(db, population, onDate, filters);
  return { onDate, requirements, byUnit: coverageByUnit(report, options.columns, { within: options.within ?? 'subtree' }), total: coverageTotal(report), source: 'computed' };
}

/** Severity, worst first, as rollups.ts's coverageByCompetence ranks it. */
const WORST_FIRST_SQL = sql`case status ${sql.join(WORST_FIRST.map((s, rank) => sql`when ${s} then ${sql.lit(rank)}`), sql` `)} end`;

/** A whole municipality's coverage per competence (each person once, with their worst status): the region's view. */
export async function competenceCoverage(db: Kysely<Schema>, tenantId: string, onDate: string, filters: Pick<GapFilters, 'mandatoryOnly' | 'expiringDays' | 'competenceId' | 'jobTitle'> = {}): Promise<{ requirements: readonly Requirement[]; byCompetence: Map<string, Coverage> }> {
  const requirements = await requirementsShown(db, tenantId, onDate, filters);
  if (requirements.length > 0 && (await summaryReady(db, tenantId, onDate))) {
    const base = baseRows({ tenantId }, onDate, filters, requirements.map((r) => r.id));
    const { rows } = await sql<{ competence_id: string; worst: number; n: string | number }>`
      select competence_id, worst, count(*) as n
        from (select person_id, competence_id, min(${WORST_FIRST_SQL}) as worst from (${base}) b group by person_id, competence_id) w
       group by competence_id, worst`.execute(db);
    const counts = new Map<string, Record<RequirementStatus, number>>();
    for (const r of rows) {
      let c = counts.get(r.competence_id);
      if (!c) counts.set(r.competence_id, (c = noCounts()));
      c[WORST_FIRST[r.worst]!] += Number(r.n);
    }
    return { requirements, byCompetence: new Map([...counts].map(([id, c]) => [id, coverageOf(c)])) };
  }
  const report = await gapReport(db, { tenantId }, onDate, filters);
  return { requirements: report.requirements, byCompetence: coverageByCompetence(report) };
}

/** A municipality of a region, with its coverage per competence and in all (person × competence). */
export interface MunicipalityCoverage {
  readonly tenantId: string;
  readonly byCompetence: ReadonlyMap<string, Coverage>;
  readonly all: Coverage;
}

export interface RegionCoverage {
  /** The competences any member has a requirement for, by id: code and name. */
  readonly competences: ReadonlyMap<string, Requirement['competence']>;
  readonly municipalities: readonly MunicipalityCoverage[];
}

/** Competence coverage of each of a region's member municipalities (whole municipalities), side by side. */
export async function regionCoverage(db: Kysely<Schema>, municipalityIds: readonly string[], onDate: string, filters: Pick<GapFilters, 'mandatoryOnly' | 'expiringDays' | 'competenceId' | 'jobTitle'> = {}): Promise<RegionCoverage> {
  const competences = new Map<string, Requirement['competence']>();
  const municipalities: MunicipalityCoverage[] = [];
  for (const tenantId of municipalityIds) {
    const { requirements, byCompetence } = await competenceCoverage(db, tenantId, onDate, filters);
    for (const r of requirements) competences.set(r.competence.id, r.competence);
    municipalities.push({ tenantId, byCompetence, all: coverageOf(sumCounts([...byCompetence.values()].map((c) => c.counts))) });
  }
  return { competences, municipalities };
}

/**
 * Keeps wanted summaries up to date: every few seconds, recomputes those that are stale or for an
 * earlier day (a day changes statuses without any write: met → expiring → expired, grace → missing)
 * and were read in the last week, and the rows of people whose holdings changed.
 */
export class StatusSummaryRefresher {
  readonly #db: Kysely<Schema>;
  readonly #logger: Logger;
  readonly #loop: PollingLoop<number>;

  constructor(options: { db: Kysely<Schema>; logger: Logger; intervalMs?: number }) {
    this.#db = options.db;
    this.#logger = options.logger;
    const intervalMs = options.intervalMs ?? 2_000;
    this.#loop = new PollingLoop({
      pass: () => this.runOnce(),
      firstDelayMs: intervalMs,
      intervalMs,
      failure: { logger: this.#logger, message: 'competence status summary refresh failed' },
    });
  }

  /** One pass; answers how many summaries were recomputed whole. */
  async runOnce(day = today()): Promise<number> {
    // Marks of municipalities no page has read yet are of no use (their first computation reads
    // everything) and would only grow; a summary row being created now keeps its marks, as its
    // computation starts by clearing them itself.
    await sql`delete from competence_status_dirty d
               where not exists (select 1 from competence_status_summaries s where s.tenant_id = d.tenant_id)`.execute(this.#db);
    const wanted = await this.#db
      .selectFrom('competence_status_summaries')
      .select(['tenant_id', 'stale', 'computed_on'])
      .where('requested_at', '>', sql<Date>`now() - interval '7 days'`)
      .orderBy('requested_at', 'desc')
      .execute();
    let refreshed = 0;
    for (const summary of wanted) {
      if (this.#loop.state === 'stopped') break; // stop() waits for this pass: the rest waits for the next start
      if (summary.stale || summary.computed_on !== day) {
        const started = Date.now();
        if (await refreshSummary(this.#db, summary.tenant_id, day)) {
          refreshed += 1;
          this.#logger.info({ tenantId: summary.tenant_id, day, ms: Date.now() - started }, 'competence status summary refreshed');
        }
      } else {
        await refreshDirtyPeople(this.#db, summary.tenant_id, day);
      }
    }
    return refreshed;
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}
