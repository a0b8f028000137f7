import writeXlsxFile, { type Row, type SheetData } from 'write-excel-file/node';
import type { GapRow } from '../../competence/reports.js';
import type { ScopeUnit } from '../../organisation/unit-scope.js';
import { BOM, csvLine } from '../audit/csv.js';
import type { Locale } from '../i18n.js';
import { tr, type ReportMessageId } from './report-messages.js';

const COLUMNS: readonly ReportMessageId[] = [
  'col.name', 'col.employee-number', 'col.unit', 'col.unit-code', 'col.job-title', 'col.competence-code', 'col.competence', 'col.mandatory', 'col.status', 'col.valid-until', 'col.grace-ends',
];

interface Texts {
  name: string;
  unit: string;
  unitCode: string;
  competence: string;
  mandatory: string;
  status: string;
}

function texts(locale: Locale, units: ReadonlyMap<string, ScopeUnit>, row: GapRow): Texts {
  const unit = units.get(row.unitId);
  return {
    name: row.name ?? tr(locale, 'no-name'),
    unit: unit?.name ?? '',
    unitCode: unit?.code ?? '',
    competence: row.competence.name[locale] ?? row.competence.name.nb,
    mandatory: tr(locale, row.mandatory ? 'yes' : 'no'),
    status: tr(locale, `status.${row.status}`),
  };
}

/**
 * The gap rows as CSV for spreadsheet programs: UTF-8 with a byte order mark, `;` between cells,
 * CRLF, dates as YYYY-MM-DD, and a cell starting with =, +, - or @ made text (no formula runs).
 */
export function gapsCsv(locale: Locale, units: ReadonlyMap<string, ScopeUnit>, rows: readonly GapRow[]): string {
  let out = BOM + csvLine(COLUMNS.map((c) => tr(locale, c)));
  for (const row of rows) {
    const t = texts(locale, units, row);
    out += csvLine([t.name, row.employeeNumber, t.unit, t.unitCode, row.jobTitle, row.competence.code, t.competence, t.mandatory, t.status, row.validUntil ?? '', row.graceEnds ?? '']);
  }
  return out;
}

const dateCell = (day: string | null) => (day === null ? null : { value: new Date(`${day}T00:00:00Z`), type: Date, format: 'dd.mm.yyyy' });

/** The gap rows as an XLSX workbook: a bold, frozen header row, text cells as text, dates as date cells. */
export async function gapsXlsx(locale: Locale, units: ReadonlyMap<string, ScopeUnit>, rows: readonly GapRow[]): Promise<Buffer> {
  const header: Row = COLUMNS.map((c) => ({ value: tr(locale, c), fontWeight: 'bold' as const }));
  const data: SheetData = [header];
  for (const row of rows) {
    const t = texts(locale, units, row);
    data.push([
      { value: t.name, type: String },
      { value: row.employeeNumber, type: String },
      { value: t.unit, type: String },
      { value: t.unitCode, type: String },
      { value: row.jobTitle, type: String },
      { value: row.competence.code, type: String },
      { value: t.competence, type: String },
      { value: t.mandatory, type: String },
      { value: t.status, type: String },
      dateCell(row.validUntil),
      dateCell(row.graceEnds),
    ]);
  }
  return writeXlsxFile(data, {
    sheet: tr(locale, 'sheet'),
    stickyRowsCount: 1,
    columns: [{ width: 28 }, { width: 14 }, { width: 24 }, { width: 10 }, { width: 22 }, { width: 16 }, { width: 32 }, { width: 11 }, { width: 24 }, { width: 12 }, { width: 14 }],
  }).toBuffer();
}
