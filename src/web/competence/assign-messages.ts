import { fillIn, translator, type Locale, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

const catalogue = {
  // The person pages (manager, administrator): requirements, gaps, assignments.
  'gaps.title': m('Kompetansekrav', 'Kompetansekrav', 'Competence requirements'),
  'gaps.intro': m(
    'Kravene som gjelder stillingene personen har i dag, og hvor personen står. Et krav som ikke er oppfylt, kan lukkes ved å tildele et læringsløp som gir kompetansen.',
    'Krava som gjeld stillingane personen har i dag, og kvar personen står. Eit krav som ikkje er oppfylt, kan lukkast ved å tildele eit læringsløp som gir kompetansen.',
    'The requirements of the person’s current jobs, and where they stand. A requirement that is not met can be closed by assigning a path that grants the competence.',
  ),
  'gaps.none': m('Ingen kompetansekrav gjelder stillingene personen har i dag.', 'Ingen kompetansekrav gjeld stillingane personen har i dag.', 'No competence requirements apply to the person’s current jobs.'),
  'gaps.table': m('Kompetansekrav og status', 'Kompetansekrav og status', 'Requirements and status'),
  'col.competence': m('Kompetanse', 'Kompetanse', 'Competence'),
  'col.for': m('Gjelder', 'Gjeld', 'Applies to'),
  'col.kind': m('Krav', 'Krav', 'Requirement'),
  'col.status': m('Status', 'Status', 'Status'),
  'col.path': m('Læringsløp', 'Læringsløp', 'Path'),
  'col.due': m('Frist', 'Frist', 'Due'),
  'col.assigned-by': m('Tildelt av', 'Tildelt av', 'Assigned by'),
  'kind.mandatory': m('Obligatorisk', 'Obligatorisk', 'Mandatory'),
  'kind.recommended': m('Anbefalt', 'Tilrådd', 'Recommended'),
  'for.role-unit': m('{role} i {unit}', '{role} i {unit}', '{role} in {unit}'),
  'for.everyone': m('Alle', 'Alle', 'Everyone'),
  'status.met': m('Oppfylt', 'Oppfylt', 'Met'),
  'status.met.until': m('Oppfylt, gyldig til {date}', 'Oppfylt, gyldig til {date}', 'Met, valid until {date}'),
  'status.expiring': m('Utløper snart: {date}', 'Går snart ut: {date}', 'Expiring: {date}'),
  'status.expired': m('Utløpt {date}', 'Gått ut {date}', 'Expired {date}'),
  'status.missing': m('Mangler', 'Manglar', 'Missing'),
  'status.grace': m('Nyansatt: frist {date}', 'Nytilsett: frist {date}', 'Newcomer: due {date}'),
  'status.declared-only': m('Bare egenvurdert (teller ikke)', 'Berre eigenvurdert (tel ikkje)', 'Self-assessed only (does not count)'),
  'gaps.gaps': m('Mangler og læringsløp som lukker dem', 'Manglar og læringsløp som lukkar dei', 'Gaps and the paths that close them'),
  'gaps.no-gaps': m('Alle kravene er oppfylt.', 'Alle krava er oppfylte.', 'Every requirement is met.'),
  'gaps.no-paths': m('Ingen publiserte læringsløp gir denne kompetansen.', 'Ingen publiserte læringsløp gir denne kompetansen.', 'No published path grants this competence.'),
  'gaps.path-completed': m(
    '«{title}» er fullført tidligere. Det kan tas på nytt når kompetansen det ga, snart går ut eller har gått ut.',
    '«{title}» er fullført tidlegare. Det kan takast på nytt når kompetansen det gav, snart går ut eller har gått ut.',
    '“{title}” was completed earlier. It can be taken again when the competence it gave is about to expire or has expired.',
  ),
  'gaps.assigned': m('Tildelt: «{title}», frist {date}', 'Tildelt: «{title}», frist {date}', 'Assigned: “{title}”, due {date}'),
  'assign.legend': m('Tildel læringsløp for {competence}', 'Tildel læringsløp for {competence}', 'Assign a path for {competence}'),
  'assign.path': m('Læringsløp', 'Læringsløp', 'Path'),
  'assign.due': m('Frist', 'Frist', 'Due date'),
  'assign.due.hint': m('Dato som 31.12.2027', 'Dato som 31.12.2027', 'A date such as 31.12.2027'),
  'assign.note': m('Melding til den ansatte', 'Melding til den tilsette', 'Note to the employee'),
  'assign.button': m('Tildel «{title}»', 'Tildel «{title}»', 'Assign “{title}”'),
  'assign.button.chosen': m('Tildel valgt læringsløp', 'Tildel valt læringsløp', 'Assign the chosen path'),
  'assign.done': m('Læringsløpet er tildelt.', 'Læringsløpet er tildelt.', 'The path is assigned.'),
  'assign.already': m('Læringsløpet var allerede tildelt.', 'Læringsløpet var alt tildelt.', 'The path was assigned already.'),
  'assign.withdrawn': m('Tildelingen er trukket tilbake.', 'Tildelinga er trekt tilbake.', 'The assignment is withdrawn.'),
  'assign.refused.title': m('Tildelingen ble ikke lagret', 'Tildelinga vart ikkje lagra', 'The assignment was not saved'),
  'assign.back': m('Tilbake til personen', 'Tilbake til personen', 'Back to the person'),
  'problem.competence-not-lacking': m('Personen mangler ikke denne kompetansen lenger.', 'Personen manglar ikkje denne kompetansen lenger.', 'The person no longer lacks this competence.'),
  'problem.path-not-granting': m('Velg et publisert læringsløp som gir kompetansen.', 'Vel eit publisert læringsløp som gir kompetansen.', 'Choose a published path that grants the competence.'),
  'problem.path-completed': m(
    'Personen har fullført dette læringsløpet før. Det kan tildeles på nytt først når kompetansen det ga, snart går ut eller har gått ut.',
    'Personen har fullført dette læringsløpet før. Det kan tildelast på nytt først når kompetansen det gav, snart går ut eller har gått ut.',
    'The person completed this path before. It can be assigned again only when the competence it gave is about to expire or has expired.',
  ),
  'problem.due-missing': m('Skriv inn en frist.', 'Skriv inn ein frist.', 'Enter a due date.'),
  'problem.due-invalid': m('Fristen må være en dato som finnes, for eksempel 31.12.2027.', 'Fristen må vere ein dato som finst, til dømes 31.12.2027.', 'The due date must be a real date, such as 31.12.2027.'),
  'problem.due-past': m('Fristen kan ikke være før i dag.', 'Fristen kan ikkje vere før i dag.', 'The due date cannot be before today.'),
  'problem.due-too-late': m('Fristen kan være høyst to år fram i tid.', 'Fristen kan vere høgst to år fram i tid.', 'The due date can be at most two years ahead.'),
  'problem.note-too-long': m('Meldingen kan være høyst 1000 tegn.', 'Meldinga kan vere høgst 1000 teikn.', 'The note can be at most 1,000 characters.'),
  'assignments.title': m('Tildelte læringsløp', 'Tildelte læringsløp', 'Assigned paths'),
  'assignments.none': m('Ingen tildelte læringsløp.', 'Ingen tildelte læringsløp.', 'No assigned paths.'),
  'assignments.withdraw': m('Trekk tilbake «{title}»', 'Trekk tilbake «{title}»', 'Withdraw “{title}”'),
  'by.manager': m('Leder', 'Leiar', 'Manager'),
  'by.municipality-admin': m('Kommunen', 'Kommunen', 'The municipality'),
  'a-status.open': m('Ikke fullført', 'Ikkje fullført', 'Not completed'),
  'a-status.overdue': m('Forfalt', 'Forfalle', 'Overdue'),
  'a-status.completed': m('Fullført {date}', 'Fullført {date}', 'Completed {date}'),
  'a-status.withdrawn': m('Trukket tilbake', 'Trekt tilbake', 'Withdrawn'),

  // The learner: "Mine læringsløp" and "Min kompetanse".
  'learner.assigned': m('Tildelt av lederen din', 'Tildelt av leiaren din', 'Assigned by your manager'),
  'learner.assigned.admin': m('Tildelt av kommunen', 'Tildelt av kommunen', 'Assigned by the municipality'),
  'learner.due': m('Frist: {date}', 'Frist: {date}', 'Due: {date}'),
  'learner.overdue': m('Forfalt', 'Forfalle', 'Overdue'),
  'learner.for': m('Gir kompetansen {competence}', 'Gir kompetansen {competence}', 'Grants the competence {competence}'),
  'learner.note': m('Melding: {note}', 'Melding: {note}', 'Note: {note}'),
  'learner.open': m('Åpne «{title}»', 'Opne «{title}»', 'Open “{title}”'),
  'learner.find': m(
    'Læringsløpet startes fra en lenke i et emne i læringsplattformen din. Du finner det her:',
    'Læringsløpet blir starta frå ei lenkje i eit emne i læringsplattforma di. Du finn det her:',
    'The path is started from a link in a course in your learning platform. You find it here:',
  ),
  'learner.find.where': m('emnet «{course}», lenken «{link}»', 'emnet «{course}», lenkja «{link}»', 'the course “{course}”, the link “{link}”'),
  'learner.find.unknown': m(
    'Læringsløpet startes fra en lenke i et emne i læringsplattformen din. Spør lederen din hvor du finner lenken.',
    'Læringsløpet blir starta frå ei lenkje i eit emne i læringsplattforma di. Spør leiaren din kvar du finn lenkja.',
    'The path is started from a link in a course in your learning platform. Ask your manager where to find the link.',
  ),
  'mine.required': m('Det stillingen min krever', 'Det stillinga mi krev', 'What my job requires'),
  'mine.required.none': m('Ingen kompetansekrav gjelder stillingene dine.', 'Ingen kompetansekrav gjeld stillingane dine.', 'No competence requirements apply to your jobs.'),
  'mine.lacking': m('Det jeg mangler', 'Det eg manglar', 'What I lack'),
  'mine.lacking.none': m('Du oppfyller alle kravene.', 'Du oppfyller alle krava.', 'You meet every requirement.'),
  'mine.lacking.paths': m('Læringsløp som gir kompetansen:', 'Læringsløp som gir kompetansen:', 'Paths that grant the competence:'),
} as const;

export type AssignMessageId = keyof typeof catalogue;

const translate = translator(catalogue);

export function tg(locale: Locale, id: AssignMessageId, values?: Record<string, string | number>): string {
  const text = translate(locale, id);
  return values ? fillIn(text, values) : text;
}
