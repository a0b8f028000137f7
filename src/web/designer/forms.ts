import type { DefinitionProblem, PathDefinition, Step, StepType } from '../../paths/definition.js';
import type { NewStep, StepChanges } from '../../paths/drafts.js';
import { STEP_TYPE_ORDER } from '../step-types.js';

/** A submitted (or prefilled) form as strings, exactly as the browser sends it: re-shown on errors. */
export type FormValues = Record<string, string | string[] | undefined>;

export const isStepType = (value: unknown): value is StepType => STEP_TYPE_ORDER.includes(value as StepType);

export function one(values: FormValues, name: string): string {
  const value = values[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

export function many(values: FormValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
}

/** Empty → undefined; anything else a number (NaN for non-numbers, which the schema refuses). */
function numberOrUndefined(value: string): number | undefined {
  const trimmed = value.trim().replace(',', '.');
  return trimmed === '' ? undefined : Number(trimmed);
}

export function rowCount(values: FormValues, name: string, filled: number, spare: number): number {
  const asked = Number(one(values, name));
  const minimum = filled + spare;
  return Number.isInteger(asked) && asked >= minimum && asked <= 200 ? asked : minimum;
}

/** Rows (statements, questions, grants, recommendations) are numbered fields `prefix-N-field`. */
function rowIndexes(values: FormValues, prefix: string): number[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(values)) {
    const match = new RegExp(`^${prefix}-(\\d+)-`).exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}

/** Which form row each item of a parsed list came from (blank rows are skipped). */
export type RowMap = Record<string, number[]>;

export interface ParsedStep {
  step: NewStep;
  rows: RowMap;
}

function uniqueId(taken: Set<string>, prefix: string): string {
  for (let n = 1; ; n += 1) {
    const id = `${prefix}${n}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** The designer's form as a step for the paths core to validate; nothing is checked here. */
export function stepFromForm(type: StepType, values: FormValues): ParsedStep {
  const rows: RowMap = {};
  const base = {
    title: one(values, 'title'),
    required: one(values, 'required') === 'yes',
    requires: many(values, 'requires'),
    estimatedMinutes: numberOrUndefined(one(values, 'estimatedMinutes')),
  };
  let config: unknown;
  if (type === 'scorm') {
    const rule = one(values, 'completionRule');
    const percent = numberOrUndefined(one(values, 'minimumScore'));
    config = {
      packageId: one(values, 'packageId'),
      completion: rule === 'score' ? { rule, minimumScaled: percent === undefined ? undefined : percent / 100 } : { rule },
    };
  } else if (type === 'xapi') {
    config = { packageId: one(values, 'packageId'), countedVerbs: one(values, 'countedVerbs') || undefined };
  } else if (type === 'cmi5') {
    // One choice names the package and, after a space, the block or AU (none: the whole course).
    const chosen = one(values, 'packageId');
    const space = chosen.indexOf(' ');
    const [packageId, node] = space < 0 ? [chosen, ''] : [chosen.slice(0, space), chosen.slice(space + 1)];
    config = {
      packageId,
      ...(node ? { nodeId: node } : {}),
      allowedOrigins: one(values, 'allowedOrigins').split(/\s+/).filter(Boolean),
    };
  } else if (type === 'web') {
    const by = one(values, 'doneBy');
    const minutes = numberOrUndefined(one(values, 'minimumMinutes'));
    config = {
      resource: { kind: one(values, 'resourceKind'), url: one(values, 'url').trim() },
      done: by === 'minimum-time' ? { by, seconds: minutes === undefined ? undefined : Math.round(minutes * 60) } : { by },
    };
  } else if (type === 'session') {
    const endTime = one(values, 'endTime').trim();
    config = {
      date: one(values, 'date').trim(),
      startTime: one(values, 'startTime').trim(),
      ...(endTime ? { endTime } : {}),
      place: one(values, 'place'),
      capacity: numberOrUndefined(one(values, 'capacity')),
    };
  } else if (type === 'self-assessment') {
    const taken = new Set(rowIndexes(values, 'statements').map((i) => one(values, `statements-${i}-id`)).filter(Boolean));
    rows['statements'] = [];
    const statements = [];
    for (const i of rowIndexes(values, 'statements')) {
      const text = one(values, `statements-${i}-text`);
      const competence = one(values, `statements-${i}-competence`);
      if (!text.trim() && !competence.trim()) continue;
      rows['statements'].push(i);
      statements.push({ id: one(values, `statements-${i}-id`) || uniqueId(taken, 's'), competence, text });
    }
    rows['recommendations'] = [];
    const recommendations = [];
    for (const i of rowIndexes(values, 'recommendations')) {
      const competence = one(values, `recommendations-${i}-competence`);
      const stepIds = many(values, `recommendations-${i}-stepIds`);
      if (!competence.trim() && stepIds.length === 0) continue;
      rows['recommendations'].push(i);
      recommendations.push({ competence, belowLevel: numberOrUndefined(one(values, `recommendations-${i}-belowLevel`)), stepIds });
    }
    config = { statements, recommendations };
  } else {
    const taken = new Set(rowIndexes(values, 'questions').map((i) => one(values, `questions-${i}-id`)).filter(Boolean));
    rows['questions'] = [];
    const questions = [];
    for (const i of rowIndexes(values, 'questions')) {
      const text = one(values, `questions-${i}-text`);
      if (!text.trim()) continue;
      rows['questions'].push(i);
      const id = one(values, `questions-${i}-id`) || uniqueId(taken, 'q');
      questions.push(one(values, `questions-${i}-kind`) === 'text'
        ? { id, kind: 'text', text, maxLength: numberOrUndefined(one(values, `questions-${i}-maxLength`)) ?? 2000 }
        : { id, kind: 'scale', text, min: 1, max: numberOrUndefined(one(values, `questions-${i}-max`)) });
    }
    config = { questions };
  }
  return { step: { type, ...base, config } as NewStep, rows };
}

export function stepChanges(parsed: ParsedStep): StepChanges {
  const { title, required, requires, estimatedMinutes, config } = parsed.step as unknown as Required<StepChanges>;
  // An emptied estimate is removed: `estimatedMinutes: undefined` overrides the stored one.
  return { title, required, requires, estimatedMinutes, config } as StepChanges;
}

/** A stored step as form values (the edit form starts from these). */
export function formFromStep(step: Step): FormValues {
  const values: FormValues = {
    title: step.title,
    required: step.required ? 'yes' : 'no',
    requires: [...step.requires],
    estimatedMinutes: step.estimatedMinutes === undefined ? '' : String(step.estimatedMinutes),
  };
  if (step.type === 'scorm') {
    values['packageId'] = step.config.packageId;
    values['completionRule'] = step.config.completion.rule;
    if (step.config.completion.rule === 'score') values['minimumScore'] = String(Math.round(step.config.completion.minimumScaled * 10000) / 100);
  } else if (step.type === 'xapi') {
    values['packageId'] = step.config.packageId;
    values['countedVerbs'] = step.config.countedVerbs;
  } else if (step.type === 'cmi5') {
    values['packageId'] = step.config.nodeId ? `${step.config.packageId} ${step.config.nodeId}` : step.config.packageId;
    values['allowedOrigins'] = step.config.allowedOrigins.join('\n');
  } else if (step.type === 'web') {
    values['resourceKind'] = step.config.resource.kind;
    values['url'] = step.config.resource.url;
    values['doneBy'] = step.config.done.by;
    if (step.config.done.by === 'minimum-time') values['minimumMinutes'] = String(Math.round((step.config.done.seconds / 60) * 100) / 100);
  } else if (step.type === 'session') {
    Object.assign(values, { date: step.config.date, startTime: step.config.startTime, endTime: step.config.endTime ?? '', place: step.config.place, capacity: String(step.config.capacity) });
  } else if (step.type === 'self-assessment') {
    step.config.statements.forEach((s, i) => Object.assign(values, { [`statements-${i}-id`]: s.id, [`statements-${i}-competence`]: s.competence, [`statements-${i}-text`]: s.text }));
    step.config.recommendations.forEach((r, i) =>
      Object.assign(values, { [`recommendations-${i}-competence`]: r.competence, [`recommendations-${i}-belowLevel`]: String(r.belowLevel), [`recommendations-${i}-stepIds`]: [...r.stepIds] }));
  } else {
    step.config.questions.forEach((q, i) =>
      Object.assign(values, {
        [`questions-${i}-id`]: q.id, [`questions-${i}-kind`]: q.kind, [`questions-${i}-text`]: q.text,
        ...(q.kind === 'scale' ? { [`questions-${i}-max`]: String(q.max) } : { [`questions-${i}-maxLength`]: String(q.maxLength) }),
      }));
  }
  return values;
}

/** Settings the paths core validates as part of the whole definition. */
export type SettingsInput = Partial<Omit<PathDefinition, 'steps'>>;

export function settingsFromForm(values: FormValues): { settings: SettingsInput; rows: RowMap } {
  const completionKind = one(values, 'completionKind');
  const scoreKind = one(values, 'scoreKind');
  const due = numberOrUndefined(one(values, 'dueAfterDays'));
  const rows: RowMap = { grants: [] };
  const grants = [];
  for (const i of rowIndexes(values, 'grants')) {
    const competence = one(values, `grants-${i}-competence`);
    if (!competence.trim()) continue;
    rows['grants']!.push(i);
    grants.push({ competence, validMonths: numberOrUndefined(one(values, `grants-${i}-validMonths`)) ?? null });
  }
  const settings = {
    title: one(values, 'title'),
    description: one(values, 'description'),
    language: one(values, 'language'),
    completion: completionKind === 'n-of-m' ? { kind: completionKind, count: numberOrUndefined(one(values, 'completionCount')) } : { kind: completionKind },
    score: scoreKind === 'step' ? { kind: scoreKind, stepId: one(values, 'scoreStepId') } : { kind: scoreKind },
    dueAfterDays: due ?? null,
    grants,
  };
  return { settings: settings as SettingsInput, rows };
}

export function formFromSettings(definition: PathDefinition, sharing: string): FormValues {
  const values: FormValues = {
    title: definition.title,
    description: definition.description,
    language: definition.language,
    completionKind: definition.completion.kind,
    completionCount: definition.completion.kind === 'n-of-m' ? String(definition.completion.count) : '',
    scoreKind: definition.score.kind,
    scoreStepId: definition.score.kind === 'step' ? definition.score.stepId : '',
    dueAfterDays: definition.dueAfterDays === null ? '' : String(definition.dueAfterDays),
    sharing,
  };
  definition.grants.forEach((g, i) => Object.assign(values, { [`grants-${i}-competence`]: g.competence, [`grants-${i}-validMonths`]: g.validMonths === null ? '' : String(g.validMonths) }));
  return values;
}

/** Where a problem reported by the paths core belongs in the form: a field id, or '' for the page. */
export function fieldOf(problemPath: string, rows: RowMap): string {
  const path = problemPath.replace(/^steps\.\d+\./, '');
  const fixed: Record<string, string> = {
    'config.completion.minimumScaled': 'minimumScore',
    'config.completion': 'completionRule',
    'config.completion.rule': 'completionRule',
    'config.packageId': 'packageId',
    'config.resource': 'url',
    'config.resource.url': 'url',
    'config.resource.kind': 'resourceKind',
    'config.done': 'doneBy',
    'config.done.by': 'doneBy',
    'config.done.seconds': 'minimumMinutes',
    'completion.count': 'completionCount',
    completion: 'completionKind',
    'completion.kind': 'completionKind',
    score: 'scoreKind',
    'score.kind': 'scoreKind',
    'score.stepId': 'scoreStepId',
  };
  if (fixed[path]) return fixed[path];
  const parts = path.replace(/^config\./, '').split('.');
  // A list item's index is its place among the filled rows; the field is named by the form row.
  if (parts.length >= 2 && rows[parts[0]!] && /^\d+$/.test(parts[1]!)) {
    const row = rows[parts[0]!]![Number(parts[1])];
    if (row === undefined) return parts[0]!;
    if (parts.length === 2) return `${parts[0]}-${row}-${parts[0] === 'grants' || parts[0] === 'recommendations' ? 'competence' : 'text'}`;
    const field = parts[2]!;
    // An id problem is the designer's text (ids are made here); min/kind belong to the row's text.
    return `${parts[0]}-${row}-${field === 'id' || field === 'min' || field === 'kind' ? 'text' : field}`;
  }
  return parts[0] ?? '';
}

/** The kind of field a message is written for: `statements-3-text` → `statements-text`. */
export const fieldKind = (field: string): string => field.replace(/-\d+-/, '-');

/** Problems grouped by field: the first message per field is shown. */
export function problemsByField(problems: readonly DefinitionProblem[], rows: RowMap): Map<string, DefinitionProblem> {
  const byField = new Map<string, DefinitionProblem>();
  for (const problem of problems) {
    const field = fieldOf(problem.path, rows);
    if (!byField.has(field)) byField.set(field, problem);
  }
  return byField;
}
