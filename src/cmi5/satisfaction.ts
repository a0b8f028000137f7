import type { Cmi5Au, Cmi5Manifest, Cmi5Node, MoveOn } from '../content/cmi5-model.js';

/** What an AU achieved in a registration. */
export interface AuAchievement {
  readonly completed: boolean;
  readonly passed: boolean;
  readonly waived: boolean;
}

const NOTHING: AuAchievement = { completed: false, passed: false, waived: false };

/** cmi5 §13.1.4 moveOn; a waived AU has met it whatever it says (§9.3.9). */
export function meetsMoveOn(moveOn: MoveOn, achieved: AuAchievement): boolean {
  if (achieved.waived) return true;
  switch (moveOn) {
    case 'Passed': return achieved.passed;
    case 'Completed': return achieved.completed;
    case 'CompletedAndPassed': return achieved.completed && achieved.passed;
    case 'CompletedOrPassed': return achieved.completed || achieved.passed;
    case 'NotApplicable': return true;
  }
}

export function auSatisfied(au: Cmi5Au, achievements: ReadonlyMap<string, AuAchievement>): boolean {
  return meetsMoveOn(au.moveOn, achievements.get(au.id) ?? NOTHING);
}

function nodeSatisfied(node: Cmi5Node, achievements: ReadonlyMap<string, AuAchievement>): boolean {
  return node.kind === 'au' ? auSatisfied(node, achievements) : node.children.every((child) => nodeSatisfied(child, achievements));
}

/**
 * The blocks (inner ones first) and the course whose AUs have all met their moveOn: what the LMS
 * states as satisfied (§9.3.9). `course` is the course's publisher id.
 */
export function satisfiedParents(manifest: Cmi5Manifest, achievements: ReadonlyMap<string, AuAchievement>): { kind: 'block' | 'course'; id: string }[] {
  const out: { kind: 'block' | 'course'; id: string }[] = [];
  const walk = (nodes: readonly Cmi5Node[]) => {
    for (const node of nodes) {
      if (node.kind !== 'block') continue;
      walk(node.children);
      if (nodeSatisfied(node, achievements)) out.push({ kind: 'block', id: node.id });
    }
  };
  walk(manifest.children);
  if (manifest.children.every((node) => nodeSatisfied(node, achievements))) out.push({ kind: 'course', id: manifest.course.id });
  return out;
}
