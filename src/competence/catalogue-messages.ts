import type { CatalogueProblem, CatalogueProblemCode } from './catalogue-csv.js';

export type CatalogueLocale = 'nb' | 'nn' | 'en';

type Template = (v: Readonly<Record<string, string>>) => string;

const TEXTS: Record<CatalogueLocale, Record<CatalogueProblemCode, Template>> = {
  nb: {
    unreadable: (v) => `Filen kan ikke leses som CSV: ${v['reason']}`,
    empty: () => 'Filen har ingen kompetanser.',
    'no-name-column': () => 'Overskriftslinjen mangler en kolonne for kompetansens navn (for eksempel «kompetanse» eller «navn»).',
    'no-area': (v) => `«${v['name']}» mangler område.`,
    'no-name': () => 'Raden mangler kompetansens navn.',
    'too-long': (v) => `«${v['name']}»: en tekst er lengre enn ${v['limit']} tegn.`,
    'bad-kind': (v) => `Ukjent type «${v['kind']}» (bruk utdanning, autorisasjon, kurs eller erfaring).`,
    'bad-validity': (v) => `Gyldighet «${v['value']}» er ikke et antall måneder fra 1 til 600.`,
    'bad-code': (v) => `Koden «${v['code']}» kan bare ha bokstaver, tall, punktum, bindestrek og understrek.`,
    'duplicate-code': (v) => `Koden «${v['code']}» står også på linje ${v['other']}.`,
    'code-taken': (v) => `Koden «${v['code']}» finnes allerede i katalogen til ${v['owner']}.`,
    'area-renamed-twice': (v) => `Området «${v['code']}» har et annet navn («${v['name']}») enn på linje ${v['other']}.`,
  },
  nn: {
    unreadable: (v) => `Fila kan ikkje lesast som CSV: ${v['reason']}`,
    empty: () => 'Fila har ingen kompetansar.',
    'no-name-column': () => 'Overskriftslinja manglar ein kolonne for namnet på kompetansen (til dømes «kompetanse» eller «navn»).',
    'no-area': (v) => `«${v['name']}» manglar område.`,
    'no-name': () => 'Rada manglar namnet på kompetansen.',
    'too-long': (v) => `«${v['name']}»: ein tekst er lengre enn ${v['limit']} teikn.`,
    'bad-kind': (v) => `Ukjend type «${v['kind']}» (bruk utdanning, autorisasjon, kurs eller erfaring).`,
    'bad-validity': (v) => `Gyldigheit «${v['value']}» er ikkje eit tal på månader frå 1 til 600.`,
    'bad-code': (v) => `Koden «${v['code']}» kan berre ha bokstavar, tal, punktum, bindestrek og understrek.`,
    'duplicate-code': (v) => `Koden «${v['code']}» står òg på linje ${v['other']}.`,
    'code-taken': (v) => `Koden «${v['code']}» finst alt i katalogen til ${v['owner']}.`,
    'area-renamed-twice': (v) => `Området «${v['code']}» har eit anna namn («${v['name']}») enn på linje ${v['other']}.`,
  },
  en: {
    unreadable: (v) => `The file cannot be read as CSV: ${v['reason']}`,
    empty: () => 'The file lists no competences.',
    'no-name-column': () => 'The header has no column for the competence name (e.g. "kompetanse" or "name").',
    'no-area': (v) => `"${v['name']}" has no area.`,
    'no-name': () => 'The row has no competence name.',
    'too-long': (v) => `"${v['name']}": a text is longer than ${v['limit']} characters.`,
    'bad-kind': (v) => `Unknown kind "${v['kind']}" (use education, authorisation, course or experience).`,
    'bad-validity': (v) => `Validity "${v['value']}" is not a number of months from 1 to 600.`,
    'bad-code': (v) => `The code "${v['code']}" may hold only letters, digits, full stops, hyphens and underscores.`,
    'duplicate-code': (v) => `The code "${v['code']}" is also on line ${v['other']}.`,
    'code-taken': (v) => `The code "${v['code']}" is already in the catalogue of ${v['owner']}.`,
    'area-renamed-twice': (v) => `The area "${v['code']}" has another name ("${v['name']}") than on line ${v['other']}.`,
  },
};

export function catalogueProblemText(problem: CatalogueProblem, locale: CatalogueLocale): string {
  return TEXTS[locale][problem.code](problem.values);
}
