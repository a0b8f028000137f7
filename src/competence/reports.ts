import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ActiveEmployment, ScopeUnit } from '../organisation/unit-scope.js';
import { addDays, addMonths, osloDate } from './calendar.js';
import type { Texts } from './catalogue.js';
import { appliesTo, requirementStatus, type Employment, type PersonRequirement, type RequirementStatus } from './gaps.js';
import { currentHoldings, holdingStatus, type Holding } from './holdings.js';
import { listRequirements } from './requirements.js';

// The manager's and the municipality administrator's competence reports: gap rows for export,
// coverage per unit, completions per month and expiries ahead, for the people employed in a set of
// units on a day. The statuses are gaps.ts's `requirementStatus`, computed for many people at once
// (three queries, not three per person).

export const REQUIREMENT_STATUSES: readonly RequirementStatus[] = ['met', 'expiring', 'expired', 'missing', 'grace', 'declared-only'];

/** One requirement of one person, through an employment in one of the units reported on. */
export interface GapRow {
  readonly personId: string;
  readonly name: string | null;
  readonly employeeNumber: string;
  readonly unitId: string;
  readonly jobTitle: string;
  readonly requirementId: string;
  readonly competence: { readonly id: string; readonly code: string; readonly name: Texts };
  readonly mandatory: boolean;
  readonly status: RequirementStatus;
  readonly validUntil: string | null;
  readonly graceEnds: string | null;
}

/** Every holding record of the people, newest first per person (no path titles: statuses do not need them). */
async function holdingsOfPeople(db: Kysely<Schema>, tenantId: string, personIds: readonly string[]): Promise<Map<string, Holding[]>> {
  const byPerson = new Map<string, Holding[]>();
  if (personIds.length === 0) return byPerson;
  const rows = await db
    .selectFrom('competence_holdings as h')
    .innerJoin('competences as c', 'c.id', 'h.competence_id')
    .leftJoin('competence_holding_revocations as r', 'r.holding_id', 'h.id')
    .select(['h.id', 'h.person_id', 'h.competence_id', 'c.code', 'c.name_nb', 'c.name_nn', 'c.name_en', 'h.level', 'h.source', 'h.achieved_on', 'h.expires_on', 'h.renews_id', 'r.revoked_at', 'r.reason'])
    .where('h.tenant_id', '=', tenantId)
    .where('h.person_id', '=', sql<string>`any(${sql.val([...personIds])}::uuid[])`)
    .orderBy('h.person_id')
    .orderBy('h.achieved_on', 'desc')
    .orderBy('h.recorded_at', 'desc')
    .execute();
  for (const row of rows) {
    const list = byPerson.get(row.person_id) ?? [];
    list.push({
      id: row.id,
      personId: row.person_id,
      competence: { id: row.competence_id, code: row.code, name: { nb: row.name_nb, nn: row.name_nn, en: row.name_en } },
      level: row.level,
      source: row.source,
      achievedOn: row.achieved_on,
      expiresOn: row.expires_on,
      path: null,
      evidence: {},
      renewsId: row.renews_id,
      revocation: row.revoked_at ? { at: row.revoked_at, reason: row.reason ?? '' } : null,
    });
    byPerson.set(row.person_id, list);
  }
  return byPerson;
}

/** Every employment in force on the day of each person, in the whole municipality (requirements and grace follow all of them). */
async function employmentsOfPeople(db: Kysely<Schema>, tenantId: string, personIds: readonly string[], day: string): Promise<Map<string, Employment[]>> {
  const byPerson = new Map<string, Employment[]>();
  if (personIds.length === 0) return byPerson;
  const rows = await db
    .selectFrom('employments as e')
    .innerJoin('employees as p', 'p.id', 'e.employee_id')
    .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
    .select(['p.person_id', 'e.job_title', 'u.path', 'e.start_date'])
    .where('p.tenant_id', '=', tenantId)
    .where('p.person_id', '=', sql<string>`any(${sql.val([...personIds])}::uuid[])`)
    .where('e.start_date', '<=', day)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', day)]))
    .execute();
  for (const r of rows) byPerson.set(r.person_id, [...(byPerson.get(r.person_id) ?? []), { jobTitle: r.job_title, unitPath: r.path, startDate: r.start_date }]);
  return byPerson;
}

/**
 * The gap rows of the people employed in the reported units on `day`: for each employment given
 * (those in the units), each requirement that applies through it, with the person's status as
 * `personRequirements` computes it (all their employments in force count for grace). A requirement
 * that applies through two employments in one unit is one row.
 */
export async function gapRows(db: Kysely<Schema>, tenantId: string, employments: readonly ActiveEmployment[], day: string, expiringDays = 90): Promise<GapRow[]> {
  if (employments.length === 0) return [];
  const personIds = [...new Set(employments.map((e) => e.personId))];
  const unitPaths = new Map(
    (await db.selectFrom('org_units').select(['id', 'path']).where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(employments.map((e) => e.unitId))]).execute()).map((u) => [u.id, u.path]),
  );
  const [requirements, holdings, allEmployments] = await Promise.all([
    listRequirements(db, tenantId),
    holdingsOfPeople(db, tenantId, personIds),
    employmentsOfPeople(db, tenantId, personIds, day),
  ]);
  const statuses = new Map<string, PersonRequirement>();
  const statusOf = (personId: string, requirementIndex: number) => {
    const key = `${personId}:${requirementIndex}`;
    let found = statuses.get(key);
    if (!found) {
      found = requirementStatus(requirements[requirementIndex]!, holdings.get(personId) ?? [], allEmployments.get(personId) ?? [], day, expiringDays);
      statuses.set(key, found);
    }
    return found;
  };
  const rows: GapRow[] = [];
  const seen = new Set<string>();
  for (const e of employments) {
    const employment: Employment = { jobTitle: e.jobTitle, unitPath: unitPaths.get(e.unitId) ?? [e.unitId], startDate: e.startDate };
    requirements.forEach((requirement, index) => {
      if (!appliesTo(requirement, employment)) return;
      const key = `${e.personId}:${e.unitId}:${requirement.id}`;
      if (seen.has(key)) return;
      seen.add(key);
      const status = statusOf(e.personId, index);
      rows.push({
        personId: e.personId,
        name: e.name,
        employeeNumber: e.employeeNumber,
        unitId: e.unitId,
        jobTitle: e.jobTitle,
        requirementId: requirement.id,
        competence: requirement.competence,
        mandatory: requirement.mandatory,
        status: status.status,
        validUntil: status.validUntil,
        graceEnds: status.graceEnds,
      });
    });
  }
  return rows;
}

export interface GapFilters {
  /** The unit and its subtree (among the reported units). */
  unitIds?: ReadonlySet<string>;
  jobTitle?: string;
  competenceCode?: string;
  mandatory?: boolean;
  status?: RequirementStatus;
}

export function filterGapRows(rows: readonly GapRow[], filters: GapFilters): GapRow[] {
  const jobTitle = filters.jobTitle?.toLowerCase();
  return rows.filter((r) =>
    (!filters.unitIds || filters.unitIds.has(r.unitId)) &&
    (jobTitle === undefined || r.jobTitle.toLowerCase() === jobTitle) &&
    (filters.competenceCode === undefined || r.competence.code === filters.competenceCode) &&
    (filters.mandatory === undefined || r.mandatory === filters.mandatory) &&
    (filters.status === undefined || r.status === filters.status));
}

/** A unit and every unit below it, among `units` (parents known by parentId). */
export function subtreeOf(units: readonly ScopeUnit[], unitId: string): Set<string> {
  const found = new Set([unitId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (u.parentId && found.has(u.parentId) && !found.has(u.id)) {
        found.add(u.id);
        grew = true;
      }
    }
  }
  return found;
}

export interface UnitCoverage {
  unitId: string;
  /** Person × requirement pairs that apply through an employment in the unit itself. */
  applicable: number;
  /** Of those, met or met but expiring. */
  met: number;
  /** met / applicable in whole per cent, null when nothing applies. */
  percent: number | null;
}

/**
 * Coverage per unit: met (or expiring) over applicable, counted from the gap rows of the people
 * employed in each unit itself. The one place the report computes it, so that it can be swapped for
 * the competence roll-ups when they exist.
 */
export function coverageByUnit(units: readonly ScopeUnit[], rows: readonly GapRow[]): UnitCoverage[] {
  const counts = new Map<string, { applicable: number; met: number }>();
  for (const r of rows) {
    const c = counts.get(r.unitId) ?? { applicable: 0, met: 0 };
    c.applicable += 1;
    if (r.status === 'met' || r.status === 'expiring') c.met += 1;
    counts.set(r.unitId, c);
  }
  return units.map((u) => {
    const c = counts.get(u.id) ?? { applicable: 0, met: 0 };
    return { unitId: u.id, ...c, percent: c.applicable === 0 ? null : Math.round((c.met / c.applicable) * 100) };
  });
}

/** The twelve months up to and including `today`'s, oldest first, as 'YYYY-MM'. */
export function lastTwelveMonths(today: string): string[] {
  const first = `${today.slice(0, 7)}-01`;
  return Array.from({ length: 12 }, (_, i) => addMonths(first, i - 11).slice(0, 7));
}

/** Completions counted per Europe/Oslo month, over the twelve months up to `today`. */
export function completionsPerMonth(completedAt: readonly Date[], today: string): { month: string; count: number }[] {
  const months = lastTwelveMonths(today);
  const counts = new Map(months.map((m) => [m, 0]));
  for (const at of completedAt) {
    const month = osloDate(at).slice(0, 7);
    const count = counts.get(month);
    if (count !== undefined && osloDate(at) <= today) counts.set(month, count + 1);
  }
  return months.map((month) => ({ month, count: counts.get(month)! }));
}

/** When the people completed paths, from the start of the first of the twelve months (a day's margin for the time zone). */
export async function completionTimes(db: Kysely<Schema>, tenantId: string, personIds: readonly string[], today: string): Promise<Date[]> {
  if (personIds.length === 0) return [];
  const from = addDays(`${lastTwelveMonths(today)[0]!}-01`, -1);
  const rows = await db
    .selectFrom('path_completions')
    .select('completed_at')
    .where('tenant_id', '=', tenantId)
    .where('person_id', '=', sql<string>`any(${sql.val([...new Set(personIds)])}::uuid[])`)
    .where('completed_at', '>=', new Date(`${from}T00:00:00Z`))
    .execute();
  return rows.map((r) => r.completed_at);
}

export interface ExpiryCount {
  competence: { id: string; code: string; name: Texts };
  /** People whose holding of the competence stops being valid within the window. */
  people: number;
  firstExpiry: string;
}

/**
 * Holdings that stop being valid within `days` after `today` (expiry day after today, at most today
 * + days), per competence: only the holding that counts for each person and competence, so a
 * renewed certificate is not counted, nor a revoked one.
 */
export async function expiriesAhead(db: Kysely<Schema>, tenantId: string, personIds: readonly string[], today: string, days = 90): Promise<ExpiryCount[]> {
  const holdings = await holdingsOfPeople(db, tenantId, [...new Set(personIds)]);
  const until = addDays(today, days);
  const counts = new Map<string, ExpiryCount>();
  for (const list of holdings.values()) {
    for (const h of currentHoldings(list, today)) {
      if (holdingStatus(h, today) !== 'valid' || h.expiresOn === null || h.expiresOn > until) continue;
      const c = counts.get(h.competence.id) ?? { competence: h.competence, people: 0, firstExpiry: h.expiresOn };
      c.people += 1;
      if (h.expiresOn < c.firstExpiry) c.firstExpiry = h.expiresOn;
      counts.set(h.competence.id, c);
    }
  }
  return [...counts.values()].sort((a, b) => a.firstExpiry.localeCompare(b.firstExpiry) || a.competence.code.localeCompare(b.competence.code));
}
