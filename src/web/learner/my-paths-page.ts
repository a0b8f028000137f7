import type { ToolRole } from '../../lti/roles.js';
import type { OwnPath } from '../../paths/own-paths.js';
import { html, type SafeHtml } from '../html.js';
import { alert, card, link as dsLink } from '../ds/components.js';
import { page } from '../layout.js';
import { formatDate, tr, type LearnerMessageId } from './messages.js';
import { enrolmentPath, link, MY_PATHS, withoutLang, type LearnerView } from './path-page.js';

const SECTIONS = ['in-progress', 'not-started', 'completed'] as const;

function entry(view: LearnerView, path: OwnPath, now: Date): SafeHtml {
  const { locale } = view;
  const progressText = tr(locale, 'path.progress.text', { done: path.stepsDone, total: path.stepsTotal });
  const completed = path.state === 'completed';
  return card(html`<h3>${dsLink(link(view, enrolmentPath(path.enrolmentId)), path.title)}</h3>
${path.attempt > 1 ? html`<p class="app-muted" data-attempt="${path.attempt}">${tr(locale, 'path.attempt', { n: path.attempt })}</p>` : ''}
${completed
    ? html`<p data-completed-on>${path.completedAt ? tr(locale, 'mine.completed-on', { date: formatDate(locale, path.completedAt) }) : tr(locale, 'state.completed')}</p>
<p data-result>${path.score !== null ? tr(locale, 'mine.result', { score: path.score.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO') }) : tr(locale, 'mine.no-score')}</p>`
    : html`<p class="app-progress"><progress max="${path.stepsTotal}" value="${path.stepsDone}" aria-label="${tr(locale, 'path.progress')}">${progressText}</progress> ${progressText}</p>
${path.dueAt ? html`<p data-due>${tr(locale, 'path.due')}: ${formatDate(locale, path.dueAt)}${path.dueAt < now ? html` <strong>${tr(locale, 'path.overdue')}</strong>` : ''}</p>` : ''}
${path.state === 'not-started' ? html`<p class="app-muted">${tr(locale, 'mine.started-on', { date: formatDate(locale, path.startedAt) })}</p>` : ''}`}`, {
    tag: 'li',
    ...(completed ? { color: 'success' as const } : {}),
    attrs: html` data-enrolment="${path.enrolmentId}" data-state="${path.state}"`,
  });
}

/**
 * "Mine læringsløp": the learner's paths in their municipality, in progress first, then those
 * opened but not begun, then completed ones; each leads to its path page.
 */
export function myPathsPage(view: LearnerView, input: { role: ToolRole; tenantName: string; personName: string | null; paths: readonly OwnPath[]; now: Date; assigned?: SafeHtml | '' }): SafeHtml {
  const { locale } = view;
  const title = tr(locale, 'mine.title');
  const sections = SECTIONS.map((state) => {
    const paths = input.paths.filter((p) => p.state === state);
    if (paths.length === 0) return '';
    return html`<section aria-labelledby="mine-${state}" data-section="${state}">
<h2 id="mine-${state}">${tr(locale, `mine.${state}` as LearnerMessageId)} (${paths.length})</h2>
<ul class="app-cards">${paths.map((p) => entry(view, p, input.now))}</ul>
</section>`;
  });
  const body = html`<div data-learner="mine" data-my-paths>
<h1 data-role="${input.role}">${title}</h1>
<p>${input.personName ? tr(locale, 'mine.person', { name: input.personName, tenant: input.tenantName }) : tr(locale, 'mine.tenant', { tenant: input.tenantName })}</p>
<p>${dsLink(link(view, '/learn/competence'), tr(locale, 'mine.competence'), html` data-my-competence-link`)}</p>
${input.assigned ?? ''}
${input.paths.length === 0 ? alert('info', tr(locale, 'mine.empty'), { attrs: html` data-empty` }) : sections}
</div>`;
  return page({ locale, title, body, path: MY_PATHS, keep: withoutLang(view.keep), theme: view.theme });
}
