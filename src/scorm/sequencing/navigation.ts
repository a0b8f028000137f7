import type { Activity, ActivityTree } from './activity-tree.js';
import { checkActivity, limitViolated, preConditionHolds, type Refusal } from './rules.js';

type Direction = 'forward' | 'backward';

/** The next activity in preorder outside `a`'s subtree (forward), or the one before `a` (backward). */
function step(a: Activity, direction: Direction): Activity | null {
  for (let node: Activity = a; node.parent; node = node.parent) {
    const siblings = node.parent.children;
    const i = siblings.indexOf(node);
    const next = siblings[direction === 'forward' ? i + 1 : i - 1];
    if (next) return next;
  }
  return null;
}

/**
 * SN SB.2.1–2.3 (flow tree and activity traversal), from `candidate` on: an activity whose parent
 * does not allow flow (or, backward, is forward only) ends the traversal; one a skip rule holds
 * for is passed over with its subtree; one that is disabled or out of attempts ends it; a cluster
 * is entered at its first (forward) or last (backward) child.
 */
function flowTo(candidate: Activity | null, direction: Direction): Activity | null {
  let a = candidate;
  while (a) {
    const parent = a.parent;
    if (!parent || !parent.sequencing.controlMode.flow) return null;
    if (direction === 'backward' && parent.sequencing.controlMode.forwardOnly) return null;
    if (preConditionHolds(a, 'skip')) {
      a = step(a, direction);
      continue;
    }
    if (preConditionHolds(a, 'disabled') || limitViolated(a)) return null;
    if (a.leaf) return a;
    a = (direction === 'forward' ? a.children[0] : a.children[a.children.length - 1]) ?? step(a, direction);
  }
  return null;
}

/** SN SB.2.5 Start: flow into the tree from the root. */
export function startTarget(tree: ActivityTree): Activity | null {
  return flowTo(tree.root.children[0] ?? null, 'forward');
}

/** SN SB.2.7 / SB.2.8: where continue or previous leads from the current activity, if anywhere. */
export function flowTarget(current: Activity, direction: Direction): Activity | null {
  const parent = current.parent;
  if (!parent?.sequencing.controlMode.flow) return null;
  if (direction === 'backward' && parent.sequencing.controlMode.forwardOnly) return null;
  return flowTo(step(current, direction), direction);
}

function pathFromRoot(a: Activity): Activity[] {
  const path: Activity[] = [];
  for (let node: Activity | null = a; node && node.parent; node = node.parent) path.unshift(node);
  return path;
}

/**
 * SN SB.2.9 Choice Sequencing Request Process, the parts enforced: the target must be delivered
 * (UP.5 on its path), no activity on its path hidden from choice, every parent on it allowing
 * choice; from a current activity, no active activity left by the choice may forbid choiceExit,
 * a backward choice needs the common ancestor not to be forward only, and a forward choice may not
 * pass an activity (from the current one's branch up to the target, the target excluded) whose
 * stopForwardTraversal holds.
 */
export function choiceRefusal(current: Activity | null, target: Activity): Refusal | null {
  const blocked = checkActivity(target);
  if (blocked) return blocked;
  const path = pathFromRoot(target);
  if (path.some((a) => preConditionHolds(a, 'hiddenFromChoice'))) return 'hidden-from-choice';
  if (path.some((a) => a.parent && !a.parent.sequencing.controlMode.choice)) return 'choice-not-allowed';
  if (!current || current === target) return null;
  const onTargetPath = new Set<Activity>([target, ...path]);
  let common: Activity | null = current.parent;
  while (common && !onTargetPath.has(common) && common.parent) common = common.parent;
  if (!common || !onTargetPath.has(common)) common = path[0]?.parent ?? null;
  if (!common) return null;
  for (let a: Activity | null = current; a && a !== common; a = a.parent) {
    if (!a.sequencing.controlMode.choiceExit) return 'choice-exit';
  }
  const branchOf = (a: Activity) => {
    let node = a;
    while (node.parent && node.parent !== common) node = node.parent;
    return node;
  };
  const from = common.children.indexOf(branchOf(current));
  const to = common.children.indexOf(branchOf(target));
  if (to < from) return common.sequencing.controlMode.forwardOnly ? 'forward-only' : null;
  // The activities passed on the way, the target excluded: it may itself be chosen.
  const passed = [...common.children.slice(from, to + 1), ...path.slice(path.indexOf(branchOf(target)) + 1)].filter((a) => a !== target);
  return passed.some((a) => preConditionHolds(a, 'stopForwardTraversal')) ? 'stop-forward-traversal' : null;
}

/**
 * Whether the learner may start a session of `target` now, coming from `current` (the SCO the
 * attempt last worked on): it must pass UP.5 on its path and be where some navigation request
 * leads — start, continue, previous, a valid choice, or the current activity itself.
 */
export function deliveryRefusal(tree: ActivityTree, current: Activity | null, target: Activity): Refusal | null {
  const blocked = checkActivity(target);
  if (blocked) return blocked;
  if (target === current || startTarget(tree) === target) return null;
  if (current && (flowTarget(current, 'forward') === target || flowTarget(current, 'backward') === target)) return null;
  return choiceRefusal(current, target);
}

export interface NavigationView {
  continueTarget: string | null;
  previousTarget: string | null;
  /** Why each launchable activity cannot be chosen from the current one; absent when it can. */
  choiceRefusals: Map<string, Refusal>;
  /** Activities hidden from choice: not listed in the table of contents. */
  hidden: Set<string>;
}

/** What the player offers while `current` is delivered: adl.nav.request_valid and the contents list. */
export function navigationView(tree: ActivityTree, current: Activity | null): NavigationView {
  const choiceRefusals = new Map<string, Refusal>();
  const hidden = new Set<string>();
  for (const activity of tree.preorder) {
    if (!activity.leaf) continue;
    const refusal = choiceRefusal(current, activity);
    if (refusal) choiceRefusals.set(activity.id, refusal);
    if (pathFromRoot(activity).some((a) => preConditionHolds(a, 'hiddenFromChoice'))) hidden.add(activity.id);
  }
  return {
    continueTarget: (current && flowTarget(current, 'forward')?.id) ?? null,
    previousTarget: (current && flowTarget(current, 'backward')?.id) ?? null,
    choiceRefusals,
    hidden,
  };
}

/**
 * Where the learner enters the course: the SCO whose attempt is still open (SN resume), else the
 * start activity (flow from the root), else the first activity that may be chosen.
 */
export function entryActivity(tree: ActivityTree, last: Activity | null): Activity | null {
  if (last && last.status.attemptOpen && !checkActivity(last)) return last;
  return startTarget(tree) ?? tree.preorder.find((a) => a.leaf && !choiceRefusal(null, a)) ?? null;
}
