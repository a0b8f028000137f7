import { createHash, randomUUID } from 'node:crypto';
import type { CurrentEmployment, CurrentState, CurrentUnit } from './current-state.js';
import { employmentKey, type FileEmployment, type FilePerson, type HrFile } from './read-file.js';
import type { ImportCounts } from './tables.js';

/** A unit as the plan writes it: ids of new units are chosen here, so parents can be named before they exist. */
export interface PlannedUnit {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly parentCode: string | null;
  /** For changes: what it was. */
  readonly before?: { readonly name: string; readonly parentCode: string | null; readonly ended: boolean };
}

export interface PlannedEmployee {
  readonly id: string;
  readonly personId: string;
  readonly employeeNumber: string;
  readonly sourcedId: string | null;
  readonly name: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
}

export interface PlannedEmployment {
  readonly id: string;
  readonly employeeId: string;
  readonly employeeNumber: string;
  readonly unitId: string;
  readonly unitCode: string;
  readonly jobTitle: string;
  readonly jobCode: string | null;
  readonly percentage: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly leads: boolean;
  readonly line?: number;
  /** For changes: the fields that differ, as they were. */
  readonly before?: Partial<Record<'jobTitle' | 'jobCode' | 'percentage' | 'startDate' | 'endDate' | 'leads', string | boolean | null>>;
}

export interface DisappearedPerson {
  readonly employeeNumber: string;
  readonly name: string | null;
  readonly employments: number;
}

/** Everything an import would change. Unchanged rows are only counted. */
export interface ImportPlan {
  readonly importDate: string;
  readonly units: { readonly added: PlannedUnit[]; readonly changed: PlannedUnit[]; readonly ended: PlannedUnit[] };
  readonly employees: { readonly added: PlannedEmployee[]; readonly changed: PlannedEmployee[] };
  readonly employments: { readonly added: PlannedEmployment[]; readonly changed: PlannedEmployment[]; readonly ended: PlannedEmployment[] };
  readonly disappeared: DisappearedPerson[];
  readonly counts: ImportCounts;
  /** sha256 over what would change: the same file on the same data gives the same digest. */
  readonly digest: string;
}

function personName(person: FilePerson): string | null {
  if (person.name) return person.name;
  const joined = [person.givenName, person.familyName].filter(Boolean).join(' ');
  return joined || null;
}

/** The current employment a file row continues: the latest of its key, unless it ended before the row starts. */
function latestByKey(state: CurrentState, unitCodeOf: (id: string) => string, numberOf: (id: string) => string): Map<string, CurrentEmployment> {
  const latest = new Map<string, CurrentEmployment>();
  for (const e of state.employments) {
    const key = employmentKey(numberOf(e.employeeId), unitCodeOf(e.unitId), e.jobTitle);
    const known = latest.get(key);
    if (!known || e.startDate > known.startDate || (e.startDate === known.startDate && (known.endDate !== null && (e.endDate === null || e.endDate > known.endDate)))) latest.set(key, e);
  }
  return latest;
}

/**
 * Compares a file that was read without problems with the municipality's organisation now.
 * `importDate` ('YYYY-MM-DD') is the day units and employments missing from the file end.
 */
export function planImport(file: HrFile, state: CurrentState, importDate: string): ImportPlan {
  const unitsByCode = new Map<string, CurrentUnit>(state.units.map((u) => [u.code, u]));
  const unitById = new Map<string, CurrentUnit>(state.units.map((u) => [u.id, u]));
  const idOfCode = new Map<string, string>();
  for (const unit of file.units.values()) idOfCode.set(unit.code, unitsByCode.get(unit.code)?.id ?? randomUUID());

  const units: ImportPlan['units'] = { added: [], changed: [], ended: [] };
  for (const unit of file.units.values()) {
    const planned = { id: idOfCode.get(unit.code)!, code: unit.code, name: unit.name!, parentCode: unit.parentCode, parentId: unit.parentCode === null ? null : idOfCode.get(unit.parentCode)! };
    const now = unitsByCode.get(unit.code);
    if (!now) units.added.push(planned);
    else {
      const parentCode = now.parentId === null ? null : (unitById.get(now.parentId)?.code ?? null);
      if (now.name !== planned.name || now.parentId !== planned.parentId || now.endedOn !== null) {
        units.changed.push({ ...planned, before: { name: now.name, parentCode, ended: now.endedOn !== null } });
      }
    }
  }
  for (const now of state.units) {
    if (now.endedOn === null && !file.units.has(now.code)) {
      units.ended.push({ id: now.id, code: now.code, name: now.name, parentId: now.parentId, parentCode: now.parentId === null ? null : (unitById.get(now.parentId)?.code ?? null) });
    }
  }

  const employeeByNumber = new Map(state.employees.map((e) => [e.employeeNumber, e]));
  const employeeById = new Map(state.employees.map((e) => [e.id, e]));
  const employees: ImportPlan['employees'] = { added: [], changed: [] };
  const employeeIdOf = new Map<string, string>();
  for (const person of file.people.values()) {
    const now = employeeByNumber.get(person.employeeNumber);
    const name = personName(person);
    if (!now) {
      const added = { id: randomUUID(), personId: randomUUID(), employeeNumber: person.employeeNumber, sourcedId: person.sourcedId, name, givenName: person.givenName, familyName: person.familyName, email: person.email };
      employees.added.push(added);
      employeeIdOf.set(person.employeeNumber, added.id);
      continue;
    }
    employeeIdOf.set(person.employeeNumber, now.id);
    // What the file leaves empty is kept (a launch may have told us); what it gives is HR's word.
    const next = {
      id: now.id,
      personId: now.personId,
      employeeNumber: now.employeeNumber,
      sourcedId: person.sourcedId ?? now.sourcedId,
      name: name ?? now.name,
      givenName: person.givenName ?? now.givenName,
      familyName: person.familyName ?? now.familyName,
      email: person.email ?? now.email,
    };
    if (next.sourcedId !== now.sourcedId || next.name !== now.name || next.givenName !== now.givenName || next.familyName !== now.familyName || next.email !== now.email) {
      employees.changed.push(next);
    }
  }

  const codeOfUnit = (id: string) => unitById.get(id)?.code ?? '';
  const numberOf = (id: string) => employeeById.get(id)?.employeeNumber ?? '';
  const latest = latestByKey(state, codeOfUnit, numberOf);
  const employments: ImportPlan['employments'] = { added: [], changed: [], ended: [] };
  const continued = new Set<string>();
  const planEmployment = (row: FileEmployment, id: string): PlannedEmployment => ({
    id,
    employeeId: employeeIdOf.get(row.employeeNumber)!,
    employeeNumber: row.employeeNumber,
    unitId: idOfCode.get(row.unitCode)!,
    unitCode: row.unitCode,
    jobTitle: row.jobTitle,
    jobCode: row.jobCode,
    percentage: row.percentage,
    startDate: row.startDate,
    endDate: row.endDate,
    leads: row.leads,
    line: row.line,
  });
  for (const row of file.employments) {
    const now = latest.get(employmentKey(row.employeeNumber, row.unitCode, row.jobTitle));
    if (!now || (now.endDate !== null && now.endDate < row.startDate)) {
      employments.added.push(planEmployment(row, randomUUID()));
      continue;
    }
    continued.add(now.id);
    const before: NonNullable<PlannedEmployment['before']> = {};
    if (now.jobTitle !== row.jobTitle) before.jobTitle = now.jobTitle;
    if (now.jobCode !== row.jobCode) before.jobCode = now.jobCode;
    if (now.percentage !== row.percentage) before.percentage = now.percentage;
    if (now.startDate !== row.startDate) before.startDate = now.startDate;
    if (now.endDate !== row.endDate) before.endDate = now.endDate;
    if (now.leads !== row.leads) before.leads = now.leads;
    if (Object.keys(before).length > 0) employments.changed.push({ ...planEmployment(row, now.id), before });
  }
  // Employments still running that the file no longer has end on the import date (never before they start).
  const endingPerEmployee = new Map<string, number>();
  for (const e of state.employments) {
    if (continued.has(e.id) || (e.endDate !== null && e.endDate <= importDate)) continue;
    const endDate = e.startDate > importDate ? e.startDate : importDate;
    const employee = employeeById.get(e.employeeId);
    employments.ended.push({
      id: e.id,
      employeeId: e.employeeId,
      employeeNumber: employee?.employeeNumber ?? '',
      unitId: e.unitId,
      unitCode: codeOfUnit(e.unitId),
      jobTitle: e.jobTitle,
      jobCode: e.jobCode,
      percentage: e.percentage,
      startDate: e.startDate,
      endDate,
      leads: e.leads,
      before: { endDate: e.endDate },
    });
    endingPerEmployee.set(e.employeeId, (endingPerEmployee.get(e.employeeId) ?? 0) + 1);
  }
  const disappeared: DisappearedPerson[] = [];
  for (const [employeeId, count] of endingPerEmployee) {
    const employee = employeeById.get(employeeId)!;
    if (!file.people.has(employee.employeeNumber)) disappeared.push({ employeeNumber: employee.employeeNumber, name: employee.name, employments: count });
  }
  disappeared.sort((a, b) => a.employeeNumber.localeCompare(b.employeeNumber, 'nb'));

  const counts: ImportCounts = {
    rows: file.rows,
    badRows: new Set(file.problems.map((p) => p.line)).size,
    unitsAdded: units.added.length,
    unitsChanged: units.changed.length,
    unitsEnded: units.ended.length,
    employmentsAdded: employments.added.length,
    employmentsChanged: employments.changed.length,
    employmentsEnded: employments.ended.length,
    employeesAdded: employees.added.length,
    employeesChanged: employees.changed.length,
    peopleDisappeared: disappeared.length,
  };
  return { importDate, units, employees, employments, disappeared, counts, digest: digestOf(units, employees, employments, importDate) };
}

/** New ids are left out: they are chosen afresh each time the plan is made. */
function digestOf(units: ImportPlan['units'], employees: ImportPlan['employees'], employments: ImportPlan['employments'], importDate: string): string {
  const hash = createHash('sha256');
  hash.update(importDate);
  for (const u of units.added) hash.update(`\nua\u0000${u.code}\u0000${u.name}\u0000${u.parentCode ?? ''}`);
  for (const u of [...units.changed, ...units.ended]) hash.update(`\nuc\u0000${u.id}\u0000${u.name}\u0000${u.parentCode ?? ''}`);
  for (const e of employees.added) hash.update(`\nea\u0000${e.employeeNumber}\u0000${e.name ?? ''}\u0000${e.email ?? ''}\u0000${e.sourcedId ?? ''}`);
  for (const e of employees.changed) hash.update(`\nec\u0000${e.id}\u0000${e.name ?? ''}\u0000${e.email ?? ''}\u0000${e.sourcedId ?? ''}\u0000${e.givenName ?? ''}\u0000${e.familyName ?? ''}`);
  for (const e of employments.added) hash.update(`\npa\u0000${e.employeeNumber}\u0000${e.unitCode}\u0000${e.jobTitle}\u0000${e.jobCode ?? ''}\u0000${e.percentage}\u0000${e.startDate}\u0000${e.endDate ?? ''}\u0000${e.leads}`);
  for (const e of [...employments.changed, ...employments.ended]) {
    hash.update(`\npc\u0000${e.id}\u0000${e.unitCode}\u0000${e.jobTitle}\u0000${e.jobCode ?? ''}\u0000${e.percentage}\u0000${e.startDate}\u0000${e.endDate ?? ''}\u0000${e.leads}\u0000${JSON.stringify(e.before ?? {})}`);
  }
  return hash.digest('hex');
}
