import type { ManifestItem, ScormStandard } from '../content/manifest-model.js';
import type { CompletionStatus, ComputedOutcome, SuccessStatus } from './ports.js';
import type { FlatCmi } from './tables.js';

const num = (value: string | undefined): number | null => {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

function outcome12(cmi: FlatCmi, item: ManifestItem | undefined): ComputedOutcome {
  let lessonStatus = cmi['cmi.core.lesson_status'] || 'not attempted';
  const raw = num(cmi['cmi.core.score.raw']);
  const min = num(cmi['cmi.core.score.min']);
  const max = num(cmi['cmi.core.score.max']);
  // RTE 1.2 §3.4.4 (cmi.core.lesson_status): with a mastery score and a raw score, the LMS sets
  // passed or failed from the comparison, whatever the SCO said.
  if (item?.masteryScore != null && raw !== null) lessonStatus = raw >= item.masteryScore ? 'passed' : 'failed';
  const completionStatus: CompletionStatus = ['passed', 'completed', 'failed'].includes(lessonStatus)
    ? 'completed'
    : ['incomplete', 'browsed'].includes(lessonStatus)
      ? 'incomplete'
      : 'not attempted';
  const successStatus: SuccessStatus = lessonStatus === 'passed' ? 'passed' : lessonStatus === 'failed' ? 'failed' : 'unknown';
  const low = min ?? 0;
  const high = max ?? 100;
  const scoreScaled = raw === null || high <= low ? null : Math.max(-1, Math.min(1, (raw - low) / (high - low)));
  return { completionStatus, successStatus, lessonStatus, scoreRaw: raw, scoreMin: min, scoreMax: max, scoreScaled };
}

function outcome2004(cmi: FlatCmi, item: ManifestItem | undefined): ComputedOutcome {
  let completionStatus = (cmi['cmi.completion_status'] || 'unknown') as CompletionStatus;
  let successStatus = (cmi['cmi.success_status'] || 'unknown') as SuccessStatus;
  const progress = num(cmi['cmi.progress_measure']);
  const scaled = num(cmi['cmi.score.scaled']);
  // RTE 4.2.4.1: with a completion threshold and a progress measure, the LMS decides completion.
  if (item?.completionThreshold != null && progress !== null) completionStatus = progress >= item.completionThreshold ? 'completed' : 'incomplete';
  // RTE 4.2.22.1: with a scaled passing score and a scaled score, the LMS decides success.
  // Completion is never inferred from a score in 2004.
  if (item?.scaledPassingScore != null && scaled !== null) successStatus = scaled >= item.scaledPassingScore ? 'passed' : 'failed';
  return {
    completionStatus,
    successStatus,
    lessonStatus: null,
    scoreRaw: num(cmi['cmi.score.raw']),
    scoreMin: num(cmi['cmi.score.min']),
    scoreMax: num(cmi['cmi.score.max']),
    scoreScaled: scaled,
  };
}

export function computeOutcome(standard: ScormStandard, cmi: FlatCmi, item: ManifestItem | undefined): ComputedOutcome {
  return standard === 'scorm12' ? outcome12(cmi, item) : outcome2004(cmi, item);
}
