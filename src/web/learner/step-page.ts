import { randomUUID } from 'node:crypto';
import type { EvaluationStep, SelfAssessmentStep, SessionStep, Step, WebStep } from '../../paths/definition.js';
import type { StepProgress } from '../../paths/enrolments.js';
import { html, type SafeHtml } from '../html.js';
import { alert, breadcrumbs, button, linkButton } from '../ds/components.js';
import { textarea } from '../ds/fields.js';
import { page } from '../layout.js';
import { formatDate, tr, type LearnerMessageId } from './messages.js';
import type { Cmi5AuView } from './cmi5-bridge.js';
import { enrolmentPath, link, stateText, stepMeta, stepPath, withoutLang, type LearnerView } from './path-page.js';

/** What the learner sent and what was wrong with it, to show the form again without losing it. */
export interface FormProblem {
  readonly message: LearnerMessageId;
  readonly values: Readonly<Record<string, string>>;
}

export interface StepPageInput {
  readonly enrolmentId: string;
  readonly step: Step;
  readonly progress: StepProgress;
  /** Titles of the earlier steps still to complete (for a locked step). */
  readonly missing: readonly string[];
  readonly problem: FormProblem | undefined;
  readonly session?: { taken: number; signedUp: boolean } | undefined;
  readonly notice?: LearnerMessageId | undefined;
  /** A cmi5 step's AUs, with what is satisfied of them. */
  readonly cmi5Aus?: readonly Cmi5AuView[] | undefined;
}

/** Hidden fields of every form: the session (no cookies in an LMS iframe), the language, and a
 *  request id that makes a double submit count once. */
function hiddenFields(view: LearnerView, action: string): SafeHtml {
  return html`${Object.entries(view.keep).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<input type="hidden" name="request" value="${randomUUID()}">
<input type="hidden" name="action" value="${action}">`;
}

function form(view: LearnerView, input: StepPageInput, action: string, inner: SafeHtml, options: { target?: string } = {}): SafeHtml {
  return html`<form method="post" action="${stepPath(input.enrolmentId, input.step.id)}"${options.target ? html` target="${options.target}"` : ''} data-action="${action}">
${hiddenFields(view, action)}
${inner}
</form>`;
}

function radio(id: string, name: string, value: string, label: string, checked: boolean): SafeHtml {
  return html`<div class="ds-field"><input class="ds-input" type="radio" id="${id}" name="${name}" value="${value}" required${checked ? html` checked` : ''}><label class="ds-label" data-weight="regular" for="${id}">${label}</label></div>`;
}

const VIDEO_FILE = /\.(mp4|webm|ogg|ogv)$/i;

/** A video as a file plays in a <video>; anything else (an embed page) in an iframe. */
export function videoKind(url: string): 'file' | 'embed' {
  return VIDEO_FILE.test(new URL(url).pathname) ? 'file' : 'embed';
}

function webBody(view: LearnerView, input: StepPageInput, step: WebStep, done: boolean): SafeHtml {
  const { locale } = view;
  const resource = step.config.resource;
  const media = resource.kind === 'link'
    ? html`<p>${linkButton(resource.url, tr(locale, 'web.open'), { attrs: html` target="_blank" rel="noopener noreferrer" id="open-resource"` })}</p>`
    : videoKind(resource.url) === 'file'
      ? html`<video class="app-video" controls preload="metadata" src="${resource.url}" aria-label="${tr(locale, 'web.video', { title: step.title })}"></video>`
      : html`<div class="app-video-frame"><iframe src="${resource.url}" title="${tr(locale, 'web.video', { title: step.title })}" allowfullscreen></iframe></div>`;
  const rule = step.config.done;
  return html`${media}
${!done && rule.by === 'minimum-time' ? html`<p>${tr(locale, 'web.minimum-time', { n: Math.ceil(rule.seconds / 60) })}</p>` : ''}
${done ? '' : form(view, input, 'done', button(tr(locale, 'web.mark-done')))}`;
}

function scormBody(view: LearnerView, input: StepPageInput, done: boolean): SafeHtml {
  const { locale } = view;
  const started = input.progress.status !== 'not-started';
  return html`<p>${tr(locale, 'scorm.help')}</p>
${form(view, input, 'open', button(tr(locale, started || done ? 'scorm.resume' : 'scorm.open'), { attrs: html` id="open-course"` }), { target: '_blank' })}
<p><a class="ds-link" href="${link(view, stepPath(input.enrolmentId, input.step.id))}">${tr(locale, 'scorm.refresh')}</a></p>`;
}

/** A cmi5 step: each AU with its state and its own start button; an AU that wants its own window gets one (cmi5 §8.1). */
function cmi5Body(view: LearnerView, input: StepPageInput): SafeHtml {
  const { locale } = view;
  const aus = input.cmi5Aus ?? [];
  return html`<p>${tr(locale, 'cmi5.help')}</p>
<ul class="app-list" data-cmi5-aus>${aus.map((au) => html`<li data-au="${au.id}" data-satisfied="${au.satisfied ? 'yes' : 'no'}">
<span>${au.title}</span> · <span class="app-muted">${tr(locale, au.satisfied ? 'cmi5.au.done' : 'cmi5.au.not-done')}</span>
${form(view, input, 'open', html`<input type="hidden" name="au" value="${au.id}">${button(tr(locale, au.launchMethod === 'OwnWindow' ? 'cmi5.open.window' : 'cmi5.open', { title: au.title }), { variant: 'secondary' })}`, au.launchMethod === 'OwnWindow' ? { target: '_blank' } : {})}
${au.satisfied ? form(view, input, 'review', html`<input type="hidden" name="au" value="${au.id}">${button(tr(locale, 'cmi5.review', { title: au.title }), { variant: 'tertiary' })}`, au.launchMethod === 'OwnWindow' ? { target: '_blank' } : {}) : ''}
</li>`)}</ul>
<p><a class="ds-link" href="${link(view, stepPath(input.enrolmentId, input.step.id))}">${tr(locale, 'scorm.refresh')}</a></p>`;
}

function selfAssessmentBody(view: LearnerView, input: StepPageInput, step: SelfAssessmentStep): SafeHtml {
  const { locale } = view;
  const values = input.problem?.values ?? {};
  const groups = step.config.statements.map((statement, index) => {
    const name = `rating.${statement.id}`;
    return html`<fieldset class="ds-fieldset" data-rating>
<legend class="ds-label" data-weight="medium">${statement.text}</legend>
<div class="app-choices">${[1, 2, 3, 4].map((level) => {
      const id = `s${index}-${level}`;
      return radio(id, name, String(level), tr(locale, `self.level.${level}` as LearnerMessageId), values[name] === String(level));
    })}</div>
</fieldset>`;
  });
  return form(view, input, 'self-assessment', html`<p>${tr(locale, 'self.intro')}</p>
${groups}
${button(tr(locale, 'self.submit'))}`);
}

function evaluationBody(view: LearnerView, input: StepPageInput, step: EvaluationStep): SafeHtml {
  const { locale } = view;
  const values = input.problem?.values ?? {};
  const questions = step.config.questions.map((question, index) => {
    const name = `answer.${question.id}`;
    if (question.kind === 'scale') {
      const hint = `q${index}-hint`;
      return html`<fieldset class="ds-fieldset" aria-describedby="${hint}" data-rating>
<legend class="ds-label" data-weight="medium">${question.text}</legend>
<p id="${hint}" class="ds-paragraph" data-field="description">${tr(locale, 'eval.scale', { max: question.max })}</p>
<div class="app-choices" data-inline>${Array.from({ length: question.max }, (_, i) => i + 1).map((value) => radio(`q${index}-${value}`, name, String(value), String(value), values[name] === String(value)))}</div>
</fieldset>`;
    }
    const id = `q${index}`;
    return textarea({ locale, values, errors: new Map() }, id, question.text, { hint: tr(locale, 'eval.text-hint', { n: question.maxLength }), rows: 4, maxlength: question.maxLength, name });
  });
  return form(view, input, 'evaluation', html`${alert('info', tr(locale, 'eval.anonymous'))}
${questions}
${button(tr(locale, 'eval.submit'))}`);
}

function sessionBody(view: LearnerView, input: StepPageInput, step: SessionStep, done: boolean): SafeHtml {
  const { locale } = view;
  const c = step.config;
  const seats = input.session ?? { taken: 0, signedUp: false };
  const when = `${formatDate(locale, new Date(`${c.date}T12:00:00Z`))}, ${c.startTime}${c.endTime ? `–${c.endTime}` : ''}`;
  const full = !seats.signedUp && seats.taken >= c.capacity;
  return html`<dl class="app-facts">
<dt>${tr(locale, 'session.when')}</dt><dd>${when}</dd>
<dt>${tr(locale, 'session.where')}</dt><dd>${c.place}</dd>
<dt>${tr(locale, 'session.seats')}</dt><dd data-seats>${tr(locale, 'session.seats.value', { taken: seats.taken, capacity: c.capacity })}</dd>
</dl>
${done ? '' : seats.signedUp
    ? html`${alert('success', tr(locale, 'session.signed-up'), { attrs: html` data-signed-up` })}${form(view, input, 'cancel', button(tr(locale, 'session.cancel'), { variant: 'secondary' }))}`
    : full
      ? alert('warning', tr(locale, 'session.full'), { attrs: html` data-full` })
      : form(view, input, 'sign-up', button(tr(locale, 'session.sign-up')))}`;
}

/** One step of the learner's path, with what the learner can do there. */
export function stepPage(view: LearnerView, input: StepPageInput): SafeHtml {
  const { locale } = view;
  const { step, progress } = input;
  const done = progress.status === 'completed';
  const locked = progress.status === 'locked';
  let body: SafeHtml | string = '';
  if (!locked) {
    switch (step.type) {
      case 'web': body = webBody(view, input, step, done); break;
      case 'scorm':
      case 'xapi': body = scormBody(view, input, done); break;
      case 'cmi5': body = cmi5Body(view, input); break;
      case 'self-assessment': body = done ? '' : selfAssessmentBody(view, input, step); break;
      case 'evaluation': body = done ? html`<p>${tr(locale, 'eval.already')}</p>` : evaluationBody(view, input, step); break;
      case 'session': body = sessionBody(view, input, step, done); break;
    }
  }
  const self = stepPath(input.enrolmentId, step.id);
  return page({
    locale,
    title: step.title,
    path: self,
    keep: withoutLang(view.keep),
    theme: view.theme,
    body: html`<div data-learner="step" data-step="${step.id}" data-type="${step.type}" data-status="${progress.status}">
${breadcrumbs(tr(locale, 'path.back'), [{ label: tr(locale, 'path.back'), href: link(view, enrolmentPath(input.enrolmentId)) }])}
<h1>${step.title}</h1>
<p class="app-muted" data-step-meta>${stepMeta(locale, step)}</p>
<p data-step-state>${stateText(locale, progress)}</p>
${progress.recommended && !done ? html`<p><span class="ds-tag" data-color="warning">${tr(locale, 'state.recommended')}</span></p>` : ''}
${input.problem ? html`<div class="ds-error-summary" role="alert" tabindex="-1" aria-labelledby="problem-heading" data-problem="${input.problem.message}"><h2 class="ds-heading" data-size="xs" id="problem-heading">${tr(locale, 'problem.heading')}</h2><p class="ds-paragraph">${tr(locale, input.problem.message)}</p></div>` : ''}
${input.notice ? alert('success', tr(locale, input.notice), { live: 'status', attrs: html` data-notice="${input.notice}"` }) : ''}
${locked ? alert('info', tr(locale, 'step.locked.body', { steps: input.missing.join(', ') }), { attrs: html` data-locked` }) : ''}
${done && step.type !== 'evaluation' ? alert('success', tr(locale, 'step.done.body')) : ''}
${body}
</div>`,
  });
}

