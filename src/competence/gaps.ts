import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { addDays, addMonths } from './calendar.js';
import { holdingStatus, listPersonHoldings, type Holding } from './holdings.js';
import { listRequirements, type Requirement } from './requirements.js';

/**
 * Where a person stands against one requirement on a day:
 * met; expiring (met, but the holding expires within the warning window); expired (held, no longer
 * valid); missing; grace (missing, but within a newcomer's grace period); declared-only (only a
 * self-assessment, which this requirement does not count).
 */
export type RequirementStatus = 'met' | 'expiring' | 'expired' | 'missing' | 'grace' | 'declared-only';

export interface PersonRequirement {
  readonly requirement: Requirement;
  readonly status: RequirementStatus;
  /** The holding that decides the status, when there is one. */
  readonly holding: Holding | null;
  /** When the holding stops counting for this requirement (its validity, or the requirement's). */
  readonly validUntil: string | null;
  /** For a newcomer within the grace period: the last day of it. */
  readonly graceEnds: string | null;
}

export interface Employment {
  readonly jobTitle: string;
  readonly unitPath: readonly string[];
  readonly startDate: string;
}

/** The person's employments in force on the day (start on or before it, no end or an end on or after it). */
export async function activeEmployments(db: Kysely<Schema>, tenantId: string, personId: string, onDate: string): Promise<Employment[]> {
  const rows = await db
    .selectFrom('employments as e')
    .innerJoin('employees as p', 'p.id', 'e.employee_id')
    .innerJoin('org_units as u', 'u.id', 'e.org_unit_id')
    .select(['e.job_title', 'u.path', 'e.start_date'])
    .where('p.tenant_id', '=', tenantId)
    .where('p.person_id', '=', personId)
    .where('e.start_date', '<=', onDate)
    .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', onDate)]))
    .execute();
  return rows.map((r) => ({ jobTitle: r.job_title, unitPath: r.path, startDate: r.start_date }));
}

/** Whether a requirement applies to an employment: its job role (if it names one) and its unit's subtree (if it names one). */
export function appliesTo(requirement: Requirement, employment: Employment): boolean {
  if (requirement.jobTitle !== null && requirement.jobTitle.toLowerCase() !== employment.jobTitle.toLowerCase()) return false;
  if (requirement.orgUnit !== null && !employment.unitPath.includes(requirement.orgUnit.id)) return false;
  return true;
}

/** A holding's last counting day for a requirement: the requirement's validity overrides the holding's. */
function validUntil(requirement: Requirement, holding: Holding): string | null {
  return requirement.validityMonths !== null ? addMonths(holding.achievedOn, requirement.validityMonths) : holding.expiresOn;
}

/** A holding without a level (a completed path) meets a level requirement: the path documents the competence. */
function levelMeets(requirement: Requirement, holding: Holding): boolean {
  return requirement.minLevel === null || holding.level === null || holding.level >= requirement.minLevel;
}

export function requirementStatus(
  requirement: Requirement,
  holdings: readonly Holding[],
  employments: readonly Employment[],
  onDate: string,
  expiringDays: number,
): PersonRequirement {
  const candidates = holdings.filter((h) => h.competence.id === requirement.competence.id && holdingStatus(h, onDate) !== 'revoked' && h.achievedOn <= onDate && levelMeets(requirement, h));
  const counts = (h: Holding) => h.source !== 'declared' || requirement.acceptsDeclared;
  const isValid = (h: Holding) => {
    const until = validUntil(requirement, h);
    return until === null || until > onDate;
  };
  const latestFirst = (a: Holding, b: Holding) => (validUntil(requirement, b) ?? '9999-12-31').localeCompare(validUntil(requirement, a) ?? '9999-12-31');
  const valid = candidates.filter((h) => counts(h) && isValid(h)).sort(latestFirst)[0];
  if (valid) {
    const until = validUntil(requirement, valid);
    const status = until !== null && until <= addDays(onDate, expiringDays) ? 'expiring' : 'met';
    return { requirement, status, holding: valid, validUntil: until, graceEnds: null };
  }
  const starts = employments.filter((e) => appliesTo(requirement, e)).map((e) => e.startDate).sort();
  const graceEnds = requirement.graceDays !== null && starts[0] ? addDays(starts[0], requirement.graceDays - 1) : null;
  const declared = candidates.find((h) => !counts(h) && isValid(h));
  const expired = candidates.filter(counts).sort(latestFirst)[0];
  if (declared) return { requirement, status: 'declared-only', holding: declared, validUntil: validUntil(requirement, declared), graceEnds };
  if (graceEnds !== null && graceEnds >= onDate) return { requirement, status: 'grace', holding: null, validUntil: null, graceEnds };
  if (expired) return { requirement, status: 'expired', holding: expired, validUntil: validUntil(requirement, expired), graceEnds: null };
  return { requirement, status: 'missing', holding: null, validUntil: null, graceEnds: null };
}

/**
 * Each requirement that applies to the person on the day (by their employments in force), with where
 * they stand. A requirement that applies through several employments is listed once.
 */
export async function personRequirements(db: Kysely<Schema>, tenantId: string, personId: string, onDate: string, expiringDays = 90): Promise<PersonRequirement[]> {
  const employments = await activeEmployments(db, tenantId, personId, onDate);
  if (employments.length === 0) return [];
  const requirements = (await listRequirements(db, tenantId, onDate)).filter((r) => employments.some((e) => appliesTo(r, e)));
  if (requirements.length === 0) return [];
  const holdings = await listPersonHoldings(db, tenantId, personId);
  return requirements.map((r) => requirementStatus(r, holdings, employments, onDate, expiringDays));
}
