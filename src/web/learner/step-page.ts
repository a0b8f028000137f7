import { randomUUID } from 'node:crypto';
import type { EvaluationStep, SelfAssessmentStep, SessionStep, Step, WebStep } from '../../paths/definition.js';
import type { StepProgress } from '../../paths/enrolments.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { formatDate, tr, type LearnerMessageId } from './messages.js';
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
}

/** Hidden fields of every form: the session (no cookies in an LMS iframe), the language, and a
 *  request id that makes a double submit count once. */
function hiddenFields(view: LearnerView, action: string): SafeHtml {
  return html`${Object.entries(view.keep).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<input type="hidden" name="request" value="${randomUUID()}">
<input type="hidden" name="action" value="${action}">`;
}

function form(view: LearnerView, input: StepPageInput, action: string, inner: SafeHtml, options: { target?: string } = {}): SafeHtml {
  return html`<form method="post" action="${stepPath(input.enrolmentId, input.step.id)}"${options.target ? html` target="${options.target}"` : ''} class="step-form" data-action="${action}">
${hiddenFields(view, action)}
${inner}
</form>`;
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
    ? html`<p><a class="button" href="${resource.url}" target="_blank" rel="noopener noreferrer" id="open-resource">${tr(locale, 'web.open')}</a></p>`
    : videoKind(resource.url) === 'file'
      ? html`<video class="step-video" controls preload="metadata" src="${resource.url}" aria-label="${tr(locale, 'web.video', { title: step.title })}"></video>`
      : html`<div class="step-video-frame"><iframe src="${resource.url}" title="${tr(locale, 'web.video', { title: step.title })}" allowfullscreen></iframe></div>`;
  const rule = step.config.done;
  return html`${media}
${!done && rule.by === 'minimum-time' ? html`<p>${tr(locale, 'web.minimum-time', { n: Math.ceil(rule.seconds / 60) })}</p>` : ''}
${done ? '' : form(view, input, 'done', html`<button type="submit">${tr(locale, 'web.mark-done')}</button>`)}`;
}

function scormBody(view: LearnerView, input: StepPageInput, done: boolean): SafeHtml {
  const { locale } = view;
  const started = input.progress.status !== 'not-started';
  return html`<p>${tr(locale, 'scorm.help')}</p>
${form(view, input, 'open', html`<button type="submit" id="open-course">${tr(locale, started || done ? 'scorm.resume' : 'scorm.open')}</button>`, { target: '_blank' })}
<p><a href="${link(view, stepPath(input.enrolmentId, input.step.id))}">${tr(locale, 'scorm.refresh')}</a></p>`;
}

function selfAssessmentBody(view: LearnerView, input: StepPageInput, step: SelfAssessmentStep): SafeHtml {
  const { locale } = view;
  const values = input.problem?.values ?? {};
  const groups = step.config.statements.map((statement, index) => {
    const name = `rating.${statement.id}`;
    return html`<fieldset class="rating">
<legend>${statement.text}</legend>
${[1, 2, 3, 4].map((level) => {
      const id = `s${index}-${level}`;
      return html`<div class="choice"><input type="radio" id="${id}" name="${name}" value="${level}" required${values[name] === String(level) ? html` checked` : ''}><label for="${id}">${tr(locale, `self.level.${level}` as LearnerMessageId)}</label></div>`;
    })}
</fieldset>`;
  });
  return form(view, input, 'self-assessment', html`<p>${tr(locale, 'self.intro')}</p>
${groups}
<button type="submit">${tr(locale, 'self.submit')}</button>`);
}

function evaluationBody(view: LearnerView, input: StepPageInput, step: EvaluationStep): SafeHtml {
  const { locale } = view;
  const values = input.problem?.values ?? {};
  const questions = step.config.questions.map((question, index) => {
    const name = `answer.${question.id}`;
    if (question.kind === 'scale') {
      const hint = `q${index}-hint`;
      return html`<fieldset class="rating" aria-describedby="${hint}">
<legend>${question.text}</legend>
<p id="${hint}" class="hint">${tr(locale, 'eval.scale', { max: question.max })}</p>
${Array.from({ length: question.max }, (_, i) => i + 1).map((value) => {
        const id = `q${index}-${value}`;
        return html`<div class="choice choice-inline"><input type="radio" id="${id}" name="${name}" value="${value}" required${values[name] === String(value) ? html` checked` : ''}><label for="${id}">${value}</label></div>`;
      })}
</fieldset>`;
    }
    const id = `q${index}`;
    return html`<div class="field">
<label for="${id}">${question.text}</label>
<p id="${id}-hint" class="hint">${tr(locale, 'eval.text-hint', { n: question.maxLength })}</p>
<textarea id="${id}" name="${name}" rows="4" maxlength="${question.maxLength}" aria-describedby="${id}-hint">${values[name] ?? ''}</textarea>
</div>`;
  });
  return form(view, input, 'evaluation', html`<p class="notice">${tr(locale, 'eval.anonymous')}</p>
${questions}
<button type="submit">${tr(locale, 'eval.submit')}</button>`);
}

function sessionBody(view: LearnerView, input: StepPageInput, step: SessionStep, done: boolean): SafeHtml {
  const { locale } = view;
  const c = step.config;
  const seats = input.session ?? { taken: 0, signedUp: false };
  const when = `${formatDate(locale, new Date(`${c.date}T12:00:00Z`))}, ${c.startTime}${c.endTime ? `–${c.endTime}` : ''}`;
  const full = !seats.signedUp && seats.taken >= c.capacity;
  return html`<dl class="facts">
<dt>${tr(locale, 'session.when')}</dt><dd>${when}</dd>
<dt>${tr(locale, 'session.where')}</dt><dd>${c.place}</dd>
<dt>${tr(locale, 'session.seats')}</dt><dd data-seats>${tr(locale, 'session.seats.value', { taken: seats.taken, capacity: c.capacity })}</dd>
</dl>
${done ? '' : seats.signedUp
    ? html`<p class="notice" data-signed-up>${tr(locale, 'session.signed-up')}</p>${form(view, input, 'cancel', html`<button type="submit">${tr(locale, 'session.cancel')}</button>`)}`
    : full
      ? html`<p class="notice" data-full>${tr(locale, 'session.full')}</p>`
      : form(view, input, 'sign-up', html`<button type="submit">${tr(locale, 'session.sign-up')}</button>`)}`;
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
      case 'scorm': body = scormBody(view, input, done); break;
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
    body: html`<div class="learner learner-step" data-step="${step.id}" data-type="${step.type}" data-status="${progress.status}">
<p><a href="${link(view, enrolmentPath(input.enrolmentId))}">${tr(locale, 'path.back')}</a></p>
<h1>${step.title}</h1>
<p class="step-meta">${stepMeta(locale, step)}</p>
<p class="step-state">${stateText(locale, progress)}</p>
${progress.recommended && !done ? html`<p class="step-recommended">${tr(locale, 'state.recommended')}</p>` : ''}
${input.problem ? html`<div class="problem" role="alert" data-problem="${input.problem.message}"><h2>${tr(locale, 'problem.heading')}</h2><p>${tr(locale, input.problem.message)}</p></div>` : ''}
${input.notice ? html`<p class="notice" role="status" data-notice="${input.notice}">${tr(locale, input.notice)}</p>` : ''}
${locked ? html`<p class="locked" data-locked>${tr(locale, 'step.locked.body', { steps: input.missing.join(', ') })}</p>` : ''}
${done && step.type !== 'evaluation' ? html`<p class="notice">${tr(locale, 'step.done.body')}</p>` : ''}
${body}
</div>`,
  });
}

