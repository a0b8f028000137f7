import type { ScormStep } from '../../paths/definition.js';
import type { StepProgress } from '../../paths/enrolments.js';
import { html, type SafeHtml } from '../html.js';
import type { Severity } from '../ds/components.js';
import type { Locale } from '../i18n.js';
import { readCookie } from '../lti/http.js';
import { tr } from './messages.js';

/*
 * The SCORM player runs on the content origin, beside the package's own (untrusted) script, so
 * nothing there may carry the learner's session: the attempt token stays the only credential the
 * content sees (docs/content.md). The way back to the path is therefore a plain URL on the tool's
 * origin, and the session travels beside it in a cookie of the tool's origin: set when the course
 * is opened (that answer is a top-level window of its own, so the cookie is first-party), HttpOnly,
 * and sent only to this enrolment's return URL. Content can send the learner there, which shows
 * them their own page, but cannot read the session nor take it elsewhere.
 */

export const returnPath = (enrolmentId: string, stepId: string) => `/learn/return/${enrolmentId}/${stepId}`;

const cookieName = (enrolmentId: string) => `lr_${enrolmentId.replace(/-/g, '')}`;
// A session lives an hour (src/lti/session-token.ts); its copy here no longer.
const RETURN_COOKIE_SECONDS = 3600;

/** The cookie that takes the session back to the path after the player: `Set-Cookie` value. */
export function returnCookie(enrolmentId: string, sessionToken: string): string {
  return `${cookieName(enrolmentId)}=${sessionToken}; Max-Age=${RETURN_COOKIE_SECONDS}; Path=/learn/return/${enrolmentId}; HttpOnly; Secure; SameSite=Lax`;
}

export function returnSession(cookieHeader: string | undefined, enrolmentId: string): string | undefined {
  return readCookie(cookieHeader, cookieName(enrolmentId));
}

/** What the course came to, as the path page tells the learner on their way back. */
export interface ScormStepOutcome {
  readonly kind: 'passed' | 'failed' | 'completed' | 'incomplete';
  /** 0–100. */
  readonly score: number | null;
  /** 0–100, when the step or the package sets one. */
  readonly passMark: number | null;
}

/** From the step's progress (score 0..1), the success status the SCO last reported, and the pass mark. */
export function scormStepOutcome(step: ScormStep, progress: StepProgress, successStatus: string | null, passMark: number | null): ScormStepOutcome {
  const score = progress.score === null ? null : Math.round(progress.score * 100);
  const completed = progress.status === 'completed';
  const rule = step.config.completion;
  const belowMark = rule.rule === 'score' && score !== null && score < Math.round(rule.minimumScaled * 100);
  const kind = successStatus === 'failed' || (belowMark && !completed)
    ? 'failed'
    : successStatus === 'passed' || (rule.rule === 'score' && completed)
      ? 'passed'
      : completed ? 'completed' : 'incomplete';
  return { kind, score, passMark };
}

function outcomeText(locale: Locale, { kind, score, passMark }: ScormStepOutcome): string {
  switch (kind) {
    case 'passed': return score === null ? tr(locale, 'return.passed') : tr(locale, 'return.passed.score', { score });
    case 'failed':
      if (score === null) return tr(locale, 'return.failed');
      return passMark === null ? tr(locale, 'return.failed.score', { score }) : tr(locale, 'return.failed.mark', { score, mark: passMark });
    case 'completed': return score === null ? tr(locale, 'return.completed') : tr(locale, 'return.completed.score', { score });
    case 'incomplete': return tr(locale, 'return.incomplete');
  }
}

const OUTCOME_COLOR: Record<ScormStepOutcome['kind'], Severity> = { passed: 'success', completed: 'success', failed: 'warning', incomplete: 'info' };

/** The notice at the top of the path page after the player led back to it. */
export function outcomeSection(locale: Locale, title: string, outcome: ScormStepOutcome): SafeHtml {
  return html`<section class="ds-alert" data-color="${OUTCOME_COLOR[outcome.kind]}" role="status" aria-labelledby="outcome-heading" data-outcome="${outcome.kind}">
<h2 class="ds-heading" data-size="xs" id="outcome-heading">${tr(locale, 'return.title', { title })}</h2>
<p class="ds-paragraph">${outcomeText(locale, outcome)}</p>
</section>`;
}
