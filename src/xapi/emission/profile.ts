import { concepts, vocabulary, type Concept } from './vocabulary.js';

type Json = Record<string, unknown>;

/** The profile's version: a new one when a term is added or its meaning changes (xAPI Profiles §3.2). */
const PROFILE_VERSION = { name: 'v1', generatedAtTime: '2026-12-06T00:00:00Z' };

/** A statement template: one kind of statement the tool emits (xAPI Profiles §7). */
interface TemplateSpec {
  readonly name: string;
  readonly label: string;
  readonly definition: string;
  readonly verb: Concept;
  readonly object: Concept;
  /** The step statements have the path as parent. */
  readonly onStep: boolean;
  readonly result: readonly string[];
  readonly resultExtensions?: readonly Concept[];
  readonly contextExtensions?: readonly Concept[];
}

function templateSpecs(v: ReturnType<typeof vocabulary>): TemplateSpec[] {
  const t = v.activityTypes;
  const content = [v.extensions.contentPackage];
  return [
    { name: 'path-registered', label: 'Enrolled in a path', definition: 'Written when the learner is enrolled in a path (first launch of a path link, an assignment).', verb: v.verbs.registered, object: t.path, onStep: false, result: [] },
    { name: 'path-launched', label: 'Launched a path from the LMS', definition: 'Written at each LTI launch of a path link; the LMS course and link are in the grouping.', verb: v.verbs.launched, object: t.path, onStep: false, result: [] },
    { name: 'path-completed', label: 'Completed a path', definition: 'Written when the path\'s completion rule is met; the score (0–100) when the path has one.', verb: v.verbs.completed, object: t.path, onStep: false, result: ['completion'] },
    { name: 'content-completed', label: 'Completed a SCORM or xAPI step', definition: 'A content step completed; for SCORM the SCO the step names.', verb: v.verbs.completed, object: t.lesson, onStep: true, result: ['completion'], contextExtensions: content },
    { name: 'content-passed', label: 'Passed a SCORM or xAPI step', definition: 'With content-completed when the content said passed.', verb: v.verbs.passed, object: t.lesson, onStep: true, result: ['completion', 'success'], contextExtensions: content },
    { name: 'content-failed', label: 'Failed a SCORM or xAPI step', definition: 'With content-completed when the content said failed (a step whose rule is "completed" completes anyway).', verb: v.verbs.failed, object: t.lesson, onStep: true, result: ['completion', 'success'], contextExtensions: content },
    { name: 'web-completed', label: 'Completed a web resource step', definition: 'Marked as done, or open for the step\'s minimum time.', verb: v.verbs.completed, object: t.link, onStep: true, result: ['completion'] },
    { name: 'session-registered', label: 'Signed up for a physical session', definition: 'The learner took a seat at a session.', verb: v.verbs.registered, object: t.meeting, onStep: true, result: [] },
    { name: 'session-cancelled', label: 'Gave back a seat at a physical session', definition: 'The learner cancelled a sign-up; a later sign-up is a new session-registered statement.', verb: v.verbs.unregistered, object: t.meeting, onStep: true, result: [] },
    { name: 'session-attended', label: 'Attended a physical session', definition: 'Attendance registered by a designer or manager.', verb: v.verbs.attended, object: t.meeting, onStep: true, result: ['completion'] },
    { name: 'self-assessment-declared', label: 'Answered a self-assessment', definition: 'With the levels it gives per competence.', verb: v.verbs.declared, object: t.selfAssessment, onStep: true, result: ['completion'], resultExtensions: [v.extensions.declaredLevels] },
    { name: 'evaluation-completed', label: 'Answered a course evaluation', definition: 'Says only that the learner answered: no answers, no result beyond completion.', verb: v.verbs.completed, object: t.evaluation, onStep: true, result: ['completion'] },
  ];
}

const included = (location: string): Json => ({ location, presence: 'included' });
const path = (iri: string) => `['${iri}']`;

/** The tool's xAPI Profile (JSON-LD, xAPI Profiles 1.0), served at its own IRI. */
export function xapiProfile(publicUrl: string): Json {
  const v = vocabulary(publicUrl);
  const version = `${v.profile}/${PROFILE_VERSION.name}`;
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
    ...(spec.onStep ? { contextParentActivityType: [v.activityTypes.path.id] } : {}),
    contextGroupingActivityType: [v.activityTypes.pathVersion.id],
    rules: [
      included('$.actor.account.homePage'),
      included('$.actor.account.name'),
      included('$.context.registration'),
      included(`$.context.extensions${path(v.extensions.municipality.id)}`),
      { location: '$.context.contextActivities.grouping[*].definition.type', any: lmsAndVersion },
      ...spec.result.map((key) => included(`$.result.${key}`)),
      ...(spec.resultExtensions ?? []).map((c) => included(`$.result.extensions${path(c.id)}`)),
      ...(spec.contextExtensions ?? []).map((c) => included(`$.context.extensions${path(c.id)}`)),
      // The SCO and the LMS platform are said when known.
      ...(spec.contextExtensions ? [{ location: `$.context.extensions${path(v.extensions.sco.id)}`, presence: 'recommended' }] : []),
      { location: `$.context.extensions${path(v.extensions.lmsPlatform.id)}`, presence: 'recommended' },
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
      en: 'The statements Læringsløp writes about its learners: enrolment in and completion of learning paths, their steps (SCORM and xAPI content, web resources, physical sessions, self-assessments, evaluations). See docs/xapi-profile.md.',
    },
    author: { type: 'Organization', name: 'Læringsløp' },
    versions: [{ id: version, generatedAtTime: PROFILE_VERSION.generatedAtTime }],
    // Only the profile's own terms are its concepts; the ADL terms it uses are named in the templates.
    concepts: concepts(v).filter((c) => c.own).map(concept),
    templates,
  };
}
