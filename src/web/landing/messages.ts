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
  'admin.lrs': m(
    'Nøkler til Læringsløps LRS (xAPI), for kommunens HR- eller analysesystem, lager driftsansvarlig med kommandolinjen: npm run cli -- xapi-client add (se docs/xapi.md i Læringsløp).',
    'Nøklar til LRS-en i Læringsløp (xAPI), for HR- eller analysesystemet i kommunen, lagar driftsansvarleg med kommandolinja: npm run cli -- xapi-client add (sjå docs/xapi.md i Læringsløp).',
    'Keys to the Læringsløp LRS (xAPI), for the municipality’s HR or analytics system, are created by the operator on the command line: npm run cli -- xapi-client add (see docs/xapi.md in Læringsløp).',
  ),
  'admin.later': m(
    'Kompetanse og rapporter på tvers av kommunen kommer i senere versjoner av Læringsløp.',
    'Kompetanse og rapportar på tvers av kommunen kjem i seinare versjonar av Læringsløp.',
    'Competence and reports across the municipality come in later versions of Læringsløp.',
  ),

  'now.title': m('Dette kan du gjøre nå', 'Dette kan du gjere no', 'What you can do now'),
  'later.title': m('Dette kommer senere', 'Dette kjem seinare', 'What comes later'),
} satisfies Record<string, Messages>;

export type LandingMessageId = keyof typeof LANDING_MESSAGES;

const translate = translator(LANDING_MESSAGES);

export function tland(locale: Locale, id: LandingMessageId, values: Record<string, string> = {}): string {
  return translate(locale, id).replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
