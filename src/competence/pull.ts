import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { addDays, osloDate } from './calendar.js';
import { catalogueTenants } from './catalogue.js';
import { appliesTo, requirementStatus, type Employment, type PersonRequirement } from './gaps.js';
import { toHolding, type Holding } from './holdings.js';
import { listRequirements, type Requirement } from './requirements.js';
import type { HoldingSource } from './tables.js';

/**
 * What HR systems pull (GET /api/competence/holdings and /gaps, docs/competence.md "Pulling holdings
 * and gaps"): a municipality's holdings as records changed since a moment, and where its employees
 * stand against their requirements on a day, both in pages with a stable keyset cursor.
 */

/** Who a row is about, as HR knows them. */
export interface PulledPerson {
  readonly id: string;
  /** The municipality's ansattnummer, when the person is an employee in its HR data. */
  readonly employeeNumber: string | null;
  readonly name: string | null;
  readonly email: string | null;
}

export interface PulledHolding {
  readonly id: string;
  readonly person: PulledPerson;
  readonly competence: { readonly code: string; readonly name: string };
  readonly level: number | null;
  readonly source: HoldingSource;
  readonly achievedOn: string;
  readonly expiresOn: string | null;
  readonly recordedAt: string;
  readonly renewsId: string | null;
  readonly revoked: { readonly at: string; readonly reason: string } | null;
  readonly evidence: Readonly<Record<string, unknown>>;
  /** When the record last changed (recorded, or revoked): the key the pages and since= go by. */
  readonly changedAt: string;
}

/** A page position: the last row's change time (microseconds, UTC) and id. */
export interface HoldingsKey {
  readonly changedAt: string;
  readonly id: string;
}

/** PostgreSQL keeps microseconds; a JavaScript Date would lose them and repeat or skip rows at a page edge. */
const MICROSECONDS = `YYYY-MM-DD"T"HH24:MI:SS.US"Z"`;

/**
 * One page of the tenant's holding records ordered by (change time, id): every record when `since`
 * is null, else those recorded or revoked at or after it. `since` is an RFC 3339 timestamp as given.
 */
export async function holdingsPage(
  db: Kysely<Schema>,
  tenantId: string,
  options: { since: string | null; after: HoldingsKey | null; limit: number },
): Promise<{ rows: PulledHolding[]; more: boolean }> {
  const changed = sql<Date>`greatest(h.recorded_at, coalesce(r.revoked_at, h.recorded_at))`;
  let query = db
    .selectFrom('competence_holdings as h')
    .innerJoin('people as p', 'p.id', 'h.person_id')
    .innerJoin('competences as c', 'c.id', 'h.competence_id')
    .leftJoin('employees as e', 'e.person_id', 'h.person_id')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select([
      'h.id', 'h.person_id', 'p.name', 'p.email', 'e.employee_number', 'c.code', 'c.name_nb', 'h.level', 'h.source', 'h.achieved_on', 'h.expires_on',
      'h.renews_id', 'h.evidence', 'r.reason',
      sql<string>`to_char(h.recorded_at at time zone 'UTC', ${MICROSECONDS})`.as('recorded_at'),
      sql<string | null>`to_char(r.revoked_at at time zone 'UTC', ${MICROSECONDS})`.as('revoked_at'),
      sql<string>`to_char(${changed} at time zone 'UTC', ${MICROSECONDS})`.as('changed_at'),
    ])
    .where('h.tenant_id', '=', tenantId);
  if (options.since !== null) {
    const since = options.since;
    query = query.where((eb) => eb.or([eb('h.recorded_at', '>=', sql<Date>`${since}::timestamptz`), eb('r.revoked_at', '>=', sql<Date>`${since}::timestamptz`)]));
  }
  if (options.after) {
    query = query.where(sql<boolean>`(${changed}, h.id) > (${options.after.changedAt}::timestamptz, ${options.after.id}::uuid)`);
  }
  const rows = await query.orderBy(changed).orderBy('h.id').limit(options.limit + 1).execute();
  return {
    more: rows.length > options.limit,
    rows: rows.slice(0, options.limit).map((row) => ({
      id: row.id,
      person: { id: row.person_id, employeeNumber: row.employee_number, name: row.name, email: row.email },
      competence: { code: row.code, name: row.name_nb },
      level: row.level,
      source: row.source,
      achievedOn: row.achieved_on,
      expiresOn: row.expires_on,
      recordedAt: row.recorded_at,
      renewsId: row.renews_id,
      revoked: row.revoked_at !== null && row.reason !== null ? { at: row.revoked_at, reason: row.reason } : null,
      evidence: row.evidence,
      changedAt: row.changed_at,
    })),
  };
}

/** The database's clock as an RFC 3339 timestamp with microseconds, `seconds` ago. */
export async function databaseTimeAgo(db: Kysely<Schema>, seconds: number): Promise<string> {
  const { at } = await sql<{ at: string }>`select to_char((clock_timestamp() - make_interval(secs => ${seconds})) at time zone 'UTC', ${MICROSECONDS}) as at`.execute(db).then((r) => r.rows[0]!);
  return at;
}

export interface GapPersonRows {
  readonly person: PulledPerson;
  readonly requirements: readonly PersonRequirement[];
}

/**
 * Where each of `personIds` stands on `onDate` against the requirements that apply to them: the
 * same rule as personRequirements (src/competence/gaps.ts), read for a batch of people in three
 * queries. The one function the gaps pull computes rows with, so a faster batch computation can
 * take its place.
 */
export async function gapRowsFor(
  db: Kysely<Schema>,
  tenantId: string,
  personIds: readonly string[],
  onDate: string,
  expiringDays: number,
  requirements?: readonly Requirement[],
): Promise<Map<string, PersonRequirement[]>> {
  const result = new Map<string, PersonRequirement[]>(personIds.map((id) => [id, []]));
  if (personIds.length === 0) return result;
  const all = requirements ?? (await listRequirements(db, tenantId, onDate));
  const employmentRows = await db
    .selectFrom('employments as e')
    .innerJoin('employees as p', 'p.id', 'e.employee_id')
    .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
    .select(['p.person_id', 'e.job_title', 'u.path', 'e.start_date'])
    .where('p.tenant_id', '=', tenantId)
    .where('p.person_id', 'in', [...personIds])
    .where('e.start_date', '<=', onDate)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', onDate)]))
    .execute();
  const employments = new Map<string, Employment[]>();
  for (const row of employmentRows) {
    const list = employments.get(row.person_id) ?? [];
    list.push({ jobTitle: row.job_title, unitPath: row.path, startDate: row.start_date });
    employments.set(row.person_id, list);
  }
  if (employments.size === 0 || all.length === 0) return result;
  const holdingRows = await db
    .selectFrom('competence_holdings as h')
    .innerJoin('competences as c', 'c.id', 'h.competence_id')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select(['h.id', 'h.person_id', 'h.competence_id', 'c.code', 'c.name_nb', 'c.name_nn', 'c.name_en', 'h.level', 'h.source', 'h.achieved_on', 'h.expires_on', 'h.evidence', 'h.renews_id', 'r.revoked_at', 'r.reason'])
    .where('h.tenant_id', '=', tenantId)
    .where('h.person_id', 'in', [...employments.keys()])
    .where('h.competence_id', 'in', [...new Set(all.map((r) => r.competence.id))])
    .orderBy('h.person_id')
    .orderBy('h.achieved_on', 'desc')
    .orderBy('h.recorded_at', 'desc')
    .execute();
  const holdings = new Map<string, Holding[]>();
  for (const row of holdingRows) {
    const list = holdings.get(row.person_id) ?? [];
    list.push(toHolding(row));
    holdings.set(row.person_id, list);
  }
  for (const [personId, jobs] of employments) {
    const applying = all.filter((r) => jobs.some((e) => appliesTo(r, e)));
    result.set(personId, applying.map((r) => requirementStatus(r, holdings.get(personId) ?? [], jobs, onDate, expiringDays)));
  }
  return result;
}

/**
 * The people a gaps pull answers for, one page ordered by person id: every employee of the
 * municipality with an employment in force on `onDate`, or, with `since`, every employee whose rows
 * may differ from what they were at `since` (see changedPeople).
 */
export async function gapPeoplePage(
  db: Kysely<Schema>,
  tenantId: string,
  options: { onDate: string; since: string | null; expiringDays: number; afterPersonId: string | null; limit: number },
): Promise<{ people: PulledPerson[]; more: boolean }> {
  let query = db
    .selectFrom('employees as e')
    .innerJoin('people as p', 'p.id', 'e.person_id')
    .select(['p.id', 'p.name', 'p.email', 'e.employee_number'])
    .where('e.tenant_id', '=', tenantId);
  if (options.since === null) {
    const onDate = options.onDate;
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom('employments as j').select('j.id').whereRef('j.employee_id', '=', 'e.id').where('j.start_date', '<=', onDate).where((eb) => eb.or([eb('j.end_date', 'is', null), eb('j.end_date', '>=', onDate)]))),
    );
  } else {
    const changed = await changedPeople(db, tenantId, options.since, options.onDate, options.expiringDays);
    if (changed !== 'everyone') query = query.where('e.person_id', 'in', sql<string>`(${changed})`);
  }
  if (options.afterPersonId !== null) query = query.where('p.id', '>', options.afterPersonId);
  const rows = await query.orderBy('p.id').limit(options.limit + 1).execute();
  return {
    more: rows.length > options.limit,
    people: rows.slice(0, options.limit).map((r) => ({ id: r.id, employeeNumber: r.employee_number, name: r.name, email: r.email })),
  };
}

/**
 * Employees whose gap rows on `onDate` may differ from their rows at `since` (a superset, never
 * fewer): a holding recorded or revoked since; a holding achieved, expiring or entering the
 * expiring window between the day before `since` and `onDate` (by its own validity or a
 * requirement's: its last counting day in (from, on] or in (from + window, on + window]); an
 * employment added, changed, starting or ending in that time; a newcomer's
 * grace period ending in it; their person or employee record changed. A requirement or an org unit
 * changed since then may change anyone's rows: then everyone.
 */
async function changedPeople(db: Kysely<Schema>, tenantId: string, since: string, onDate: string, expiringDays: number) {
  const owners = await catalogueTenants(db, tenantId);
  const at = sql<Date>`${since}::timestamptz`;
  const requirementsChanged = await db
    .selectFrom('competence_requirements')
    .select('id')
    .where('tenant_id', 'in', owners)
    .where((eb) => eb.or([eb('created_at', '>=', at), eb('ended_at', '>=', at)]))
    .limit(1)
    .executeTakeFirst();
  const unitsChanged = await db.selectFrom('org_units').select('id').where('tenant_id', '=', tenantId).where((eb) => eb.or([eb('updated_at', '>=', at), eb('created_at', '>=', at)])).limit(1).executeTakeFirst();
  if (requirementsChanged || unitsChanged) return 'everyone' as const;
  const from = addDays(osloDate(new Date(since)), -1);
  const windowFrom = addDays(from, expiringDays);
  const horizon = addDays(onDate, expiringDays);
  // A last counting day `until` changes the status when the day passes it (expired) or comes within the window of it (expiring).
  const crosses = (until: ReturnType<typeof sql>) =>
    sql`((${until} > ${from}::date and ${until} <= ${onDate}::date) or (${until} > ${windowFrom}::date and ${until} <= ${horizon}::date))`;
  const overridden = sql`(h.achieved_on + make_interval(months => q.validity_months))::date`;
  const ownerList = sql.join(owners.map((id) => sql`${id}::uuid`));
  return sql<string>`
    select h.person_id from competence_holdings h
      where h.tenant_id = ${tenantId} and (
        h.recorded_at >= ${at}
        or (h.achieved_on > ${from}::date and h.achieved_on <= ${onDate}::date)
        or ${crosses(sql`h.expires_on`)}
        or exists (select 1 from competence_requirements q
          where q.tenant_id in (${ownerList}) and q.ended_at is null and q.competence_id = h.competence_id and q.validity_months is not null
            and ${crosses(overridden)}))
    union
    select h.person_id from competence_holding_revocations r join competence_holdings h on h.id = r.holding_id
      where h.tenant_id = ${tenantId} and r.revoked_at >= ${at}
    union
    select x.person_id from employments j join employees x on x.id = j.employee_id
      where j.tenant_id = ${tenantId} and (
        j.updated_at >= ${at} or j.created_at >= ${at}
        or (j.start_date > ${from}::date and j.start_date <= ${onDate}::date)
        or (j.end_date >= ${from}::date and j.end_date < ${onDate}::date)
        or exists (select 1 from competence_requirements q
          where q.tenant_id in (${ownerList}) and q.ended_at is null and q.grace_days is not null
            and j.start_date + q.grace_days - 1 >= ${from}::date and j.start_date + q.grace_days - 1 < ${onDate}::date))
    union
    select x.person_id from employees x join people p on p.id = x.person_id
      where x.tenant_id = ${tenantId} and (x.updated_at >= ${at} or x.created_at >= ${at} or p.updated_at >= ${at})`;
}
