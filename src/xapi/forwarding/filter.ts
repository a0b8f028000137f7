import { profileIri } from '../emission/vocabulary.js';

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

/**
 * With them the tool's own verbs of a competence holding granted, revoked and expired
 * (docs/xapi-profile.md): a holding is what a completion documents, and an HR system that takes
 * completions needs to hear when that documentation was withdrawn or ran out.
 */
export function completionVerbs(publicUrl: string): string[] {
  const own = profileIri(publicUrl);
  return [...COMPLETION_VERBS, `${own}/verbs/granted`, `${own}/verbs/revoked`, `${own}/verbs/expired`];
}

/** Whether a statement with this verb is forwarded under the filter (`verbs`: completionVerbs of the tool's PUBLIC_URL). */
export function forwards(filter: ForwardingFilter, verbId: string, verbs: ReadonlySet<string>): boolean {
  return filter === 'all' || verbs.has(verbId);
}
