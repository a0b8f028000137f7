/**
 * Every verb, activity type and extension the tool's own statements use (docs/xapi-profile.md), in
 * one place: the statements are built from it and the xAPI Profile (JSON-LD) is published from it.
 * ADL's vocabulary where a term fits (xAPI Vocabulary, the SCORM and cmi5 profiles use the same ADL
 * verbs); the tool's own IRIs, under the profile's IRI at PUBLIC_URL, only where none does.
 */

export type ConceptKind = 'Verb' | 'ActivityType' | 'ContextExtension' | 'ResultExtension';

export interface Concept {
  readonly id: string;
  readonly kind: ConceptKind;
  /** The display / name in English and bokmål. */
  readonly label: { readonly en: string; readonly nb: string };
  readonly definition: string;
  /** Defined by this profile (else an ADL term the profile only uses). */
  readonly own: boolean;
}

const ADL_VERBS = 'http://adlnet.gov/expapi/verbs';
const ADL_TYPES = 'http://adlnet.gov/expapi/activities';

/** The profile's IRI (where it is served, src/web/xapi/profile-router.ts) and the base of its own terms. */
export function profileIri(publicUrl: string): string {
  return `${publicUrl}/profiles/xapi`;
}

/** Where the tool's activities are named: stable IRIs under PUBLIC_URL. */
export function activityBase(publicUrl: string): string {
  return `${publicUrl}/xapi/activities`;
}

export function vocabulary(publicUrl: string) {
  const own = profileIri(publicUrl);
  const adlVerb = (name: string, nb: string, definition: string): Concept =>
    ({ id: `${ADL_VERBS}/${name}`, kind: 'Verb', label: { en: name, nb }, definition, own: false });
  const adlType = (name: string, nb: string, definition: string): Concept =>
    ({ id: `${ADL_TYPES}/${name}`, kind: 'ActivityType', label: { en: name, nb }, definition, own: false });
  const ownConcept = (kind: ConceptKind, path: string, en: string, nb: string, definition: string): Concept =>
    ({ id: `${own}/${path}`, kind, label: { en, nb }, definition, own: true });
  const verbs = {
    registered: adlVerb('registered', 'meldte seg på', 'The learner was enrolled in a path (object: the path), or signed up for a physical session (object: the session step).'),
    launched: adlVerb('launched', 'startet', 'The learner launched the path from a link in an LMS course (LTI launch); the LMS course and link are in the context.'),
    completed: adlVerb('completed', 'fullførte', 'The learner completed a path or one of its steps; result.completion is true, with the score when there is one.'),
    passed: adlVerb('passed', 'bestod', 'A SCORM or xAPI step completed with the success status passed (result.success true).'),
    failed: adlVerb('failed', 'bestod ikke', 'A SCORM or xAPI step completed with the success status failed (result.success false).'),
    // Neither ADL's vocabulary nor the cmi5 and SCORM profiles have one; the xAPI registry's is widely used.
    unregistered: { id: 'http://id.tincanapi.com/verb/unregistered', kind: 'Verb', label: { en: 'unregistered', nb: 'meldte seg av' }, definition: 'The learner gave back a seat at a physical session (object: the session step) they had signed up for.', own: false } as Concept,
    attended: adlVerb('attended', 'deltok på', 'A designer or manager registered that the learner attended a physical session.'),
    // A holding's life (docs/competence.md): none of ADL's, cmi5's or the SCORM profile's verbs says it.
    granted: ownConcept('Verb', 'verbs/granted', 'granted', 'fikk godkjent', 'A competence holding was recorded for the learner: from a path completion, a self-assessment declaration, a registration by a manager or administrator, or an import. The evidence is in the context.'),
    revoked: ownConcept('Verb', 'verbs/revoked', 'revoked', 'fikk trukket tilbake', 'A competence holding of the learner was revoked by a manager or administrator (the reason is not in the statement).'),
    expired: ownConcept('Verb', 'verbs/expired', 'expired', 'utløpt', 'A competence holding of the learner reached its expiry date (the first day it no longer counts, Europe/Oslo) without having been revoked.'),
    declared: ownConcept('Verb', 'verbs/declared', 'declared', 'erklærte', 'The learner answered a self-assessment; the competence levels it gives are in the result extension declared-levels.'),
  };
  const activityTypes = {
    path: adlType('course', 'kurs', 'A learning path (læringsløp), across its versions.'),
    pathVersion: ownConcept('ActivityType', 'activity-types/path-version', 'path version', 'versjon av læringsløp', 'One published version of a path, which the learner follows from enrolment to completion.'),
    lesson: adlType('lesson', 'leksjon', 'A SCORM, xAPI or cmi5 content step of a path; also, with the step as parent, one SCO of the step\'s SCORM package (the SCORM profile\'s activity type for a SCO).'),
    link: adlType('link', 'lenke', 'A web resource step (a page, a document, a video).'),
    meeting: adlType('meeting', 'møte', 'A physical session step (a time and a place).'),
    selfAssessment: adlType('assessment', 'vurdering', 'A self-assessment step: the learner rates statements from 1 to 4.'),
    evaluation: ownConcept('ActivityType', 'activity-types/evaluation', 'course evaluation', 'kursevaluering', 'An anonymous evaluation step. Statements say only that the learner answered, never what.'),
    competence: ownConcept('ActivityType', 'activity-types/competence', 'competence', 'kompetanse', 'A competence of the municipality\'s (or region\'s) catalogue, named by its code and its names in bokmål, nynorsk and English.'),
    lmsCourse: ownConcept('ActivityType', 'activity-types/lms-course', 'LMS course', 'emne i læringsplattformen', 'The course (LTI context) of the LMS the path was launched from.'),
    lmsLink: ownConcept('ActivityType', 'activity-types/lms-link', 'LMS resource link', 'lenke i læringsplattformen', 'The LTI resource link in the LMS course that launched the path.'),
  };
  const extensions = {
    municipality: ownConcept('ContextExtension', 'extensions/municipality', 'municipality', 'kommune', 'The municipality (or region) whose LRS holds the statement: { "id": tenant id, "kommunenummer": four digits or null, "name": name }.'),
    lmsPlatform: ownConcept('ContextExtension', 'extensions/lms-platform', 'LMS platform', 'læringsplattform', 'The issuer (LTI 1.3 iss) of the LMS the path was launched from.'),
    contentPackage: ownConcept('ContextExtension', 'extensions/content-package', 'content package', 'innholdspakke', 'The SCORM or xAPI package of a content step (the tool\'s package id).'),
    sco: ownConcept('ContextExtension', 'extensions/sco', 'SCO', 'SCO', 'The SCO identifier (imsmanifest item) a SCORM step names; absent when the step takes the whole package.'),
    holding: ownConcept('ContextExtension', 'extensions/holding', 'competence holding', 'kompetansebeholdning', 'The holding the statement is about: { "id", "competence": code, "level": number or null, "achievedOn": date, "expiresOn": date or null (the first day it no longer counts), "renews": id of the holding it renews or null }.'),
    evidence: ownConcept('ContextExtension', 'extensions/evidence', 'evidence', 'dokumentasjon', 'What documents a holding: { "source": "path-completion", "completionId" } | { "source": "declared", "declarationId" } | { "source": "registered" or "imported", "number", "issuer" } (certificate or authorisation number and its issuer, when given).'),
    declaredLevels: ownConcept('ResultExtension', 'extensions/declared-levels', 'declared levels', 'erklærte nivåer', 'The levels (1–4) a self-assessment gives, per competence code: { "<competence>": level }.'),
  };
  return { profile: own, verbs, activityTypes, extensions };
}

export type Vocabulary = ReturnType<typeof vocabulary>;

/** All concepts of the vocabulary, in a stable order. */
export function concepts(v: Vocabulary): Concept[] {
  return [...Object.values(v.verbs), ...Object.values(v.activityTypes), ...Object.values(v.extensions)];
}
