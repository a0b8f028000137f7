import { translator, type Locale, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts of the managers' and administrators' start pages. `{name}` marks a value. */
export const LANDING_MESSAGES = {
  'manager.title': m('Lederoversikt', 'Leiaroversikt', 'Manager overview'),
  'manager.intro': m('Du er logget inn som leder i {tenant}.', 'Du er logga inn som leiar i {tenant}.', 'You are signed in as a manager in {tenant}.'),
  'manager.my-paths': m('Mine læringsløp', 'Mine læringsløp', 'My learning paths'),
  'manager.my-paths.hint': m(
    'Læringsløpene du selv er med i. Et læringsløp starter du fra lenken til det i et emne.',
    'Læringsløpa du sjølv er med i. Eit læringsløp startar du frå lenkja til det i eit emne.',
    'The learning paths you take part in yourself. You start a learning path from its link in a course.',
  ),
  'manager.later': m(
    'Oversikt over enheten din kommer i en senere versjon av Læringsløp: hvem som har fullført hvilke læringsløp, kompetansekrav og hva de ansatte har, sertifiseringer som snart går ut, og rapporter du kan eksportere. Hvem som er leder for hvilken enhet, kommer da fra personaldata og fra administrator, ikke fra emnet på læringsplattformen.',
    'Oversikt over eininga di kjem i ein seinare versjon av Læringsløp: kven som har fullført kva læringsløp, kompetansekrav og kva dei tilsette har, sertifiseringar som snart går ut, og rapportar du kan eksportere. Kven som er leiar for kva eining, kjem då frå personaldata og frå administrator, ikkje frå emnet på læringsplattforma.',
    'An overview of your unit comes in a later version of Læringsløp: who has completed which learning paths, competence requirements and what employees hold, certifications that are about to expire, and reports you can export. Who manages which unit will then come from HR data and from an administrator, not from the course on the learning platform.',
  ),

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
  'admin.theme': m('Kommunens utseende: farge og logo', 'Utsjånaden til kommunen: farge og logo', "The municipality's look: colour and logo"),
  'admin.theme.hint': m(
    'Aksentfargen og logoen på sidene til alle i kommunen.',
    'Aksentfargen og logoen på sidene til alle i kommunen.',
    'The accent colour and logo on the pages of everyone in the municipality.',
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
  'admin.lrs': m(
    'Nøkler til Læringsløps LRS (xAPI), for kommunens HR- eller analysesystem, lager driftsansvarlig med kommandolinjen: npm run cli -- xapi-client add (se docs/xapi.md i Læringsløp).',
    'Nøklar til LRS-en i Læringsløp (xAPI), for HR- eller analysesystemet i kommunen, lagar driftsansvarleg med kommandolinja: npm run cli -- xapi-client add (sjå docs/xapi.md i Læringsløp).',
    'Keys to the Læringsløp LRS (xAPI), for the municipality’s HR or analytics system, are created by the operator on the command line: npm run cli -- xapi-client add (see docs/xapi.md in Læringsløp).',
  ),
  'admin.later': m(
    'Organisasjon (enheter og ledere), kompetanse og rapporter på tvers av kommunen kommer i senere versjoner av Læringsløp. Til da er det ingen slike sider her.',
    'Organisasjon (einingar og leiarar), kompetanse og rapportar på tvers av kommunen kjem i seinare versjonar av Læringsløp. Til då er det ingen slike sider her.',
    'Organisation (units and managers), competence and reports across the municipality come in later versions of Læringsløp. Until then there are no such pages here.',
  ),

  'now.title': m('Dette kan du gjøre nå', 'Dette kan du gjere no', 'What you can do now'),
  'later.title': m('Dette kommer senere', 'Dette kjem seinare', 'What comes later'),
} satisfies Record<string, Messages>;

export type LandingMessageId = keyof typeof LANDING_MESSAGES;

const translate = translator(LANDING_MESSAGES);

export function tland(locale: Locale, id: LandingMessageId, values: Record<string, string> = {}): string {
  return translate(locale, id).replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
