import { createHash } from 'node:crypto';
import type { StepType } from '../../paths/definition.js';
import type { PathEvent } from '../../paths/ports.js';
import { activityBase, vocabulary, type Concept, type Vocabulary } from './vocabulary.js';

type Json = Record<string, unknown>;

/** What the statements of one path event say besides the event itself (read by facts.ts). */
export interface EmissionFacts {
  /** The person as an account: the LMS's issuer and the LTI subject, else the tool's own account. */
  readonly actor: { readonly homePage: string; readonly name: string };
  readonly municipality: { readonly id: string; readonly kommunenummer: string | null; readonly name: string };
  readonly path: { readonly title: string; readonly language: string };
  readonly versionNumber: number;
  /** The event's step in the version the learner follows (absent for path events). */
  readonly step?: { readonly type: StepType; readonly title: string; readonly packageId?: string; readonly scoId?: string };
  /** The LMS resource links the enrolment was launched from, first launch first. */
  readonly lms: readonly { readonly issuer: string; readonly linkId: string; readonly linkTitle: string | null; readonly courseId: string | null; readonly courseTitle: string | null }[];
  /** A self-assessment's levels per competence. */
  readonly declaredLevels?: Readonly<Record<string, number>>;
  /** A completed SCORM step's SCOs (the one it names, or every SCO of its package the learner opened). */
  readonly scos?: readonly ScoFacts[];
}

/** One SCO's tracking state as the SCORM runtime stored it (scorm_sco_states). */
export interface ScoFacts {
  readonly scoId: string;
  readonly completionStatus: string;
  readonly successStatus: string;
  readonly completed: boolean;
  readonly scaled: number | null;
  readonly raw: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** The session_time of the SCO's latest session (closed sessions are counted in total_time only). */
  readonly sessionSeconds: number;
}

/** The namespace of statement ids (UUID v5, RFC 9562 §5.5): fixed, so an event always names the same statements. */
const STATEMENT_NAMESPACE = '2b8f1d62-5f0e-4c56-9d0b-6a1f4e3c7a90';

export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A statement's id: the event's id and the statement's slot in it (a step's success statement is its own slot, whatever its verb). */
export function statementId(eventId: number, slot: 'main' | 'success' | `sco/${string}`): string {
  return uuidV5(STATEMENT_NAMESPACE, `path-event/${eventId}/${slot}`);
}

export const verbJson = (verb: Concept): Json => ({ id: verb.id, display: { en: verb.label.en, nb: verb.label.nb } });

/** The person as an account (docs/xapi-profile.md, "Actor"). */
export const agent = (actor: EmissionFacts['actor']): Json => ({ objectType: 'Agent', account: { homePage: actor.homePage, name: actor.name } });

export const municipalityExtension = (v: Vocabulary, municipality: EmissionFacts['municipality']): Json =>
  ({ [v.extensions.municipality.id]: { id: municipality.id, kommunenummer: municipality.kommunenummer, name: municipality.name } });

/** The path (across its versions) and the version the learner follows, as activities. */
export function pathActivities(publicUrl: string, pathId: string, path: EmissionFacts['path'], versionNumber: number): { pathActivity: Json; versionActivity: Json } {
  const v = vocabulary(publicUrl);
  const pathIri = `${activityBase(publicUrl)}/paths/${pathId}`;
  return {
    pathActivity: { objectType: 'Activity', id: pathIri, definition: { type: v.activityTypes.path.id, name: { [path.language]: path.title } } },
    versionActivity: {
      objectType: 'Activity', id: `${pathIri}/versions/${versionNumber}`,
      definition: { type: v.activityTypes.pathVersion.id, name: { [path.language]: `${path.title} (versjon ${versionNumber})` } },
    },
  };
}

/**
 * The statements a path event becomes (docs/xapi-profile.md): one, or for a SCORM or xAPI step that
 * completed with a success status also `passed` or `failed`. Deterministic: the same event and facts
 * always give the same statements, ids and timestamps included.
 */
export function statementsForEvent(event: PathEvent, facts: EmissionFacts, publicUrl: string): Json[] {
  const v = vocabulary(publicUrl);
  const base = activityBase(publicUrl);
  const { pathActivity, versionActivity } = pathActivities(publicUrl, event.pathId, facts.path, facts.versionNumber);
  const lmsActivities = facts.lms.flatMap((link): Json[] => [
    ...(link.courseId ? [{
      objectType: 'Activity', id: `${base}/lms/courses/${link.courseId}`,
      definition: { type: v.activityTypes.lmsCourse.id, ...(link.courseTitle ? { name: { und: link.courseTitle } } : {}) },
    }] : []),
    {
      objectType: 'Activity', id: `${base}/lms/links/${link.linkId}`,
      definition: { type: v.activityTypes.lmsLink.id, ...(link.linkTitle ? { name: { und: link.linkTitle } } : {}) },
    },
  ]);
  const extensions: Json = { ...municipalityExtension(v, facts.municipality) };
  if (facts.lms[0]) extensions[v.extensions.lmsPlatform.id] = facts.lms[0].issuer;
  const step = facts.step;
  if (step?.packageId) extensions[v.extensions.contentPackage.id] = step.packageId;
  if (step?.scoId) extensions[v.extensions.sco.id] = step.scoId;
  const onStep = event.stepId !== null && step !== undefined;
  const context: Json = {
    registration: event.enrolmentId,
    platform: 'Læringsløp',
    contextActivities: {
      ...(onStep ? { parent: [pathActivity] } : {}),
      grouping: [...(onStep ? [pathActivity] : []), versionActivity, ...lmsActivities],
    },
    extensions,
  };
  const actor = agent(facts.actor);
  const statement = (slot: Parameters<typeof statementId>[1], verb: Concept, object: Json, timestamp: string, result?: Json): Json => ({
    id: statementId(event.id, slot),
    actor,
    verb: verbJson(verb),
    object,
    ...(result ? { result } : {}),
    context,
    timestamp,
  });
  const at = event.createdAt.toISOString();

  /**
   * The SCORM profile's statements for each SCO of a completed SCORM step: `completed` when the SCO
   * completed, `passed` or `failed` when it said so, each with the SCO's score and its session time
   * (result.duration, xAPI §4.6). The step is their parent; the path and version their grouping.
   */
  const scoStatements = (scos: readonly ScoFacts[], packageId: string, stepObject: Json, timestamp: string): Json[] => scos.flatMap((sco) => {
    const object: Json = {
      objectType: 'Activity',
      id: `${base}/packages/${packageId}/scos/${encodeURIComponent(sco.scoId)}`,
      definition: { type: v.activityTypes.lesson.id },
    };
    const scoContext: Json = {
      ...context,
      contextActivities: { parent: [stepObject], grouping: (context['contextActivities'] as { grouping: Json[] }).grouping },
      extensions: { ...extensions, [v.extensions.sco.id]: sco.scoId },
    };
    const result: Json = { ...scoScore(sco), duration: isoDuration(sco.sessionSeconds) };
    const made = (slot: `sco/${string}`, verb: Concept, extra: Json): Json =>
      ({ id: statementId(event.id, slot), actor, verb: verbJson(verb), object, result: { ...extra, ...result }, context: scoContext, timestamp });
    const out: Json[] = [];
    if (sco.completed || sco.completionStatus === 'completed') out.push(made(`sco/${sco.scoId}`, v.verbs.completed, { completion: true }));
    if (sco.successStatus === 'passed' || sco.successStatus === 'failed') {
      out.push(made(`sco/${sco.scoId}/success`, sco.successStatus === 'passed' ? v.verbs.passed : v.verbs.failed, { success: sco.successStatus === 'passed' }));
    }
    return out;
  });

  switch (event.type) {
    case 'path-started':
      return [statement('main', v.verbs.registered, pathActivity, at)];
    case 'path-launched':
      return [statement('main', v.verbs.launched, pathActivity, at)];
    case 'path-completed': {
      const score = typeof event.payload['score'] === 'number' ? event.payload['score'] : null;
      const completedAt = typeof event.payload['completedAt'] === 'string' ? event.payload['completedAt'] : at;
      return [statement('main', v.verbs.completed, pathActivity, completedAt, {
        completion: true,
        ...(score === null ? {} : { score: { scaled: score / 100, raw: score, min: 0, max: 100 } }),
      })];
    }
    case 'session-registered':
      if (!onStep) return [];
      return [statement('main', v.verbs.registered, stepActivity(event, step, base, facts, v), at)];
    case 'session-cancelled':
      if (!onStep) return [];
      return [statement('main', v.verbs.unregistered, stepActivity(event, step, base, facts, v), at)];
    case 'step-completed': {
      if (!onStep) return [];
      const object = stepActivity(event, step, base, facts, v);
      const scaled = typeof event.payload['score'] === 'number' ? event.payload['score'] : null;
      const score = scaled === null ? {} : { score: { scaled } };
      switch (step.type) {
        case 'session':
          return [statement('main', v.verbs.attended, object, at, { completion: true })];
        case 'self-assessment':
          return [statement('main', v.verbs.declared, object, at, {
            completion: true,
            ...(facts.declaredLevels ? { extensions: { [v.extensions.declaredLevels.id]: facts.declaredLevels } } : {}),
          })];
        case 'evaluation':
          // Only that the person answered (the respondents table says as much); never what.
          return [statement('main', v.verbs.completed, object, at, { completion: true })];
        case 'web':
          return [statement('main', v.verbs.completed, object, at, { completion: true })];
        case 'scorm':
        case 'xapi':
        case 'cmi5': {
          const completed = statement('main', v.verbs.completed, object, at, { completion: true, ...score });
          const success = event.payload['successStatus'];
          const perSco = scoStatements(facts.scos ?? [], step.packageId ?? '', object, at);
          if (success !== 'passed' && success !== 'failed') return [completed, ...perSco];
          const verb = success === 'passed' ? v.verbs.passed : v.verbs.failed;
          return [completed, statement('success', verb, object, at, { success: success === 'passed', completion: true, ...score }), ...perSco];
        }
      }
    }
  }
  return [];
}

function stepActivity(event: PathEvent, step: NonNullable<EmissionFacts['step']>, base: string, facts: EmissionFacts, v: ReturnType<typeof vocabulary>): Json {
  const type = {
    scorm: v.activityTypes.lesson, xapi: v.activityTypes.lesson, cmi5: v.activityTypes.lesson, web: v.activityTypes.link, session: v.activityTypes.meeting,
    'self-assessment': v.activityTypes.selfAssessment, evaluation: v.activityTypes.evaluation,
  }[step.type];
  return {
    objectType: 'Activity',
    id: `${base}/paths/${event.pathId}/steps/${event.stepId}`,
    definition: { type: type.id, name: { [facts.path.language]: step.title } },
  };
}

/** A SCO's score as xAPI takes it (§4.1.5.1: scaled in -1..1, raw between min and max): what does not fit is left out. */
function scoScore(sco: ScoFacts): Json {
  const score: Json = {};
  if (sco.scaled !== null && sco.scaled >= -1 && sco.scaled <= 1) score['scaled'] = sco.scaled;
  const bounds = sco.min !== null && sco.max !== null && sco.min <= sco.max;
  if (bounds) Object.assign(score, { min: sco.min, max: sco.max });
  if (sco.raw !== null && (!bounds || (sco.raw >= sco.min! && sco.raw <= sco.max!))) score['raw'] = sco.raw;
  return Object.keys(score).length > 0 ? { score } : {};
}

/** Seconds as an ISO 8601 duration to the hundredth (SCORM's precision): 3725.5 → PT1H2M5.5S. */
export function isoDuration(seconds: number): string {
  const hundredths = Math.max(0, Math.round(seconds * 100));
  const h = Math.floor(hundredths / 360_000);
  const m = Math.floor((hundredths % 360_000) / 6000);
  const s = (hundredths % 6000) / 100;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}S` : ''}`;
}
