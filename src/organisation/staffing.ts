import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ActiveEmployment } from './unit-scope.js';
import { PART_TIME_BANDS, type PartTimeBand } from './workforce-figures.js';

export { PART_TIME_BANDS, type PartTimeBand };

/**
 * The part-time band of a person's total percentage, as the Nord-Troms mapping reports them, with
 * decimals placed so that no percentage falls between two bands (the same limits as the region's
 * figures in workforce-figures.ts): under 50 is `< 50` (49.99 included); 50–75 is `50 ≤ p ≤ 75`;
 * 76–99 is `75 < p < 100` (75.01 and 75.5 included); 100 is `p ≥ 100` (several employments may add
 * up to more).
 */
export function partTimeBand(percentage: number): PartTimeBand {
  if (percentage < 50) return 'under-50';
  if (percentage <= 75) return '50-75';
  if (percentage < 100) return '76-99';
  return '100';
}

export type BandCounts = Record<PartTimeBand, number>;

const noBands = (): BandCounts => ({ 'under-50': 0, '50-75': 0, '76-99': 0, '100': 0 });

/** Headcount and FTE of one job role in one unit. */
export interface StaffingCell {
  unitId: string;
  jobTitle: string;
  headcount: number;
  fte: number;
}

/** A job role across the units: people counted once, their part-time band by their total percentage. */
export interface StaffingRole {
  jobTitle: string;
  headcount: number;
  fte: number;
  bands: BandCounts;
}

export interface Staffing {
  day: string;
  /** Per unit and job role, in the order the units were given, then by job title. */
  cells: StaffingCell[];
  roles: StaffingRole[];
  /** Everyone in the units, each person once. */
  total: { headcount: number; fte: number; bands: BandCounts };
}

// Percentages have two decimals: summed as whole hundredths of a per cent, so 2.955 FTE is not 2.9549999.
const hundredths = (percentage: number) => Math.round(percentage * 100);
const fteOf = (sumOfHundredths: number) => Math.round(sumOfHundredths / 100) / 100;

/**
 * Staffing (KS «Flink med folk», step 5) of employments in force on a day: headcount and FTE (the sum
 * of percentages / 100) per unit and job role, and part-time bands. A person's band is decided by
 * `totals` (their total percentage in the municipality on the day: two part-time employments of 40 %
 * and 30 % are one person at 70 %); without an entry, by their employments given here.
 */
export function staffingOf(day: string, unitOrder: readonly string[], employments: readonly ActiveEmployment[], totals: ReadonlyMap<string, number> = new Map()): Staffing {
  const cells = new Map<string, StaffingCell & { people: Set<string> }>();
  const roles = new Map<string, { jobTitle: string; people: Set<string>; fte: number }>();
  const own = new Map<string, number>();
  let fte = 0;
  for (const e of employments) {
    const key = `${e.unitId}\u0000${e.jobTitle}`;
    const cell = cells.get(key) ?? { unitId: e.unitId, jobTitle: e.jobTitle, headcount: 0, fte: 0, people: new Set<string>() };
    cell.people.add(e.personId);
    cell.fte += hundredths(e.percentage);
    cells.set(key, cell);
    const role = roles.get(e.jobTitle) ?? { jobTitle: e.jobTitle, people: new Set<string>(), fte: 0 };
    role.people.add(e.personId);
    role.fte += hundredths(e.percentage);
    roles.set(e.jobTitle, role);
    own.set(e.personId, (own.get(e.personId) ?? 0) + e.percentage);
    fte += hundredths(e.percentage);
  }
  const bandOf = (personId: string) => partTimeBand(totals.get(personId) ?? own.get(personId) ?? 0);
  const order = new Map(unitOrder.map((id, i) => [id, i]));
  const collator = new Intl.Collator('nb');
  const totalBands = noBands();
  for (const personId of own.keys()) totalBands[bandOf(personId)] += 1;
  return {
    day,
    cells: [...cells.values()]
      .sort((a, b) => (order.get(a.unitId) ?? Infinity) - (order.get(b.unitId) ?? Infinity) || collator.compare(a.jobTitle, b.jobTitle))
      .map((c) => ({ unitId: c.unitId, jobTitle: c.jobTitle, headcount: c.people.size, fte: fteOf(c.fte) })),
    roles: [...roles.values()]
      .sort((a, b) => b.people.size - a.people.size || collator.compare(a.jobTitle, b.jobTitle))
      .map((r) => {
        const bands = noBands();
        for (const personId of r.people) bands[bandOf(personId)] += 1;
        return { jobTitle: r.jobTitle, headcount: r.people.size, fte: fteOf(r.fte), bands };
      }),
    total: { headcount: own.size, fte: fteOf(fte), bands: totalBands },
  };
}

/** Each person's total percentage on `day` over all their employments in force in the municipality. */
export async function totalPercentages(db: Kysely<Schema>, tenantId: string, personIds: readonly string[], day: string): Promise<Map<string, number>> {
  if (personIds.length === 0) return new Map();
  const { rows } = await sql<{ person_id: string; total: string }>`
    select p.person_id, sum(e.percentage) as total
      from employments e join employees p on p.id = e.employee_id
     where e.tenant_id = ${tenantId} and p.person_id = any(${sql.val([...new Set(personIds)])}::uuid[])
       and e.start_date <= ${day}::date and (e.end_date is null or e.end_date >= ${day}::date)
     group by p.person_id`.execute(db);
  return new Map(rows.map((r) => [r.person_id, Number(r.total)]));
}
