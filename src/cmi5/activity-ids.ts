import { createHash } from 'node:crypto';

/**
 * The activity ids the tool uses for a course's AUs, blocks and course (cmi5 §8.1.5, §9.4): made
 * by the LMS, never the publisher's id, the same for every registration and launch. Derived from
 * the package and the publisher id, so nothing needs storing.
 */
export function lmsActivityId(publicUrl: string, packageId: string, kind: 'au' | 'block' | 'course', publisherId: string): string {
  const digest = createHash('sha256').update(publisherId).digest('hex').slice(0, 32);
  return `${publicUrl}/cmi5/${packageId}/${kind}/${digest}`;
}
