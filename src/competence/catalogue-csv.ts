import { parse } from 'csv-parse/sync';
import { COMPETENCE_KINDS, type CompetenceArea } from './catalogue.js';
import type { CompetenceKind } from './tables.js';

/** One competence as a catalogue file gives it. Codes left out of the file are made from the names. */
export interface CatalogueRow {
  readonly line: number;
  readonly areaCode: string;
  readonly areaName: string;
  readonly code: string;
  readonly name: { readonly nb: string; readonly nn: string | null; readonly en: string | null };
  readonly description: { readonly nb: string | null; readonly nn: string | null; readonly en: string | null };
  readonly kind: CompetenceKind;
  readonly validityMonths: number | null;
  readonly source: string | null;
  /** Level → its description in bokmål. */
  readonly levels: ReadonlyMap<number, string>;
}

export type CatalogueProblemCode =
  | 'unreadable'
  | 'empty'
  | 'no-name-column'
  | 'no-area'
  | 'no-name'
  | 'too-long'
  | 'bad-kind'
  | 'bad-validity'
  | 'bad-code'
  | 'duplicate-code'
  | 'code-taken'
  | 'area-renamed-twice';

export interface CatalogueProblem {
  /** 1-based line of the file; 1 is the header. */
  readonly line: number;
  readonly code: CatalogueProblemCode;
  readonly values: Readonly<Record<string, string>>;
}

/** Header names accepted for each field (compared in lower case, with æ/ø/å folded). */
const COLUMNS = {
  areaName: ['omrade', 'kompetanseomrade', 'area', 'omradenavn'],
  areaCode: ['omradekode', 'area_code', 'areacode'],
  code: ['kode', 'kompetansekode', 'code'],
  nameNb: ['kompetanse', 'navn', 'name', 'kompetansenavn', 'navn_nb', 'name_nb'],
  nameNn: ['navn_nn', 'name_nn', 'nynorsk'],
  nameEn: ['navn_en', 'name_en', 'english'],
  descriptionNb: ['beskrivelse', 'description', 'beskrivelse_nb', 'description_nb'],
  descriptionNn: ['beskrivelse_nn', 'description_nn'],
  descriptionEn: ['beskrivelse_en', 'description_en'],
  kind: ['type', 'art', 'kind', 'kompetansetype'],
  validity: ['gyldighet_maneder', 'gyldighet', 'gyldighet_i_maneder', 'validity_months', 'validity'],
  source: ['kilde', 'source'],
} as const;

/** Columns some real files carry that belong to requirements, not the catalogue. */
const REQUIREMENT_COLUMNS = ['obligatorisk_for', 'krav', 'required_for'];

const LEVEL_COLUMN = /^(?:niva|level)[ _-]?([1-9])$/;

/** Words for each kind in files (Norwegian and English). */
const KIND_WORDS: Record<string, CompetenceKind> = {
  utdanning: 'education', 'formell utdanning': 'education', formell: 'education', education: 'education', 'formal education': 'education',
  autorisasjon: 'authorisation', sertifikat: 'authorisation', godkjenning: 'authorisation', sertifisering: 'authorisation',
  authorisation: 'authorisation', authorization: 'authorisation', certificate: 'authorisation',
  kurs: 'course', opplaering: 'course', opplæring: 'course', course: 'course', training: 'course',
  erfaring: 'experience', praksis: 'experience', experience: 'experience',
};

export const NAME_LIMIT = 200;
export const DESCRIPTION_LIMIT = 4000;

export function foldHeader(name: string): string {
  return name.trim().toLowerCase().replace(/æ/g, 'a').replace(/ø/g, 'o').replace(/å/g, 'a').replace(/[()]/g, '').replace(/\s+/g, '_');
}

/** A code made from a name: "Førstehjelp" → "forstehjelp", "HMS og vernearbeid" → "hms-og-vernearbeid". */
export function codeFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/å/g, 'a')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

const CODE = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$/u;

function detectDelimiter(headerLine: string): string {
  const counts = [';', ',', '\t'].map((d) => [d, headerLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}

export interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * A CSV file's records (a byte-order mark dropped; `;`, `,` or tab, whichever the header line has
 * most of; fields trimmed; each with the line it ends on), or the reader's message when the file
 * cannot be read. Shared by the catalogue and the holdings imports.
 */
export function readCsvRecords(text: string): { records: CsvRecord[] } | { unreadable: string } {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  try {
    return { records: parse(body, { delimiter: detectDelimiter(firstLine), relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as CsvRecord[] };
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}

export interface ParsedCatalogue {
  readonly rows: readonly CatalogueRow[];
  readonly problems: readonly CatalogueProblem[];
  /** Columns of the file the catalogue does not use (reported, not refused). */
  readonly ignoredColumns: readonly string[];
}

/** Reads a whole catalogue file; every bad row is reported with its line, none is skipped silently. */
export function parseCatalogueCsv(text: string): ParsedCatalogue {
  const read = readCsvRecords(text);
  if ('unreadable' in read) return { rows: [], problems: [{ line: 0, code: 'unreadable', values: { reason: read.unreadable } }], ignoredColumns: [] };
  const [headerRecord, ...rest] = read.records;
  if (!headerRecord) return { rows: [], problems: [{ line: 1, code: 'empty', values: {} }], ignoredColumns: [] };
  const header = headerRecord.record.map(foldHeader);
  const at = (names: readonly string[]) => header.findIndex((h) => names.includes(h));
  const index = Object.fromEntries(Object.entries(COLUMNS).map(([key, names]) => [key, at(names)])) as Record<keyof typeof COLUMNS, number>;
  const levelColumns = header.flatMap((h, i) => {
    const match = LEVEL_COLUMN.exec(h);
    return match ? [{ level: Number(match[1]), at: i }] : [];
  });
  const used = new Set([...Object.values(index), ...levelColumns.map((l) => l.at)]);
  const ignoredColumns = headerRecord.record.filter((_, i) => !used.has(i) && headerRecord.record[i]!.trim() !== '');
  if (index.nameNb < 0) return { rows: [], problems: [{ line: 1, code: 'no-name-column', values: {} }], ignoredColumns };

  const problems: CatalogueProblem[] = [];
  const rows: CatalogueRow[] = [];
  const codeLines = new Map<string, number>();
  const areaNames = new Map<string, { name: string; line: number }>();
  for (const { record, info } of rest) {
    const line = info.lines;
    const cell = (i: number) => (i >= 0 ? (record[i] ?? '').trim() : '');
    const optional = (i: number) => cell(i) || null;
    const areaName = cell(index.areaName);
    const nameNb = cell(index.nameNb);
    const problem = (code: CatalogueProblemCode, values: Record<string, string> = {}) => problems.push({ line, code, values });
    if (!nameNb) { problem('no-name'); continue; }
    if (!areaName && index.areaCode < 0) { problem('no-area', { name: nameNb }); continue; }
    const texts = [nameNb, cell(index.nameNn), cell(index.nameEn), areaName];
    if (texts.some((t) => t.length > NAME_LIMIT)) { problem('too-long', { name: nameNb.slice(0, 60), limit: String(NAME_LIMIT) }); continue; }
    const descriptions = [cell(index.descriptionNb), cell(index.descriptionNn), cell(index.descriptionEn), ...levelColumns.map((l) => cell(l.at))];
    if (descriptions.some((t) => t.length > DESCRIPTION_LIMIT)) { problem('too-long', { name: nameNb.slice(0, 60), limit: String(DESCRIPTION_LIMIT) }); continue; }

    const kindWord = cell(index.kind).toLowerCase();
    const kind = kindWord ? KIND_WORDS[kindWord] ?? (COMPETENCE_KINDS.includes(kindWord as CompetenceKind) ? (kindWord as CompetenceKind) : undefined) : 'course';
    if (!kind) { problem('bad-kind', { kind: cell(index.kind).slice(0, 60) }); continue; }

    const validityText = cell(index.validity);
    const validityMonths = validityText === '' ? null : /^\d{1,3}$/.test(validityText) ? Number(validityText) : NaN;
    if (validityMonths !== null && !(validityMonths >= 1 && validityMonths <= 600)) { problem('bad-validity', { value: validityText.slice(0, 30) }); continue; }

    const code = cell(index.code) || codeFromName(nameNb);
    if (!CODE.test(code)) { problem('bad-code', { code: code.slice(0, 100) }); continue; }
    const earlier = codeLines.get(code.toLowerCase());
    if (earlier !== undefined) { problem('duplicate-code', { code, other: String(earlier) }); continue; }

    const areaCode = cell(index.areaCode) || codeFromName(areaName);
    if (!CODE.test(areaCode)) { problem('bad-code', { code: areaCode.slice(0, 100) }); continue; }
    const seenArea = areaNames.get(areaCode.toLowerCase());
    if (seenArea && areaName && seenArea.name !== areaName) {
      problem('area-renamed-twice', { code: areaCode, name: areaName, other: String(seenArea.line) });
      continue;
    }
    if (!seenArea && areaName) areaNames.set(areaCode.toLowerCase(), { name: areaName, line });
    codeLines.set(code.toLowerCase(), line);

    const levels = new Map<number, string>();
    for (const { level, at: column } of levelColumns) if (cell(column)) levels.set(level, cell(column));
    rows.push({
      line,
      areaCode,
      areaName: areaName || seenArea?.name || areaCode,
      code,
      name: { nb: nameNb, nn: optional(index.nameNn), en: optional(index.nameEn) },
      description: { nb: optional(index.descriptionNb), nn: optional(index.descriptionNn), en: optional(index.descriptionEn) },
      kind,
      validityMonths,
      source: optional(index.source),
      levels,
    });
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ line: 2, code: 'empty', values: {} });
  return { rows, problems, ignoredColumns };
}

export function isRequirementColumn(column: string): boolean {
  return REQUIREMENT_COLUMNS.includes(foldHeader(column));
}

/** RFC 4180: a field with a separator, quote or line break is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const EXPORT_KIND: Record<CompetenceKind, string> = { education: 'utdanning', authorisation: 'autorisasjon', course: 'kurs', experience: 'erfaring' };

/**
 * The tenant's own catalogue as a file its import reads back unchanged: UTF-8 with a byte-order mark
 * and `;` separators, so Norwegian Excel opens it as it is.
 */
export function catalogueToCsv(areas: readonly CompetenceArea[]): string {
  const maxLevel = Math.max(0, ...areas.flatMap((a) => a.competences.flatMap((c) => c.levels.map((l) => l.level))));
  const levelHeaders = Array.from({ length: maxLevel }, (_, i) => `nivå ${i + 1}`);
  const header = ['områdekode', 'område', 'kode', 'kompetanse', 'navn_nn', 'navn_en', 'beskrivelse', 'beskrivelse_nn', 'beskrivelse_en', 'type', 'gyldighet_måneder', 'kilde', ...levelHeaders];
  const lines = areas.flatMap((area) =>
    area.competences.map((c) => [
      area.code, area.name.nb, c.code, c.name.nb, c.name.nn ?? '', c.name.en ?? '', c.description.nb ?? '', c.description.nn ?? '', c.description.en ?? '',
      EXPORT_KIND[c.kind], c.defaultValidityMonths === null ? '' : String(c.defaultValidityMonths), c.source ?? '',
      ...levelHeaders.map((_, i) => c.levels.find((l) => l.level === i + 1)?.description.nb ?? ''),
    ]),
  );
  return '\uFEFF' + [header, ...lines].map((fields) => fields.map(csvField).join(';')).join('\r\n') + '\r\n';
}
