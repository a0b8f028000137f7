import type { Request } from 'express';

export const LOCALES = ['nb', 'nn', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'nb';

/** Maps a BCP 47 tag as LMSs and browsers send it (`nb`, `nb-NO`, `no`, `nn_NO`, `en-GB`) to ours. */
export function toLocale(tag: string | undefined): Locale | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'nb' || primary === 'no') return 'nb';
  if (primary === 'nn') return 'nn';
  if (primary === 'en') return 'en';
  return undefined;
}

/** `?lang=` first, then the browser's Accept-Language, then bokmål. */
export function requestLocale(req: Request): Locale {
  return localeOf(typeof req.query['lang'] === 'string' ? req.query['lang'] : undefined, req.headers['accept-language']);
}

/** The locale asked for by `lang`, else the first of the Accept-Language header's we speak, else bokmål. */
export function localeOf(lang: string | undefined, acceptLanguage: string | undefined): Locale {
  const asked = toLocale(lang);
  if (asked) return asked;
  for (const tag of acceptedLanguages(acceptLanguage)) {
    const locale = toLocale(tag);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}

/** The tags of an Accept-Language header, most wanted first (by q, then as listed); q=0 is unwanted. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.split(';').map((p) => p.trim());
      const q = parameters.find((p) => /^q=/i.test(p));
      return { tag, q: q === undefined ? 1 : Number(q.slice(2)), index };
    })
    .filter((l) => l.tag !== '' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.tag);
}

/** One text in every language we speak. */
export type Messages = Record<Locale, string>;

/**
 * Each capability keeps its own catalogue beside its pages and gets a typed `t` for it:
 * `const t = translator({ 'launch.title': { nb: …, nn: …, en: … } })`.
 */
/** A text with its `{name}` placeholders filled in; a placeholder without a value stays as written. */
export function fillIn(text: string, values: Readonly<Record<string, string | number>> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function translator<Catalogue extends Record<string, Messages>>(catalogue: Catalogue) {
  return (locale: Locale, id: keyof Catalogue & string): string => catalogue[id]![locale];
}

export const MESSAGES = {
  'app.name': { nb: 'Læringsløp', nn: 'Læringsløp', en: 'Læringsløp' },
  'app.tagline': {
    nb: 'Læringsløp for kommunene: SCORM, xAPI og kurs i ett løp, startet fra læringsplattformen, med dokumentert kompetanse.',
    nn: 'Læringsløp for kommunane: SCORM, xAPI og kurs i eitt løp, starta frå læringsplattforma, med dokumentert kompetanse.',
    en: 'Learning paths for municipalities: SCORM, xAPI and courses in one path, launched from the learning platform, with documented competence.',
  },
  'home.heading': { nb: 'Om denne installasjonen', nn: 'Om denne installasjonen', en: 'About this installation' },
  'home.version': { nb: 'Versjon', nn: 'Versjon', en: 'Version' },
  'home.database': { nb: 'Database', nn: 'Database', en: 'Database' },
  'home.database.pglite': {
    nb: 'Innebygd PostgreSQL (PGlite), lagret i datamappen',
    nn: 'Innebygd PostgreSQL (PGlite), lagra i datamappa',
    en: 'Embedded PostgreSQL (PGlite), stored in the data folder',
  },
  'home.database.postgres': { nb: 'PostgreSQL-tjener', nn: 'PostgreSQL-tenar', en: 'PostgreSQL server' },
  'home.environment': { nb: 'Miljø', nn: 'Miljø', en: 'Environment' },
  'home.links': { nb: 'Det du kan bruke nå', nn: 'Det du kan bruke no', en: 'What you can use now' },
  'home.link.healthz': { nb: 'Liveness-sjekk', nn: 'Liveness-sjekk', en: 'Liveness check' },
  'home.link.readyz': {
    nb: 'Klar-sjekk (database og migreringer)',
    nn: 'Klar-sjekk (database og migreringar)',
    en: 'Readiness check (database and migrations)',
  },
  'home.content-origin': { nb: 'Opplastet innhold kjører på', nn: 'Opplasta innhald køyrer på', en: 'Uploaded content runs on' },
  'home.content-origin.same': {
    nb: 'verktøyets egen opprinnelse (CONTENT_ORIGIN er ikke satt)',
    nn: 'verktøyet sitt eige opphav (CONTENT_ORIGIN er ikkje sett)',
    en: 'the tool’s own origin (CONTENT_ORIGIN is not set)',
  },
  'home.dev-lms': { nb: 'Utviklings-LMS', nn: 'Utviklings-LMS', en: 'Development LMS' },
  'home.dev-lms.loopback': {
    nb: 'På, bare for denne maskinen, fordi PUBLIC_URL er en loopback-adresse. Slå av med DEV_LMS=off.',
    nn: 'På, berre for denne maskinen, fordi PUBLIC_URL er ei loopback-adresse. Slå av med DEV_LMS=off.',
    en: 'On, for this machine only, because PUBLIC_URL is a loopback address. Turn it off with DEV_LMS=off.',
  },
  'home.dev-lms.on': {
    nb: 'På for alle som når tjenesten (DEV_LMS=on): den kan starte Læringsløp som hvem som helst, også som administrator.',
    nn: 'På for alle som når tenesta (DEV_LMS=on): han kan starte Læringsløp som kven som helst, også som administrator.',
    en: 'On for everyone who can reach the service (DEV_LMS=on): it can launch Læringsløp as anyone, administrators included.',
  },
  'home.dev-lms.off': {
    nb: 'Av. Den er på som standard bare når PUBLIC_URL er en loopback-adresse; DEV_LMS=on slår den på (aldri i produksjon).',
    nn: 'Av. Han er på som standard berre når PUBLIC_URL er ei loopback-adresse; DEV_LMS=on slår han på (aldri i produksjon).',
    en: 'Off. It is on by default only when PUBLIC_URL is a loopback address; DEV_LMS=on turns it on (never in production).',
  },
  'home.tenants': { nb: 'Kommuner og regioner registrert', nn: 'Kommunar og regionar registrerte', en: 'Municipalities and regions registered' },
  'nav.skip': { nb: 'Hopp til innholdet', nn: 'Hopp til innhaldet', en: 'Skip to content' },
  'nav.language': { nb: 'Språk', nn: 'Språk', en: 'Language' },
  'error.reference': { nb: 'Referanse', nn: 'Referanse', en: 'Reference' },
  'error.home': { nb: 'Til forsiden', nn: 'Til framsida', en: 'Go to the front page' },
  'error.not-found.title': { nb: 'Siden finnes ikke', nn: 'Sida finst ikkje', en: 'Page not found' },
  'error.not-found.body': {
    nb: 'Vi fant ikke siden du ba om. Sjekk adressen, eller gå tilbake dit du kom fra.',
    nn: 'Vi fann ikkje sida du bad om. Sjekk adressa, eller gå tilbake dit du kom frå.',
    en: 'We could not find the page you asked for. Check the address, or go back to where you came from.',
  },
  'error.bad-request.title': { nb: 'Forespørselen kunne ikke behandles', nn: 'Førespurnaden kunne ikkje handsamast', en: 'The request could not be processed' },
  'error.bad-request.body': {
    nb: 'Det som ble sendt, var ikke gyldig. Prøv igjen, og oppgi referansen nedenfor hvis du kontakter brukerstøtte.',
    nn: 'Det som vart sendt, var ikkje gyldig. Prøv igjen, og oppgi referansen nedanfor om du kontaktar brukarstøtte.',
    en: 'What was sent was not valid. Try again, and quote the reference below if you contact support.',
  },
  'error.too-large.title': { nb: 'Innsendingen er for stor', nn: 'Innsendinga er for stor', en: 'What was sent is too large' },
  'error.too-large.body': {
    nb: 'Det som ble sendt, er større enn tjenesten tar imot. Send mindre om gangen, eller del det opp.',
    nn: 'Det som vart sendt, er større enn tenesta tek imot. Send mindre om gongen, eller del det opp.',
    en: 'What was sent is larger than the service accepts. Send less at a time, or split it up.',
  },
  'error.unavailable.title': { nb: 'Tjenesten er midlertidig utilgjengelig', nn: 'Tenesta er mellombels utilgjengeleg', en: 'The service is temporarily unavailable' },
  'error.unavailable.body': {
    nb: 'Prøv igjen om litt.',
    nn: 'Prøv igjen om litt.',
    en: 'Please try again in a moment.',
  },
  'error.internal.title': { nb: 'Noe gikk galt', nn: 'Noko gjekk gale', en: 'Something went wrong' },
  'error.internal.body': {
    nb: 'Det oppstod en feil hos oss. Prøv igjen om litt. Oppgi referansen nedenfor hvis du kontakter brukerstøtte.',
    nn: 'Det oppstod ein feil hos oss. Prøv igjen om litt. Oppgi referansen nedanfor om du kontaktar brukarstøtte.',
    en: 'An error occurred on our side. Please try again shortly, and quote the reference below if you contact support.',
  },
} satisfies Record<string, Messages>;

export type MessageId = keyof typeof MESSAGES;

/** The core catalogue: layout, start page and error pages. */
export const t = translator(MESSAGES);
