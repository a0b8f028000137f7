import { translator } from '../i18n.js';

/** Texts of the SCORM player and content pages, in every language we speak. */
export const SCORM_MESSAGES = {
  'player.toc': { nb: 'Innhold i kurset', nn: 'Innhald i kurset', en: 'Course contents' },
  'player.previous': { nb: 'Forrige del', nn: 'Førre del', en: 'Previous part' },
  'player.next': { nb: 'Neste del', nn: 'Neste del', en: 'Next part' },
  'player.frame': { nb: 'Kursinnhold: {title}', nn: 'Kursinnhald: {title}', en: 'Course content: {title}' },
  'player.loading': { nb: 'Laster kurset …', nn: 'Lastar kurset …', en: 'Loading the course …' },
  'player.ready': { nb: 'Kurset er klart. Framdriften lagres automatisk.', nn: 'Kurset er klart. Framdrifta blir lagra automatisk.', en: 'The course is ready. Your progress is saved automatically.' },
  'player.failed': {
    nb: 'Kurset kunne ikke startes. Last siden på nytt, eller kontakt brukerstøtte.',
    nn: 'Kurset kunne ikkje startast. Last sida på nytt, eller kontakt brukarstøtte.',
    en: 'The course could not be started. Reload the page, or contact support.',
  },
  'player.superseded': {
    nb: 'Kurset er åpnet i et annet vindu. Fortsett der; det som gjøres i dette vinduet, lagres ikke.',
    nn: 'Kurset er opna i eit anna vindauge. Hald fram der; det som blir gjort i dette vindauget, blir ikkje lagra.',
    en: 'The course is open in another window. Continue there; what you do in this window is not saved.',
  },
  'player.finished-part': {
    nb: 'Denne delen er avsluttet. Velg neste del i innholdslisten.',
    nn: 'Denne delen er avslutta. Vel neste del i innhaldslista.',
    en: 'This part is finished. Choose the next part in the contents list.',
  },
  'player.finished-course': {
    nb: 'Kurset er avsluttet, og framdriften er lagret. Du kan lukke vinduet.',
    nn: 'Kurset er avslutta, og framdrifta er lagra. Du kan lukke vindauget.',
    en: 'The course is finished and your progress is saved. You can close the window.',
  },
  'player.returning': {
    nb: 'Kurset er avsluttet, og framdriften er lagret. Du går tilbake til læringsløpet …',
    nn: 'Kurset er avslutta, og framdrifta er lagra. Du går tilbake til læringsløpet …',
    en: 'The course is finished and your progress is saved. Taking you back to the learning path …',
  },
  'player.back': { nb: 'Tilbake til læringsløpet', nn: 'Tilbake til læringsløpet', en: 'Back to the learning path' },
  'player.exit.body-single': {
    nb: 'Framdriften din er lagret. Du kan lukke vinduet.',
    nn: 'Framdrifta di er lagra. Du kan lukke vindauget.',
    en: 'Your progress is saved. You can close the window.',
  },
  'player.exit.title': { nb: 'Du har avsluttet kurset', nn: 'Du har avslutta kurset', en: 'You have left the course' },
  'player.exit.body': {
    nb: 'Framdriften din er lagret. Du kan lukke vinduet eller velge en del for å fortsette.',
    nn: 'Framdrifta di er lagra. Du kan lukke vindauget eller velje ein del for å halde fram.',
    en: 'Your progress is saved. You can close the window or choose a part to continue.',
  },
  'player.locked-mark': { nb: '(låst)', nn: '(låst)', en: '(locked)' },
  'player.locked': {
    nb: 'Denne delen er låst til du har fullført delene den bygger på. Velg en annen del i innholdslisten.',
    nn: 'Denne delen er låst til du har fullført delane han byggjer på. Vel ein annan del i innhaldslista.',
    en: 'This part is locked until you have completed the parts it builds on. Choose another part in the contents list.',
  },
  'player.no-attempts-mark': { nb: '(ingen forsøk igjen)', nn: '(ingen forsøk att)', en: '(no attempts left)' },
  'player.no-attempts': {
    nb: 'Du har brukt alle forsøkene på denne delen. Velg en annen del i innholdslisten.',
    nn: 'Du har brukt alle forsøka på denne delen. Vel ein annan del i innhaldslista.',
    en: 'You have used all attempts at this part. Choose another part in the contents list.',
  },
  'player.unavailable': {
    nb: 'Denne delen kan ikke åpnes herfra. Følg rekkefølgen i kurset, eller velg en annen del i innholdslisten.',
    nn: 'Denne delen kan ikkje opnast herifrå. Følg rekkjefølgja i kurset, eller vel ein annan del i innhaldslista.',
    en: 'This part cannot be opened from here. Follow the order of the course, or choose another part in the contents list.',
  },
  'player.current': { nb: '(du er her)', nn: '(du er her)', en: '(you are here)' },
} as const;

export const scormText = translator(SCORM_MESSAGES);

export function fillText(text: string, params: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => params[key] ?? whole);
}
