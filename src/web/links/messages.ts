import { translator, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts of the administrator's pages for launch links and e-mail domains. `{name}` marks a value. */
export const tlinks = translator({
  'links.title': m('Kobling til ansatte', 'Kopling til tilsette', 'Links to employees'),
  'links.intro': m(
    'Når noen starter Læringsløp fra læringsplattformen, kobles de til den ansatte i personaldataene, i denne rekkefølgen: ansattnummeret plattformen sender (egendefinert parameter ansattnummer), LIS-identiteten (person_sourcedid) eller e-postadressen. Koblingen gjøres én gang, og alt personen har gjort i Læringsløp følger med. Her er de som ikke kunne kobles fordi svaret ikke var entydig. Læringsløp gjetter aldri.',
    'Når nokon startar Læringsløp frå læringsplattforma, blir dei kopla til den tilsette i personaldataa, i denne rekkjefølgja: tilsettnummeret plattforma sender (eigendefinert parameter ansattnummer), LIS-identiteten (person_sourcedid) eller e-postadressa. Koplinga blir gjord éin gong, og alt personen har gjort i Læringsløp følgjer med. Her er dei som ikkje kunne koplast fordi svaret ikkje var eintydig. Læringsløp gjettar aldri.',
    'When someone starts Læringsløp from the learning platform, they are linked to the employee in the HR data, in this order: the employee number the platform sends (custom parameter ansattnummer), the LIS identity (person_sourcedid) or the e-mail address. The link is made once, and everything the person did in Læringsløp comes along. Listed here are those who could not be linked because the answer was not clear. Læringsløp never guesses.',
  ),
  'links.none': m('Ingen koblinger venter på avklaring.', 'Ingen koplingar ventar på avklaring.', 'No links are waiting to be resolved.'),
  'links.table': m('Koblinger som venter på avklaring', 'Koplingar som ventar på avklaring', 'Links waiting to be resolved'),
  'links.col.launcher': m('Startet av', 'Starta av', 'Launched by'),
  'links.col.reason': m('Hvorfor ikke koblet', 'Kvifor ikkje kopla', 'Why not linked'),
  'links.col.employees': m('Ansatte det gjelder', 'Tilsette det gjeld', 'Employees concerned'),
  'links.col.resolve': m('Slik løser du det', 'Slik løyser du det', 'How to resolve it'),
  'links.col.seen': m('Sist sett', 'Sist sett', 'Last seen'),
  'links.launches': m('{count} oppstarter', '{count} oppstartar', '{count} launches'),
  'links.unnamed': m('(navn ikke sendt)', '(namn ikkje sendt)', '(name not sent)'),
  'links.no-employee': m('ingen', 'ingen', 'none'),
  'links.reason.email-ambiguous': m('Flere ansatte har samme e-postadresse.', 'Fleire tilsette har same e-postadresse.', 'Several employees have the same e-mail address.'),
  'links.reason.sourcedid-ambiguous': m('Flere ansatte har samme LIS-identitet (person_sourcedid).', 'Fleire tilsette har same LIS-identitet (person_sourcedid).', 'Several employees have the same LIS identity (person_sourcedid).'),
  'links.reason.employee-number-unknown': m('Ansattnummeret plattformen sendte, finnes ikke i personaldataene.', 'Tilsettnummeret plattforma sende, finst ikkje i personaldataa.', 'The employee number the platform sent is not in the HR data.'),
  'links.reason.employee-number-disagrees': m('Ansattnummeret peker på en annen ansatt enn e-postadressen eller LIS-identiteten.', 'Tilsettnummeret peikar på ein annan tilsett enn e-postadressa eller LIS-identiteten.', 'The employee number names another employee than the e-mail address or the LIS identity.'),
  'links.reason.employee-linked-elsewhere': m('Den ansatte er allerede koblet til en annen konto på en læringsplattform.', 'Den tilsette er allereie kopla til ein annan konto på ei læringsplattform.', 'The employee is already linked to another account on a learning platform.'),
  'links.resolve.email-ambiguous': m(
    'Rett e-postadressene i personaldataene og importer dem på nytt, eller la læringsplattformen sende ansattnummeret (se under).',
    'Rett e-postadressene i personaldataa og importer dei på nytt, eller la læringsplattforma sende tilsettnummeret (sjå under).',
    'Correct the e-mail addresses in the HR data and import them again, or let the learning platform send the employee number (see below).',
  ),
  'links.resolve.sourcedid-ambiguous': m(
    'Rett LIS-identitetene i personaldataene og importer dem på nytt.',
    'Rett LIS-identitetane i personaldataa og importer dei på nytt.',
    'Correct the LIS identities in the HR data and import them again.',
  ),
  'links.resolve.employee-number-unknown': m(
    'Kontroller at ansattnummeret i læringsplattformen (for eksempel ID-nummer i Moodle) er det samme som i lønns- og personalsystemet, eller importer personaldataene på nytt.',
    'Kontroller at tilsettnummeret i læringsplattforma (til dømes ID-nummer i Moodle) er det same som i løns- og personalsystemet, eller importer personaldataa på nytt.',
    'Check that the employee number in the learning platform (for example the ID number in Moodle) is the same as in the payroll and HR system, or import the HR data again.',
  ),
  'links.resolve.employee-number-disagrees': m(
    'Rett e-postadressen eller ansattnummeret der det er feil (i læringsplattformen eller i personaldataene). Et ansattnummer som ikke stemmer med e-postadressen, kan være satt av en lærer i emnet og blir ikke brukt.',
    'Rett e-postadressa eller tilsettnummeret der det er feil (i læringsplattforma eller i personaldataa). Eit tilsettnummer som ikkje stemmer med e-postadressa, kan vere sett av ein lærar i emnet og blir ikkje brukt.',
    'Correct the e-mail address or the employee number where it is wrong (in the learning platform or in the HR data). An employee number that does not match the e-mail address may have been set by a teacher in the course and is not used.',
  ),
  'links.resolve.employee-linked-elsewhere': m(
    'Finn ut om personen har to kontoer på læringsplattformene. Er det den samme personen, kontakt driftsansvarlig; er det en annen, rett personaldataene.',
    'Finn ut om personen har to kontoar på læringsplattformene. Er det den same personen, kontakt driftsansvarleg; er det ein annan, rett personaldataa.',
    'Find out whether the person has two accounts on the learning platforms. If it is the same person, contact the operator; if it is someone else, correct the HR data.',
  ),
  'links.number.title': m('Sende ansattnummer fra læringsplattformen', 'Sende tilsettnummer frå læringsplattforma', 'Sending the employee number from the learning platform'),
  'links.number.body': m(
    'Legg inn den egendefinerte parameteren ansattnummer=$User.idnumber i verktøyets innstillinger i Moodle (ikke i den enkelte aktiviteten). Fordi lærere også kan skrive egendefinerte parametere, bruker Læringsløp ansattnummeret bare fra plattformer driftsansvarlig har godkjent for det (npm run cli -- platform trust-ansattnummer --issuer …), og bare når e-postadressen og LIS-identiteten, om de sendes, peker på den samme ansatte. Se docs/lms-setup.md.',
    'Legg inn den eigendefinerte parameteren ansattnummer=$User.idnumber i innstillingane til verktøyet i Moodle (ikkje i den einskilde aktiviteten). Fordi lærarar òg kan skrive eigendefinerte parametrar, brukar Læringsløp tilsettnummeret berre frå plattformer driftsansvarleg har godkjent for det (npm run cli -- platform trust-ansattnummer --issuer …), og berre når e-postadressa og LIS-identiteten, om dei blir sende, peikar på den same tilsette. Sjå docs/lms-setup.md.',
    'Add the custom parameter ansattnummer=$User.idnumber in the tool’s settings in Moodle (not in a single activity). Because teachers can also write custom parameters, Læringsløp uses the employee number only from platforms the operator has approved for it (npm run cli -- platform trust-ansattnummer --issuer …), and only when the e-mail address and the LIS identity, if sent, name the same employee. See docs/lms-setup.md.',
  ),
  'links.region': m(
    'Koblinger gjøres i kommunene. Start Læringsløp som administrator i en kommune for å se kommunens koblinger.',
    'Koplingar blir gjorde i kommunane. Start Læringsløp som administrator i ein kommune for å sjå koplingane til kommunen.',
    'Links are made in the municipalities. Start Læringsløp as an administrator in a municipality to see its links.',
  ),

  'domains.title': m('E-postdomener', 'E-postdomene', 'E-mail domains'),
  'domains.intro': m(
    'Når {tenant} bruker en læringsplattform som deles i regionen (for eksempel KS Læring), finner Læringsløp kommunen ut fra kommunenummeret plattformen sender, eller ut fra domenet i deltakerens e-postadresse. Her registrerer du kommunens domener. Et domene kan bare høre til én kommune.',
    'Når {tenant} brukar ei læringsplattform som blir delt i regionen (til dømes KS Læring), finn Læringsløp kommunen ut frå kommunenummeret plattforma sender, eller ut frå domenet i e-postadressa til deltakaren. Her registrerer du domena til kommunen. Eit domene kan berre høyre til éin kommune.',
    'When {tenant} uses a learning platform shared in the region (for example KS Læring), Læringsløp finds the municipality from the municipality number the platform sends, or from the domain of the participant’s e-mail address. Here you register the municipality’s domains. A domain can belong to one municipality only.',
  ),
  'domains.list': m('Registrerte domener', 'Registrerte domene', 'Registered domains'),
  'domains.none': m('Ingen domener er registrert.', 'Ingen domene er registrerte.', 'No domains are registered.'),
  'domains.domain': m('Domene', 'Domene', 'Domain'),
  'domains.added-on': m('Lagt til', 'Lagt til', 'Added'),
  'domains.remove': m('Fjern {domain}', 'Fjern {domain}', 'Remove {domain}'),
  'domains.add.heading': m('Legg til et domene', 'Legg til eit domene', 'Add a domain'),
  'domains.add.label': m('Domene (delen etter @)', 'Domene (delen etter @)', 'Domain (the part after @)'),
  'domains.add.hint': m('For eksempel kongsberg.kommune.no', 'Til dømes kongsberg.kommune.no', 'For example kongsberg.kommune.no'),
  'domains.add': m('Legg til', 'Legg til', 'Add'),
  'domains.added': m('{domain} er lagt til.', '{domain} er lagt til.', '{domain} is added.'),
  'domains.removed': m('{domain} er fjernet.', '{domain} er fjerna.', '{domain} is removed.'),
  'domains.domain-invalid': m(
    'Skriv et domenenavn med minst ett punktum, bare bokstavene a–z, sifre, bindestrek og punktum, for eksempel kongsberg.kommune.no.',
    'Skriv eit domenenamn med minst eitt punktum, berre bokstavane a–z, siffer, bindestrek og punktum, til dømes kongsberg.kommune.no.',
    'Write a domain name with at least one dot, only the letters a–z, digits, hyphens and dots, for example kongsberg.kommune.no.',
  ),
  'domains.domain-taken': m(
    'Domenet er allerede registrert for en annen kommune. Et domene kan bare høre til én kommune; kontakt den andre kommunen eller driftsansvarlig.',
    'Domenet er allereie registrert for ein annan kommune. Eit domene kan berre høyre til éin kommune; kontakt den andre kommunen eller driftsansvarleg.',
    'The domain is already registered for another municipality. A domain can belong to one municipality only; contact the other municipality or the operator.',
  ),
  'domains.domain-not-found': m('Domenet er ikke registrert for kommunen.', 'Domenet er ikkje registrert for kommunen.', 'The domain is not registered for the municipality.'),
  'domains.region': m(
    'E-postdomener hører til kommunene. Start Læringsløp som administrator i en kommune for å registrere domenene dens.',
    'E-postdomene høyrer til kommunane. Start Læringsløp som administrator i ein kommune for å registrere domena til han.',
    'E-mail domains belong to the municipalities. Start Læringsløp as an administrator in a municipality to register its domains.',
  ),
});

export type LinksMessageId = Parameters<typeof tlinks>[1];
