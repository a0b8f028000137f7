/** The IRIs cmi5 defines or uses (cmi5 §9), in one place. */
export const CMI5 = {
  verbs: {
    launched: 'http://adlnet.gov/expapi/verbs/launched',
    initialized: 'http://adlnet.gov/expapi/verbs/initialized',
    completed: 'http://adlnet.gov/expapi/verbs/completed',
    passed: 'http://adlnet.gov/expapi/verbs/passed',
    failed: 'http://adlnet.gov/expapi/verbs/failed',
    abandoned: 'https://w3id.org/xapi/adl/verbs/abandoned',
    waived: 'https://w3id.org/xapi/adl/verbs/waived',
    terminated: 'http://adlnet.gov/expapi/verbs/terminated',
    satisfied: 'https://w3id.org/xapi/adl/verbs/satisfied',
  },
  categories: {
    cmi5: 'https://w3id.org/xapi/cmi5/context/categories/cmi5',
    moveOn: 'https://w3id.org/xapi/cmi5/context/categories/moveon',
  },
  extensions: {
    sessionId: 'https://w3id.org/xapi/cmi5/context/extensions/sessionid',
    masteryScore: 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore',
    launchMode: 'https://w3id.org/xapi/cmi5/context/extensions/launchmode',
    launchUrl: 'https://w3id.org/xapi/cmi5/context/extensions/launchurl',
    moveOn: 'https://w3id.org/xapi/cmi5/context/extensions/moveon',
    launchParameters: 'https://w3id.org/xapi/cmi5/context/extensions/launchparameters',
    reason: 'https://w3id.org/xapi/cmi5/result/extensions/reason',
  },
  activityTypes: {
    block: 'https://w3id.org/xapi/cmi5/activitytype/block',
    course: 'https://w3id.org/xapi/cmi5/activitytype/course',
  },
  launchData: 'LMS.LaunchData',
  learnerPreferences: 'cmi5LearnerPreferences',
} as const;

/** The verbs an AU may use in cmi5 defined statements (§9.3); the others are the LMS's. */
export const AU_VERBS: ReadonlySet<string> = new Set([CMI5.verbs.initialized, CMI5.verbs.completed, CMI5.verbs.passed, CMI5.verbs.failed, CMI5.verbs.terminated]);
export const LMS_VERBS: ReadonlySet<string> = new Set([CMI5.verbs.launched, CMI5.verbs.abandoned, CMI5.verbs.waived, CMI5.verbs.satisfied]);

/** A verb as statements display it (en-US, as the ADL vocabulary names it). */
export function verbObject(id: string): { id: string; display: Record<string, string> } {
  const name = id.slice(id.lastIndexOf('/') + 1);
  return { id, display: { 'en-US': name } };
}
