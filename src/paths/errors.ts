import type { DefinitionProblem } from './definition.js';

/**
 * Domain refusals of the paths capability. `code` is stable: the web layer maps it to a problem
 * type or a translated message; nothing switches on `message`.
 */
export type PathErrorCode =
  | 'path-not-found'
  | 'version-not-found'
  | 'step-not-found'
  | 'enrolment-not-found'
  | 'person-not-found'
  | 'invalid-definition'
  | 'invalid-outcome'
  | 'step-type-mismatch'
  | 'prerequisites-not-met'
  | 'too-early'
  | 'session-full'
  | 'not-signed-up'
  | 'already-answered'
  | 'not-newer-version'
  | 'attempt-not-allowed';

export class PathError extends Error {
  constructor(
    readonly code: PathErrorCode,
    message: string,
    readonly problems: readonly DefinitionProblem[] = [],
  ) {
    super(message);
    this.name = 'PathError';
  }
}
