import type { Sequencing } from './sequencing-model.js';
import type { TinCanManifest } from './tincan-model.js';
import type { Cmi5Manifest } from './cmi5-model.js';

/** The parts of an imsmanifest.xml the player and the runtime need, after validation. */

export type ScormStandard = 'scorm12' | 'scorm2004';
export type ScormEdition = '1.2' | '2004 2nd Edition' | '2004 3rd Edition' | '2004 4th Edition';

export interface ManifestObjective {
  id: string;
  primary: boolean;
  satisfiedByMeasure: boolean;
  minNormalizedMeasure: number | null;
}

export interface ManifestItem {
  identifier: string;
  title: string;
  /** The resource it launches; items without one are folders in the table of contents. */
  identifierref: string | null;
  parameters: string | null;
  isVisible: boolean;
  /** SCORM 1.2 adlcp:masteryscore (0–100). */
  masteryScore: number | null;
  /** adlcp:datafromlms (1.2) / adlcp:dataFromLMS (2004): becomes cmi.launch_data. */
  dataFromLms: string | null;
  maxTimeAllowed: string | null;
  timeLimitAction: string | null;
  /** SCORM 1.2 adlcp:prerequisites (aicc_script), kept as written. */
  prerequisites: string | null;
  /** SCORM 2004 adlcp:completionThreshold (minProgressMeasure in 4th edition). */
  completionThreshold: number | null;
  /** SCORM 2004 primary objective's minNormalizedMeasure when satisfiedByMeasure: cmi.scaled_passing_score. */
  scaledPassingScore: number | null;
  objectives: ManifestObjective[];
  /**
   * SCORM 2004 imsss:sequencing (IDRef into imsss:sequencingCollection resolved). Absent in
   * manifests stored before sequencing was read, null when the item has none.
   */
  sequencing?: Sequencing | null;
  children: ManifestItem[];
}

export interface ManifestOrganization {
  identifier: string;
  title: string;
  items: ManifestItem[];
  /** imsss:sequencing of the organization (the root activity): its controlMode governs the top items. */
  sequencing?: Sequencing | null;
}

export interface ManifestResource {
  identifier: string;
  scormType: 'sco' | 'asset';
  /** Launch path inside the package (xml:base applied, percent-decoded), or null. */
  href: string | null;
  files: string[];
}

export interface PackageManifest {
  identifier: string;
  title: string;
  standard: ScormStandard;
  edition: ScormEdition;
  defaultOrganization: string;
  organizations: ManifestOrganization[];
  resources: ManifestResource[];
}

/** A launchable item in table-of-contents order: what the player shows and the runtime tracks. */
export interface LaunchableItem {
  /** The item identifier: the SCO id the runtime keys state by. */
  id: string;
  title: string;
  depth: number;
  scormType: 'sco' | 'asset';
  /** Path of the file to launch plus the item's parameters (query and fragment kept). */
  launch: string;
  item: ManifestItem;
}

/** Every launchable item of an organization, depth first (CAM: the order of the activity tree). */
export function launchableItems(stored: StoredManifest, organizationId?: string): LaunchableItem[] {
  // An xAPI package has no SCOs: its one launch is the course activity (tincan-model.ts).
  if (stored.standard === 'xapi' || stored.standard === 'cmi5') return [];
  const manifest = stored;
  organizationId ??= manifest.defaultOrganization;
  const organization = manifest.organizations.find((o) => o.identifier === organizationId) ?? manifest.organizations[0];
  if (!organization) return [];
  const resources = new Map(manifest.resources.map((r) => [r.identifier, r]));
  const out: LaunchableItem[] = [];
  const walk = (items: ManifestItem[], depth: number) => {
    for (const item of items) {
      const resource = item.identifierref ? resources.get(item.identifierref) : undefined;
      if (resource?.href) {
        out.push({ id: item.identifier, title: item.title, depth, scormType: resource.scormType, launch: withParameters(resource.href, item.parameters), item });
      }
      walk(item.children, depth + 1);
    }
  };
  walk(organization.items, 0);
  return out;
}

/** CAM 1.3.1 §3.4.1.12.2: parameters start with '?' or '#' or are appended with '&' after a query. */
export function withParameters(href: string, parameters: string | null): string {
  if (!parameters) return href;
  let p = parameters.trim();
  while (p.startsWith('?') || p.startsWith('&')) p = p.slice(1);
  if (p.startsWith('#')) return href.includes('#') ? href : href + p;
  if (!p) return href;
  return href.includes('?') ? `${href}&${p}` : `${href}?${p}`;
}

/** What a package row stores: a SCORM manifest, an xAPI package's tincan.xml (`standard: 'xapi'`) or a cmi5 course structure (`standard: 'cmi5'`). */
export type StoredManifest = PackageManifest | TinCanManifest | Cmi5Manifest;

/** The SCORM manifest of a stored package, or undefined for an xAPI or cmi5 package. */
export function scormManifest(manifest: StoredManifest): PackageManifest | undefined {
  return manifest.standard === 'xapi' || manifest.standard === 'cmi5' ? undefined : manifest;
}
