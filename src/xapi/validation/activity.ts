import { fail } from './invalid.js';
import { isIri } from './primitives.js';
import { expectExtensions, expectIri, expectLanguageMap, expectObject, expectString, optional, required } from './structure.js';

const INTERACTION_TYPES = ['true-false', 'choice', 'fill-in', 'long-fill-in', 'matching', 'performance', 'sequencing', 'likert', 'numeric', 'other'];

/** Which interaction component lists each interaction type may carry (§2.4.4.1.1). */
const COMPONENTS_BY_TYPE: Record<string, readonly string[]> = {
  choice: ['choices'],
  sequencing: ['choices'],
  likert: ['scale'],
  matching: ['source', 'target'],
  performance: ['steps'],
};
const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'];

function validateComponents(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'must be an array of interaction components');
  const ids = new Set<string>();
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const component = expectObject(item, at, ['id', 'description']);
    const id = required(component, 'id', at, expectString);
    if (id.length === 0) fail(`${at}.id`, 'must not be empty');
    if (ids.has(id)) fail(`${at}.id`, `repeats the id ${JSON.stringify(id)} within the list`);
    ids.add(id);
    optional(component, 'description', at, expectLanguageMap);
  });
}

/** §2.4.4.1 Activity Definition. */
export function validateDefinition(value: unknown, path: string): void {
  const definition = expectObject(value, path, [
    'name', 'description', 'type', 'moreInfo', 'extensions', 'interactionType', 'correctResponsesPattern', ...COMPONENT_LISTS,
  ]);
  optional(definition, 'name', path, expectLanguageMap);
  optional(definition, 'description', path, expectLanguageMap);
  optional(definition, 'type', path, expectIri);
  optional(definition, 'moreInfo', path, expectIri);
  optional(definition, 'extensions', path, expectExtensions);
  const interactionType = optional(definition, 'interactionType', path, (type, at) => {
    if (typeof type !== 'string' || !INTERACTION_TYPES.includes(type)) fail(at, `must be one of ${INTERACTION_TYPES.join(', ')}`);
    return type;
  });
  optional(definition, 'correctResponsesPattern', path, (pattern, at) => {
    if (!Array.isArray(pattern) || pattern.some((item) => typeof item !== 'string')) fail(at, 'must be an array of strings');
  });
  for (const list of COMPONENT_LISTS) {
    if (!(list in definition)) continue;
    if (interactionType === undefined) fail(`${path}.${list}`, 'needs an interactionType');
    if (!(COMPONENTS_BY_TYPE[interactionType] ?? []).includes(list)) {
      fail(`${path}.${list}`, `is not a component of the interaction type ${interactionType}`);
    }
    validateComponents(definition[list], `${path}.${list}`);
  }
  if ('correctResponsesPattern' in definition && interactionType === undefined) {
    fail(`${path}.correctResponsesPattern`, 'needs an interactionType');
  }
}

/** §2.4.4.1 Activity: objectType "Activity" (optional), id an IRI, optional definition. */
export function validateActivity(value: unknown, path: string): void {
  const activity = expectObject(value, path, ['objectType', 'id', 'definition']);
  if ('objectType' in activity && activity['objectType'] !== 'Activity') fail(`${path}.objectType`, 'must be "Activity"');
  required(activity, 'id', path, (id, at) => {
    if (!isIri(id)) fail(at, 'must be an absolute IRI');
  });
  optional(activity, 'definition', path, validateDefinition);
}
