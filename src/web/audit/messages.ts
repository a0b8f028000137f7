import { translator, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

export const ta = translator({
  'audit.title': m('Revisjonslogg', 'Revisjonslogg', 'Audit log'),
  'audit.intro': m(
    'Hvem som har sett, eksportert eller endret personopplysninger, og hva administratorer, importer og systemet har gjort i {tenant}. Loggen kan ikke endres eller slettes.',
    'Kven som har sett, eksportert eller endra personopplysningar, og kva administratorar, importar og systemet har gjort i {tenant}. Loggen kan ikkje endrast eller slettast.',
    'Who viewed, exported or changed personal data, and what administrators, imports and the system did in {tenant}. The log cannot be changed or deleted.',
  ),
  'audit.search': m('Søk i loggen', 'Søk i loggen', 'Search the log'),
  'audit.from': m('Fra dato', 'Frå dato', 'From date'),
  'audit.to': m('Til og med dato', 'Til og med dato', 'To date (inclusive)'),
  'audit.date.hint': m('Som 31.12.2026 eller 2026-12-31', 'Som 31.12.2026 eller 2026-12-31', 'As 31.12.2026 or 2026-12-31'),
  'audit.date.invalid': m('Skriv datoen som 31.12.2026 eller 2026-12-31.', 'Skriv datoen som 31.12.2026 eller 2026-12-31.', 'Write the date as 31.12.2026 or 2026-12-31.'),
  'audit.range.invalid': m('Fra-datoen må være før til-datoen.', 'Frå-datoen må vere før til-datoen.', 'The from date must come before the to date.'),
  'audit.action': m('Handling', 'Handling', 'Action'),
  'audit.action.all': m('Alle handlinger', 'Alle handlingar', 'All actions'),
  'audit.action.invalid': m('Velg en handling fra listen.', 'Vel ei handling frå lista.', 'Choose an action from the list.'),
  'audit.actor': m('Utført av (navn eller ansattnummer)', 'Utført av (namn eller tilsetjingsnummer)', 'Done by (name or employee number)'),
  'audit.subject': m('Gjelder person (navn eller ansattnummer)', 'Gjeld person (namn eller tilsetjingsnummer)', 'About person (name or employee number)'),
  'audit.person.hint': m('Navn slås opp nå; loggen selv lagrer bare id-er.', 'Namn blir slått opp no; loggen sjølv lagrar berre id-ar.', 'Names are looked up now; the log itself stores only ids.'),
  'audit.submit': m('Søk', 'Søk', 'Search'),
  'audit.csv': m('Last ned som CSV', 'Last ned som CSV', 'Download as CSV'),
  'audit.csv.hint': m('Nedlastingen blir selv ført i loggen.', 'Nedlastinga blir sjølv ført i loggen.', 'The download is itself recorded in the log.'),
  'audit.none': m('Ingen hendelser passer søket.', 'Ingen hendingar passar søket.', 'No events match the search.'),
  'audit.nobody': m('Ingen personer i kommunen passer «{text}».', 'Ingen personar i kommunen passar «{text}».', 'No person in the municipality matches “{text}”.'),
  'audit.results': m('Hendelser', 'Hendingar', 'Events'),
  'audit.col.at': m('Tidspunkt', 'Tidspunkt', 'Time'),
  'audit.col.action': m('Handling', 'Handling', 'Action'),
  'audit.col.actor': m('Utført av', 'Utført av', 'Done by'),
  'audit.col.subject': m('Gjelder', 'Gjeld', 'About'),
  'audit.col.object': m('Objekt', 'Objekt', 'Object'),
  'audit.col.details': m('Detaljer', 'Detaljar', 'Details'),
  'audit.actor.operator': m('Driftsansvarlig (kommandolinjen)', 'Driftsansvarleg (kommandolinja)', 'Operator (command line)'),
  'audit.actor.system': m('Læringsløp (automatisk)', 'Læringsløp (automatisk)', 'Læringsløp (automatic)'),
  'audit.actor.api-client': m('API-klient {id}', 'API-klient {id}', 'API client {id}'),
  'audit.actor.unknown': m('Person {id}', 'Person {id}', 'Person {id}'),
  'audit.more': m('Eldre hendelser', 'Eldre hendingar', 'Older events'),
  'audit.first': m('Tilbake til de nyeste', 'Tilbake til dei nyaste', 'Back to the newest'),
  'audit.cursor.invalid': m('Lenken til neste side er ugyldig. Søket starter på nytt fra de nyeste.', 'Lenkja til neste side er ugyldig. Søket startar på nytt frå dei nyaste.', 'The link to the next page is invalid. The search starts again from the newest.'),
});

export type AuditMessageId = Parameters<typeof ta>[1];
