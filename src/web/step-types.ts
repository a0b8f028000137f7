import type { StepType } from '../paths/definition.js';
import type { Locale, Messages } from './i18n.js';

/**
 * The one name of each step type, used wherever a step's type is shown: the designer's pages, the
 * learner's pages, the import report. Two names for one thing made designers and learners talk past
 * each other.
 */
export const STEP_TYPE_NAMES = {
  scorm: { nb: 'E-læringskurs', nn: 'E-læringskurs', en: 'E-learning course' },
  xapi: { nb: 'xAPI-kurs', nn: 'xAPI-kurs', en: 'xAPI course' },
  cmi5: { nb: 'cmi5-kurs', nn: 'cmi5-kurs', en: 'cmi5 course' },
  web: { nb: 'Nettressurs', nn: 'Nettressurs', en: 'Web resource' },
  session: { nb: 'Fysisk samling', nn: 'Fysisk samling', en: 'In-person session' },
  'self-assessment': { nb: 'Egenvurdering', nn: 'Eigenvurdering', en: 'Self-assessment' },
  evaluation: { nb: 'Evaluering', nn: 'Evaluering', en: 'Evaluation' },
} as const satisfies Record<StepType, Messages>;

/** The step types in the order designers are offered them. */
export const STEP_TYPE_ORDER: readonly StepType[] = ['scorm', 'xapi', 'cmi5', 'web', 'session', 'self-assessment', 'evaluation'];

/** The name of a step type; an unknown type (from an archive, say) is shown as it is. */
export function stepTypeName(locale: Locale, type: string): string {
  return type in STEP_TYPE_NAMES ? STEP_TYPE_NAMES[type as StepType][locale] : type;
}
