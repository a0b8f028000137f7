import type { Completion, EnrolmentProgress, StepProgress } from '../../paths/enrolments.js';
import type { PublishedVersion } from '../../paths/paths.js';
import { html, type SafeHtml } from '../html.js';
import type { Locale } from '../i18n.js';
import { page } from '../layout.js';
import { stepTypeName } from '../step-types.js';
import { formatDate, tr, type LearnerMessageId } from './messages.js';

/** What every learner page needs to link onwards: the language and what links must keep. */
export interface LearnerView {
  readonly locale: Locale;
  /** Query parameters every link and form carries (the session token; `lang` when chosen). */
  readonly keep: Readonly<Record<string, string>>;
}

export function link(view: LearnerView, path: string, extra: Record<string, string> = {}): string {
  return `${path}?${new URLSearchParams({ ...view.keep, ...extra }).toString()}`;
}

/** "Mine læringsløp": the learner's own list of paths. */
export const MY_PATHS = '/learn';
export const enrolmentPath = (enrolmentId: string) => `/learn/enrolments/${enrolmentId}`;
export const stepPath = (enrolmentId: string, stepId: string) => `/learn/enrolments/${enrolmentId}/steps/${stepId}`;

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

function completionSection(locale: Locale, completion: Completion): SafeHtml {
  return html`<section class="path-completed" aria-labelledby="completed-heading" data-completed>
<h2 id="completed-heading">${tr(locale, 'path.completed.title')}</h2>
<p>${tr(locale, 'path.completed.body', { date: formatDate(locale, completion.completedAt) })}
${completion.score !== null
    ? tr(locale, 'path.completed.score', { score: completion.score.toLocaleString(locale === 'en' ? 'en-GB' : 'nb-NO') })
    : html`<span data-no-score>${tr(locale, 'path.completed.no-score')}</span>`}</p>
</section>`;
}

export interface PathPageInput {
  readonly progress: EnrolmentProgress;
  readonly version: PublishedVersion;
  readonly completion: Completion | undefined;
  /** The step just saved (after a form), to say so. */
  readonly saved: string | undefined;
  /** What a SCORM course came to, when the player has just led back here. */
  readonly returned?: SafeHtml | undefined;
  readonly now: Date;
}

/** The learner's path: progress, due date, the steps with their state, and where to continue. */
export function pathPage(view: LearnerView, { progress, version, completion, saved, returned, now }: PathPageInput): SafeHtml {
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
    return html`<li class="step step-${step.status}${isNext ? ' step-next' : ''}" data-step="${step.stepId}" data-status="${step.status}"${isNext ? html` aria-current="step"` : ''}>
<h3><a href="${link(view, stepPath(progress.enrolmentId, step.stepId))}">${step.title}</a></h3>
<p class="step-meta">${stepMeta(locale, { type: step.type, required: step.required, estimatedMinutes: config?.estimatedMinutes })}</p>
<p class="step-state">${stateText(locale, step)}</p>
${step.recommended && step.status !== 'completed' ? html`<p class="step-recommended" data-recommended>${tr(locale, 'state.recommended')}</p>` : ''}
${isNext ? html`<p class="step-next-label">${tr(locale, 'path.next')}</p>` : ''}
</li>`;
  });
  const body = html`<div class="learner learner-path" data-enrolment="${progress.enrolmentId}">
<p class="to-my-paths"><a href="${link(view, MY_PATHS)}" data-my-paths-link>${tr(locale, 'mine.link')}</a></p>
<h1>${definition.title}</h1>
${definition.description ? html`<p class="path-description">${definition.description}</p>` : ''}
${saved ? html`<p class="notice" role="status">${tr(locale, 'path.saved')}</p>` : ''}
${returned ?? ''}
${completion ? completionSection(locale, completion) : ''}
<div class="path-progress">
<label for="path-progress">${tr(locale, 'path.progress')}</label>
<progress id="path-progress" max="${total}" value="${done}">${tr(locale, 'path.progress.text', { done, total })}</progress>
<p>${tr(locale, 'path.progress.text', { done, total })}</p>
</div>
<dl class="facts">
${progress.dueAt && progress.status !== 'completed' ? html`<dt>${tr(locale, 'path.due')}</dt><dd data-due>${formatDate(locale, progress.dueAt)}${progress.dueAt < now ? html` <strong>${tr(locale, 'path.overdue')}</strong>` : ''}</dd>` : ''}
${minutesLeft > 0 && progress.status !== 'completed' ? html`<dt>${tr(locale, 'path.remaining-time')}</dt><dd>${tr(locale, 'path.minutes', { n: minutesLeft })}</dd>` : ''}
<dt>${tr(locale, 'path.version', { n: progress.versionNumber })}</dt><dd>${formatDate(locale, version.publishedAt)}</dd>
</dl>
${next && progress.status !== 'completed'
    ? html`<p><a class="button" id="continue" href="${link(view, stepPath(progress.enrolmentId, next))}">${tr(locale, started ? 'path.continue' : 'path.start')}</a></p>`
    : ''}
<h2>${tr(locale, 'path.steps')}</h2>
<ol class="steps">${items}</ol>
</div>`;
  return page({ locale, title: definition.title, body, path: self, keep: withoutLang(view.keep) });
}

/** The layout's language links add `lang` themselves. */
export function withoutLang(keep: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(keep).filter(([k]) => k !== 'lang'));
}

/** A readable refusal: an unknown or unpublished path, another person's enrolment, a missing step. */
export function unavailablePage(view: LearnerView, reason: 'path-not-found' | 'not-published' | 'enrolment-not-found' | 'step-not-found', reference: string): SafeHtml {
  const { locale } = view;
  return page({
    locale,
    title: tr(locale, 'unavailable.title'),
    path: '/learn/unavailable',
    keep: { ...withoutLang(view.keep), reason },
    body: html`<div class="learner error-page" data-unavailable="${reason}">
<h1>${tr(locale, 'unavailable.title')}</h1>
<p>${tr(locale, `unavailable.${reason}`)}</p>
${reference ? html`<p class="reference">${tr(locale, 'unavailable.reference')}: ${reference}</p>` : ''}
</div>`,
  });
}
