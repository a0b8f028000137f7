import { sql, type Kysely } from 'kysely';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import type { Schema } from '../db/schema.js';
import { addDays } from './calendar.js';
import { findCompetence, type Competence } from './catalogue.js';
import { foldHeader, readCsvRecords } from './catalogue-csv.js';
import { checkFacts, insertDocumentedHolding, parseDay, renewedHolding, type HoldingFacts, type RegistrationProblem } from './registered.js';

// Holdings from a CSV file (formal education, authorisations from HR or the county's register):
// one row per person and competence, all or nothing, every bad row named by its line.

export type HoldingsProblemCode =
  | 'unreadable'
  | 'empty'
  | 'no-person-column'
  | 'no-competence-column'
  | 'no-date-column'
  | 'no-person'
  | 'unknown-employee'
  | 'unknown-email'
  | 'ambiguous-email'
  | 'no-competence'
  | 'unknown-competence'
  | 'duplicate-row'
  | RegistrationProblem;

export interface HoldingsProblem {
  /** 1-based line of the file; 1 is the header. */
  readonly line: number;
  readonly code: HoldingsProblemCode;
  /** Which field the problem is about (level, achieved-on …), when it is about one. */
  readonly field?: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface HoldingsPlan {
  /** Rows that become new holdings. */
  readonly added: number;
  /** Of those, rows that renew a holding the person already has. */
  readonly renewals: number;
  /** Rows already recorded (the same person, competence, level, dates, number and issuer). */
  readonly unchanged: number;
  readonly people: number;
  readonly problems: readonly HoldingsProblem[];
  readonly ignoredColumns: readonly string[];
}

export class HoldingsImportRefused extends Error {
  constructor(readonly problems: readonly HoldingsProblem[]) {
    super(`the holdings file has ${problems.length} problem(s); nothing was imported`);
    this.name = 'HoldingsImportRefused';
  }
}

/** Header names accepted for each field (compared in lower case, æ/ø/å folded, spaces as `_`). */
const COLUMNS = {
  employeeNumber: ['ansattnummer', 'ansattnr', 'ansatt_nr', 'ansattnr.', 'employee_number', 'employeenumber', 'employee_no'],
  email: ['e-post', 'epost', 'e_post', 'e-postadresse', 'email', 'e-mail', 'mail'],
  competence: ['kompetansekode', 'kode', 'kompetanse', 'competence', 'competence_code', 'code'],
  level: ['niva', 'level'],
  achievedOn: ['dato', 'oppnadd', 'oppnadd_dato', 'fullfort', 'bestatt', 'utstedt', 'achieved', 'achieved_on', 'date'],
  expiresOn: ['utloper', 'utlopsdato', 'utloper_dato', 'expires', 'expires_on', 'expiry'],
  validThrough: ['gyldig_til', 'gyldig_til_og_med', 'valid_until', 'valid_through'],
  number: ['nummer', 'sertifikatnummer', 'autorisasjonsnummer', 'dokumentnummer', 'number', 'certificate_number'],
  issuer: ['utsteder', 'utstedt_av', 'issuer', 'issued_by'],
} as const;

const TEXT_LIMIT = 320;

interface FileRow {
  readonly line: number;
  readonly employeeNumber: string;
  readonly email: string;
  readonly competence: string;
  readonly level: string;
  readonly achievedOn: string;
  readonly expiresOn: string;
  readonly validThrough: string;
  readonly number: string;
  readonly issuer: string;
}

interface ParsedFile {
  readonly rows: readonly FileRow[];
  readonly problems: HoldingsProblem[];
  readonly ignoredColumns: readonly string[];
}

/** Reads the file's rows by their headers; problems of the file as a whole end the reading. */
export function parseHoldingsCsv(text: string): ParsedFile {
  const read = readCsvRecords(text);
  if ('unreadable' in read) return { rows: [], problems: [{ line: 0, code: 'unreadable', values: { reason: read.unreadable } }], ignoredColumns: [] };
  const [headerRecord, ...rest] = read.records;
  if (!headerRecord) return { rows: [], problems: [{ line: 1, code: 'empty', values: {} }], ignoredColumns: [] };
  const header = headerRecord.record.map(foldHeader);
  const index = Object.fromEntries(Object.entries(COLUMNS).map(([key, names]) => [key, header.findIndex((h) => (names as readonly string[]).includes(h))])) as Record<keyof typeof COLUMNS, number>;
  const used = new Set(Object.values(index));
  const ignoredColumns = headerRecord.record.filter((name, i) => !used.has(i) && name.trim() !== '');
  const problems: HoldingsProblem[] = [];
  if (index.employeeNumber < 0 && index.email < 0) problems.push({ line: 1, code: 'no-person-column', values: {} });
  if (index.competence < 0) problems.push({ line: 1, code: 'no-competence-column', values: {} });
  if (index.achievedOn < 0) problems.push({ line: 1, code: 'no-date-column', values: {} });
  if (problems.length) return { rows: [], problems, ignoredColumns };
  const rows = rest.map(({ record, info }) => {
    const cell = (i: number) => (i >= 0 ? (record[i] ?? '').trim() : '');
    return {
      line: info.lines,
      employeeNumber: cell(index.employeeNumber),
      email: cell(index.email),
      competence: cell(index.competence),
      level: cell(index.level),
      achievedOn: cell(index.achievedOn),
      expiresOn: cell(index.expiresOn),
      validThrough: cell(index.validThrough),
      number: cell(index.number),
      issuer: cell(index.issuer),
    };
  });
  if (rows.length === 0) problems.push({ line: 2, code: 'empty', values: {} });
  return { rows, problems, ignoredColumns };
}

type Db = Kysely<Schema>;

interface CheckedRow {
  readonly line: number;
  readonly personId: string;
  readonly facts: HoldingFacts;
}

interface Comparison {
  readonly plan: HoldingsPlan;
  /** The rows to write, oldest achievement first (so a later row renews an earlier one). */
  readonly toWrite: readonly CheckedRow[];
}

const chunks = <T>(items: readonly T[], size = 5000): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** People of the tenant by employee number and by e-mail (lower case): several people under one address are ambiguous. */
async function resolvePeople(db: Db, tenantId: string, rows: readonly FileRow[]) {
  const numbers = [...new Set(rows.map((r) => r.employeeNumber).filter(Boolean))];
  const emails = [...new Set(rows.filter((r) => !r.employeeNumber && r.email).map((r) => r.email.toLowerCase()))];
  const byNumber = new Map<string, string>();
  for (const part of chunks(numbers)) {
    const found = await db.selectFrom('employees').select(['employee_number', 'person_id']).where('tenant_id', '=', tenantId).where('employee_number', 'in', part).execute();
    for (const f of found) byNumber.set(f.employee_number, f.person_id);
  }
  const byEmail = new Map<string, string[]>();
  for (const part of chunks(emails)) {
    const found = await db
      .selectFrom('people as p')
      .leftJoin('employees as e', 'e.person_id', 'p.id')
      .select([sql<string>`lower(p.email)`.as('email'), 'p.id', 'e.id as employee_id'])
      .where('p.tenant_id', '=', tenantId)
      .where(sql<string>`lower(p.email)`, 'in', part)
      .execute();
    const grouped = new Map<string, { id: string; employee: boolean }[]>();
    for (const f of found) grouped.set(f.email, [...(grouped.get(f.email) ?? []), { id: f.id, employee: f.employee_id !== null }]);
    // Several rows under one address: an employee among them is the one HR means.
    for (const [email, people] of grouped) {
      const employees = people.filter((p) => p.employee);
      byEmail.set(email, [...new Set((employees.length ? employees : people).map((p) => p.id))]);
    }
  }
  return { byNumber, byEmail };
}

const sameText = (a: unknown, b: string | null) => (typeof a === 'string' ? a : null) === b;

async function compare(db: Db, tenantId: string, text: string, today: string): Promise<Comparison> {
  const parsed = parseHoldingsCsv(text);
  const problems = [...parsed.problems];
  const { byNumber, byEmail } = await resolvePeople(db, tenantId, parsed.rows);
  const competences = new Map<string, Competence | null>();
  const checked: CheckedRow[] = [];
  const seen = new Map<string, number>();
  for (const row of parsed.rows) {
    const problem = (code: HoldingsProblemCode, values: Record<string, string> = {}, field?: string) => problems.push({ line: row.line, code, values, ...(field ? { field } : {}) });
    const texts = [row.employeeNumber, row.email, row.competence, row.number, row.issuer];
    if (texts.some((t) => t.length > TEXT_LIMIT)) { problem('too-long', { limit: String(TEXT_LIMIT) }); continue; }
    let personId: string | undefined;
    if (row.employeeNumber) {
      personId = byNumber.get(row.employeeNumber);
      if (!personId) { problem('unknown-employee', { value: row.employeeNumber }); continue; }
    } else if (row.email) {
      const found = byEmail.get(row.email.toLowerCase()) ?? [];
      if (found.length === 0) { problem('unknown-email', { value: row.email }); continue; }
      if (found.length > 1) { problem('ambiguous-email', { value: row.email, count: String(found.length) }); continue; }
      personId = found[0];
    } else { problem('no-person'); continue; }
    if (!row.competence) { problem('no-competence'); continue; }
    const key = row.competence.toLowerCase();
    if (!competences.has(key)) {
      const found = await findCompetence(db, tenantId, row.competence);
      competences.set(key, found && !found.retired ? found : null);
    }
    const competence = competences.get(key);
    if (!competence) { problem('unknown-competence', { value: row.competence }); continue; }
    // `gyldig til` is the last day it counts: the holding expires the day after.
    let expiresOn = row.expiresOn;
    if (!expiresOn && row.validThrough) {
      const through = parseDay(row.validThrough);
      expiresOn = through ? addDays(through, 1) : row.validThrough;
    }
    const result = checkFacts(competence, { level: row.level, achievedOn: row.achievedOn, expiresOn, number: row.number, issuer: row.issuer }, today, { issuerRequired: false });
    if (!result.facts) {
      for (const [field, code] of result.problems) problem(code, { value: field === 'level' ? row.level : field === 'achieved-on' ? row.achievedOn : field === 'expires-on' ? expiresOn : '', competence: competence.code }, field);
      continue;
    }
    const identity = `${personId}|${competence.id}|${result.facts.achievedOn}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined) { problem('duplicate-row', { other: String(earlier) }); continue; }
    seen.set(identity, row.line);
    checked.push({ line: row.line, personId: personId!, facts: result.facts });
  }

  // Rows already recorded, from this file earlier or registered by hand with the same facts.
  const people = [...new Set(checked.map((c) => c.personId))];
  const existing: { person_id: string; competence_id: string; achieved_on: string; expires_on: string | null; level: number | null; evidence: Record<string, unknown> }[] = [];
  for (const part of chunks(people)) {
    existing.push(...await db
      .selectFrom('competence_holdings')
      .select(['person_id', 'competence_id', 'achieved_on', 'expires_on', 'level', 'evidence'])
      .where('tenant_id', '=', tenantId)
      .where('person_id', 'in', part)
      .where('source', 'in', ['imported', 'registered'])
      .execute());
  }
  const recorded = (row: CheckedRow) =>
    existing.some((h) =>
      h.person_id === row.personId && h.competence_id === row.facts.competence.id && h.achieved_on === row.facts.achievedOn && h.expires_on === row.facts.expiresOn &&
      h.level === row.facts.level && sameText(h.evidence['number'], row.facts.number) && sameText(h.evidence['issuer'], row.facts.issuer));
  const toWrite = checked.filter((row) => !recorded(row)).sort((a, b) => a.facts.achievedOn.localeCompare(b.facts.achievedOn) || a.line - b.line);
  const heldBefore = new Set(existing.map((h) => `${h.person_id}|${h.competence_id}`));
  const renewals = toWrite.filter((row, i) => heldBefore.has(`${row.personId}|${row.facts.competence.id}`) || toWrite.slice(0, i).some((r) => r.personId === row.personId && r.facts.competence.id === row.facts.competence.id)).length;
  problems.sort((a, b) => a.line - b.line);
  return {
    plan: { added: toWrite.length, renewals, unchanged: checked.length - toWrite.length, people: people.length, problems, ignoredColumns: parsed.ignoredColumns },
    toWrite,
  };
}

/** What the file would add, or its problems; writes nothing. `today` is Europe/Oslo's day (dates after it are refused). */
export async function previewHoldingsImport(db: Db, tenantId: string, text: string, today: string): Promise<HoldingsPlan> {
  return (await compare(db, tenantId, text, today)).plan;
}

/**
 * Imports the file's holdings: all or nothing (any problem refuses the whole file, with every
 * problem and its line), rows already recorded are left as they are (the same file twice changes
 * nothing), a competence the person holds is renewed (the new record points to the old). One import
 * per municipality at a time; audited with its counts.
 */
export async function applyHoldingsImport(db: Db, tenantId: string, text: string, actor: AuditActor, today: string): Promise<HoldingsPlan> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`competence-holdings-import:${tenantId}`}))`.execute(trx);
    const { plan, toWrite } = await compare(trx, tenantId, text, today);
    if (plan.problems.length) throw new HoldingsImportRefused(plan.problems);
    for (const row of toWrite) {
      const renewsId = await renewedHolding(trx, row.personId, row.facts.competence.id, row.facts.achievedOn);
      await insertDocumentedHolding(trx, { tenantId, personId: row.personId, source: 'imported', facts: row.facts, renewsId, recordedBy: actor });
    }
    await recordAudit(trx, {
      tenantId,
      actor,
      action: 'competence.holdings.imported',
      details: { added: plan.added, renewals: plan.renewals, unchanged: plan.unchanged, people: plan.people },
    });
    return plan;
  });
}
