import { fillIn, translator, type Locale, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts of the learner's path pages, in every language we speak. `{name}` marks a value. */
export const LEARNER_MESSAGES = {
  'path.progress': m('Framdrift', 'Framdrift', 'Progress'),
  'path.progress.text': m('{done} av {total} trinn fullført', '{done} av {total} steg fullførte', '{done} of {total} steps completed'),
  'path.due': m('Fullføres innen', 'Skal fullførast innan', 'Complete by'),
  'path.overdue': m('Fristen er passert.', 'Fristen er passert.', 'The due date has passed.'),
  'path.remaining-time': m('Omtrent gjenstående tid', 'Om lag attverande tid', 'About this much time left'),
  'path.minutes': m('{n} min', '{n} min', '{n} min'),
  'path.continue': m('Fortsett der du slapp', 'Hald fram der du slapp', 'Continue where you left off'),
  'path.start': m('Start læringsløpet', 'Start læringsløpet', 'Start the learning path'),
  'path.steps': m('Trinn i læringsløpet', 'Steg i læringsløpet', 'Steps of the learning path'),
  'path.next': m('Neste trinn', 'Neste steg', 'Next step'),
  'path.required': m('Obligatorisk', 'Obligatorisk', 'Required'),
  'path.optional': m('Valgfritt', 'Valfritt', 'Optional'),
  'path.completed.title': m('Du har fullført læringsløpet', 'Du har fullført læringsløpet', 'You have completed the learning path'),
  'path.completed.body': m('Fullført {date}.', 'Fullført {date}.', 'Completed {date}.'),
  'path.completed.score': m('Resultat: {score} av 100.', 'Resultat: {score} av 100.', 'Result: {score} out of 100.'),
  'path.completed.no-score': m(
    'Læringsløpet gir ingen poengsum. Fullføringen er registrert uten poeng.',
    'Læringsløpet gjev ingen poengsum. Fullføringa er registrert utan poeng.',
    'This learning path gives no score. Your completion is recorded without one.',
  ),
  'path.back': m('Tilbake til læringsløpet', 'Tilbake til læringsløpet', 'Back to the learning path'),
  'path.saved': m('Lagret.', 'Lagra.', 'Saved.'),
  'path.version': m('Versjon {n}', 'Versjon {n}', 'Version {n}'),
  'path.attempt': m('Forsøk {n}', 'Forsøk {n}', 'Attempt {n}'),
  'path.earlier': m('Tidligere fullført', 'Tidlegare fullført', 'Completed before'),
  'renew.title': m('Forny kompetansen', 'Forny kompetansen', 'Renew your competence'),
  'renew.expiring': m(
    'Kompetansen du fikk fra dette læringsløpet, går ut {date}. Ta løpet på nytt for å fornye den.',
    'Kompetansen du fekk frå dette læringsløpet, går ut {date}. Ta løpet på nytt for å fornye han.',
    'The competence this learning path gave you expires on {date}. Take the path again to renew it.',
  ),
  'renew.expired': m(
    'Kompetansen du fikk fra dette læringsløpet, gikk ut {date}. Ta løpet på nytt for å fornye den.',
    'Kompetansen du fekk frå dette læringsløpet, gjekk ut {date}. Ta løpet på nytt for å fornye han.',
    'The competence this learning path gave you expired on {date}. Take the path again to renew it.',
  ),
  'renew.assigned': m(
    'Lederen din har gitt deg dette læringsløpet på nytt, med frist {date}.',
    'Leiaren din har gjeve deg dette læringsløpet på nytt, med frist {date}.',
    'Your manager has assigned this learning path to you again, due {date}.',
  ),
  'renew.note': m(
    'Det du har fullført før, blir stående. Et nytt forsøk starter med alle trinn på nytt.',
    'Det du har fullført før, blir ståande. Eit nytt forsøk startar med alle steg på nytt.',
    'What you completed before stays on record. A new attempt starts every step afresh.',
  ),
  'renew.start': m('Ta løpet på nytt', 'Ta løpet på nytt', 'Take the path again'),

  'mine.title': m('Mine læringsløp', 'Mine læringsløp', 'My learning paths'),
  'mine.link': m('Mine læringsløp', 'Mine læringsløp', 'My learning paths'),
  'mine.tenant': m('Læringsløp i {tenant}', 'Læringsløp i {tenant}', 'Learning paths in {tenant}'),
  'mine.person': m('Læringsløp for {name} i {tenant}', 'Læringsløp for {name} i {tenant}', 'Learning paths of {name} in {tenant}'),
  'mine.in-progress': m('Påbegynt', 'Påbyrja', 'In progress'),
  'mine.not-started': m('Ikke startet ennå', 'Ikkje starta enno', 'Not started yet'),
  'mine.completed': m('Fullført', 'Fullført', 'Completed'),
  'mine.started-on': m('Startet fra emnet {date}', 'Starta frå emnet {date}', 'Opened from your course on {date}'),
  'mine.completed-on': m('Fullført {date}', 'Fullført {date}', 'Completed on {date}'),
  'mine.result': m('Resultat: {score} av 100', 'Resultat: {score} av 100', 'Result: {score} out of 100'),
  'mine.no-score': m('Uten poengsum', 'Utan poengsum', 'No score'),
  'mine.competence': m('Min kompetanse: det som er dokumentert for deg', 'Min kompetanse: det som er dokumentert for deg', 'My competence: what is documented for you'),
  'mine.empty': m(
    'Du er ikke med i noe læringsløp ennå. Et læringsløp starter du fra lenken til det i et emne på læringsplattformen (for eksempel Moodle eller Canvas); etterpå finner du det her. Spør lederen din eller den som har ansvar for opplæringen, hvis du mener du skal ha et læringsløp.',
    'Du er ikkje med i noko læringsløp enno. Eit læringsløp startar du frå lenkja til det i eit emne på læringsplattforma (til dømes Moodle eller Canvas); etterpå finn du det her. Spør leiaren din eller den som har ansvar for opplæringa, om du meiner du skal ha eit læringsløp.',
    'You are not in any learning path yet. You start a learning path from its link in a course on the learning platform (such as Moodle or Canvas); after that you find it here. Ask your manager or whoever is responsible for training if you think you should have a learning path.',
  ),
  'mine.section-empty.in-progress': m('Ingen påbegynte læringsløp.', 'Ingen påbyrja læringsløp.', 'No learning paths in progress.'),
  'mine.section-empty.not-started': m('Ingen læringsløp venter på deg.', 'Ingen læringsløp ventar på deg.', 'No learning paths are waiting for you.'),
  'mine.section-empty.completed': m('Du har ikke fullført noe læringsløp ennå.', 'Du har ikkje fullført noko læringsløp enno.', 'You have not completed a learning path yet.'),

  'return.title': m('Du er tilbake fra «{title}»', 'Du er tilbake frå «{title}»', 'You are back from “{title}”'),
  'return.passed': m('Bestått.', 'Bestått.', 'Passed.'),
  'return.passed.score': m('Bestått med {score} %.', 'Bestått med {score} %.', 'Passed with {score}%.'),
  'return.failed': m('Ikke bestått.', 'Ikkje bestått.', 'Not passed.'),
  'return.failed.score': m('Ikke bestått: {score} %.', 'Ikkje bestått: {score} %.', 'Not passed: {score}%.'),
  'return.failed.mark': m('Ikke bestått: {score} %, krav {mark} %.', 'Ikkje bestått: {score} %, krav {mark} %.', 'Not passed: {score}%, required {mark}%.'),
  'return.completed': m('Fullført.', 'Fullført.', 'Completed.'),
  'return.completed.score': m('Fullført med {score} %.', 'Fullført med {score} %.', 'Completed with {score}%.'),
  'return.incomplete': m(
    'Kurset er ikke fullført ennå. Framdriften er lagret, og du fortsetter der du slapp når du åpner det igjen.',
    'Kurset er ikkje fullført enno. Framdrifta er lagra, og du held fram der du slapp når du opnar det igjen.',
    'The course is not finished yet. Your progress is saved, and you continue where you left off when you open it again.',
  ),

  'state.not-started': m('Ikke startet', 'Ikkje starta', 'Not started'),
  'state.in-progress': m('Påbegynt', 'Påbyrja', 'In progress'),
  'state.completed': m('Fullført', 'Fullført', 'Completed'),
  'state.locked': m('Låst til tidligere trinn er fullført', 'Låst til tidlegare steg er fullførte', 'Locked until earlier steps are completed'),
  'state.recommended': m('Anbefalt for deg etter egenvurderingen', 'Tilrådd for deg etter eigenvurderinga', 'Recommended for you after the self-assessment'),
  'state.score': m('Poeng: {score} %', 'Poeng: {score} %', 'Score: {score}%'),


  'step.locked.body': m('Dette trinnet åpnes når du har fullført: {steps}.', 'Dette steget blir opna når du har fullført: {steps}.', 'This step opens when you have completed: {steps}.'),
  'step.done.body': m('Du har fullført dette trinnet.', 'Du har fullført dette steget.', 'You have completed this step.'),
  'step.estimate': m('Beregnet tid: {n} min', 'Rekna tid: {n} min', 'Estimated time: {n} min'),

  'web.open': m('Åpne ressursen (nytt vindu)', 'Opne ressursen (nytt vindauge)', 'Open the resource (new window)'),
  'web.video': m('Video: {title}', 'Video: {title}', 'Video: {title}'),
  'web.mark-done': m('Merk som fullført', 'Merk som fullført', 'Mark as done'),
  'web.minimum-time': m('Ressursen må være åpen i minst {n} minutter før du kan merke den som fullført.', 'Ressursen må vere open i minst {n} minutt før du kan merkje han som fullført.', 'The resource must be open for at least {n} minutes before you can mark it as done.'),
  'web.too-early': m('Det er for tidlig å merke ressursen som fullført. Bruk litt mer tid på den, og prøv igjen.', 'Det er for tidleg å merkje ressursen som fullført. Bruk litt meir tid på han, og prøv igjen.', 'It is too early to mark the resource as done. Spend a little more time on it and try again.'),

  'cmi5.help': m('Kurset består av delene under. Start hver del; steget er fullført når alle delene er gjennomført slik kurset krever.', 'Kurset består av delane under. Start kvar del; steget er fullført når alle delane er gjennomførte slik kurset krev.', 'The course has the parts below. Start each part; the step is complete when every part is done as the course requires.'),
  'cmi5.au.done': m('gjennomført', 'gjennomført', 'done'),
  'cmi5.au.not-done': m('ikke gjennomført ennå', 'ikkje gjennomført enno', 'not done yet'),
  'cmi5.open': m('Start «{title}»', 'Start «{title}»', 'Start "{title}"'),
  'cmi5.review': m('Se gjennom «{title}» igjen', 'Sjå gjennom «{title}» att', 'Review "{title}" again'),
  'cmi5.open.window': m('Start «{title}» (nytt vindu)', 'Start «{title}» (nytt vindauge)', 'Start "{title}" (new window)'),
  'scorm.open': m('Åpne kurset (nytt vindu)', 'Opne kurset (nytt vindauge)', 'Open the course (new window)'),
  'scorm.resume': m('Fortsett kurset (nytt vindu)', 'Hald fram med kurset (nytt vindauge)', 'Resume the course (new window)'),
  'scorm.help': m('Kurset åpnes i et nytt vindu. Framdriften lagres automatisk. Når du er ferdig, lukker du vinduet og går tilbake til læringsløpet.', 'Kurset blir opna i eit nytt vindauge. Framdrifta blir lagra automatisk. Når du er ferdig, lukkar du vindauget og går tilbake til læringsløpet.', 'The course opens in a new window. Your progress is saved automatically. When you are done, close the window and return to the learning path.'),
  'scorm.refresh': m('Se oppdatert status for kurset', 'Sjå oppdatert status for kurset', 'See the course’s updated status'),
  'scorm.unavailable': m('Kurset er ikke tilgjengelig nå. Kontakt den som har laget læringsløpet.', 'Kurset er ikkje tilgjengeleg no. Kontakt den som har laga læringsløpet.', 'The course is not available now. Contact whoever made the learning path.'),

  'self.intro': m('Vurder hvor godt hvert utsagn passer for deg, fra 1 (lite) til 4 (svært godt). Svarene viser hvilke trinn som kan være nyttige for deg.', 'Vurder kor godt kvart utsegn passar for deg, frå 1 (lite) til 4 (svært godt). Svara viser kva steg som kan vere nyttige for deg.', 'Rate how well each statement fits you, from 1 (little) to 4 (very well). Your answers show which steps may be useful to you.'),
  'self.level.1': m('1 – I liten grad', '1 – I liten grad', '1 – To a small extent'),
  'self.level.2': m('2 – I noen grad', '2 – I nokon grad', '2 – To some extent'),
  'self.level.3': m('3 – I stor grad', '3 – I stor grad', '3 – To a large extent'),
  'self.level.4': m('4 – I svært stor grad', '4 – I svært stor grad', '4 – To a very large extent'),
  'self.submit': m('Send egenvurderingen', 'Send eigenvurderinga', 'Submit the self-assessment'),
  'self.missing': m('Svar på alle utsagnene før du sender.', 'Svar på alle utsegna før du sender.', 'Answer every statement before you submit.'),

  'eval.anonymous': m('Svarene dine er anonyme: de lagres uten navnet ditt, og ingen kan se hva du svarte. Kursansvarlige ser bare svarene samlet, når minst fem nye har svart, og ikke oftere enn én gang i døgnet. Skriv ikke navnet ditt i fritekstsvar hvis du vil være anonym. Du kan svare én gang.', 'Svara dine er anonyme: dei blir lagra utan namnet ditt, og ingen kan sjå kva du svarte. Kursansvarlege ser berre svara samla, når minst fem nye har svart, og ikkje oftare enn éin gong i døgnet. Skriv ikkje namnet ditt i fritekstsvar om du vil vere anonym. Du kan svare éin gong.', 'Your answers are anonymous: they are stored without your name, and nobody can see what you answered. Course staff see answers only together, once at least five more people have answered, and no more than once a day. Do not write your name in a free-text answer if you want to stay anonymous. You can answer once.'),
  'eval.scale': m('Fra 1 (lavest) til {max} (høyest)', 'Frå 1 (lågast) til {max} (høgast)', 'From 1 (lowest) to {max} (highest)'),
  'eval.text-hint': m('Valgfritt, høyst {n} tegn.', 'Valfritt, høgst {n} teikn.', 'Optional, at most {n} characters.'),
  'eval.submit': m('Send evalueringen', 'Send evalueringa', 'Submit the evaluation'),
  'eval.missing': m('Svar på alle spørsmålene med skala før du sender.', 'Svar på alle spørsmåla med skala før du sender.', 'Answer every scale question before you submit.'),
  'eval.already': m('Du har allerede svart på evalueringen. Takk!', 'Du har alt svart på evalueringa. Takk!', 'You have already answered the evaluation. Thank you!'),

  'session.when': m('Tid', 'Tid', 'When'),
  'session.where': m('Sted', 'Stad', 'Where'),
  'session.seats': m('Plasser', 'Plassar', 'Seats'),
  'session.seats.value': m('{taken} av {capacity} tatt', '{taken} av {capacity} tekne', '{taken} of {capacity} taken'),
  'session.sign-up': m('Meld meg på', 'Meld meg på', 'Sign me up'),
  'session.cancel': m('Meld meg av', 'Meld meg av', 'Cancel my sign-up'),
  'session.signed-up': m('Du er påmeldt. Oppmøtet registreres av arrangøren.', 'Du er påmeld. Oppmøtet blir registrert av arrangøren.', 'You are signed up. Attendance is registered by the organiser.'),
  'session.full': m('Samlingen er full. Kontakt arrangøren hvis du trenger plass.', 'Samlinga er full. Kontakt arrangøren om du treng plass.', 'The session is full. Contact the organiser if you need a seat.'),
  'session.cancelled': m('Du er meldt av.', 'Du er meld av.', 'Your sign-up is cancelled.'),

  'problem.prerequisites-not-met': m('Fullfør de tidligere trinnene først.', 'Fullfør dei tidlegare stega først.', 'Complete the earlier steps first.'),
  'problem.invalid-outcome': m('Svaret kunne ikke tas imot. Sjekk at alt er fylt ut riktig, og prøv igjen.', 'Svaret kunne ikkje takast imot. Sjekk at alt er fylt ut rett, og prøv igjen.', 'The answer could not be accepted. Check that everything is filled in correctly and try again.'),
  'problem.generic': m('Det du sendte, kunne ikke lagres. Prøv igjen.', 'Det du sende, kunne ikkje lagrast. Prøv igjen.', 'What you sent could not be saved. Try again.'),
  'problem.heading': m('Ikke lagret', 'Ikkje lagra', 'Not saved'),

  'unavailable.attempt-not-allowed': m(
    'Du kan ikke ta dette læringsløpet på nytt nå. Det kan tas på nytt når kompetansen det gir, snart går ut, eller når lederen din gir deg det på nytt.',
    'Du kan ikkje ta dette læringsløpet på nytt no. Det kan takast på nytt når kompetansen det gjev, snart går ut, eller når leiaren din gjev deg det på nytt.',
    'You cannot take this learning path again now. It can be taken again when the competence it gives is about to expire, or when your manager assigns it to you again.',
  ),
  'unavailable.title': m('Læringsløpet kan ikke åpnes', 'Læringsløpet kan ikkje opnast', 'The learning path cannot be opened'),
  'unavailable.path-not-found': m('Lenken peker på et læringsløp som ikke finnes, eller som ikke er delt med kommunen din. Gi beskjed til den som la lenken inn i emnet.', 'Lenkja peikar på eit læringsløp som ikkje finst, eller som ikkje er delt med kommunen din. Gi beskjed til den som la lenkja inn i emnet.', 'The link points to a learning path that does not exist or is not shared with your municipality. Tell whoever added the link to the course.'),
  'unavailable.not-published': m('Læringsløpet er ikke publisert ennå. Prøv igjen senere, eller gi beskjed til den som la lenken inn i emnet.', 'Læringsløpet er ikkje publisert enno. Prøv igjen seinare, eller gi beskjed til den som la lenkja inn i emnet.', 'The learning path has not been published yet. Try again later, or tell whoever added the link to the course.'),
  'unavailable.enrolment-not-found': m('Vi fant ikke denne påmeldingen for deg. Start læringsløpet fra lenken i emnet ditt.', 'Vi fann ikkje denne påmeldinga for deg. Start læringsløpet frå lenkja i emnet ditt.', 'We could not find this enrolment for you. Start the learning path from the link in your course.'),
  'unavailable.step-not-found': m('Trinnet finnes ikke i læringsløpet ditt.', 'Steget finst ikkje i læringsløpet ditt.', 'The step is not in your learning path.'),
  'unavailable.reference': m('Referanse', 'Referanse', 'Reference'),
} satisfies Record<string, Messages>;

export type LearnerMessageId = keyof typeof LEARNER_MESSAGES;

const translate = translator(LEARNER_MESSAGES);

/** A learner text with `{name}` values filled in. */
export function tr(locale: Locale, id: LearnerMessageId, values: Record<string, string | number> = {}): string {
  return fillIn(translate(locale, id), values);
}

const DATE_LOCALES: Record<Locale, string> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

// Making an Intl.DateTimeFormat costs about as much as the rest of a small page (the verification
// page's profile): one per language and form, made on first use.
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** A date as people in Norway read it, in Norwegian time. */
export function formatDate(locale: Locale, date: Date, withTime = false): string {
  const key = `${locale}${withTime ? '+time' : ''}`;
  let format = DATE_FORMATS.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(DATE_LOCALES[locale], { dateStyle: 'long', ...(withTime ? { timeStyle: 'short' } : {}), timeZone: 'Europe/Oslo' });
    DATE_FORMATS.set(key, format);
  }
  return format.format(date);
}
