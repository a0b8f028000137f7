/** What a tenant forwards: every statement, or only those that say something was finished. */
export type ForwardingFilter = 'all' | 'completions';

export const FORWARDING_FILTERS: readonly ForwardingFilter[] = ['all', 'completions'];

export function isForwardingFilter(value: unknown): value is ForwardingFilter {
  return typeof value === 'string' && (FORWARDING_FILTERS as readonly string[]).includes(value);
}

/**
 * The verbs `completions` forwards: ADL's completed, passed and failed (SCORM and cmi5 outcomes,
 * path and step completions), cmi5's satisfied, and voided, so that a completion withdrawn here is
 * withdrawn there too (a voiding statement whose target was not forwarded voids nothing there).
 */
export const COMPLETION_VERBS: readonly string[] = [
  'http://adlnet.gov/expapi/verbs/completed',
  'http://adlnet.gov/expapi/verbs/passed',
  'http://adlnet.gov/expapi/verbs/failed',
  'https://w3id.org/xapi/adl/verbs/satisfied',
  'http://adlnet.gov/expapi/verbs/voided',
];

const completionVerbs = new Set(COMPLETION_VERBS);

export function forwards(filter: ForwardingFilter, verbId: string): boolean {
  return filter === 'all' || completionVerbs.has(verbId);
}
