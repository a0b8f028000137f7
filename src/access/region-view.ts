import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { PART_TIME_BANDS, workforceFigures, type PartTimeBand } from '../organisation/workforce-figures.js';
import { regionMunicipalities } from '../tenants/tenants.js';

/** Groups smaller than this are shown as "fewer than" it, never exactly: a count of 1–4 can name someone. */
export const SMALL_GROUP = 5;

/** A count as a region may see it: exact, or only that it is below SMALL_GROUP (zero is shown as zero). */
export type ShownCount = { exact: number } | { fewerThan: typeof SMALL_GROUP };

export function shownCount(n: number): ShownCount {
  return n > 0 && n < SMALL_GROUP ? { fewerThan: SMALL_GROUP } : { exact: n };
}

export interface MunicipalityAggregate {
  tenantId: string;
  name: string;
  kommunenummer: string | null;
  headcount: ShownCount;
  /** Withheld (null) when the headcount is a small group: the FTE of 1–4 people tells their percentages. */
  fte: number | null;
  units: number;
  byJobTitle: { jobTitle: string; headcount: ShownCount }[];
  partTime: Record<PartTimeBand, ShownCount>;
}

/**
 * A region's view of its member municipalities: aggregates only, no person's name or id, and every
 * group under SMALL_GROUP people shown as "< 5".
 */
export async function regionAggregates(db: Kysely<Schema>, regionId: string, day: string): Promise<MunicipalityAggregate[]> {
  const members = await regionMunicipalities(db, regionId);
  const figures = await workforceFigures(db, members.map((m) => m.id), day);
  return members.map((member, i) => {
    const f = figures[i]!;
    const small = f.headcount > 0 && f.headcount < SMALL_GROUP;
    return {
      tenantId: member.id,
      name: member.name,
      kommunenummer: member.kommunenummer,
      headcount: shownCount(f.headcount),
      fte: small ? null : f.fte,
      units: f.units,
      byJobTitle: f.byJobTitle.map((j) => ({ jobTitle: j.jobTitle, headcount: shownCount(j.headcount) })),
      partTime: Object.fromEntries(PART_TIME_BANDS.map((band) => [band, shownCount(f.partTime[band])])) as Record<PartTimeBand, ShownCount>,
    };
  });
}
