import { fillIn, translator, type Locale, type Messages } from '../web/i18n.js';
import type { DevRole } from './dev-lms.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts of the development LMS's own pages, in every language the tool speaks. */
const DEV_LMS_MESSAGES = {
  'title': m('Utviklings-LMS', 'Utviklings-LMS', 'Development LMS'),
  'intro': m(
    'En ekte LTI 1.3-plattform for utvikling: emnet «{course}» i {municipality}. Utsteder:',
    'Ei ekte LTI 1.3-plattform for utvikling: emnet «{course}» i {municipality}. Utferdar:',
    'A real LTI 1.3 platform for development: the course “{course}” in {municipality}. Issuer:',
  ),
  'municipality': m('Kommune', 'Kommune', 'Municipality'),
  'municipality.hint': m(
    'Oppstartene sendes med kommunenummeret som egendefinert parameter (kommunenummer), og Læringsløp åpnes i den kommunen.',
    'Oppstartene blir sende med kommunenummeret som eigendefinert parameter (kommunenummer), og Læringsløp blir opna i den kommunen.',
    'Launches send the municipality number as the custom parameter kommunenummer, and Læringsløp opens in that municipality.',
  ),
  'municipality.choose': m('Bruk kommunen', 'Bruk kommunen', 'Use this municipality'),
  'municipality.unknown': m(
    'Ingen kommune har nummeret «{number}». Velg en kommune i listen; {municipality} er valgt så lenge.',
    'Ingen kommune har nummeret «{number}». Vel ein kommune i lista; {municipality} er vald så lenge.',
    'No municipality has the number “{number}”. Choose one in the list; {municipality} is chosen meanwhile.',
  ),
  'launch.heading': m('Start Læringsløp', 'Start Læringsløp', 'Launch Læringsløp'),
  'launch.as': m('Start som {role} ({name})', 'Start som {role} ({name})', 'Launch as {role} ({name})'),
  'launch.deeplink': m('Legg til læringsløp i emnet (dyplenking, som læringsdesigner)', 'Legg til læringsløp i emnet (djuplenking, som læringsdesignar)', 'Add a learning path to the course (deep linking, as learning designer)'),
  'launch.no-storage': m('Start som deltaker fra en plattform uten postMessage-lagring (som Moodle)', 'Start som deltakar frå ei plattform utan postMessage-lagring (som Moodle)', 'Launch as learner from a platform without postMessage storage (like Moodle)'),
  'launch.via-region': m(
    'Start som deltaker gjennom regionens delte plattform (som KS Læring: uten kommunenummer, kommunen finnes ut fra e-postdomenet)',
    'Start som deltakar gjennom den delte plattforma til regionen (som KS Læring: utan kommunenummer, kommunen blir funnen ut frå e-postdomenet)',
    'Launch as learner through the region’s shared platform (like KS Læring: no municipality number, the municipality is found from the e-mail domain)',
  ),
  'launch.deeplink-no-storage': m('Legg til læringsløp uten postMessage-lagring (som Moodle)', 'Legg til læringsløp utan postMessage-lagring (som Moodle)', 'Add a learning path without postMessage storage (like Moodle)'),
  'initiate.title': m('Starter Læringsløp', 'Startar Læringsløp', 'Starting Læringsløp'),
  'links.heading': m('Lenker i emnet', 'Lenker i emnet', 'Links in the course'),
  'links.open': m('Åpne som {role} ({name})', 'Opne som {role} ({name})', 'Open as {role} ({name})'),
  'links.none': m('Ingen ennå. Legg til et læringsløp med dyplenking.', 'Ingen enno. Legg til eit læringsløp med djuplenking.', 'None yet. Add a learning path with deep linking.'),
  'lineitems.heading': m('Vurderingskolonner', 'Vurderingskolonnar', 'Gradebook columns'),
  'lineitems.item': m('{label} (maks {max}, ressurs {resource}, lenke {link})', '{label} (maks {max}, ressurs {resource}, lenkje {link})', '{label} (max {max}, resource {resource}, link {link})'),
  'scores.heading': m('Resultater mottatt', 'Resultat mottekne', 'Results received'),
  'scores.column': m('Kolonne', 'Kolonne', 'Column'),
  'scores.user': m('Bruker', 'Brukar', 'User'),
  'scores.score': m('Poeng', 'Poeng', 'Score'),
  'scores.status': m('Status', 'Status', 'Status'),
  'scores.time': m('Tidspunkt', 'Tidspunkt', 'Time'),
  'scores.completed-no-score': m('fullført, uten poeng', 'fullført, utan poeng', 'completed, without a score'),
  'none': m('Ingen ennå.', 'Ingen enno.', 'None yet.'),
  'frame.title': m('Læringsløp som {role}', 'Læringsløp som {role}', 'Læringsløp as {role}'),
  'back': m('Tilbake til utviklings-LMS', 'Tilbake til utviklings-LMS', 'Back to the development LMS'),
  'sending.title': m('Sender deg til Læringsløp', 'Sender deg til Læringsløp', 'Sending you to Læringsløp'),
  'sending.continue': m('Fortsett', 'Hald fram', 'Continue'),
  'deeplink.title': m('Lagt til i emnet', 'Lagt til i emnet', 'Added to the course'),
  'refused.title': m('Oppstarten ble ikke laget', 'Oppstarten vart ikkje laga', 'The launch was not made'),
  'role.learner': m('deltaker', 'deltakar', 'learner'),
  'role.designer': m('læringsdesigner', 'læringsdesignar', 'learning designer'),
  'role.manager': m('leder', 'leiar', 'manager'),
  'role.admin': m('administrator', 'administrator', 'administrator'),
} satisfies Record<string, Messages>;

export type DevLmsMessageId = keyof typeof DEV_LMS_MESSAGES;

const translate = translator(DEV_LMS_MESSAGES);

/** A development LMS text with `{name}` placeholders filled in. */
export function tl(locale: Locale, id: DevLmsMessageId, values: Record<string, string | number> = {}): string {
  return fillIn(translate(locale, id), values);
}

export const roleLabel = (locale: Locale, role: DevRole): string => tl(locale, `role.${role}`);
