import { parse } from 'csv-parse/sync';

/** One municipality as Statistics Norway's classification of municipalities (KLASS 131) lists it. */
export interface MunicipalityRow {
  readonly kommunenummer: string;
  readonly name: string;
  readonly countyNumber: string;
  readonly countyName: string | null;
}

export interface CsvProblem {
  /** 1-based line in the file; 1 is the header. */
  readonly line: number;
  readonly message: string;
}

export class CsvImportError extends Error {
  constructor(readonly problems: readonly CsvProblem[]) {
    super(problems.map((p) => `line ${p.line}: ${p.message}`).join('\n'));
    this.name = 'CsvImportError';
  }
}

/**
 * The column names we accept for each field: our own export, Statistics Norway's KLASS export
 * (code;parentCode;level;name;…) and the usual Norwegian spellings.
 */
const COLUMNS = {
  kommunenummer: ['kommunenummer', 'kommunenr', 'knr', 'code', 'kode', 'nummer'],
  name: ['kommunenavn', 'name', 'navn'],
  countyNumber: ['fylkesnummer', 'fylkesnr', 'parentcode', 'county_number'],
  countyName: ['fylkesnavn', 'fylke', 'county_name', 'county'],
} as const;

/** KLASS exports are sometimes windows-1252; a file that is not valid UTF-8 is read as that. */
export function decodeCsv(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  return text.replace(/^\uFEFF/, '');
}

function detectDelimiter(headerLine: string): string {
  const counts = [';', ',', '\t'].map((d) => [d, headerLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}

function findColumn(header: readonly string[], names: readonly string[]): number {
  return header.findIndex((column) => names.includes(column.trim().toLowerCase()));
}

/** Parses and validates a whole file; any invalid row rejects the file, listing every problem. */
export function parseMunicipalityCsv(text: string): MunicipalityRow[] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: detectDelimiter(firstLine),
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
  } catch (error) {
    throw new CsvImportError([{ line: 0, message: `not readable as CSV: ${(error as Error).message}` }]);
  }
  const [header, ...rows] = records;
  if (!header) throw new CsvImportError([{ line: 1, message: 'the file is empty' }]);

  const index = {
    kommunenummer: findColumn(header, COLUMNS.kommunenummer),
    name: findColumn(header, COLUMNS.name),
    countyNumber: findColumn(header, COLUMNS.countyNumber),
    countyName: findColumn(header, COLUMNS.countyName),
  };
  const missing = (['kommunenummer', 'name'] as const).filter((key) => index[key] < 0);
  if (missing.length > 0) {
    throw new CsvImportError([
      {
        line: 1,
        message:
          `the header has no column for ${missing.join(' and ')} ` +
          `(expected e.g. "kommunenummer,kommunenavn,fylkesnummer,fylkesnavn" or KLASS "code;parentCode;level;name")`,
      },
    ]);
  }

  const problems: CsvProblem[] = [];
  const seen = new Map<string, number>();
  const result: MunicipalityRow[] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    const cell = (at: number) => (at >= 0 ? (row[at] ?? '').trim() : '');
    let kommunenummer = cell(index.kommunenummer);
    // Spreadsheets drop the leading zero of 0301 (Oslo).
    if (/^\d{3}$/.test(kommunenummer)) kommunenummer = '0' + kommunenummer;
    const name = cell(index.name);
    let countyNumber = cell(index.countyNumber);
    if (/^\d$/.test(countyNumber)) countyNumber = '0' + countyNumber;
    if (!countyNumber && /^\d{4}$/.test(kommunenummer)) countyNumber = kommunenummer.slice(0, 2);
    const countyName = cell(index.countyName) || null;

    if (!/^\d{4}$/.test(kommunenummer)) {
      problems.push({ line, message: `kommunenummer "${kommunenummer}" is not four digits` });
      return;
    }
    if (!name) {
      problems.push({ line, message: `municipality ${kommunenummer} has no name` });
      return;
    }
    if (!/^\d{2}$/.test(countyNumber)) {
      problems.push({ line, message: `county number "${countyNumber}" is not two digits` });
      return;
    }
    const earlier = seen.get(kommunenummer);
    if (earlier !== undefined) {
      problems.push({ line, message: `kommunenummer ${kommunenummer} is also on line ${earlier}` });
      return;
    }
    seen.set(kommunenummer, line);
    result.push({ kommunenummer, name, countyNumber, countyName });
  });
  if (problems.length > 0) throw new CsvImportError(problems);
  if (result.length === 0) throw new CsvImportError([{ line: 2, message: 'the file lists no municipalities' }]);
  return result;
}

export interface RegionRow {
  readonly region: string;
  readonly kommunenummer: string;
}

/** `region,kommunenummer[,kommunenavn]`: one line per member municipality. */
export function parseRegionCsv(text: string): RegionRow[] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const [header, ...rows] = parse(text, {
    delimiter: detectDelimiter(firstLine),
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  }) as string[][];
  if (!header) throw new CsvImportError([{ line: 1, message: 'the file is empty' }]);
  const regionAt = findColumn(header, ['region', 'regionnavn']);
  const numberAt = findColumn(header, COLUMNS.kommunenummer);
  if (regionAt < 0 || numberAt < 0) {
    throw new CsvImportError([{ line: 1, message: 'the header must name the columns region and kommunenummer' }]);
  }
  const problems: CsvProblem[] = [];
  const result: RegionRow[] = [];
  rows.forEach((row, i) => {
    const region = (row[regionAt] ?? '').trim();
    let kommunenummer = (row[numberAt] ?? '').trim();
    if (/^\d{3}$/.test(kommunenummer)) kommunenummer = '0' + kommunenummer;
    if (!region) problems.push({ line: i + 2, message: 'the region has no name' });
    else if (!/^\d{4}$/.test(kommunenummer)) problems.push({ line: i + 2, message: `kommunenummer "${kommunenummer}" is not four digits` });
    else result.push({ region, kommunenummer });
  });
  if (problems.length > 0) throw new CsvImportError(problems);
  return result;
}
