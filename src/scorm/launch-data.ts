import type { ManifestItem, ScormStandard } from '../content/manifest-model.js';
import type { Person } from '../people/people.js';
import { formatScorm12Time, formatScorm2004Time } from './scorm-time.js';
import type { FlatCmi } from './tables.js';

/** Elements that live for one session only: never carried into the next launch. */
export const SESSION_ONLY = ['cmi.core.exit', 'cmi.exit', 'cmi.core.session_time', 'cmi.session_time'];

function learnerName(person: Person | undefined, standard: ScormStandard): string {
  if (!person) return '';
  // SCORM 1.2 RTE 3.4.4 cmi.core.student_name: "Last, First".
  if (standard === 'scorm12' && person.familyName && person.givenName) return `${person.familyName}, ${person.givenName}`;
  return person.name ?? [person.givenName, person.familyName].filter(Boolean).join(' ');
}

export interface LaunchContext {
  standard: ScormStandard;
  item: ManifestItem | undefined;
  person: Person | undefined;
  personId: string;
  entry: 'ab-initio' | 'resume' | '';
  totalSeconds: number;
  stored: FlatCmi;
}

/**
 * The CMI the player loads into scorm-again before the SCO calls Initialize: what the content wrote
 * before (resume) plus what the LMS owns (learner, entry, credit, limits from the manifest).
 */
export function launchCmi(c: LaunchContext): FlatCmi {
  const cmi: FlatCmi = {};
  for (const [key, value] of Object.entries(c.stored)) if (!SESSION_ONLY.includes(key)) cmi[key] = value;
  const item = c.item;
  const set = (key: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') cmi[key] = String(value);
  };
  if (c.standard === 'scorm12') {
    set('cmi.core.student_id', c.personId);
    set('cmi.core.student_name', learnerName(c.person, 'scorm12'));
    set('cmi.core.credit', 'credit');
    set('cmi.core.lesson_mode', 'normal');
    cmi['cmi.core.entry'] = c.entry;
    set('cmi.core.total_time', formatScorm12Time(c.totalSeconds));
    if (!cmi['cmi.core.lesson_status']) cmi['cmi.core.lesson_status'] = 'not attempted';
    set('cmi.launch_data', item?.dataFromLms);
    set('cmi.student_data.mastery_score', item?.masteryScore);
    set('cmi.student_data.max_time_allowed', item?.maxTimeAllowed);
    set('cmi.student_data.time_limit_action', item?.timeLimitAction);
    return cmi;
  }
  set('cmi.learner_id', c.personId);
  set('cmi.learner_name', learnerName(c.person, 'scorm2004'));
  set('cmi.credit', 'credit');
  set('cmi.mode', 'normal');
  cmi['cmi.entry'] = c.entry;
  set('cmi.total_time', formatScorm2004Time(c.totalSeconds));
  set('cmi.launch_data', item?.dataFromLms);
  set('cmi.completion_threshold', item?.completionThreshold);
  set('cmi.scaled_passing_score', item?.scaledPassingScore);
  set('cmi.max_time_allowed', item?.maxTimeAllowed);
  set('cmi.time_limit_action', item?.timeLimitAction);
  // RTE 4.2.17: the objectives of the activity are initialised from the manifest.
  const hasObjectives = Object.keys(cmi).some((k) => k.startsWith('cmi.objectives.'));
  if (!hasObjectives) {
    (item?.objectives ?? []).filter((o) => o.id).forEach((o, i) => (cmi[`cmi.objectives.${i}.id`] = o.id));
  }
  return cmi;
}
