import { html, type SafeHtml } from './html.js';
import type { Locale, Messages } from './i18n.js';
import { PROBLEM_TYPES, type ProblemType } from './problem.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/**
 * What each problem type means, for the people who meet one: the page its `type` URI resolves to
 * (/problems/<type>). The API's `title` stays the English one of PROBLEM_TYPES (clients switch on
 * `type`, never on text); these are the page's words in each language.
 */
const PROBLEM_TITLES: Readonly<Record<ProblemType, Messages>> = {
  'not-found': m('Fant ikke det du ba om', 'Fann ikkje det du bad om', 'Resource not found'),
  'method-not-allowed': m('Metoden er ikke tillatt her', 'Metoden er ikkje tillaten her', 'Method not allowed'),
  'malformed-request-body': m('Innholdet i forespørselen kunne ikke leses', 'Innhaldet i førespurnaden kunne ikkje lesast', 'The request body could not be parsed'),
  'payload-too-large': m('Forespørselen er større enn tillatt', 'Førespurnaden er større enn tillate', 'The request body is larger than allowed'),
  'unsupported-media-type': m('Innholdstypen støttes ikke', 'Innhaldstypen er ikkje støtta', 'Unsupported content type'),
  'validation-failed': m('Forespørselen er ikke gyldig', 'Førespurnaden er ikkje gyldig', 'The request is not valid'),
  'xapi-invalid': m('xAPI-forespørselen eller -utsagnet er ikke gyldig', 'xAPI-førespurnaden eller -utsegna er ikkje gyldig', 'The xAPI request or statement is not valid'),
  'xapi-unauthorized': m('xAPI-tilgangen mangler eller er feil', 'xAPI-tilgangen manglar eller er feil', 'xAPI credentials are missing or wrong'),
  'xapi-forbidden': m('xAPI-tilgangen gjelder ikke denne forespørselen', 'xAPI-tilgangen gjeld ikkje denne førespurnaden', 'The xAPI credentials lack the scope for this request'),
  'xapi-conflict': m('Forespørselen strider mot det LRS-et har lagret', 'Førespurnaden strir mot det LRS-et har lagra', 'The request conflicts with what the LRS holds'),
  'xapi-precondition-failed': m('En forutsetning (If-Match / If-None-Match) holdt ikke', 'Ein føresetnad (If-Match / If-None-Match) heldt ikkje', 'A precondition (If-Match / If-None-Match) failed'),
  'xapi-too-many-requests': m('For mange mislykte xAPI-pålogginger: vent litt', 'For mange mislukka xAPI-pålogginger: vent litt', 'Too many failed xAPI authentications: wait before trying again'),
  'content-package-invalid': m('Innholdspakken ble ikke tatt imot', 'Innhaldspakken vart ikkje teken imot', 'The content package was refused'),
  'path-archive-invalid': m('Arkivet med læringsløpet ble ikke tatt imot', 'Arkivet med læringsløpet vart ikkje teke imot', 'The path archive was refused'),
  'path-export-refused': m('Læringsløpet kan ikke eksporteres slik det er', 'Læringsløpet kan ikkje eksporterast slik det er', 'The path cannot be exported as it is'),
  'cmi5-action-refused': m('cmi5-handlingen passer ikke med det deltakeren har gjort', 'cmi5-handlinga passar ikkje med det deltakaren har gjort', 'The cmi5 action does not fit what the learner has done'),
  'sco-locked': m('Denne delen av kurset er ikke tilgjengelig ennå', 'Denne delen av kurset er ikkje tilgjengeleg enno', 'This part of the course is not available yet'),
  'attempt-token-invalid': m('Forsøksnøkkelen mangler, er utløpt eller er ikke gyldig', 'Forsøksnøkkelen manglar, er utgått eller er ikkje gyldig', 'The attempt token is missing, expired or not valid'),
  'verification-too-many-requests': m('For mange mislykte kontroller av kursbevis: vent litt', 'For mange mislukka kontrollar av kursbevis: vent litt', 'Too many failed certificate verifications: wait before trying again'),
  'not-ready': m('Tjenesten er ikke klar', 'Tenesta er ikkje klar', 'The service is not ready'),
  'internal-error': m('Intern feil i tjenesten', 'Intern feil i tenesta', 'Internal server error'),
};

/** A problem type's own explanation, where it has more to say than its title: `code` values and what to do. */
const PROBLEM_DETAILS: Partial<Record<ProblemType, { about: Messages; codes: Readonly<Record<string, Messages>> }>> = {
  'cmi5-action-refused': {
    about: m(
      'Et fritak for en del (AU) av et cmi5-kurs, eller avslutningen av en økt, ble ikke gjort fordi det ikke passer med det deltakeren allerede har gjort. Ingenting er endret. Medlemmet `code` i svaret sier hvorfor:',
      'Eit fritak for ein del (AU) av eit cmi5-kurs, eller avsluttinga av ei økt, vart ikkje gjort fordi det ikkje passar med det deltakaren alt har gjort. Ingenting er endra. Medlemmet `code` i svaret seier kvifor:',
      'Waiving a part (AU) of a cmi5 course, or ending a session, was not done because it does not fit what the learner has already done. Nothing was changed. The `code` member of the response says why:',
    ),
    codes: {
      'already-waived': m('Delen var allerede fritatt for deltakeren.', 'Delen var alt fritatt for deltakaren.', 'The part was already waived for the learner.'),
      'already-satisfied': m('Deltakeren har allerede oppfylt kravet (moveOn) for delen, så den kan ikke fritas.', 'Deltakaren har alt oppfylt kravet (moveOn) for delen, så han kan ikkje fritakast.', 'The learner has already met the part’s moveOn, so it cannot be waived.'),
      ended: m('Økten var allerede avsluttet (av kurset, av en lærer eller fordi den ble forlatt).', 'Økta var alt avslutta (av kurset, av ein lærar eller fordi ho vart forlaten).', 'The session had already ended (by the course, by a teacher, or as abandoned).'),
    },
  },
};

const GENERAL: Messages = m(
  'HTTP {status}. Problemtypen {type} sendes som application/problem+json (RFC 9457). Medlemmet reference i et svar er forespørselens id i loggene til verktøyet.',
  'HTTP {status}. Problemtypen {type} blir send som application/problem+json (RFC 9457). Medlemmet reference i eit svar er id-en til førespurnaden i loggane til verktøyet.',
  'HTTP {status}. Problem type {type}, sent as application/problem+json (RFC 9457). The reference member of a response is the request id in the tool’s logs.',
);

export function problemPageTitle(locale: Locale, type: ProblemType): string {
  return PROBLEM_TITLES[type][locale];
}

/** `text` with the parts between backquotes shown as code, the rest as text. */
function withCode(text: string): SafeHtml {
  const parts = text.split('`');
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

/** The body of the page a problem type URI resolves to. */
export function problemPageBody(locale: Locale, type: ProblemType): SafeHtml {
  const { status } = PROBLEM_TYPES[type];
  const [before, after] = GENERAL[locale].replace('{status}', String(status)).split('{type}') as [string, string];
  const details = PROBLEM_DETAILS[type];
  return html`<h1>${problemPageTitle(locale, type)}</h1>
<p>${before}<code>/problems/${type}</code>${after}</p>
${details ? html`<p>${withCode(details.about[locale])}</p>
<dl class="app-facts" data-problem-codes>${Object.entries(details.codes).map(([code, text]) => html`<dt><code>${code}</code></dt><dd>${text[locale]}</dd>`)}</dl>` : ''}`;
}
