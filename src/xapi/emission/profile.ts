import { concepts, vocabulary, type Concept } from './vocabulary.js';

type Json = Record<string, unknown>;

/** The profile's versions, newest first: a new one when a term is added or its meaning changes (xAPI Profiles §3.2).
 *  v2: statements for each SCO of a SCORM step and for competence holdings. */
const PROFILE_VERSIONS = [
  { name: 'v2', generatedAtTime: '2026-12-06T12:00:00Z' },
  { name: 'v1', generatedAtTime: '2026-12-06T00:00:00Z' },
];

/** A statement template: one kind of statement the tool emits (xAPI Profiles §7). */
interface TemplateSpec {
  readonly name: string;
  readonly label: string;
  readonly definition: string;
  readonly verb: Concept;
  readonly object: Concept;
  /** The step statements have the path as parent, a SCO's statements the step. */
  readonly parent?: 'path' | 'step';
  /** False for statements about a holding: their path (when they have one) is said in the grouping, their enrolment as registration. */
  readonly onEnrolment?: false;
  readonly result: readonly string[];
  readonly resultExtensions?: readonly Concept[];
  readonly contextExtensions?: readonly Concept[];
}

function templateSpecs(v: ReturnType<typeof vocabulary>): TemplateSpec[] {
  const t = v.activityTypes;
  const content = [v.extensions.contentPackage];
  const holding = [v.extensions.holding, v.extensions.evidence];
  return [
    { name: 'path-registered', label: 'Enrolled in a path', definition: 'Written when the learner is enrolled in a path (first launch of a path link, an assignment).', verb: v.verbs.registered, object: t.path, result: [] },
    { name: 'path-launched', label: 'Launched a path from the LMS', definition: 'Written at each LTI launch of a path link; the LMS course and link are in the grouping.', verb: v.verbs.launched, object: t.path, result: [] },
    { name: 'path-completed', label: 'Completed a path', definition: 'Written when the path\'s completion rule is met; the score (0–100) when the path has one.', verb: v.verbs.completed, object: t.path, result: ['completion'] },
    { name: 'content-completed', label: 'Completed a SCORM or xAPI step', definition: 'A content step completed; for SCORM the SCO the step names.', verb: v.verbs.completed, object: t.lesson, parent: 'path', result: ['completion'], contextExtensions: content },
    { name: 'content-passed', label: 'Passed a SCORM or xAPI step', definition: 'With content-completed when the content said passed.', verb: v.verbs.passed, object: t.lesson, parent: 'path', result: ['completion', 'success'], contextExtensions: content },
    { name: 'content-failed', label: 'Failed a SCORM or xAPI step', definition: 'With content-completed when the content said failed (a step whose rule is "completed" completes anyway).', verb: v.verbs.failed, object: t.lesson, parent: 'path', result: ['completion', 'success'], contextExtensions: content },
    { name: 'web-completed', label: 'Completed a web resource step', definition: 'Marked as done, or open for the step\'s minimum time.', verb: v.verbs.completed, object: t.link, parent: 'path', result: ['completion'] },
    { name: 'session-registered', label: 'Signed up for a physical session', definition: 'The learner took a seat at a session.', verb: v.verbs.registered, object: t.meeting, parent: 'path', result: [] },
    { name: 'session-cancelled', label: 'Gave back a seat at a physical session', definition: 'The learner cancelled a sign-up; a later sign-up is a new session-registered statement.', verb: v.verbs.unregistered, object: t.meeting, parent: 'path', result: [] },
    { name: 'session-attended', label: 'Attended a physical session', definition: 'Attendance registered by a designer or manager.', verb: v.verbs.attended, object: t.meeting, parent: 'path', result: ['completion'] },
    { name: 'self-assessment-declared', label: 'Answered a self-assessment', definition: 'With the levels it gives per competence.', verb: v.verbs.declared, object: t.selfAssessment, parent: 'path', result: ['completion'], resultExtensions: [v.extensions.declaredLevels] },
    { name: 'sco-completed', label: 'Completed a SCO of a SCORM step', definition: 'One per SCO of the step\'s package (or the one SCO the step names) that is completed, when the step completes: the SCO\'s completion, success, score and the time of its last session.', verb: v.verbs.completed, object: t.lesson, parent: 'step', result: ['completion', 'duration'], contextExtensions: content },
    { name: 'sco-passed', label: 'Passed a SCO of a SCORM step', definition: 'With sco-completed (or alone, for a SCO not completed) when the SCO said passed.', verb: v.verbs.passed, object: t.lesson, parent: 'step', result: ['success', 'duration'], contextExtensions: content },
    { name: 'sco-failed', label: 'Failed a SCO of a SCORM step', definition: 'With sco-completed (or alone) when the SCO said failed.', verb: v.verbs.failed, object: t.lesson, parent: 'step', result: ['success', 'duration'], contextExtensions: content },
    { name: 'holding-granted', label: 'Granted a competence holding', definition: 'A holding was recorded for the person (a path completion, a self-assessment declaration, a registration, an import); the holding and its evidence are in the context.', verb: v.verbs.granted, object: t.competence, onEnrolment: false, result: [], contextExtensions: holding },
    { name: 'holding-revoked', label: 'A competence holding was revoked', definition: 'A manager or administrator revoked the holding; the reason stays in the tool.', verb: v.verbs.revoked, object: t.competence, onEnrolment: false, result: [], contextExtensions: holding },
    { name: 'holding-expired', label: 'A competence holding expired', definition: 'The holding\'s expiry day came (Europe/Oslo) and it was not revoked; the timestamp is the start of that day.', verb: v.verbs.expired, object: t.competence, onEnrolment: false, result: [], contextExtensions: holding },
    { name: 'evaluation-completed', label: 'Answered a course evaluation', definition: 'Says only that the learner answered: no answers, no result beyond completion.', verb: v.verbs.completed, object: t.evaluation, parent: 'path', result: ['completion'] },
  ];
}

const included = (location: string): Json => ({ location, presence: 'included' });
const path = (iri: string) => `['${iri}']`;

/** The tool's xAPI Profile (JSON-LD, xAPI Profiles 1.0), served at its own IRI. */
export function xapiProfile(publicUrl: string): Json {
  const v = vocabulary(publicUrl);
  const version = `${v.profile}/${PROFILE_VERSIONS[0]!.name}`;
  const concept = (c: Concept): Json => ({
    id: c.id,
    type: c.kind,
    inScheme: version,
    prefLabel: { en: c.label.en, nb: c.label.nb },
    definition: { en: c.definition },
    ...(c.kind === 'ContextExtension' || c.kind === 'ResultExtension' ? { inlineSchema: '{}' } : {}),
  });
  const lmsAndVersion = [v.activityTypes.pathVersion.id, v.activityTypes.path.id, v.activityTypes.lmsCourse.id, v.activityTypes.lmsLink.id];
  const templates = templateSpecs(v).map((spec): Json => ({
    id: `${v.profile}/templates/${spec.name}`,
    type: 'StatementTemplate',
    inScheme: version,
    prefLabel: { en: spec.label },
    definition: { en: spec.definition },
    verb: spec.verb.id,
    objectActivityType: spec.object.id,
    ...(spec.parent ? { contextParentActivityType: [spec.parent === 'path' ? v.activityTypes.path.id : v.activityTypes.lesson.id] } : {}),
    ...(spec.onEnrolment === false ? {} : { contextGroupingActivityType: [v.activityTypes.pathVersion.id] }),
    rules: [
      included('$.actor.account.homePage'),
      included('$.actor.account.name'),
      ...(spec.onEnrolment === false ? [] : [included('$.context.registration')]),
      included(`$.context.extensions${path(v.extensions.municipality.id)}`),
      { location: '$.context.contextActivities.grouping[*].definition.type', any: lmsAndVersion },
      ...spec.result.map((key) => included(`$.result.${key}`)),
      ...(spec.resultExtensions ?? []).map((c) => included(`$.result.extensions${path(c.id)}`)),
      ...(spec.contextExtensions ?? []).map((c) => included(`$.context.extensions${path(c.id)}`)),
      // The SCO and the LMS platform are said when known.
      ...(spec.contextExtensions?.includes(v.extensions.contentPackage) ? [{ location: `$.context.extensions${path(v.extensions.sco.id)}`, presence: spec.parent === 'step' ? 'included' : 'recommended' }] : []),
      ...(spec.onEnrolment === false ? [] : [{ location: `$.context.extensions${path(v.extensions.lmsPlatform.id)}`, presence: 'recommended' }]),
      ...(spec.name === 'evaluation-completed' ? [{ location: '$.result.response', presence: 'excluded' }, { location: '$.result.extensions', presence: 'excluded' }] : []),
    ],
  }));
  return {
    '@context': 'https://w3id.org/xapi/profiles/context',
    id: v.profile,
    type: 'Profile',
    conformsTo: 'https://w3id.org/xapi/profiles#1.0',
    prefLabel: { en: 'Læringsløp learning events', nb: 'Læringshendelser i Læringsløp' },
    definition: {
      en: 'The statements Læringsløp writes about its learners: enrolment in and completion of learning paths, their steps (SCORM and xAPI content, each SCO of a SCORM step, web resources, physical sessions, self-assessments, evaluations), and their competence holdings granted, revoked and expired. See docs/xapi-profile.md.',
    },
    author: { type: 'Organization', name: 'Læringsløp' },
    versions: PROFILE_VERSIONS.map((pv, i) => ({
      id: `${v.profile}/${pv.name}`,
      ...(PROFILE_VERSIONS[i + 1] ? { wasRevisionOf: [`${v.profile}/${PROFILE_VERSIONS[i + 1]!.name}`] } : {}),
      generatedAtTime: pv.generatedAtTime,
    })),
    // Only the profile's own terms are its concepts; the ADL terms it uses are named in the templates.
    concepts: concepts(v).filter((c) => c.own).map(concept),
    templates,
  };
}
