import { translator } from '../i18n.js';

/** Texts of the designer's export, import and package upload pages. */
export const TRANSFER_MESSAGES = {
  'import.title': { nb: 'Importer et læringsløp', nn: 'Importer eit læringsløp', en: 'Import a learning path' },
  'import.intro': {
    nb: 'Velg et arkiv (zip) som er eksportert fra Læringsløp i denne eller en annen installasjon. Arkivet og alle SCORM-pakkene i det kontrolleres før noe tas imot; løpet blir et nytt utkast i din organisasjon.',
    nn: 'Vel eit arkiv (zip) som er eksportert frå Læringsløp i denne eller ein annan installasjon. Arkivet og alle SCORM-pakkane i det blir kontrollerte før noko blir teke imot; løpet blir eit nytt utkast i organisasjonen din.',
    en: 'Choose an archive (zip) exported from Læringsløp in this or another installation. The archive and every SCORM package in it are checked before anything is accepted; the path becomes a new draft in your organisation.',
  },
  'import.file': { nb: 'Arkiv (zip)', nn: 'Arkiv (zip)', en: 'Archive (zip)' },
  'import.submit': { nb: 'Importer', nn: 'Importer', en: 'Import' },
  'import.checking': { nb: 'Kontrollerer arkivet og pakkene …', nn: 'Kontrollerer arkivet og pakkane …', en: 'Checking the archive and its packages …' },
  'import.done': { nb: 'Importert: {title}', nn: 'Importert: {title}', en: 'Imported: {title}' },
  'import.refused': { nb: 'Arkivet ble ikke importert: {reason}', nn: 'Arkivet vart ikkje importert: {reason}', en: 'The archive was not imported: {reason}' },
  'report.heading': { nb: 'Dette ble importert', nn: 'Dette vart importert', en: 'What was imported' },
  'report.open': { nb: 'Åpne læringsløpet «{title}»', nn: 'Opne læringsløpet «{title}»', en: 'Open the learning path “{title}”' },
  'report.steps': { nb: 'Steg', nn: 'Steg', en: 'Steps' },
  'report.packages': { nb: 'SCORM-pakker', nn: 'SCORM-pakkar', en: 'SCORM packages' },
  'report.no-packages': { nb: 'Ingen SCORM-pakker', nn: 'Ingen SCORM-pakkar', en: 'No SCORM packages' },
  'report.adjustments': { nb: 'Merk', nn: 'Merk', en: 'Note' },
  'report.new': { nb: 'ny', nn: 'ny', en: 'new' },
  'report.reused': { nb: 'fantes fra før', nn: 'fanst frå før', en: 'already here' },
  'report.required': { nb: 'obligatorisk', nn: 'obligatorisk', en: 'required' },
  'report.optional': { nb: 'valgfritt', nn: 'valfritt', en: 'optional' },
  'report.path-id': { nb: 'Løpets id', nn: 'Løpet sin id', en: 'Path id' },
  'report.another': { nb: 'Importer et annet arkiv', nn: 'Importer eit anna arkiv', en: 'Import another archive' },
  'upload.title': { nb: 'Last opp en SCORM-, xAPI- eller cmi5-pakke', nn: 'Last opp ein SCORM-, xAPI- eller cmi5-pakke', en: 'Upload a SCORM, xAPI or cmi5 package' },
  'upload.intro': {
    nb: 'Velg en zip-fil med SCORM 1.2, SCORM 2004 eller xAPI (Tin Can, med tincan.xml). Pakken kontrolleres før den tas imot, og kan deretter brukes i læringsløpene til din organisasjon.',
    nn: 'Vel ei zip-fil med SCORM 1.2, SCORM 2004 eller xAPI (Tin Can, med tincan.xml). Pakken blir kontrollert før han blir teken imot, og kan deretter brukast i læringsløpa til organisasjonen din.',
    en: 'Choose a zip file with SCORM 1.2, SCORM 2004 or xAPI (Tin Can, with tincan.xml). The package is checked before it is accepted and can then be used in your organisation’s learning paths.',
  },
  'upload.cmi5': {
    nb: 'cmi5-kurs lastes opp som en zip-fil med cmi5.xml i roten, eller som en cmi5.xml alene når alle delene (AU-ene) ligger på nett.',
    nn: 'cmi5-kurs blir lasta opp som ei zip-fil med cmi5.xml i rota, eller som ei cmi5.xml åleine når alle delane (AU-ane) ligg på nett.',
    en: 'cmi5 courses are uploaded as a zip file with cmi5.xml at its root, or as a cmi5.xml on its own when every part (AU) is on the web.',
  },
  'upload.tree': { nb: 'Kursets oppbygning: blokker og AU-er med moveOn-krav', nn: 'Oppbygnaden til kurset: blokker og AU-ar med moveOn-krav', en: 'The course: blocks and AUs with their moveOn' },
  'upload.file': { nb: 'Pakke (zip)', nn: 'Pakke (zip)', en: 'Package (zip)' },
  'upload.submit': { nb: 'Last opp', nn: 'Last opp', en: 'Upload' },
  'upload.checking': { nb: 'Kontrollerer pakken …', nn: 'Kontrollerer pakken …', en: 'Checking the package …' },
  'upload.done': { nb: 'Importert: {title} (id {id})', nn: 'Importert: {title} (id {id})', en: 'Imported: {title} (id {id})' },
  'upload.refused': { nb: 'Pakken ble ikke tatt imot: {reason}', nn: 'Pakken vart ikkje teken imot: {reason}', en: 'The package was not accepted: {reason}' },
  'upload.back': { nb: 'Tilbake til «{title}», der du kan bruke pakken i et SCORM-, xAPI- eller cmi5-steg', nn: 'Tilbake til «{title}», der du kan bruke pakken i eit SCORM-, xAPI- eller cmi5-steg', en: 'Back to “{title}”, where you can use the package in a SCORM, xAPI or cmi5 step' },
  'upload.another': { nb: 'Last opp en pakke til', nn: 'Last opp ein pakke til', en: 'Upload another package' },
  'transfer.progress': { nb: 'Opplasting', nn: 'Opplasting', en: 'Upload' },
  'transfer.uploading': { nb: 'Laster opp … {percent} %', nn: 'Lastar opp … {percent} %', en: 'Uploading … {percent} %' },
  'transfer.failed': { nb: 'Opplastingen mislyktes. Prøv igjen.', nn: 'Opplastinga mislukkast. Prøv igjen.', en: 'The upload failed. Try again.' },
  'transfer.limit': { nb: 'Største filstørrelse: {size}.', nn: 'Største filstorleik: {size}.', en: 'Largest file size: {size}.' },
  'export.title': { nb: 'Eksporten kunne ikke lages', nn: 'Eksporten kunne ikkje lagast', en: 'The export could not be made' },
  'export.not-found': {
    nb: 'Fant ikke dette læringsløpet i din organisasjon. Bare løp organisasjonen din eier, kan eksporteres; et løp som er delt med dere, kan dere kopiere først.',
    nn: 'Fann ikkje dette læringsløpet i organisasjonen din. Berre løp organisasjonen din eig, kan eksporterast; eit løp som er delt med dykk, kan de kopiere først.',
    en: 'This learning path was not found in your organisation. Only paths your organisation owns can be exported; a path shared with you can be copied first.',
  },
  'export.no-version': { nb: 'Løpet har ingen publisert versjon {version}.', nn: 'Løpet har ingen publisert versjon {version}.', en: 'The path has no published version {version}.' },
  'export.package-unavailable': {
    nb: 'Steget «{step}» viser til pakken {package}, som ikke finnes i din organisasjon; rett steget og prøv igjen.',
    nn: 'Steget «{step}» viser til pakken {package}, som ikkje finst i organisasjonen din; rett steget og prøv igjen.',
    en: 'The step “{step}” names the package {package}, which your organisation does not have; correct the step and try again.',
  },
  'export.blob-missing': {
    nb: 'Pakkefilen {file} mangler i innholdslageret; kontakt driftsansvarlig.',
    nn: 'Pakkefila {file} manglar i innhaldslageret; kontakt driftsansvarleg.',
    en: 'The package file {file} is missing from the content store; contact the operators.',
  },
  'export.back': { nb: 'Tilbake til eksport av løpet', nn: 'Tilbake til eksport av løpet', en: 'Back to exporting the path' },
  'error.back': { nb: 'Prøv igjen', nn: 'Prøv igjen', en: 'Try again' },
} as const;

export const tt = translator(TRANSFER_MESSAGES);
export type TransferMessageId = keyof typeof TRANSFER_MESSAGES;

export function fill(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}
