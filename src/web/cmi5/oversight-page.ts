import type { OverseenAu, OverseenRegistration } from '../../cmi5/oversight.js';
import { WAIVE_REASONS } from '../../cmi5/tables.js';
import { alert, button, card, link, srOnly } from '../ds/components.js';
import { html, type SafeHtml } from '../html.js';
import { fillIn, type Locale } from '../i18n.js';
import { page, type PageTheme } from '../layout.js';
import { formatDate } from '../learner/messages.js';
import { to } from './oversight-messages.js';

export interface OversightView {
  readonly locale: Locale;
  /** The language asked for with ?lang=, kept in the page's links and forms. */
  readonly asked: Locale | undefined;
  readonly path: string;
  readonly back: string;
  readonly keep: { readonly session: string };
  readonly theme: PageTheme | undefined;
  readonly learnerName: string;
  readonly registrations: readonly OverseenRegistration[];
  readonly message: { readonly kind: 'notice' | 'refused'; readonly text: string } | undefined;
}

function hidden(view: OversightView, fields: Record<string, string>): SafeHtml {
  return html`<input type="hidden" name="session" value="${view.keep.session}">${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}`;
}

function action(view: OversightView): string {
  return view.asked ? `${view.path}?lang=${view.asked}` : view.path;
}

function status(locale: Locale, au: OverseenAu): string {
  if (au.waived) return fillIn(to(locale, 'cmi5.status.waived'), { reason: au.waived.reason ? to(locale, `cmi5.reason.${au.waived.reason}`) : '' });
  return to(locale, au.satisfied ? 'cmi5.status.satisfied' : 'cmi5.status.open');
}

function sessionsCell(view: OversightView, au: OverseenAu): SafeHtml | string {
  const { locale } = view;
  if (au.openSessions.length === 0) return to(locale, 'cmi5.sessions.none');
  return html`<ul class="app-list">${au.openSessions.map((s) => html`<li data-open-session="${s.id}">${fillIn(to(locale, 'cmi5.session.started'), { at: formatDate(locale, s.launchedAt, true) })}
<form method="post" action="${action(view)}" data-action="abandon">${hidden(view, { action: 'abandon', sessionId: s.id })}
${button(html`${to(locale, 'cmi5.session.abandon')}${srOnly(`: ${au.title}`)}`, { variant: 'secondary' })}</form></li>`)}</ul>`;
}

function waiveCell(view: OversightView, registration: string, au: OverseenAu, index: number): SafeHtml | string {
  const { locale } = view;
  if (au.waived || au.satisfied) return '';
  const id = `reason-${registration}-${index}`;
  return html`<form method="post" action="${action(view)}" data-action="waive" data-au="${au.id}">${hidden(view, { action: 'waive', registration, au: au.id })}
<div class="ds-field"><label class="ds-label" data-weight="medium" for="${id}">${fillIn(to(locale, 'cmi5.waive.reason'), { title: au.title })}</label>
<select class="ds-input" id="${id}" name="reason">${WAIVE_REASONS.map((r) => html`<option value="${r}">${to(locale, `cmi5.reason.${r}`)}</option>`)}</select></div>
${button(html`${to(locale, 'cmi5.waive.submit')}${srOnly(`: ${au.title}`)}`, { variant: 'secondary' })}</form>`;
}

/** A learner's cmi5 courses for the person who follows them: each AU's state, waiving, ending sessions. */
export function oversightPage(view: OversightView): SafeHtml {
  const { locale } = view;
  const title = fillIn(to(locale, 'cmi5.title'), { name: view.learnerName });
  const backHref = `${view.back}?${new URLSearchParams({ ...view.keep, ...(view.asked ? { lang: view.asked } : {}) }).toString()}`;
  const body = html`<div data-cmi5-oversight>
<h1>${title}</h1>
<p>${link(backHref, to(locale, 'cmi5.back'))}</p>
${view.message ? alert(view.message.kind === 'notice' ? 'success' : 'danger', view.message.text, { live: view.message.kind === 'notice' ? 'status' : 'alert', attrs: html` data-${view.message.kind}` }) : ''}
<p>${to(locale, 'cmi5.intro')}</p>
${view.registrations.length === 0
    ? html`<p data-empty>${to(locale, 'cmi5.none')}</p>`
    : view.registrations.map((r, ri) => html`<section aria-labelledby="course-${ri}" data-registration="${r.registration}">
<h2 id="course-${ri}">${r.courseTitle}</h2>
<ul class="app-cards">${r.aus.map((au, index) => card(html`<h3>${au.title}</h3>
<dl class="app-facts">
<dt>${to(locale, 'cmi5.col.moveon')}</dt><dd>${au.moveOn}</dd>
<dt>${to(locale, 'cmi5.col.status')}</dt><dd data-status>${status(locale, au)}</dd>
<dt>${to(locale, 'cmi5.col.sessions')}</dt><dd>${sessionsCell(view, au)}</dd>
</dl>
${waiveCell(view, r.registration, au, index)}`, { tag: 'li', attrs: html` data-au-row="${au.id}" data-satisfied="${au.satisfied ? 'yes' : 'no'}"` }))}</ul>
</section>`)}
</div>`;
  return page({ locale, title, body, path: view.path, keep: view.keep, theme: view.theme });
}
