import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ScopeUnit } from '../organisation/unit-scope.js';
import { addDays, addMonths, osloDate } from './calendar.js';
import type { Texts } from './catalogue.js';
import { appliesTo, type RequirementStatus } from './gaps.js';
import { currentHoldings, holdingStatus, toHolding, type Holding } from './holdings.js';
import { coverageByUnit, type GapReport } from './rollups.js';

// The manager's and the municipality administrator's competence reports: gap rows for export,
// coverage per unit, completions per month and expiries ahead, for the people employed in a set of
// units on a day. The statuses and their counts come from rollups.ts's `gapReport` and
// `coverageByUnit` (the one batch computation of gaps.ts's `requirementStatus`); this module lays
// them out as the report and the exports show them.

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

/** Every holding record of the people, newest first per person (no path titles: expiries do not need them). */
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
    list.push(toHolding(row));
    byPerson.set(row.person_id, list);
  }
  return byPerson;
}

/**
 * The gap report as rows, one per person, unit and requirement: for each employment in the report's
 * population (by name, then employee number), each requirement that applies through it, with the
 * person's status (all their employments in force count for grace). A requirement that applies
 * through two employments in one unit is one row.
 */
export function gapRows(report: GapReport): GapRow[] {
  const rows: GapRow[] = [];
  for (const person of report.people) {
    const seen = new Set<string>();
    for (const e of person.employments) {
      if (!e.counted) continue;
      for (const status of person.statuses) {
        const requirement = status.requirement;
        if (!appliesTo(requirement, e)) continue;
        const key = `${e.unitId}:${requirement.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        rows.push({
          personId: person.personId,
          name: person.name,
          employeeNumber: person.employeeNumber,
          unitId: e.unitId,
          jobTitle: e.jobTitle,
          requirementId: requirement.id,
          competence: requirement.competence,
          mandatory: requirement.mandatory,
          status: status.status,
          validUntil: status.validUntil,
          graceEnds: status.graceEnds,
        });
      }
    }
  }
  return rows;
}

/** What narrows the gap rows of an export. */
export interface GapRowFilters {
  /** The unit and its subtree (among the reported units). */
  unitIds?: ReadonlySet<string>;
  jobTitle?: string;
  competenceCode?: string;
  mandatory?: boolean;
  status?: RequirementStatus;
}

export function filterGapRows(rows: readonly GapRow[], filters: GapRowFilters): GapRow[] {
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
  /** Person × requirement pairs that apply through an employment in the unit itself (grace included). */
  applicable: number;
  /** Of those, met or met but expiring. */
  met: number;
  /** met / applicable in whole per cent, null when nothing applies. */
  percent: number | null;
}

/**
 * The report's coverage per unit, in the units' order: met (or expiring) over every person ×
 * requirement that applies through an employment in the unit itself, from rollups.ts's
 * `coverageByUnit`.
 */
export function unitCoverage(units: readonly ScopeUnit[], report: GapReport): UnitCoverage[] {
  const byUnit = coverageByUnit(report, units.map((u) => u.id), { within: 'unit' });
  return units.map((u) => {
    const all = byUnit.get(u.id)?.all;
    const applicable = all?.total ?? 0;
    const met = all?.covered ?? 0;
    return { unitId: u.id, applicable, met, percent: applicable === 0 ? null : Math.round((met / applicable) * 100) };
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
