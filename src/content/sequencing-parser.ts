import {
  DEFAULT_CONTROL_MODE,
  PRECONDITION_ACTIONS,
  RULE_CONDITIONS,
  type ControlMode,
  type PreConditionAction,
  type PreConditionRule,
  type RuleConditionType,
  type Sequencing,
} from './sequencing-model.js';
import { attr, invalid, list, number, tag, type XmlNode } from './xml-nodes.js';

/** Finds the <imsss:sequencing> an item or organization uses, merged with what it refers to. */
export type SequencingResolver = (owner: XmlNode, where: string) => XmlNode | undefined;

/** Children of <imsss:sequencing> that the runtime records but does not enforce. */
const NOT_ENFORCED_CHILDREN = ['auxiliaryResources', 'rollupRules', 'rollupConsiderations', 'randomizationControls', 'deliveryControls', 'constrainedChoiceConsiderations'];

/**
 * CAM 4th ed. 5.1 <imsss:sequencingCollection>: an item's <imsss:sequencing IDRef="…"> takes the
 * referenced set, and elements the item gives itself replace the referenced ones of the same name.
 */
export function sequencingCollection(root: XmlNode): SequencingResolver {
  const collection = new Map<string, XmlNode>();
  for (const collectionNode of list(root['sequencingCollection'])) {
    for (const node of list(collectionNode['sequencing'])) {
      const id = attr(node, 'ID');
      if (id) collection.set(id, node);
    }
  }
  return (owner, where) => {
    const local = list(owner['sequencing'])[0];
    if (!local) return undefined;
    const ref = attr(local, 'IDRef');
    if (!ref) return local;
    const shared = collection.get(ref);
    if (!shared) throw invalid('manifest-unknown-reference', tag('imsss:sequencing', { IDRef: ref }), `the <imsss:sequencing> of ${where} refers to '${ref}', which is not in <imsss:sequencingCollection>`);
    const merged: XmlNode = {};
    for (const [key, value] of Object.entries(shared)) if (!key.startsWith('@')) merged[key] = value;
    for (const [key, value] of Object.entries(local)) if (!key.startsWith('@')) merged[key] = value;
    return merged;
  };
}

const bool = (node: XmlNode, name: string, fallback: boolean): boolean => {
  const value = attr(node, name);
  return value === null ? fallback : value === 'true' || value === '1';
};

function controlModeOf(node: XmlNode | undefined): ControlMode {
  if (!node) return DEFAULT_CONTROL_MODE;
  return {
    choice: bool(node, 'choice', DEFAULT_CONTROL_MODE.choice),
    choiceExit: bool(node, 'choiceExit', DEFAULT_CONTROL_MODE.choiceExit),
    flow: bool(node, 'flow', DEFAULT_CONTROL_MODE.flow),
    forwardOnly: bool(node, 'forwardOnly', DEFAULT_CONTROL_MODE.forwardOnly),
  };
}

function preConditionRule(node: XmlNode, where: string): PreConditionRule {
  const conditionsNode = list(node['ruleConditions'])[0] ?? {};
  const combination = attr(conditionsNode, 'conditionCombination') ?? 'all';
  if (combination !== 'all' && combination !== 'any') {
    throw invalid('manifest-bad-value', tag('imsss:ruleConditions', { conditionCombination: combination }), `${where}: conditionCombination '${combination}' is not all or any`);
  }
  const conditions = list(conditionsNode['ruleCondition']).map((c) => {
    const condition = attr(c, 'condition') ?? '';
    if (!(RULE_CONDITIONS as readonly string[]).includes(condition)) {
      throw invalid('manifest-bad-value', tag('imsss:ruleCondition', { condition }), `${where}: rule condition '${condition}' is not an SN rule condition`);
    }
    const operator = attr(c, 'operator') ?? 'noOp';
    if (operator !== 'not' && operator !== 'noOp') {
      throw invalid('manifest-bad-value', tag('imsss:ruleCondition', { operator }), `${where}: rule condition operator '${operator}' is not not or noOp`);
    }
    return {
      condition: condition as RuleConditionType,
      not: operator === 'not',
      referencedObjective: attr(c, 'referencedObjective'),
      measureThreshold: number(attr(c, 'measureThreshold'), 'measureThreshold') ?? 0,
    };
  });
  const action = attr(list(node['ruleAction'])[0] ?? {}, 'action') ?? '';
  if (!(PRECONDITION_ACTIONS as readonly string[]).includes(action)) {
    throw invalid('manifest-bad-value', tag('imsss:ruleAction', { action }), `${where}: '${action}' is not a precondition rule action`);
  }
  return { combination, conditions, action: action as PreConditionAction };
}

/** The sequencing definition of one activity (item or organization), or null when it has none. */
export function parseSequencing(node: XmlNode | undefined, where: string): Sequencing | null {
  if (!node) return null;
  const rules = list(node['sequencingRules'])[0];
  const limit = list(node['limitConditions'])[0];
  const attemptLimit = limit ? number(attr(limit, 'attemptLimit'), 'attemptLimit') : null;
  if (attemptLimit !== null && (!Number.isInteger(attemptLimit) || attemptLimit < 0)) {
    throw invalid('manifest-bad-value', tag('imsss:limitConditions', { attemptLimit: String(attemptLimit) }), `${where}: attemptLimit '${attemptLimit}' is not a non-negative integer`);
  }
  const objectives = list(node['objectives'])[0];
  const primary = list(objectives?.['primaryObjective'])[0];
  const notEnforced = NOT_ENFORCED_CHILDREN.filter((name) => name in node);
  if (rules && 'postConditionRule' in rules) notEnforced.push('postConditionRule');
  if (rules && 'exitConditionRule' in rules) notEnforced.push('exitConditionRule');
  if (limit && attr(limit, 'attemptAbsoluteDurationLimit') !== null) notEnforced.push('attemptAbsoluteDurationLimit');
  const objectiveNodes = [...list(objectives?.['primaryObjective']), ...list(objectives?.['objective'])];
  if (objectiveNodes.some((o) => 'mapInfo' in o)) notEnforced.push('mapInfo');
  return {
    controlMode: controlModeOf(list(node['controlMode'])[0]),
    preConditionRules: list(rules?.['preConditionRule']).map((r, i) => preConditionRule(r, `${where}, precondition rule ${i + 1}`)),
    attemptLimit: attemptLimit === 0 ? null : attemptLimit,
    primaryObjectiveId: primary ? attr(primary, 'objectiveID') : null,
    notEnforced,
  };
}
