import type { LanguageMap } from './tincan-model.js';

/**
 * A cmi5 course as its course structure (cmi5.xml, cmi5 §13) describes it: the course, the
 * objectives, and a tree of blocks and AUs (assignable units). Ids are the publisher's ids; the
 * activity ids the LMS uses at run time are made from them (src/cmi5/activity-ids.ts).
 */

/** cmi5 §13.1.4: when the LMS considers an AU satisfied. */
export const MOVE_ON = ['Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable'] as const;
export type MoveOn = (typeof MOVE_ON)[number];

export const LAUNCH_METHODS = ['AnyWindow', 'OwnWindow'] as const;
export type LaunchMethod = (typeof LAUNCH_METHODS)[number];

export interface Cmi5Objective {
  readonly id: string;
  readonly title: LanguageMap;
  readonly description: LanguageMap;
}

export interface Cmi5Au {
  readonly kind: 'au';
  readonly id: string;
  readonly title: LanguageMap;
  readonly description: LanguageMap;
  readonly objectives: readonly string[];
  /** A file of the package (relative, query kept) or an absolute URL outside it (`external`). */
  readonly url: string;
  readonly external: boolean;
  readonly moveOn: MoveOn;
  /** Scaled 0..1, at most 4 decimals; null when the course structure gives none. */
  readonly masteryScore: number | null;
  readonly launchMethod: LaunchMethod;
  readonly launchParameters: string | null;
  readonly entitlementKey: string | null;
  readonly activityType: string | null;
}

export interface Cmi5Block {
  readonly kind: 'block';
  readonly id: string;
  readonly title: LanguageMap;
  readonly description: LanguageMap;
  readonly objectives: readonly string[];
  readonly children: readonly Cmi5Node[];
}

export type Cmi5Node = Cmi5Au | Cmi5Block;

export interface Cmi5Manifest {
  readonly standard: 'cmi5';
  /** `zip` for a package with its files, `xml` for a bare cmi5.xml whose AUs are all external. */
  readonly edition: 'zip' | 'xml';
  readonly title: string;
  readonly course: { readonly id: string; readonly title: LanguageMap; readonly description: LanguageMap };
  readonly objectives: readonly Cmi5Objective[];
  readonly children: readonly Cmi5Node[];
}

/** Every AU under the nodes, in course order. */
export function ausOf(nodes: readonly Cmi5Node[]): Cmi5Au[] {
  return nodes.flatMap((node) => (node.kind === 'au' ? [node] : ausOf(node.children)));
}

/** Every block under the nodes, parents before children. */
export function blocksOf(nodes: readonly Cmi5Node[]): Cmi5Block[] {
  return nodes.flatMap((node) => (node.kind === 'block' ? [node, ...blocksOf(node.children)] : []));
}

/** The block or AU with this publisher id, anywhere in the course. */
export function findNode(manifest: Pick<Cmi5Manifest, 'children'>, id: string): Cmi5Node | undefined {
  const walk = (nodes: readonly Cmi5Node[]): Cmi5Node | undefined => {
    for (const node of nodes) {
      if (node.id === id) return node;
      const inner = node.kind === 'block' ? walk(node.children) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(manifest.children);
}

/** The AUs a step covers: the whole course, or one block or AU of it (by publisher id). */
export function ausInScope(manifest: Pick<Cmi5Manifest, 'children'>, nodeId: string | undefined): Cmi5Au[] {
  if (nodeId === undefined) return ausOf(manifest.children);
  const node = findNode(manifest, nodeId);
  return node ? ausOf([node]) : [];
}
