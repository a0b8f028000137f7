import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

/** Part-time bands of a person's total employment percentage (as the Nord-Troms survey reports them). */
export const PART_TIME_BANDS = ['under-50', '50-75', '76-99', '100'] as const;
export type PartTimeBand = (typeof PART_TIME_BANDS)[number];

/** A municipality's workforce on a day, as exact counts (no names). */
export interface WorkforceFigures {
  tenantId: string;
  /** People with at least one active employment. */
  headcount: number;
  /** Full-time equivalents: the sum of active employment percentages / 100. */
  fte: number;
  /** Org units not ended. */
  units: number;
  /** People per job title (a person with two titles counts in both). */
  byJobTitle: { jobTitle: string; headcount: number }[];
  /** People per band of their total percentage (several part-time employments add up). */
  partTime: Record<PartTimeBand, number>;
}

/** Workforce figures of each municipality in `tenantIds` on `day`, computed in the database. */
export async function workforceFigures(db: Kysely<Schema>, tenantIds: readonly string[], day: string): Promise<WorkforceFigures[]> {
  if (tenantIds.length === 0) return [];
  const ids = sql.val(tenantIds);
  const active = sql`select e.tenant_id, p.person_id, e.job_title, e.percentage
      from employments e join employees p on p.id = e.employee_id
     where e.tenant_id = any(${ids}::uuid[]) and e.start_date <= ${day}::date and (e.end_date is null or e.end_date >= ${day}::date)`;
  const [totals, titles, units] = await Promise.all([
    sql<{ tenant_id: string; headcount: string; fte: string | null; under_50: string; b50_75: string; b76_99: string; b100: string }>`
      with active as (${active}),
           people_total as (select tenant_id, person_id, sum(percentage) as pct from active group by tenant_id, person_id)
      select t.tenant_id, count(*) as headcount, (select sum(percentage) / 100 from active a where a.tenant_id = t.tenant_id) as fte,
             count(*) filter (where pct < 50) as under_50,
             count(*) filter (where pct >= 50 and pct <= 75) as b50_75,
             count(*) filter (where pct > 75 and pct < 100) as b76_99,
             count(*) filter (where pct >= 100) as b100
        from people_total t group by t.tenant_id`.execute(db),
    sql<{ tenant_id: string; job_title: string; headcount: string }>`
      with active as (${active})
      select tenant_id, job_title, count(distinct person_id) as headcount from active group by tenant_id, job_title
       order by tenant_id, count(distinct person_id) desc, job_title`.execute(db),
    sql<{ tenant_id: string; units: string }>`
      select tenant_id, count(*) as units from org_units
       where tenant_id = any(${ids}::uuid[]) and (ended_on is null or ended_on >= ${day}::date) group by tenant_id`.execute(db),
  ]);
  return tenantIds.map((tenantId) => {
    const total = totals.rows.find((r) => r.tenant_id === tenantId);
    return {
      tenantId,
      headcount: Number(total?.headcount ?? 0),
      fte: Math.round(Number(total?.fte ?? 0) * 100) / 100,
      units: Number(units.rows.find((r) => r.tenant_id === tenantId)?.units ?? 0),
      byJobTitle: titles.rows.filter((r) => r.tenant_id === tenantId).map((r) => ({ jobTitle: r.job_title, headcount: Number(r.headcount) })),
      partTime: {
        'under-50': Number(total?.under_50 ?? 0),
        '50-75': Number(total?.b50_75 ?? 0),
        '76-99': Number(total?.b76_99 ?? 0),
        '100': Number(total?.b100 ?? 0),
      },
    };
  });
}
