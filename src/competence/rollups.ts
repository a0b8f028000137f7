import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { appliesTo, requirementStatus, type Employment, type PersonRequirement, type RequirementStatus } from './gaps.js';
import type { Holding } from './holdings.js';
import { listRequirements, type Requirement } from './requirements.js';
import type { HoldingSource } from './tables.js';

/**
 * Gaps for many people at once, and their roll-ups (per unit subtree, job role, municipality,
 * region). The rules are `requirementStatus`'s (src/competence/gaps.ts), called per person and
 * requirement: this module only gathers the rows in a few statements and counts the answers.
 */

export const STATUSES: readonly RequirementStatus[] = ['met', 'expiring', 'expired', 'missing', 'grace', 'declared-only'];

/** What narrows a gap report. Every field is optional. */
export interface GapFilters {
  /** Only employments in this unit's subtree (the unit must be in the population: the caller checks scope). */
  readonly unitId?: string | undefined;
  /** Only employments with this job title (compared without regard to case). */
  readonly jobTitle?: string | undefined;
  /** Only requirements of this competence. */
  readonly competenceId?: string | undefined;
  /** Only mandatory requirements. */
  readonly mandatoryOnly?: boolean | undefined;
  /** The warning window: a holding that stops counting within this many days is 'expiring' (default 90). */
  readonly expiringDays?: number | undefined;
  /** Only newcomers: people within the grace period of at least one of the requirements shown. */
  readonly newcomersOnly?: boolean | undefined;
}

/** An employment in force on the day, with where it is. */
export interface PopulationEmployment extends Employment {
  readonly unitId: string;
  /** Whether it is in the population asked for (the units and filters); the others only decide grace. */
  readonly counted: boolean;
}

/** One person's statuses against the requirements that apply to them through counted employments. */
export interface PersonGaps {
  readonly personId: string;
  /** The person's name, null when HR did not give one. */
  readonly name: string | null;
  /** Their employee number in the municipality (a person is one employee there). */
  readonly employeeNumber: string;
  readonly employments: readonly PopulationEmployment[];
  readonly statuses: readonly PersonRequirement[];
}

export interface GapReport {
  readonly onDate: string;
  readonly expiringDays: number;
  /** The requirements in force after the filters, in listRequirements' order. */
  readonly requirements: readonly Requirement[];
  /** By name, then employee number (the database's collation); each person's employments in the order HR recorded them. */
  readonly people: readonly PersonGaps[];
}

export interface Population {
  readonly tenantId: string;
  /** The units whose employments count (a manager's scope); undefined: the whole municipality. */
  readonly unitIds?: readonly string[] | undefined;
  /** Only these people's employments count (a summary's refresh for people whose holdings changed). */
  readonly personIds?: readonly string[] | undefined;
}

interface EmploymentRow {
  person_id: string;
  name: string | null;
  employee_number: string;
  org_unit_id: string;
  path: string[];
  job_title: string;
  start_date: string;
  counted: boolean;
}

interface HoldingRow {
  id: string;
  person_id: string;
  competence_id: string;
  level: number | null;
  source: HoldingSource;
  achieved_on: string;
  expires_on: string | null;
  revoked_at: Date | null;
  reason: string | null;
}

/** The requirements in force on the day that the filters keep (a competence, mandatory only), in listRequirements' order. */
export async function requirementsShown(db: Kysely<Schema>, tenantId: string, onDate: string, filters: Pick<GapFilters, 'competenceId' | 'mandatoryOnly'>): Promise<Requirement[]> {
  return (await listRequirements(db, tenantId, onDate)).filter(
    (r) => (!filters.competenceId || r.competence.id === filters.competenceId) && (!filters.mandatoryOnly || r.mandatory),
  );
}

/**
 * Where each person of a population stands on a day against each requirement that applies to them
 * through an employment in the population. A person's other employments in force (outside the
 * population) still decide their grace period, exactly as for `personRequirements`. Three statements:
 * requirements, employments, holdings.
 */
export async function gapReport(db: Kysely<Schema>, population: Population, onDate: string, filters: GapFilters = {}): Promise<GapReport> {
  const expiringDays = filters.expiringDays ?? 90;
  const requirements = await requirementsShown(db, population.tenantId, onDate, filters);
  if (requirements.length === 0 || (population.unitIds && population.unitIds.length === 0) || (population.personIds && population.personIds.length === 0)) return { onDate, expiringDays, requirements, people: [] };

  // The population's employments in force, with a statement per shape (no "param is null or …": the
  // planner then plans each shape for what it is).
  const active = (alias: string) => sql`${sql.ref(`${alias}.start_date`)} <= ${onDate}::date and (${sql.ref(`${alias}.end_date`)} is null or ${sql.ref(`${alias}.end_date`)} >= ${onDate}::date)`;
  const conditions = [sql`e.tenant_id = ${population.tenantId}::uuid`, active('e')];
  if (population.unitIds) conditions.push(sql`e.org_unit_id = any(${sql.val(population.unitIds)}::uuid[])`);
  if (population.personIds) conditions.push(sql`e.employee_id in (select id from employees where tenant_id = ${population.tenantId}::uuid and person_id = any(${sql.val(population.personIds)}::uuid[]))`);
  if (filters.unitId) conditions.push(sql`e.org_unit_id in (select id from org_units where tenant_id = ${population.tenantId}::uuid and path @> array[${filters.unitId}::uuid])`);
  if (filters.jobTitle) conditions.push(sql`lower(e.job_title) = ${filters.jobTitle.toLowerCase()}`);
  const { rows: employmentRows } = await sql<EmploymentRow>`
    with counted as materialized (select e.id, e.employee_id from employments e where ${sql.join(conditions, sql` and `)})
    select p.person_id, pe.name, p.employee_number, e.org_unit_id, u.path, e.job_title, e.start_date::text as start_date, (e.id in (select id from counted)) as counted
      from employments e
      join employees p on p.id = e.employee_id
      join people pe on pe.id = p.person_id
      join org_units u on u.id = e.org_unit_id
     where e.tenant_id = ${population.tenantId}::uuid
       and e.employee_id in (select employee_id from counted)
       and ${active('e')}
     order by pe.name, p.employee_number, e.created_at, e.id`.execute(db);

  const byPerson = new Map<string, PopulationEmployment[]>();
  const whoIs = new Map<string, { name: string | null; employeeNumber: string }>();
  for (const r of employmentRows) {
    const list = byPerson.get(r.person_id) ?? [];
    list.push({ jobTitle: r.job_title, unitPath: r.path, startDate: r.start_date, unitId: r.org_unit_id, counted: r.counted });
    byPerson.set(r.person_id, list);
    whoIs.set(r.person_id, { name: r.name, employeeNumber: r.employee_number });
  }
  if (byPerson.size === 0) return { onDate, expiringDays, requirements, people: [] };

  const competences = new Map(requirements.map((r) => [r.competence.id, r.competence]));
  const { rows: holdingRows } = await sql<HoldingRow>`
    select h.id, h.person_id, h.competence_id, h.level, h.source, h.achieved_on::text as achieved_on, h.expires_on::text as expires_on, r.revoked_at, r.reason
      from competence_holdings h
      left join competence_holding_revocations r on r.holding_id = h.id
     where h.tenant_id = ${population.tenantId}::uuid
       and h.person_id = any(${sql.val([...byPerson.keys()])}::uuid[])
       and h.competence_id = any(${sql.val([...competences.keys()])}::uuid[])
       and h.achieved_on <= ${onDate}::date`.execute(db);

  // Each person's holdings by competence: requirementStatus is given only those of its competence.
  const holdings = new Map<string, Map<string, Holding[]>>();
  for (const h of holdingRows) {
    const perPerson = holdings.get(h.person_id) ?? new Map<string, Holding[]>();
    const list = perPerson.get(h.competence_id) ?? [];
    list.push({
      id: h.id, personId: h.person_id, competence: competences.get(h.competence_id)!, level: h.level, source: h.source, achievedOn: h.achieved_on, expiresOn: h.expires_on,
      path: null, evidence: {}, renewsId: null, revocation: h.revoked_at ? { at: h.revoked_at, reason: h.reason ?? '' } : null,
    });
    perPerson.set(h.competence_id, list);
    holdings.set(h.person_id, perPerson);
  }

  // Candidates per job title (and those for any title): appliesTo still decides, over far fewer.
  const order = new Map(requirements.map((r, i) => [r, i]));
  const forAnyTitle = requirements.filter((r) => r.jobTitle === null);
  const byTitle = new Map<string, Requirement[]>();
  for (const r of requirements) if (r.jobTitle !== null) byTitle.set(r.jobTitle.toLowerCase(), [...(byTitle.get(r.jobTitle.toLowerCase()) ?? []), r]);
  const none: Holding[] = [];
  const people: PersonGaps[] = [];
  for (const [personId, employments] of byPerson) {
    const counted = employments.filter((e) => e.counted);
    let candidates: readonly Requirement[];
    if (counted.length === 1 && forAnyTitle.length === 0) candidates = byTitle.get(counted[0]!.jobTitle.toLowerCase()) ?? [];
    else {
      const set = new Set<Requirement>(forAnyTitle);
      for (const e of counted) for (const r of byTitle.get(e.jobTitle.toLowerCase()) ?? []) set.add(r);
      candidates = [...set].sort((a, b) => order.get(a)! - order.get(b)!);
    }
    const own = holdings.get(personId);
    const statuses: PersonRequirement[] = [];
    for (const requirement of candidates) {
      if (!counted.some((e) => appliesTo(requirement, e))) continue;
      statuses.push(requirementStatus(requirement, own?.get(requirement.competence.id) ?? none, employments, onDate, expiringDays));
    }
    if (statuses.length === 0) continue;
    if (filters.newcomersOnly && !statuses.some((s) => s.status === 'grace')) continue;
    people.push({ personId, ...whoIs.get(personId)!, employments, statuses });
  }
  return { onDate, expiringDays, requirements, people };
}

/** Counts per status, and coverage: met + expiring over the people a requirement applies to now (grace left out). */
export interface Coverage {
  readonly counts: Readonly<Record<RequirementStatus, number>>;
  /** Everyone counted, grace included. */
  readonly total: number;
  /** The people it counts for now: total minus those within grace. */
  readonly applicable: number;
  /** met + expiring. */
  readonly covered: number;
  /** covered / applicable × 100, one decimal; null when no one is applicable. */
  readonly percent: number | null;
}

/** Counts per status, all zero. */
export function noCounts(): Record<RequirementStatus, number> {
  return { met: 0, expiring: 0, expired: 0, missing: 0, grace: 0, 'declared-only': 0 };
}

/** Counts per status added up (a group's counts over its requirements, a municipality's over its competences). */
export function sumCounts(list: Iterable<Readonly<Record<RequirementStatus, number>>>): Record<RequirementStatus, number> {
  const sum = noCounts();
  for (const counts of list) for (const s of STATUSES) sum[s] += counts[s];
  return sum;
}

class Tally {
  readonly counts: Record<RequirementStatus, number> = noCounts();
  add(status: RequirementStatus): void {
    this.counts[status] += 1;
  }
  coverage(): Coverage {
    return coverageOf(this.counts);
  }
}

export function coverageOf(counts: Readonly<Record<RequirementStatus, number>>): Coverage {
  const total = STATUSES.reduce((sum, s) => sum + counts[s], 0);
  const applicable = total - counts.grace;
  const covered = counts.met + counts.expiring;
  return { counts: { ...counts }, total, applicable, covered, percent: applicable === 0 ? null : Math.round((covered / applicable) * 1000) / 10 };
}

/** A roll-up: coverage per requirement and in all, for one group (a unit subtree, a job role, a municipality). */
export interface GroupCoverage {
  /** Per requirement id (only requirements someone in the group is counted for). */
  readonly byRequirement: ReadonlyMap<string, Coverage>;
  /** Every person × requirement of the group together. */
  readonly all: Coverage;
  /** People counted in the group. */
  readonly people: number;
}

function rollUp(report: GapReport, groupsOf: (person: PersonGaps, status: PersonRequirement) => Iterable<string>): Map<string, GroupCoverage> {
  const tallies = new Map<string, { byRequirement: Map<string, Tally>; all: Tally; people: Set<string> }>();
  for (const person of report.people) {
    for (const status of person.statuses) {
      for (const group of groupsOf(person, status)) {
        let t = tallies.get(group);
        if (!t) tallies.set(group, (t = { byRequirement: new Map(), all: new Tally(), people: new Set() }));
        let r = t.byRequirement.get(status.requirement.id);
        if (!r) t.byRequirement.set(status.requirement.id, (r = new Tally()));
        r.add(status.status);
        t.all.add(status.status);
        t.people.add(person.personId);
      }
    }
  }
  return new Map([...tallies].map(([group, t]) => [group, {
    byRequirement: new Map([...t.byRequirement].map(([id, tally]) => [id, tally.coverage()])),
    all: t.all.coverage(),
    people: t.people.size,
  }]));
}

/** The counted employments through which a requirement applies to the person. */
export function applyingEmployments(person: PersonGaps, status: PersonRequirement): PopulationEmployment[] {
  return person.employments.filter((e) => e.counted && appliesTo(status.requirement, e));
}

/**
 * Per unit subtree: a person counts in a unit when a requirement applies to them through an
 * employment in the unit or below it; once per unit, however many of their employments are there.
 * Only the units asked for are answered. With `within: 'unit'`, only employments in the unit
 * itself count (the competence report's coverage per unit).
 */
export function coverageByUnit(report: GapReport, unitIds: Iterable<string>, options: { within?: 'subtree' | 'unit' } = {}): Map<string, GroupCoverage> {
  const wanted = new Set(unitIds);
  const ownUnitOnly = options.within === 'unit';
  return rollUp(report, (person, status) => {
    const units = new Set<string>();
    for (const e of applyingEmployments(person, status)) for (const id of ownUnitOnly ? [e.unitId] : e.unitPath) if (wanted.has(id)) units.add(id);
    return units;
  });
}

/** Per job role (the job title as HR writes it, grouped without regard to case; keyed in lower case). */
export function coverageByJobTitle(report: GapReport): Map<string, GroupCoverage> {
  return rollUp(report, (person, status) => new Set(applyingEmployments(person, status).map((e) => e.jobTitle.toLowerCase())));
}

/** The whole population (a municipality, a manager's scope) as one group. */
export function coverageTotal(report: GapReport): GroupCoverage {
  return rollUp(report, () => ['all']).get('all') ?? { byRequirement: new Map(), all: coverageOf(new Tally().counts), people: 0 };
}

/** The people of one cell: those a requirement applies to through an employment in the unit's subtree. */
export function cellPeople(report: GapReport, requirementId: string, unitId: string | null): { personId: string; status: PersonRequirement; employments: PopulationEmployment[] }[] {
  const out: { personId: string; status: PersonRequirement; employments: PopulationEmployment[] }[] = [];
  for (const person of report.people) {
    const status = person.statuses.find((s) => s.requirement.id === requirementId);
    if (!status) continue;
    const through = applyingEmployments(person, status).filter((e) => unitId === null || e.unitPath.includes(unitId));
    if (through.length > 0) out.push({ personId: person.personId, status, employments: through });
  }
  return out;
}

/** Severity, worst first: a person's standing for a competence is their worst over its requirements. */
export const WORST_FIRST: readonly RequirementStatus[] = ['missing', 'expired', 'declared-only', 'grace', 'expiring', 'met'];

/**
 * Per competence (the region's view, where requirements differ between municipalities): each person
 * once per competence, with their worst status over the requirements of it that apply to them.
 */
export function coverageByCompetence(report: GapReport): Map<string, Coverage> {
  const tallies = new Map<string, Tally>();
  for (const person of report.people) {
    const worst = new Map<string, RequirementStatus>();
    for (const s of person.statuses) {
      const before = worst.get(s.requirement.competence.id);
      if (before === undefined || WORST_FIRST.indexOf(s.status) < WORST_FIRST.indexOf(before)) worst.set(s.requirement.competence.id, s.status);
    }
    for (const [competenceId, status] of worst) {
      let t = tallies.get(competenceId);
      if (!t) tallies.set(competenceId, (t = new Tally()));
      t.add(status);
    }
  }
  return new Map([...tallies].map(([id, t]) => [id, t.coverage()]));
}
