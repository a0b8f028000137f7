import { translator, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts the shared components say themselves. */
export const tds = translator({
  'form.errors': m('Skjemaet har feil', 'Skjemaet har feil', 'The form has errors'),
  'form.errors.intro': m('Ingenting er lagret. Rett feilene under – det du skrev, står fortsatt i feltene.', 'Ingenting er lagra. Rett feila under – det du skreiv, står framleis i felta.', 'Nothing was saved. Correct the errors below – what you entered is still in the fields.'),
  'form.optional': m('valgfritt', 'valfritt', 'optional'),
  'pagination.label': m('Sider', 'Sider', 'Pages'),
  'pagination.previous': m('Forrige', 'Førre', 'Previous'),
  'pagination.next': m('Neste', 'Neste', 'Next'),
});
