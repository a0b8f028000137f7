import type { HoldingsProblem, HoldingsProblemCode } from './holdings-import.js';
import type { RegistrationField, RegistrationProblem } from './registered.js';

export type HoldingsLocale = 'nb' | 'nn' | 'en';

type Template = (v: Readonly<Record<string, string>>, field: string) => string;

const FIELD_NAMES: Record<HoldingsLocale, Record<string, string>> = {
  nb: { competence: 'kompetanse', level: 'nivå', 'achieved-on': 'dato', 'expires-on': 'utløper', number: 'nummer', issuer: 'utsteder', file: 'fil' },
  nn: { competence: 'kompetanse', level: 'nivå', 'achieved-on': 'dato', 'expires-on': 'går ut', number: 'nummer', issuer: 'utferdar', file: 'fil' },
  en: { competence: 'competence', level: 'level', 'achieved-on': 'date', 'expires-on': 'expiry', number: 'number', issuer: 'issuer', file: 'file' },
};

/** What is wrong with a field, in a form or a file row. */
const FIELD_TEXTS: Record<HoldingsLocale, Record<RegistrationProblem, Template>> = {
  nb: {
    required: (_v, f) => `Fyll ut ${f}.`,
    'unknown-competence': (v) => `Kompetansen «${v['value'] ?? ''}» finnes ikke i kommunens katalog.`,
    'bad-level': (v) => `Nivå «${v['value'] ?? ''}» finnes ikke for denne kompetansen.`,
    'no-levels': () => 'Denne kompetansen har ikke nivåer: la nivå stå tomt.',
    'bad-date': (v, f) => `${capital(f)} «${v['value'] ?? ''}» er ikke en dato (skriv for eksempel 31.12.2026).`.replace(' «»', ''),
    'future-date': () => 'Datoen kan ikke være etter i dag.',
    'expiry-not-after': () => 'Utløpsdatoen må være etter datoen kompetansen ble oppnådd.',
    'too-long': (_v, f) => `${capital(f)} er for lang.`,
    'file-too-large': () => 'Filen er større enn 10 MB.',
    'file-type': () => 'Filen må være en PDF, PNG eller JPEG (innholdet sjekkes, ikke bare navnet).',
    'person-erased': () => 'Personen er slettet: det kan ikke registreres ny kompetanse for personen.',
  },
  nn: {
    required: (_v, f) => `Fyll ut ${f}.`,
    'unknown-competence': (v) => `Kompetansen «${v['value'] ?? ''}» finst ikkje i katalogen til kommunen.`,
    'bad-level': (v) => `Nivå «${v['value'] ?? ''}» finst ikkje for denne kompetansen.`,
    'no-levels': () => 'Denne kompetansen har ikkje nivå: lat nivå stå tomt.',
    'bad-date': (v, f) => `${capital(f)} «${v['value'] ?? ''}» er ikkje ein dato (skriv til dømes 31.12.2026).`.replace(' «»', ''),
    'future-date': () => 'Datoen kan ikkje vere etter i dag.',
    'expiry-not-after': () => 'Datoen kompetansen går ut, må vere etter datoen han vart oppnådd.',
    'too-long': (_v, f) => `${capital(f)} er for lang.`,
    'file-too-large': () => 'Fila er større enn 10 MB.',
    'file-type': () => 'Fila må vere ein PDF, PNG eller JPEG (innhaldet blir sjekka, ikkje berre namnet).',
    'person-erased': () => 'Personen er sletta: det kan ikkje registrerast ny kompetanse for personen.',
  },
  en: {
    required: (_v, f) => `Fill in the ${f}.`,
    'unknown-competence': (v) => `The competence "${v['value'] ?? ''}" is not in the municipality's catalogue.`,
    'bad-level': (v) => `Level "${v['value'] ?? ''}" does not exist for this competence.`,
    'no-levels': () => 'This competence has no levels: leave the level empty.',
    'bad-date': (v, f) => `The ${f} "${v['value'] ?? ''}" is not a date (write e.g. 2026-12-31).`.replace(' ""', ''),
    'future-date': () => 'The date cannot be after today.',
    'expiry-not-after': () => 'The expiry must be after the day the competence was achieved.',
    'too-long': (_v, f) => `The ${f} is too long.`,
    'file-too-large': () => 'The file is larger than 10 MB.',
    'file-type': () => 'The file must be a PDF, PNG or JPEG (its content is checked, not only its name).',
    'person-erased': () => 'The person has been erased: no new competence can be registered for them.',
  },
};

type FileProblem = Exclude<HoldingsProblemCode, RegistrationProblem>;

const FILE_TEXTS: Record<HoldingsLocale, Record<FileProblem, Template>> = {
  nb: {
    unreadable: (v) => `Filen kan ikke leses som CSV: ${v['reason']}`,
    empty: () => 'Filen har ingen rader.',
    'no-person-column': () => 'Overskriftslinjen mangler en kolonne for hvem (ansattnummer eller e-post).',
    'no-competence-column': () => 'Overskriftslinjen mangler en kolonne for kompetansen (kompetansekode).',
    'no-date-column': () => 'Overskriftslinjen mangler en kolonne for datoen kompetansen ble oppnådd (dato).',
    'no-person': () => 'Raden mangler ansattnummer og e-post.',
    'unknown-employee': (v) => `Ingen ansatt har ansattnummer «${v['value']}».`,
    'unknown-email': (v) => `Ingen i kommunen har e-postadressen «${v['value']}».`,
    'ambiguous-email': (v) => `${v['count']} personer har e-postadressen «${v['value']}»: bruk ansattnummer.`,
    'no-competence': () => 'Raden mangler kompetanse.',
    'duplicate-row': (v) => `Samme person, kompetanse og dato står også på linje ${v['other']}.`,
  },
  nn: {
    unreadable: (v) => `Fila kan ikkje lesast som CSV: ${v['reason']}`,
    empty: () => 'Fila har ingen rader.',
    'no-person-column': () => 'Overskriftslinja manglar ein kolonne for kven (ansattnummer eller e-post).',
    'no-competence-column': () => 'Overskriftslinja manglar ein kolonne for kompetansen (kompetansekode).',
    'no-date-column': () => 'Overskriftslinja manglar ein kolonne for datoen kompetansen vart oppnådd (dato).',
    'no-person': () => 'Rada manglar ansattnummer og e-post.',
    'unknown-employee': (v) => `Ingen tilsette har ansattnummer «${v['value']}».`,
    'unknown-email': (v) => `Ingen i kommunen har e-postadressa «${v['value']}».`,
    'ambiguous-email': (v) => `${v['count']} personar har e-postadressa «${v['value']}»: bruk ansattnummer.`,
    'no-competence': () => 'Rada manglar kompetanse.',
    'duplicate-row': (v) => `Same person, kompetanse og dato står òg på linje ${v['other']}.`,
  },
  en: {
    unreadable: (v) => `The file cannot be read as CSV: ${v['reason']}`,
    empty: () => 'The file has no rows.',
    'no-person-column': () => 'The header has no column for who (employee number or e-mail).',
    'no-competence-column': () => 'The header has no column for the competence (competence code).',
    'no-date-column': () => 'The header has no column for the day the competence was achieved (date).',
    'no-person': () => 'The row has neither employee number nor e-mail.',
    'unknown-employee': (v) => `No employee has the employee number "${v['value']}".`,
    'unknown-email': (v) => `No one in the municipality has the e-mail address "${v['value']}".`,
    'ambiguous-email': (v) => `${v['count']} people have the e-mail address "${v['value']}": use the employee number.`,
    'no-competence': () => 'The row has no competence.',
    'duplicate-row': (v) => `The same person, competence and date are also on line ${v['other']}.`,
  },
};

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What is wrong with a registration form's field. */
export function registrationProblemText(field: RegistrationField, problem: RegistrationProblem, locale: HoldingsLocale, values: Readonly<Record<string, string>> = {}): string {
  return FIELD_TEXTS[locale][problem](values, FIELD_NAMES[locale][field] ?? field);
}

/** What is wrong with a row (or the whole) of a holdings file. */
export function holdingsProblemText(problem: HoldingsProblem, locale: HoldingsLocale): string {
  const fileText = (FILE_TEXTS[locale] as Partial<Record<HoldingsProblemCode, Template>>)[problem.code];
  if (fileText) return fileText(problem.values, '');
  const field = problem.field ?? '';
  return FIELD_TEXTS[locale][problem.code as RegistrationProblem](problem.values, FIELD_NAMES[locale][field] ?? field);
}
