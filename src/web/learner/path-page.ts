import { randomUUID } from 'node:crypto';
import type { RenewalOffer } from '../../competence/renewal.js';
import { tcert } from '../certificates/messages.js';
import type { Completion, EnrolmentProgress, StepProgress } from '../../paths/enrolments.js';
import type { PublishedVersion } from '../../paths/paths.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { alert, button, card, link as dsLink, linkButton } from '../ds/components.js';
import { page, type PageTheme } from '../layout.js';
import { stepTypeName } from '../step-types.js';
import { formatDate, tr, type LearnerMessageId } from './messages.js';

/** What every learner page needs to link onwards: the language and what links must keep. */
export interface LearnerView {
  readonly locale: Locale;
  /** Query parameters every link and form carries (the session token; `lang` when chosen). */
  readonly keep: Readonly<Record<string, string>>;
  /** The municipality's look. */
  readonly theme?: PageTheme | undefined;
}

export function link(view: LearnerView, path: string, extra: Record<string, string> = {}): string {
  return `${path}?${new URLSearchParams({ ...view.keep, ...extra }).toString()}`;
}

/** "Mine læringsløp": the learner's own list of paths. */
export const MY_PATHS = '/learn';
export const enrolmentPath = (enrolmentId: string) => `/learn/enrolments/${enrolmentId}`;
export const stepPath = (enrolmentId: string, stepId: string) => `/learn/enrolments/${enrolmentId}/steps/${stepId}`;
export const attemptsPath = (enrolmentId: string) => `/learn/enrolments/${enrolmentId}/attempts`;

export function stateText(locale: Locale, step: StepProgress): string {
  const state = tr(locale, `state.${step.status}` as LearnerMessageId);
  return step.score !== null ? `${state}. ${tr(locale, 'state.score', { score: Math.round(step.score * 100) })}` : state;
}

export function stepMeta(locale: Locale, step: { type: string; required: boolean; estimatedMinutes?: number | undefined }): string {
  return [
    stepTypeName(locale, step.type),
    tr(locale, step.required ? 'path.required' : 'path.optional'),
    step.estimatedMinutes ? tr(locale, 'step.estimate', { n: step.estimatedMinutes }) : '',
  ].filter(Boolean).join(' · ');
}

function completionSection(locale: Locale, completion: Completion, certificate: PathPageInput['certificate']): SafeHtml {
  return html`<section class="ds-alert" data-color="success" aria-labelledby="completed-heading" data-completed>
<h2 class="ds-heading" data-size="xs" id="completed-heading">${tr(locale, 'path.completed.title')}</h2>
<p class="ds-paragraph">${tr(locale, 'path.completed.body', { date: formatDate(locale, completion.completedAt) })}
${completion.score !== null
    ? tr(locale, 'path.completed.score', { score: completion.score.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO') })
    : html`<span data-no-score>${tr(locale, 'path.completed.no-score')}</span>`}</p>
${certificate ? html`<p class="ds-paragraph" data-completion-certificate><a class="ds-link" href="${certificate.pdf}" download>${tcert(locale, 'path.certificate')}</a> · <a class="ds-link" href="${certificate.all}">${tcert(locale, 'path.certificates')}</a></p>` : ''}
</section>`;
}

/** A calendar day ('YYYY-MM-DD') as formatDate takes it: noon UTC is the same day in Oslo. */
const day = (date: string) => new Date(`${date}T12:00:00Z`);

/** Why the path may be taken again, and the form that starts a new attempt. */
function renewalSection(view: LearnerView, enrolmentId: string, offer: RenewalOffer): SafeHtml {
  const { locale } = view;
  const why = offer.reason === 'assigned'
    ? tr(locale, 'renew.assigned', { date: formatDate(locale, day(offer.dueOn!)) })
    : tr(locale, offer.reason === 'expired' ? 'renew.expired' : 'renew.expiring', { date: formatDate(locale, day(offer.expiresOn!)) });
  return html`<section class="ds-alert" data-color="${offer.reason === 'expired' ? 'warning' : 'info'}" aria-labelledby="renew-heading" data-renewal="${offer.reason}">
<h2 class="ds-heading" data-size="xs" id="renew-heading">${tr(locale, 'renew.title')}</h2>
<p class="ds-paragraph">${why}</p>
<p class="ds-paragraph">${tr(locale, 'renew.note')}</p>
<form method="post" action="${attemptsPath(enrolmentId)}" data-action="new-attempt">
${Object.entries(view.keep).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<input type="hidden" name="request" value="${randomUUID()}">
${button(tr(locale, 'renew.start'), { attrs: html` id="new-attempt"` })}
</form>
</section>`;
}

/** Completions of earlier attempts, newest first. */
function earlierSection(locale: Locale, earlier: readonly Completion[]): SafeHtml {
  return html`<section aria-labelledby="earlier-heading" data-earlier>
<h2 id="earlier-heading">${tr(locale, 'path.earlier')}</h2>
<ul>${earlier.map((c) => html`<li data-earlier-completion="${c.id}">${tr(locale, 'path.completed.body', { date: formatDate(locale, c.completedAt) })}${c.score !== null
    ? html` ${tr(locale, 'path.completed.score', { score: c.score.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO') })}` : ''}</li>`)}</ul>
</section>`;
}

export interface PathPageInput {
  readonly progress: EnrolmentProgress;
  readonly version: PublishedVersion;
  readonly completion: Completion | undefined;
  /** The completion's certificate: its PDF and the learner's certificates. */
  readonly certificate?: { readonly pdf: string; readonly all: string } | undefined;
  /** The step just saved (after a form), to say so. */
  readonly saved: string | undefined;
  /** What a SCORM course came to, when the player has just led back here. */
  readonly returned?: SafeHtml | undefined;
  readonly now: Date;
  /** When the completed path may be taken again, and why. */
  readonly renewal?: RenewalOffer | undefined;
  /** Completions of the person's earlier attempts at the path. */
  readonly earlier?: readonly Completion[] | undefined;
}

/** The learner's path: progress, due date, the steps with their state, and where to continue. */
export function pathPage(view: LearnerView, { progress, version, completion, certificate, saved, returned, now, renewal, earlier = [] }: PathPageInput): SafeHtml {
  const { locale } = view;
  const definition = version.definition;
  const total = progress.steps.length;
  const done = progress.steps.filter((s) => s.status === 'completed').length;
  const minutesLeft = definition.steps
    .filter((s) => progress.steps.find((p) => p.stepId === s.id)?.status !== 'completed')
    .reduce((sum, s) => sum + (s.estimatedMinutes ?? 0), 0);
  const started = progress.steps.some((s) => s.status !== 'not-started' && s.status !== 'locked');
  const next = progress.nextStepId;
  const self = enrolmentPath(progress.enrolmentId);
  const items = progress.steps.map((step) => {
    const config = definition.steps.find((s) => s.id === step.stepId);
    const isNext = step.stepId === next && progress.status !== 'completed';
    return card(html`<h3><a class="ds-link" href="${link(view, stepPath(progress.enrolmentId, step.stepId))}">${step.title}</a></h3>
<p class="app-muted" data-step-meta>${stepMeta(locale, { type: step.type, required: step.required, estimatedMinutes: config?.estimatedMinutes })}</p>
<p data-step-state>${step.status === 'completed' ? html`<span aria-hidden="true">✓ </span>` : ''}${stateText(locale, step)}</p>
${step.recommended && step.status !== 'completed' ? html`<p data-recommended><span class="ds-tag" data-color="warning">${tr(locale, 'state.recommended')}</span></p>` : ''}
${isNext ? html`<p><span class="ds-tag" data-color="accent" data-next-label>${tr(locale, 'path.next')}</span></p>` : ''}`, {
      tag: 'li',
      variant: isNext ? 'tinted' : 'default',
      ...(isNext ? { color: 'accent' as const } : step.status === 'completed' ? { color: 'success' as const } : {}),
      attrs: html` data-step="${step.stepId}" data-status="${step.status}"${isNext ? html` aria-current="step"` : ''}`,
    });
  });
  const body = html`<div data-learner="path" data-enrolment="${progress.enrolmentId}">
<p>${dsLink(link(view, MY_PATHS), tr(locale, 'mine.link'), html` data-my-paths-link`)}</p>
<h1>${definition.title}</h1>
${definition.description ? html`<p class="app-pre-line">${definition.description}</p>` : ''}
${saved ? alert('success', tr(locale, 'path.saved'), { live: 'status' }) : ''}
${returned ?? ''}
${completion ? completionSection(locale, completion, certificate) : ''}
${renewal && progress.status === 'completed' ? renewalSection(view, progress.enrolmentId, renewal) : ''}
<div class="ds-field app-progress" data-path-progress>
<label class="ds-label" data-weight="medium" for="path-progress">${tr(locale, 'path.progress')}</label>
<progress id="path-progress" max="${total}" value="${done}">${tr(locale, 'path.progress.text', { done, total })}</progress>
<p>${tr(locale, 'path.progress.text', { done, total })}</p>
</div>
<dl class="app-facts">
${progress.dueAt && progress.status !== 'completed' ? html`<dt>${tr(locale, 'path.due')}</dt><dd data-due>${formatDate(locale, progress.dueAt)}${progress.dueAt < now ? html` <strong>${tr(locale, 'path.overdue')}</strong>` : ''}</dd>` : ''}
${minutesLeft > 0 && progress.status !== 'completed' ? html`<dt>${tr(locale, 'path.remaining-time')}</dt><dd>${tr(locale, 'path.minutes', { n: minutesLeft })}</dd>` : ''}
<dt>${tr(locale, 'path.version', { n: progress.versionNumber })}</dt><dd>${formatDate(locale, version.publishedAt)}</dd>
${progress.attempt > 1 ? html`<dt>${tr(locale, 'path.attempt', { n: progress.attempt })}</dt><dd data-attempt="${progress.attempt}">${formatDate(locale, progress.startedAt)}</dd>` : ''}
</dl>
${next && progress.status !== 'completed'
    ? html`<p>${linkButton(link(view, stepPath(progress.enrolmentId, next)), tr(locale, started ? 'path.continue' : 'path.start'), { attrs: html` id="continue"` })}</p>`
    : ''}
<h2>${tr(locale, 'path.steps')}</h2>
<ol class="app-cards">${items}</ol>
${earlier.length > 0 ? earlierSection(locale, earlier) : ''}
</div>`;
  return page({ locale, title: definition.title, body, path: self, keep: withoutLang(view.keep), theme: view.theme });
}

/** The layout's language links add `lang` themselves. */
export function withoutLang(keep: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(keep).filter(([k]) => k !== 'lang'));
}

/** A readable refusal: an unknown or unpublished path, another person's enrolment, a missing step. */
export function unavailablePage(view: LearnerView, reason: 'path-not-found' | 'not-published' | 'enrolment-not-found' | 'step-not-found' | 'attempt-not-allowed', reference: string): SafeHtml {
  const { locale } = view;
  return page({
    locale,
    title: tr(locale, 'unavailable.title'),
    path: '/learn/unavailable',
    keep: { ...withoutLang(view.keep), reason },
    theme: view.theme,
    body: html`<div data-unavailable="${reason}">
<h1>${tr(locale, 'unavailable.title')}</h1>
${alert('warning', tr(locale, `unavailable.${reason}`))}
${reference ? html`<p class="app-reference">${tr(locale, 'unavailable.reference')}: ${reference}</p>` : ''}
</div>`,
  });
}
