import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';

export const COMPETENCES = 60;
export const PER_ROLE = 20;
/** The share of (employee × required competence) pairs with a holding: about 3 million over the nation. */
const HELD = 0.34;

/**
 * Over the national organisation (bench/org/national-organisation.ts, written first): a catalogue of
 * 60 competences kept by a region every municipality belongs to, 20 requirements per job role
 * published by that region (so every municipality has them), and about 3 million holdings (a third of
 * the employee × required competence pairs, achieved over the last four years, most valid for 24
 * months, 0.1 % revoked).
 */
export async function writeNationalCompetence(db: Kysely<Schema>): Promise<{ tenantOf: Map<string | null, string>; holdings: number; requirements: number }> {
  const tenants = await db.selectFrom('tenants').select(['id', 'kommunenummer']).where('kind', '=', 'municipality').execute();
  const tenantOf = new Map(tenants.map((t) => [t.kommunenummer, t.id]));
  const nation = await db.insertInto('tenants').values({ kind: 'region', kommunenummer: null, name: 'Landsnettverket (bench)', county_number: null, county_name: null, retired_at: null }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('region_municipalities').values(tenants.map((t) => ({ region_id: nation.id, municipality_id: t.id }))).execute();
  const area = await db.insertInto('competence_areas').values({ tenant_id: nation.id, code: 'felles', name_nb: 'Felles', name_nn: null, name_en: null }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('competences').values(Array.from({ length: COMPETENCES }, (_, i) => ({
    tenant_id: nation.id, area_id: area.id, code: `k${i + 1}`, name_nb: `Kompetanse ${i + 1}`, name_nn: null, name_en: null, description_nb: null, description_nn: null, description_en: null,
    kind: 'course' as const, default_validity_months: i % 4 === 3 ? null : 24, source: null, retired_at: null,
  }))).execute();
  // 20 requirements per job role, the competences drawn per role (deterministically), a grace period on some.
  await sql`
    insert into competence_requirements (tenant_id, competence_id, job_title, mandatory, grace_days, created_by_kind, created_by_id)
    select ${nation.id}::uuid, c.id, r.job_title, (c.n % 3 <> 0), case when c.n % 5 = 0 then 90 end, 'operator', 'bench'
      from (select distinct job_title from employments) r
      cross join lateral (
        select id, row_number() over () as n from competences
         where tenant_id = ${nation.id}::uuid
         order by md5(r.job_title || code) limit ${PER_ROLE}) c`.execute(db);
  await sql`
    insert into competence_holdings (tenant_id, person_id, competence_id, level, source, achieved_on, expires_on, evidence, recorded_by_kind, recorded_by_id)
    select tenant_id, person_id, competence_id, null, 'imported', achieved,
           case when validity is null then null else (achieved + make_interval(months => validity))::date end, '{}'::jsonb, 'operator', 'bench'
      from (
        select p.tenant_id, p.person_id, q.competence_id, c.default_validity_months as validity, current_date - (random() * 1460)::int as achieved
          from employments e
          join employees p on p.id = e.employee_id
          join competence_requirements q on q.job_title = e.job_title and q.tenant_id = ${nation.id}::uuid
          join competences c on c.id = q.competence_id
         where random() < ${HELD}) drawn`.execute(db);
  await sql`
    insert into competence_holding_revocations (holding_id, revoked_by_kind, revoked_by_id, reason)
    select id, 'operator', 'bench', 'bench' from competence_holdings tablesample system (1) where random() < 0.1`.execute(db);
  await sql`analyze`.execute(db);
  const holdings = Number((await sql<{ n: string }>`select count(*) as n from competence_holdings`.execute(db)).rows[0]!.n);
  const requirements = Number((await sql<{ n: string }>`select count(*) as n from competence_requirements`.execute(db)).rows[0]!.n);
  return { tenantOf, holdings, requirements };
}
