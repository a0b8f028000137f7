import type { ManifestItem, PackageManifest } from '../../content/manifest-model.js';
import { DEFAULT_SEQUENCING, type Sequencing } from '../../content/sequencing-model.js';

/**
 * Manifests stored before sequencing was read have no `sequencing` at all (undefined, where a
 * manifest without any has null): they keep playing as they did, with choice and flow everywhere.
 */
const STORED_BEFORE_SEQUENCING: Sequencing = { ...DEFAULT_SEQUENCING, controlMode: { ...DEFAULT_SEQUENCING.controlMode, flow: true } };

const sequencingOf = (s: Sequencing | null | undefined): Sequencing => (s === undefined ? STORED_BEFORE_SEQUENCING : (s ?? DEFAULT_SEQUENCING));

/** What the runtime stores about one SCO of an attempt (a row of scorm_sco_states). */
export interface ScoTracking {
  /** Attempts begun on the SCO (SN activity attempt count). */
  attemptCount: number;
  /** The last attempt is still open: not ended by Terminate, or suspended (cmi.exit = suspend). */
  attemptOpen: boolean;
  completionStatus: string;
  successStatus: string;
  scoreScaled: number | null;
}

/** SN 4.2 tracking status of an activity, as the rule conditions read it. */
export interface ActivityStatus {
  attemptCount: number;
  attemptOpen: boolean;
  /** Attempt completion status; null while attempt progress is unknown. */
  completed: boolean | null;
  /** Primary objective satisfied status; null while objective progress is unknown. */
  satisfied: boolean | null;
  /** Primary objective normalized measure; null while unknown. */
  measure: number | null;
}

export interface Activity {
  id: string;
  title: string;
  /** A launchable item (a SCO or asset); clusters are the items with children. */
  leaf: boolean;
  sequencing: Sequencing;
  parent: Activity | null;
  children: Activity[];
  status: ActivityStatus;
}

export interface ActivityTree {
  root: Activity;
  byId: Map<string, Activity>;
  /** Every activity in preorder (the order flow traverses). */
  preorder: Activity[];
}

const UNTRACKED: ActivityStatus = { attemptCount: 0, attemptOpen: false, completed: null, satisfied: null, measure: null };

/** SN 4.2.1 / RTE 4.2.4, 4.2.22: the SCO's completion and success status become the activity's. */
function leafStatus(tracking: ScoTracking | undefined): ActivityStatus {
  if (!tracking) return UNTRACKED;
  const completion = tracking.completionStatus;
  const success = tracking.successStatus;
  return {
    attemptCount: tracking.attemptCount,
    attemptOpen: tracking.attemptOpen,
    completed: completion === 'completed' ? true : completion === 'incomplete' ? false : null,
    satisfied: success === 'passed' ? true : success === 'failed' ? false : null,
    measure: tracking.scoreScaled,
  };
}

/**
 * SN 4.6 default rollup, used because rollup rules are not read: a cluster is satisfied when all
 * its children are, not satisfied when every child's status is known and one is not; completed when
 * all are completed, incomplete when every child's progress is known and one is not; its measure
 * is the average of its children's known measures.
 */
function rollUp(children: ActivityStatus[]): ActivityStatus {
  if (children.length === 0) return UNTRACKED;
  const all = (test: (s: ActivityStatus) => boolean) => children.every(test);
  const measures = children.map((c) => c.measure).filter((m): m is number => m !== null);
  return {
    attemptCount: children.some((c) => c.attemptCount > 0) ? 1 : 0,
    attemptOpen: children.some((c) => c.attemptOpen),
    satisfied: all((c) => c.satisfied === true) ? true : all((c) => c.satisfied !== null) ? false : null,
    completed: all((c) => c.completed === true) ? true : all((c) => c.completed !== null && c.attemptCount > 0) ? false : null,
    measure: measures.length > 0 ? measures.reduce((a, b) => a + b, 0) / measures.length : null,
  };
}

/**
 * The activity tree of the default organization (SN 1.1): the organization is the root, items are
 * activities. Items without a launchable resource and without children take no part.
 */
export function buildActivityTree(manifest: PackageManifest, launchable: ReadonlySet<string>, tracking: ReadonlyMap<string, ScoTracking>): ActivityTree {
  const organization = manifest.organizations.find((o) => o.identifier === manifest.defaultOrganization) ?? manifest.organizations[0];
  const byId = new Map<string, Activity>();
  const preorder: Activity[] = [];
  const root: Activity = {
    id: organization?.identifier ?? '',
    title: organization?.title ?? '',
    leaf: false,
    sequencing: sequencingOf(organization?.sequencing),
    parent: null,
    children: [],
    status: UNTRACKED,
  };
  preorder.push(root);
  const build = (item: ManifestItem, parent: Activity): Activity | undefined => {
    // SCORM 2004 CAM: only leaf items launch content; an item with children is a cluster.
    const leaf = launchable.has(item.identifier) && item.children.length === 0;
    if (!leaf && item.children.length === 0) return undefined;
    const activity: Activity = { id: item.identifier, title: item.title, leaf, sequencing: sequencingOf(item.sequencing), parent, children: [], status: UNTRACKED };
    byId.set(activity.id, activity);
    preorder.push(activity);
    if (!leaf) activity.children = item.children.map((c) => build(c, activity)).filter((c): c is Activity => c !== undefined);
    activity.status = leaf ? leafStatus(tracking.get(activity.id)) : rollUp(activity.children.map((c) => c.status));
    return activity;
  };
  root.children = (organization?.items ?? []).map((i) => build(i, root)).filter((c): c is Activity => c !== undefined);
  root.status = rollUp(root.children.map((c) => c.status));
  return { root, byId, preorder };
}
