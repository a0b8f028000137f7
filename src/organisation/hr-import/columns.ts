/**
 * The columns of an HR file, found by their header names. Names are compared without case, spaces,
 * underscores, hyphens, dots and slashes, so `Overordnet enhet`, `overordnet_enhet` and
 * `OVERORDNET-ENHET` are one name. docs/hr-import.md lists the same names.
 */
export const COLUMN_ALIASES = {
  employeeNumber: ['ansattnummer', 'ansattnr', 'ansatt nr', 'tilsettnummer', 'employee_number', 'employee number', 'employee id', 'employee_id', 'lønnsnummer', 'personalnummer'],
  unitCode: ['enhetskode', 'enhet kode', 'enhetsnummer', 'enhet nr', 'enhetsnr', 'einingskode', 'orgenhet', 'org_unit_code', 'unit_code', 'unit code', 'ansvar'],
  unitName: ['enhetsnavn', 'enhet navn', 'enhet', 'einingsnamn', 'org_unit_name', 'unit_name', 'unit name'],
  parentCode: ['overordnet enhet', 'overordnet enhetskode', 'overordnet', 'overordna eining', 'parent', 'parent_code', 'parent unit', 'parent_unit_code'],
  jobTitle: ['stillingstittel', 'stilling', 'tittel', 'job_title', 'job title', 'position'],
  jobCode: ['stillingskode', 'stillingskode kl', 'job_code', 'job code', 'position code'],
  percentage: ['stillingsprosent', 'stillingsstørrelse', 'prosent', 'stilling %', 'percentage', 'fte percent', 'employment_percentage'],
  startDate: ['startdato', 'fra dato', 'fradato', 'tiltredelse', 'tiltredelsesdato', 'start_date', 'start date'],
  endDate: ['sluttdato', 'til dato', 'tildato', 'fratredelse', 'fratredelsesdato', 'end_date', 'end date'],
  leads: ['leder', 'leiar', 'er leder', 'lederansvar', 'personalansvar', 'leads_unit', 'manager', 'is_manager'],
  givenName: ['fornavn', 'førenamn', 'given_name', 'given name', 'first_name', 'first name'],
  familyName: ['etternavn', 'etternamn', 'family_name', 'family name', 'last_name', 'last name', 'surname'],
  fullName: ['navn', 'namn', 'fullt navn', 'name', 'full_name'],
  email: ['e-post', 'epost', 'e-postadresse', 'email', 'e-mail', 'mail', 'epostadresse'],
  sourcedId: ['person_sourcedid', 'sourcedid', 'person sourcedid', 'lis_person_sourcedid', 'feide', 'feide-id', 'brukernavn', 'username'],
} as const;

export type Field = keyof typeof COLUMN_ALIASES;

/** Columns that must be present for the file to be read at all. */
export const REQUIRED_FIELDS: readonly Field[] = ['employeeNumber', 'unitCode', 'unitName', 'jobTitle', 'percentage', 'startDate'];

export function normaliseHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_.\-/]+/g, '');
}

const LOOKUP: ReadonlyMap<string, Field> = new Map(
  (Object.entries(COLUMN_ALIASES) as [Field, readonly string[]][]).flatMap(([field, names]) => names.map((n) => [normaliseHeader(n), field] as const)),
);

export interface ColumnMap {
  /** The index of each field's column; absent fields are not in the file. */
  readonly index: Partial<Record<Field, number>>;
  /** The header text of each field, as the file writes it (for messages). */
  readonly label: Record<Field, string>;
  readonly missing: readonly Field[];
  /** Header names that map to a field already taken. */
  readonly duplicates: readonly string[];
}

export function mapColumns(header: readonly string[]): ColumnMap {
  const index: Partial<Record<Field, number>> = {};
  const label = Object.fromEntries(Object.keys(COLUMN_ALIASES).map((f) => [f, COLUMN_ALIASES[f as Field][0]])) as Record<Field, string>;
  const duplicates: string[] = [];
  header.forEach((raw, i) => {
    const field = LOOKUP.get(normaliseHeader(raw.trim()));
    if (!field) return;
    if (index[field] !== undefined) {
      duplicates.push(raw.trim());
      return;
    }
    index[field] = i;
    label[field] = raw.trim();
  });
  const missing = REQUIRED_FIELDS.filter((f) => index[f] === undefined);
  return { index, label, missing, duplicates };
}
