import { translator, type Locale, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts of the managers' and administrators' start pages. `{name}` marks a value. */
export const LANDING_MESSAGES = {
  'manager.title': m('Lederoversikt', 'Leiaroversikt', 'Manager overview'),
  'manager.intro': m('Du er logget inn som leder i {tenant}.', 'Du er logga inn som leiar i {tenant}.', 'You are signed in as a manager in {tenant}.'),

  'admin.title': m('Administrasjon', 'Administrasjon', 'Administration'),
  'admin.intro': m('Du er logget inn som administrator i {tenant}.', 'Du er logga inn som administrator i {tenant}.', 'You are signed in as an administrator in {tenant}.'),
  'admin.design': m('Læringsdesign: lag, publiser og del læringsløp', 'Læringsdesign: lag, publiser og del læringsløp', 'Learning design: create, publish and share learning paths'),
  'admin.design.hint': m(
    'Der finner du også påmeldinger til samlinger og evalueringsrapportene for hvert læringsløp.',
    'Der finn du òg påmeldingar til samlingar og evalueringsrapportane for kvart læringsløp.',
    'There you also find sign-ups for sessions and the evaluation reports of each learning path.',
  ),
  'admin.import': m('Importer et læringsløp fra en eksportfil', 'Importer eit læringsløp frå ei eksportfil', 'Import a learning path from an export file'),
  'admin.upload': m('Last opp en SCORM-pakke', 'Last opp ein SCORM-pakke', 'Upload a SCORM package'),
  'admin.managers': m('Ledere og tildelinger', 'Leiarar og tildelingar', 'Managers and grants'),
  'admin.managers.hint': m(
    'Hvem som leder hvilke enheter etter personaldata, og enheter du gir en person ansvar for.',
    'Kven som leier kva einingar etter personaldata, og einingar du gir ein person ansvar for.',
    'Who leads which units by HR data, and units you give a person responsibility for.',
  ),
  'admin.region': m('Regionens kommuner: samlede tall', 'Kommunane i regionen: samla tal', 'The region’s municipalities: totals'),
  'admin.region.hint': m(
    'Ansatte, årsverk, stillinger og stillingsstørrelser per kommune, uten navn.',
    'Tilsette, årsverk, stillingar og stillingsstorleikar per kommune, utan namn.',
    'Employees, FTEs, job titles and employment sizes per municipality, without names.',
  ),
  'admin.theme': m('Kommunens utseende: farge og logo', 'Utsjånaden til kommunen: farge og logo', "The municipality's look: colour and logo"),
  'admin.theme.hint': m(
    'Aksentfargen og logoen på sidene til alle i kommunen.',
    'Aksentfargen og logoen på sidene til alle i kommunen.',
    'The accent colour and logo on the pages of everyone in the municipality.',
  ),
  'admin.org-import': m('Importer enheter og ansatte fra HR-systemet', 'Importer einingar og tilsette frå HR-systemet', 'Import units and employees from the HR system'),
  'admin.org-import.hint': m(
    'En CSV-fil fra lønns- eller HR-systemet: se endringene først, ta dem i bruk etterpå.',
    'Ei CSV-fil frå løns- eller HR-systemet: sjå endringane først, ta dei i bruk etterpå.',
    'A CSV file from the payroll or HR system: see the changes first, apply them afterwards.',
  ),
  'admin.org': m('Organisasjon: enheter og antall ansatte', 'Organisasjon: einingar og tal tilsette', 'Organisation: units and employee counts'),
  'admin.org.hint': m(
    'Bla i og søk i enhetstreet, endre, flytt og avslutt enheter.',
    'Bla i og søk i einingstreet, endre, flytt og avslutt einingar.',
    'Browse and search the unit tree; change, move and end units.',
  ),
  'admin.people': m('Ansatte og arbeidsforhold', 'Tilsette og arbeidsforhold', 'Employees and employments'),
  'admin.people.hint': m(
    'Finn en person, se og endre arbeidsforholdene og historikken. Å åpne en person logges.',
    'Finn ein person, sjå og endre arbeidsforholda og historikken. Å opne ein person blir logga.',
    'Find a person, see and change their employments and history. Opening a person is logged.',
  ),
  'admin.platforms': m('Læringsplattformer (LTI)', 'Læringsplattformer (LTI)', 'Learning platforms (LTI)'),
  'admin.platforms.hint': m(
    'Registrer, inviter og fjern læringsplattformene som starter Læringsløp.',
    'Registrer, inviter og fjern læringsplattformene som startar Læringsløp.',
    'Register, invite and remove the learning platforms that launch Læringsløp.',
  ),
  'admin.xapi-clients': m('Nøkler til LRS (xAPI)', 'Nøklar til LRS (xAPI)', 'LRS keys (xAPI)'),
  'admin.xapi-clients.hint': m(
    'Nøkler for kommunens HR- eller analysesystem til å hente xAPI-utsagn.',
    'Nøklar for HR- eller analysesystemet til kommunen til å hente xAPI-utsegner.',
    'Keys for the municipality’s HR or analytics system to read xAPI statements.',
  ),
  'admin.xapi-forwarding': m('Videresending til kommunens LRS', 'Vidaresending til LRS-en til kommunen', 'Forwarding to the municipality’s LRS'),
  'admin.xapi-forwarding.hint': m(
    'Send xAPI-utsagnene videre til kommunens egen LRS, og se køen.',
    'Send xAPI-utsegnene vidare til den eigne LRS-en til kommunen, og sjå køen.',
    'Forward the xAPI statements to the municipality’s own LRS, and see the queue.',
  ),
  'admin.links': m('Kobling til ansatte', 'Kopling til tilsette', 'Links to employees'),
  'admin.links.hint': m(
    'Deltakere som ikke kunne kobles til en ansatt i personaldataene, og hvordan du løser det.',
    'Deltakarar som ikkje kunne koplast til ein tilsett i personaldataa, og korleis du løyser det.',
    'Participants who could not be linked to an employee in the HR data, and how to resolve it.',
  ),
  'admin.email-domains': m('E-postdomener', 'E-postdomene', 'E-mail domains'),
  'admin.email-domains.hint': m(
    'Kommunens e-postdomener, som plasserer deltakere fra en delt læringsplattform i kommunen.',
    'E-postdomena til kommunen, som plasserer deltakarar frå ei delt læringsplattform i kommunen.',
    'The municipality’s e-mail domains, which place participants from a shared learning platform in the municipality.',
  ),
  'admin.competence': m('Kompetansekatalog', 'Kompetansekatalog', 'Competence catalogue'),
  'admin.competence.hint': m(
    'Kompetanseområder og kompetanser kommunen kan stille krav om, med import og eksport som CSV.',
    'Kompetanseområde og kompetansar kommunen kan stille krav om, med import og eksport som CSV.',
    'Competence areas and competences the municipality can require, with CSV import and export.',
  ),
  'admin.coverage': m('Dekning av kompetansekrav', 'Dekning av kompetansekrav', 'Coverage of competence requirements'),
  'admin.coverage.hint': m(
    'Krav mot enheter i hele kommunen, med hvem som mangler hva.',
    'Krav mot einingar i heile kommunen, med kven som manglar kva.',
    'Requirements against units across the municipality, with who lacks what.',
  ),
  'admin.competence-report': m('Kompetanserapport', 'Kompetanserapport', 'Competence report'),
  'admin.competence-report.hint': m(
    'Dekning av kompetansekrav per enhet, fullførte læringsløp og kompetanse som går ut, med utskrift og nedlasting som CSV og Excel.',
    'Dekning av kompetansekrav per eining, fullførte læringsløp og kompetanse som går ut, med utskrift og nedlasting som CSV og Excel.',
    'Coverage of competence requirements per unit, completed paths and expiring competence, for print and as CSV and Excel downloads.',
  ),
  'admin.staffing': m('Bemanning', 'Bemanning', 'Staffing'),
  'admin.staffing.hint': m(
    'Ansatte og årsverk per enhet og stilling, og deltidsandeler, på en valgt dag.',
    'Tilsette og årsverk per eining og stilling, og deltidsdelar, på ein vald dag.',
    'Employees and FTE per unit and job role, and part-time shares, on a chosen day.',
  ),
  'admin.privacy': m('Personvern: innsyn, sletting og obligatorisk opplæring', 'Personvern: innsyn, sletting og obligatorisk opplæring', 'Privacy: access, erasure and mandatory training'),
  'admin.privacy.hint': m(
    'Se og last ned alt Læringsløp har om en person, eller slett personen når de ber om det.',
    'Sjå og last ned alt Læringsløp har om ein person, eller slett personen når dei ber om det.',
    'See and download everything Læringsløp holds about a person, or erase them when they ask.',
  ),
  'admin.audit': m('Revisjonslogg', 'Revisjonslogg', 'Audit log'),
  'admin.audit.hint': m(
    'Hvem som har sett, eksportert eller endret personopplysninger, og andre administrative handlinger.',
    'Kven som har sett, eksportert eller endra personopplysningar, og andre administrative handlingar.',
    'Who viewed, exported or changed personal data, and other administrative actions.',
  ),
  'admin.later': m(
    'Kompetansebevis som kan verifiseres, og fullføringer som kommunens egne systemer kan hente, kommer i senere versjoner av Læringsløp.',
    'Kompetanseprov som kan verifiserast, og fullføringar som systema til kommunen kan hente, kjem i seinare versjonar av Læringsløp.',
    'Verifiable certificates, and completions the municipality’s own systems can pull, come in later versions of Læringsløp.',
  ),

  'now.title': m('Dette kan du gjøre nå', 'Dette kan du gjere no', 'What you can do now'),
  'later.title': m('Dette kommer senere', 'Dette kjem seinare', 'What comes later'),
} satisfies Record<string, Messages>;

export type LandingMessageId = keyof typeof LANDING_MESSAGES;

const translate = translator(LANDING_MESSAGES);

export function tland(locale: Locale, id: LandingMessageId, values: Record<string, string> = {}): string {
  return translate(locale, id).replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
