import { translator, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** The overseer's cmi5 page: a learner's cmi5 courses, waiving AUs and ending hanging sessions. */
export const to = translator({
  'cmi5.title': m('cmi5-kurs for {name}', 'cmi5-kurs for {name}', 'cmi5 courses of {name}'),
  'cmi5.intro': m(
    'Her ser du hver del (AU) av deltakerens cmi5-kurs. Du kan frita deltakeren for en del (for eksempel når hen har tatt en tilsvarende opplæring), og du kan avslutte en økt som henger fordi vinduet ble lukket uten at kurset meldte fra.',
    'Her ser du kvar del (AU) av cmi5-kursa til deltakaren. Du kan frita deltakaren for ein del (til dømes når hen har teke ei tilsvarande opplæring), og du kan avslutte ei økt som heng fordi vindauget vart lukka utan at kurset melde frå.',
    'Here you see each part (AU) of the learner’s cmi5 courses. You can waive a part for the learner (for instance when they have taken equivalent training), and you can end a session left hanging because the window was closed without the course saying so.',
  ),
  'cmi5.none': m('Deltakeren har ikke startet noe cmi5-kurs her.', 'Deltakaren har ikkje starta noko cmi5-kurs her.', 'The learner has not started any cmi5 course here.'),
  'cmi5.back': m('Tilbake', 'Tilbake', 'Back'),
  'cmi5.col.au': m('Del', 'Del', 'Part'),
  'cmi5.col.moveon': m('Krav', 'Krav', 'Requirement'),
  'cmi5.col.status': m('Status', 'Status', 'Status'),
  'cmi5.col.sessions': m('Åpne økter', 'Opne økter', 'Open sessions'),
  'cmi5.col.waive': m('Frita', 'Frita', 'Waive'),
  'cmi5.status.satisfied': m('Oppfylt', 'Oppfylt', 'Met'),
  'cmi5.status.waived': m('Fritatt ({reason})', 'Fritatt ({reason})', 'Waived ({reason})'),
  'cmi5.status.open': m('Ikke oppfylt', 'Ikkje oppfylt', 'Not met'),
  'cmi5.sessions.none': m('Ingen', 'Ingen', 'None'),
  'cmi5.session.started': m('Startet {at}', 'Starta {at}', 'Started {at}'),
  'cmi5.session.abandon': m('Avslutt økten', 'Avslutt økta', 'End the session'),
  'cmi5.waive.reason': m('Grunn for fritak for «{title}»', 'Grunn for fritak for «{title}»', 'Reason for waiving “{title}”'),
  'cmi5.waive.submit': m('Frita', 'Frita', 'Waive'),
  'cmi5.reason.Tested Out': m('Testet ut (har vist kompetansen)', 'Testa ut (har vist kompetansen)', 'Tested out'),
  'cmi5.reason.Equivalent AU': m('Tilsvarende del i et annet kurs', 'Tilsvarande del i eit anna kurs', 'Equivalent AU'),
  'cmi5.reason.Equivalent Outside Activity': m('Tilsvarende opplæring utenfor verktøyet', 'Tilsvarande opplæring utanfor verktøyet', 'Equivalent outside activity'),
  'cmi5.reason.Administrative': m('Administrativt', 'Administrativt', 'Administrative'),
  'cmi5.notice.waived': m('Delen er fritatt.', 'Delen er fritatt.', 'The part is waived.'),
  'cmi5.notice.abandoned': m('Økten er avsluttet.', 'Økta er avslutta.', 'The session has ended.'),
  'cmi5.refused.already-waived': m('Delen var allerede fritatt.', 'Delen var alt fritatt.', 'The part was already waived.'),
  'cmi5.refused.already-satisfied': m('Deltakeren har allerede oppfylt kravet for delen, så den kan ikke fritas.', 'Deltakaren har alt oppfylt kravet for delen, så han kan ikkje fritakast.', 'The learner has already met the part’s requirement, so it cannot be waived.'),
  'cmi5.refused.ended': m('Økten var allerede avsluttet.', 'Økta var alt avslutta.', 'The session had already ended.'),
  'cmi5.refused.reason': m('Velg en grunn for fritaket.', 'Vel ein grunn for fritaket.', 'Choose a reason for the waiver.'),
  'cmi5.refused.not-found': m('Fant ikke delen eller økten blant deltakerens kurs.', 'Fann ikkje delen eller økta blant kursa til deltakaren.', 'The part or session is not among the learner’s courses.'),
  'cmi5.link': m('cmi5-kurs', 'cmi5-kurs', 'cmi5 courses'),
});
