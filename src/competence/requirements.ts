import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { catalogueTenants, type Texts } from './catalogue.js';

export interface Requirement {
  readonly id: string;
  /** The municipality itself, or a region that publishes it for its members. */
  readonly ownerTenantId: string;
  readonly competence: { readonly id: string; readonly code: string; readonly name: Texts };
  readonly jobTitle: string | null;
  readonly orgUnit: { readonly id: string; readonly code: string; readonly name: string } | null;
  readonly minLevel: number | null;
  readonly mandatory: boolean;
  readonly validityMonths: number | null;
  readonly graceDays: number | null;
  readonly acceptsDeclared: boolean;
  readonly target: { readonly percent: number; readonly date: string } | null;
}

/** The form's fields, as typed. */
export interface RequirementFields {
  competence?: string | undefined;
  jobTitle?: string | undefined;
  unitCode?: string | undefined;
  minLevel?: string | undefined;
  mandatory?: string | undefined;
  validityMonths?: string | undefined;
  graceDays?: string | undefined;
  acceptsDeclared?: string | undefined;
  targetPercent?: string | undefined;
  targetDate?: string | undefined;
}

export type RequirementProblem =
  | 'competence-missing'
  | 'competence-unknown'
  | 'scope-missing'
  | 'unit-unknown'
  | 'unit-in-region'
  | 'level-invalid'
  | 'level-beyond'
  | 'level-without-levels'
  | 'mandatory-missing'
  | 'validity-invalid'
  | 'grace-invalid'
  | 'target-percent-invalid'
  | 'target-date-invalid'
  | 'target-incomplete'
  | 'duplicate';

export class RequirementRefused extends Error {
  constructor(readonly problems: ReadonlyMap<keyof RequirementFields | '', RequirementProblem>) {
    super(`requirement refused: ${[...problems.values()].join(', ')}`);
    this.name = 'RequirementRefused';
  }
}

const wholeNumber = (value: string, min: number, max: number): number | null | undefined => {
  if (value === '') return null;
  if (!/^\d{1,4}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
};

/** 31.12.2027 or 2027-12-31 → '2027-12-31'; undefined when it is no real day. */
export function parseDay(value: string): string | undefined {
  const nordic = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const [y, m, d] = nordic ? [Number(nordic[3]), Number(nordic[2]), Number(nordic[1])] : iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [0, 0, 0];
  if (!y) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Checks the fields and adds the requirement to the tenant's own (a municipality's, or a region's for
 * all its members). Every problem is reported at once, by field.
 */
export async function addRequirement(db: Kysely<Schema>, tenantId: string, fields: RequirementFields, actor: AuditActor): Promise<string> {
  const problems = new Map<keyof RequirementFields | '', RequirementProblem>();
  const text = (v: string | undefined) => (v ?? '').trim();
  const tenant = await db.selectFrom('tenants').select('kind').where('id', '=', tenantId).executeTakeFirstOrThrow();

  const competenceId = text(fields.competence);
  const visible = await catalogueTenants(db, tenantId);
  const competence = /^[0-9a-f-]{36}$/.test(competenceId)
    ? await db.selectFrom('competences').select(['id']).where('id', '=', competenceId).where('tenant_id', 'in', visible).where('retired_at', 'is', null).executeTakeFirst()
    : undefined;
  if (!competenceId) problems.set('competence', 'competence-missing');
  else if (!competence) problems.set('competence', 'competence-unknown');
  const levels = competence
    ? (await db.selectFrom('competence_levels').select(db.fn.max('level').as('max')).where('competence_id', '=', competence.id).executeTakeFirst())?.max ?? null
    : null;

  const jobTitle = text(fields.jobTitle).slice(0, 200) || null;
  const unitCode = text(fields.unitCode);
  let unitId: string | null = null;
  if (unitCode) {
    if (tenant.kind === 'region') problems.set('unitCode', 'unit-in-region');
    else {
      const unit = await db.selectFrom('org_units').select('id').where('tenant_id', '=', tenantId).where('code', '=', unitCode).where('ended_on', 'is', null).executeTakeFirst();
      if (unit) unitId = unit.id;
      else problems.set('unitCode', 'unit-unknown');
    }
  }
  if (!jobTitle && !unitCode) problems.set('jobTitle', 'scope-missing');

  const minLevel = wholeNumber(text(fields.minLevel), 1, 9);
  if (minLevel === undefined) problems.set('minLevel', 'level-invalid');
  else if (minLevel !== null && competence && levels === null) problems.set('minLevel', 'level-without-levels');
  else if (minLevel !== null && levels !== null && minLevel > levels) problems.set('minLevel', 'level-beyond');

  const mandatory = fields.mandatory === 'mandatory' ? true : fields.mandatory === 'recommended' ? false : undefined;
  if (mandatory === undefined) problems.set('mandatory', 'mandatory-missing');
  const validityMonths = wholeNumber(text(fields.validityMonths), 1, 600);
  if (validityMonths === undefined) problems.set('validityMonths', 'validity-invalid');
  const graceDays = wholeNumber(text(fields.graceDays), 1, 730);
  if (graceDays === undefined) problems.set('graceDays', 'grace-invalid');

  const percentText = text(fields.targetPercent).replace(',', '.').replace(/\s*%$/, '');
  const targetPercent = percentText === '' ? null : /^\d{1,3}(\.\d{1,2})?$/.test(percentText) && Number(percentText) > 0 && Number(percentText) <= 100 ? Number(percentText) : undefined;
  if (targetPercent === undefined) problems.set('targetPercent', 'target-percent-invalid');
  const dateText = text(fields.targetDate);
  const targetDate = dateText === '' ? null : parseDay(dateText);
  if (targetDate === undefined) problems.set('targetDate', 'target-date-invalid');
  if (targetPercent !== undefined && targetDate !== undefined && (targetPercent === null) !== (targetDate === null)) {
    problems.set(targetPercent === null ? 'targetPercent' : 'targetDate', 'target-incomplete');
  }

  if (problems.size === 0 && competence) {
    const duplicate = await db
      .selectFrom('competence_requirements')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('competence_id', '=', competence.id)
      .where('ended_at', 'is', null)
      .where(sql<boolean>`lower(coalesce(job_title, '')) = ${(jobTitle ?? '').toLowerCase()}`)
      .where(unitId ? sql<boolean>`org_unit_id = ${unitId}` : sql<boolean>`org_unit_id is null`)
      .executeTakeFirst();
    if (duplicate) problems.set('', 'duplicate');
  }
  if (problems.size > 0 || !competence) throw new RequirementRefused(problems);

  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('competence_requirements')
      .values({
        tenant_id: tenantId,
        competence_id: competence.id,
        job_title: jobTitle,
        org_unit_id: unitId,
        min_level: minLevel ?? null,
        mandatory: mandatory!,
        validity_months: validityMonths ?? null,
        grace_days: graceDays ?? null,
        accepts_declared: fields.acceptsDeclared === 'yes',
        target_percent: targetPercent ?? null,
        target_date: targetDate ?? null,
        created_by_kind: actor.kind,
        created_by_id: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { tenantId, actor, action: 'competence.requirement.added', object: { kind: 'competence-requirement', id: row.id } });
    return row.id;
  });
}

/** Ends one of the tenant's own requirements (kept for history); false when there is no such active one. */
export async function endRequirement(db: Kysely<Schema>, tenantId: string, requirementId: string, actor: AuditActor): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/.test(requirementId)) return false;
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable('competence_requirements')
      .set({ ended_at: new Date(), ended_by_id: actor.id })
      .where('id', '=', requirementId)
      .where('tenant_id', '=', tenantId)
      .where('ended_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (ended) await recordAudit(trx, { tenantId, actor, action: 'competence.requirement.ended', object: { kind: 'competence-requirement', id: requirementId } });
    return ended !== undefined;
  });
}

/** The requirements in force for a tenant: its own and those its regions publish. */
/**
 * The requirements of a municipality (its own and its regions'): those in force now, or with `onDate`
 * those in force on that day (added on or before it, not ended by it; Europe/Oslo days), so a gap
 * report for an earlier day counts what was required then.
 */
export async function listRequirements(db: Kysely<Schema>, tenantId: string, onDate?: string): Promise<Requirement[]> {
  const rows = await db
    .selectFrom('competence_requirements as q')
    .innerJoin('competences as c', 'c.id', 'q.competence_id')
    .leftJoin('org_units as u', 'u.id', 'q.org_unit_id')
    .select([
      'q.id', 'q.tenant_id', 'c.id as competence_id', 'c.code', 'c.name_nb', 'c.name_nn', 'c.name_en', 'q.job_title', 'u.id as unit_id', 'u.code as unit_code',
      'u.name as unit_name', 'q.min_level', 'q.mandatory', 'q.validity_months', 'q.grace_days', 'q.accepts_declared', 'q.target_percent', 'q.target_date',
    ])
    // The municipality's own and its regions' requirements (catalogueTenants, in the same statement).
    .where((eb) => eb.or([
      eb('q.tenant_id', '=', tenantId),
      eb('q.tenant_id', 'in', eb.selectFrom('region_municipalities').select('region_id').where('municipality_id', '=', tenantId)),
    ]))
    .$if(onDate === undefined, (q) => q.where('q.ended_at', 'is', null))
    .$if(onDate !== undefined, (q) => q
      .where(sql<boolean>`(q.created_at at time zone 'Europe/Oslo')::date <= ${onDate}::date`)
      .where(sql<boolean>`(q.ended_at is null or (q.ended_at at time zone 'Europe/Oslo')::date > ${onDate}::date)`))
    .orderBy(sql`lower(c.name_nb)`)
    .orderBy(sql`lower(coalesce(q.job_title, ''))`)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    ownerTenantId: r.tenant_id,
    competence: { id: r.competence_id, code: r.code, name: { nb: r.name_nb, nn: r.name_nn, en: r.name_en } },
    jobTitle: r.job_title,
    orgUnit: r.unit_id && r.unit_code && r.unit_name ? { id: r.unit_id, code: r.unit_code, name: r.unit_name } : null,
    minLevel: r.min_level,
    mandatory: r.mandatory,
    validityMonths: r.validity_months,
    graceDays: r.grace_days,
    acceptsDeclared: r.accepts_declared,
    target: r.target_percent !== null && r.target_date !== null ? { percent: Number(r.target_percent), date: r.target_date } : null,
  }));
}
