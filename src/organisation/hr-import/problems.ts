/** The three languages the tool speaks; the capability keeps its own texts (it never imports the web layer). */
export type ProblemLanguage = 'nb' | 'nn' | 'en';
type Texts = Readonly<Record<ProblemLanguage, string>>;

const m = (nb: string, nn: string, en: string): Texts => ({ nb, nn, en });

/** Why a row (or the whole file) cannot be imported. `{name}` marks a parameter. */
export const PROBLEM_TEXTS = {
  'file-empty': m('Filen er tom.', 'Fila er tom.', 'The file is empty.'),
  'file-utf16': m(
    'Filen er lagret som UTF-16. Lagre den som CSV i UTF-8 (eller Windows-1252) og prøv igjen.',
    'Fila er lagra som UTF-16. Lagre ho som CSV i UTF-8 (eller Windows-1252) og prøv att.',
    'The file is saved as UTF-16. Save it as CSV in UTF-8 (or Windows-1252) and try again.',
  ),
  'missing-columns': m(
    'Overskriftslinjen mangler kolonnene {columns}. Se docs/hr-import.md for navnene som godtas.',
    'Overskriftslinja manglar kolonnane {columns}. Sjå docs/hr-import.md for namna som blir godtekne.',
    'The header line lacks the columns {columns}. See docs/hr-import.md for the accepted names.',
  ),
  'duplicate-column': m(
    'Kolonnen {column} finnes to ganger i overskriftslinjen.',
    'Kolonnen {column} finst to gonger i overskriftslinja.',
    'The column {column} appears twice in the header line.',
  ),
  'csv-syntax': m('Raden kan ikke leses som CSV: {detail}.', 'Rada kan ikkje lesast som CSV: {detail}.', 'The row cannot be read as CSV: {detail}.'),
  'too-many-fields': m(
    'Raden har {count} felt, overskriftslinjen {header}. Står skilletegnet i en verdi (for eksempel desimalkomma i 50,5), må verdien stå i anførselstegn.',
    'Rada har {count} felt, overskriftslinja {header}. Står skiljeteiknet i ein verdi (til dømes desimalkomma i 50,5), må verdien stå i hermeteikn.',
    'The row has {count} fields, the header line {header}. When the separator is part of a value (such as the decimal comma in 50,5), the value must be in quotes.',
  ),
  'missing-value': m('{column} mangler.', '{column} manglar.', '{column} is missing.'),
  'too-long': m('{column} er lengre enn {max} tegn.', '{column} er lengre enn {max} teikn.', '{column} is longer than {max} characters.'),
  'bad-date': m(
    '{column} «{value}» er ikke en dato. Skriv den som 31.12.2026 eller 2026-12-31.',
    '{column} «{value}» er ikkje ein dato. Skriv han som 31.12.2026 eller 2026-12-31.',
    '{column} “{value}” is not a date. Write it as 31.12.2026 or 2026-12-31.',
  ),
  'end-before-start': m(
    'Sluttdato {end} er før startdato {start}.',
    'Sluttdato {end} er før startdato {start}.',
    'The end date {end} is before the start date {start}.',
  ),
  'bad-percentage': m(
    'Stillingsprosent «{value}» er ikke et tall over 0 og høyst 100 med høyst to desimaler (for eksempel 50,5).',
    'Stillingsprosent «{value}» er ikkje eit tal over 0 og høgst 100 med høgst to desimalar (til dømes 50,5).',
    'The employment percentage “{value}” is not a number above 0 and at most 100 with at most two decimals (such as 50.5).',
  ),
  'bad-leads': m(
    'Leder «{value}» er verken ja eller nei.',
    'Leiar «{value}» er verken ja eller nei.',
    'Manager “{value}” is neither yes nor no.',
  ),
  'bad-email': m('E-post «{value}» er ikke en e-postadresse.', 'E-post «{value}» er ikkje ei e-postadresse.', 'E-mail “{value}” is not an e-mail address.'),
  'person-without-number': m(
    'Raden har en person, men mangler ansattnummer.',
    'Rada har ein person, men manglar ansattnummer.',
    'The row has a person but no employee number.',
  ),
  'unit-conflict': m(
    'Enhet {code} har {field} «{value}» her, men «{other}» på linje {line}.',
    'Eining {code} har {field} «{value}» her, men «{other}» på linje {line}.',
    'Unit {code} has {field} “{value}” here, but “{other}” on line {line}.',
  ),
  'unit-without-name': m(
    'Enhet {code} har ikke noe enhetsnavn på noen linje.',
    'Eining {code} har ikkje noko einingsnamn på nokon linje.',
    'Unit {code} has no unit name on any line.',
  ),
  'parent-unknown': m(
    'Overordnet enhet {parent} for enhet {code} finnes ikke i filen. Filen skal ha hele organisasjonen; ta med en linje for {parent}.',
    'Overordna eining {parent} for eining {code} finst ikkje i fila. Fila skal ha heile organisasjonen; ta med ei linje for {parent}.',
    'The parent unit {parent} of unit {code} is not in the file. The file holds the whole organisation; add a line for {parent}.',
  ),
  'unit-cycle': m(
    'Enhet {code} ligger under seg selv: {cycle}. En enhet kan ikke ligge under sin egen underenhet.',
    'Eining {code} ligg under seg sjølv: {cycle}. Ei eining kan ikkje liggje under si eiga undereining.',
    'Unit {code} lies under itself: {cycle}. A unit cannot lie under its own sub-unit.',
  ),
  'person-conflict': m(
    'Ansattnummer {number} har {field} «{value}» her, men «{other}» på linje {line}. Ett ansattnummer er én person.',
    'Ansattnummer {number} har {field} «{value}» her, men «{other}» på linje {line}. Eitt ansattnummer er éin person.',
    'Employee number {number} has {field} “{value}” here, but “{other}” on line {line}. One employee number is one person.',
  ),
  'duplicate-employment': m(
    'Ansattnummer {number} har allerede stillingen «{title}» i enhet {code} på linje {line}.',
    'Ansattnummer {number} har alt stillinga «{title}» i eining {code} på linje {line}.',
    'Employee number {number} already has the position “{title}” in unit {code} on line {line}.',
  ),
} satisfies Record<string, Texts>;

export type ProblemCode = keyof typeof PROBLEM_TEXTS;

/** One bad row (line 1 is the header; 0 = the file as a whole) and why. */
export interface RowProblem {
  readonly line: number;
  readonly code: ProblemCode;
  readonly params: Readonly<Record<string, string | number>>;
}

export function problemText(problem: RowProblem, language: ProblemLanguage): string {
  return PROBLEM_TEXTS[problem.code][language].replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = problem.params[key];
    return value === undefined ? whole : String(value);
  });
}
