import type { EvaluationStep, SelfAssessmentStep } from '../../paths/definition.js';
import type { FormProblem } from './step-page.js';

/** A form that cannot be taken as sent: the step is shown again with the message and the values. */
export class FormRefused extends Error {
  constructor(readonly problem: FormProblem, readonly status = 400) {
    super(problem.message);
  }
}

type Body = Readonly<Record<string, unknown>>;

/** The form's fields named `prefix.<id>`. */
function fields(body: Body, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => e[0].startsWith(prefix) && typeof e[1] === 'string'));
}

/** Every statement rated 1–4 (`rating.<statement id>`), or the form is refused. */
export function readRatings(step: SelfAssessmentStep, body: Body): Record<string, number> {
  const given = fields(body, 'rating.');
  const ratings: Record<string, number> = {};
  for (const statement of step.config.statements) {
    const level = Number(given[`rating.${statement.id}`]);
    if (!Number.isInteger(level) || level < 1 || level > 4) throw new FormRefused({ message: 'self.missing', values: given });
    ratings[statement.id] = level;
  }
  return ratings;
}

/** Every scale question answered within its range, text answers trimmed to their length (`answer.<question id>`). */
export function readAnswers(step: EvaluationStep, body: Body): Record<string, number | string> {
  const given = fields(body, 'answer.');
  const answers: Record<string, number | string> = {};
  for (const question of step.config.questions) {
    const value = given[`answer.${question.id}`];
    if (question.kind === 'scale') {
      const n = Number(value);
      if (!value || !Number.isInteger(n) || n < question.min || n > question.max) throw new FormRefused({ message: 'eval.missing', values: given });
      answers[question.id] = n;
    } else if (value?.trim()) {
      answers[question.id] = value.slice(0, question.maxLength);
    }
  }
  return answers;
}
