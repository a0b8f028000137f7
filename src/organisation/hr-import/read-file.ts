import { parse, type CsvError } from 'csv-parse/sync';
import { mapColumns, type ColumnMap, type Field } from './columns.js';
import type { RowProblem } from './problems.js';
import { looksLikeEmail, parseDate, parsePercentage, parseYesNo } from './values.js';

export type FileEncoding = 'utf-8' | 'windows-1252';

export interface FileUnit {
  readonly code: string;
  name: string | null;
  parentCode: string | null;
  /** The first line that names the unit, and the lines that gave its name and parent. */
  readonly line: number;
  nameLine: number;
  parentLine: number;
}

export interface FileEmployment {
  readonly line: number;
  readonly employeeNumber: string;
  readonly unitCode: string;
  readonly jobTitle: string;
  readonly jobCode: string | null;
  /** Two decimals, as the database reads numeric(5,2) back: '50.50'. */
  readonly percentage: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly leads: boolean;
}

export interface FilePerson {
  readonly employeeNumber: string;
  readonly line: number;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly sourcedId: string | null;
}

/** An HR file as read: the units and employments it holds and every problem found on the way. */
export interface HrFile {
  readonly encoding: FileEncoding;
  readonly delimiter: string;
  /** Data rows (lines after the header that are not empty). */
  rows: number;
  readonly units: Map<string, FileUnit>;
  readonly employments: FileEmployment[];
  readonly people: Map<string, FilePerson>;
  readonly problems: RowProblem[];
}

export function employmentKey(employeeNumber: string, unitCode: string, jobTitle: string): string {
  return `${employeeNumber}\u0000${unitCode}\u0000${jobTitle.toLowerCase()}`;
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8; otherwise Windows-1252, as Excel saves "CSV" in Norway. */
export function decodeHrFile(bytes: Uint8Array): { text: string; encoding: FileEncoding } | 'utf-16' {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'utf-16';
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/** The separator is the one of `;`, `,` and tab that the header line (outside quotes) has most of. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([[';', 0], [',', 0], ['\t', 0]]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

const LIMITS: Partial<Record<Field, number>> = { employeeNumber: 64, unitCode: 64, parentCode: 64, unitName: 300, jobTitle: 200, jobCode: 64, givenName: 200, familyName: 200, fullName: 300, email: 320, sourcedId: 255 };

interface Row {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Reads the whole file. Never throws for bad content: every problem is in `problems`. */
export function readHrFile(bytes: Uint8Array): HrFile {
  const empty = (encoding: FileEncoding, delimiter: string, problems: RowProblem[]): HrFile => ({ encoding, delimiter, rows: 0, units: new Map(), employments: [], people: new Map(), problems });
  const decoded = decodeHrFile(bytes);
  if (decoded === 'utf-16') return empty('utf-8', ';', [{ line: 0, code: 'file-utf16', params: {} }]);
  // csv-parse counts a quoted CR LF as two lines; with LF alone, its line numbers are the editor's.
  const text = decoded.text.includes('\r') ? decoded.text.replace(/\r\n?/g, '\n') : decoded.text;
  const { encoding } = decoded;
  const delimiter = detectDelimiter(text);
  const file: HrFile = { encoding, delimiter, rows: 0, units: new Map(), employments: [], people: new Map(), problems: [] };
  let header: Row | undefined;
  let reader: RowReader | undefined;
  let refused = false;
  parse(text, {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error) file.problems.push({ line: Number((error as CsvError & { lines?: number }).lines ?? 0), code: 'csv-syntax', params: { detail: error.message.replace(/^Invalid [^:]+: /, '') } });
    },
    // Each row is read as it is parsed (and not kept): a 60,000-row file never sits in memory as rows.
    on_record: (record: string[], context) => {
      if (!header) {
        header = { line: context.lines, fields: record };
        const columns = mapColumns(record);
        if (columns.missing.length > 0 || columns.duplicates.length > 0) {
          refused = true;
          file.problems.push(...columns.duplicates.map((column) => ({ line: context.lines, code: 'duplicate-column' as const, params: { column } })));
          if (columns.missing.length > 0) file.problems.push({ line: context.lines, code: 'missing-columns', params: { columns: columns.missing.map((f) => columns.label[f]).join(', ') } });
        } else {
          reader = new RowReader(file, columns, record.length);
        }
        return null;
      }
      file.rows += 1;
      reader?.read({ line: context.lines, fields: record });
      return null;
    },
  });
  if (!header || header.fields.every((f) => f.trim() === '')) return empty(encoding, delimiter, [{ line: 1, code: 'file-empty', params: {} }]);
  if (refused || !reader) return { ...empty(encoding, delimiter, file.problems), rows: file.rows };
  reader.finish();
  file.problems.sort((a, b) => a.line - b.line);
  return file;
}

/** Turns rows into units, people and employments, noting each problem with its line. */
class RowReader {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly file: HrFile,
    private readonly columns: ColumnMap,
    private readonly headerWidth: number,
  ) {}

  read(row: Row): void {
    const { line, fields } = row;
    const problems: RowProblem[] = [];
    const problem = (code: RowProblem['code'], params: RowProblem['params'] = {}) => problems.push({ line, code, params });
    if (fields.length > this.headerWidth && fields.slice(this.headerWidth).some((f) => f.trim() !== '')) {
      problem('too-many-fields', { count: fields.length, header: this.headerWidth });
      this.file.problems.push(...problems);
      return;
    }
    const label = this.columns.label;
    const value = (field: Field): string | null => {
      const i = this.columns.index[field];
      const text = i === undefined ? '' : (fields[i] ?? '').trim();
      if (text === '') return null;
      const max = LIMITS[field];
      if (max !== undefined && text.length > max) {
        problem('too-long', { column: label[field], max });
        return null;
      }
      return text;
    };
    const unitCode = value('unitCode');
    const unitName = value('unitName');
    const parentCode = value('parentCode');
    const employeeNumber = value('employeeNumber');
    const person = { givenName: value('givenName'), familyName: value('familyName'), name: value('fullName'), email: value('email'), sourcedId: value('sourcedId') };
    const employment = { jobTitle: value('jobTitle'), jobCode: value('jobCode'), percentage: value('percentage'), startDate: value('startDate'), endDate: value('endDate'), leads: value('leads') };

    if (!unitCode) problem('missing-value', { column: label.unitCode });
    const hasPerson = Object.values(person).some((v) => v !== null) || Object.values(employment).some((v) => v !== null);
    if (!employeeNumber && hasPerson) problem('person-without-number');
    if (!employeeNumber) {
      // A unit row: the unit (perhaps without anyone employed in it) and its place in the tree.
      if (problems.length === 0 && unitCode) this.#unit(line, unitCode, unitName, parentCode, problems);
      this.file.problems.push(...problems);
      return;
    }

    if (!employment.jobTitle) problem('missing-value', { column: label.jobTitle });
    const percentage = employment.percentage === null ? undefined : parsePercentage(employment.percentage);
    if (employment.percentage === null) problem('missing-value', { column: label.percentage });
    else if (percentage === undefined) problem('bad-percentage', { value: employment.percentage });
    const startDate = employment.startDate === null ? undefined : parseDate(employment.startDate);
    if (employment.startDate === null) problem('missing-value', { column: label.startDate });
    else if (startDate === undefined) problem('bad-date', { column: label.startDate, value: employment.startDate });
    const endDate = employment.endDate === null ? null : parseDate(employment.endDate);
    if (employment.endDate !== null && endDate === undefined) problem('bad-date', { column: label.endDate, value: employment.endDate });
    if (startDate && endDate && endDate < startDate) problem('end-before-start', { start: employment.startDate ?? '', end: employment.endDate ?? '' });
    const leads = parseYesNo(employment.leads ?? '');
    if (leads === undefined) problem('bad-leads', { value: employment.leads ?? '' });
    if (person.email !== null && !looksLikeEmail(person.email)) problem('bad-email', { value: person.email });
    if (problems.length === 0 && unitCode) this.#unit(line, unitCode, unitName, parentCode, problems);
    if (problems.length === 0) this.#person(line, employeeNumber, person, problems);
    if (problems.length === 0) {
      const key = employmentKey(employeeNumber, unitCode!, employment.jobTitle!);
      const earlier = this.#seen.get(key);
      if (earlier !== undefined) problem('duplicate-employment', { number: employeeNumber, title: employment.jobTitle!, code: unitCode!, line: earlier });
      else {
        this.#seen.set(key, line);
        this.file.employments.push({ line, employeeNumber, unitCode: unitCode!, jobTitle: employment.jobTitle!, jobCode: employment.jobCode, percentage: percentage!, startDate: startDate!, endDate: endDate ?? null, leads: leads! });
      }
    }
    this.file.problems.push(...problems);
  }

  #unit(line: number, code: string, name: string | null, parentCode: string | null, problems: RowProblem[]): void {
    const label = this.columns.label;
    const unit = this.file.units.get(code);
    if (!unit) {
      this.file.units.set(code, { code, name, parentCode, line, nameLine: line, parentLine: line });
      return;
    }
    // A row that leaves the name or parent empty says nothing about it; two different ones conflict.
    if (name !== null && unit.name !== null && name !== unit.name) {
      problems.push({ line, code: 'unit-conflict', params: { code, field: label.unitName, value: name, other: unit.name, line: unit.nameLine } });
    }
    if (parentCode !== null && unit.parentCode !== null && parentCode !== unit.parentCode) {
      problems.push({ line, code: 'unit-conflict', params: { code, field: label.parentCode, value: parentCode, other: unit.parentCode, line: unit.parentLine } });
    }
    if (problems.length > 0) return;
    if (unit.name === null && name !== null) Object.assign(unit, { name, nameLine: line });
    if (unit.parentCode === null && parentCode !== null) Object.assign(unit, { parentCode, parentLine: line });
  }

  #person(line: number, employeeNumber: string, person: Omit<FilePerson, 'employeeNumber' | 'line'>, problems: RowProblem[]): void {
    const known = this.file.people.get(employeeNumber);
    if (!known) {
      this.file.people.set(employeeNumber, { employeeNumber, line, ...person });
      return;
    }
    const fields: [keyof typeof person, Field][] = [['givenName', 'givenName'], ['familyName', 'familyName'], ['name', 'fullName'], ['email', 'email'], ['sourcedId', 'sourcedId']];
    for (const [key, field] of fields) {
      const value = person[key];
      const other = known[key];
      const same = key === 'email' ? value?.toLowerCase() === other?.toLowerCase() : value === other;
      if (!same) {
        problems.push({ line, code: 'person-conflict', params: { number: employeeNumber, field: this.columns.label[field], value: value ?? '', other: other ?? '', line: known.line } });
      }
    }
  }

  /** Checks that need the whole file: every unit named, every parent in the file, no unit under itself. */
  finish(): void {
    const { units, problems } = this.file;
    for (const unit of units.values()) {
      if (unit.name === null) problems.push({ line: unit.line, code: 'unit-without-name', params: { code: unit.code } });
      if (unit.parentCode !== null && !units.has(unit.parentCode)) {
        problems.push({ line: unit.parentLine, code: 'parent-unknown', params: { code: unit.code, parent: unit.parentCode } });
      }
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const reported = new Set<string>();
    for (const start of units.keys()) {
      const trail: string[] = [];
      let code: string | null = start;
      while (code !== null && units.has(code) && state.get(code) !== 'done') {
        if (state.get(code) === 'visiting') {
          const cycle = trail.slice(trail.indexOf(code));
          if (!cycle.some((c) => reported.has(c))) {
            for (const c of cycle) reported.add(c);
            const first = units.get(code)!;
            problems.push({ line: first.parentLine, code: 'unit-cycle', params: { code, cycle: [...cycle, code].join(' → ') } });
          }
          break;
        }
        state.set(code, 'visiting');
        trail.push(code);
        code = units.get(code)!.parentCode;
      }
      for (const c of trail) state.set(c, 'done');
    }
  }
}
