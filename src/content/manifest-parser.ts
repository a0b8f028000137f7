import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ContentImportError } from './import-errors.js';
import type { ManifestItem, ManifestObjective, ManifestOrganization, ManifestResource, PackageManifest, ScormEdition } from './manifest-model.js';
import { isExternalHref, launchHref, resolvePackagePath } from './package-paths.js';
import { parseSequencing, sequencingCollection, type SequencingResolver } from './sequencing-parser.js';
import { attr, invalid, list, number, tag, text, type XmlNode } from './xml-nodes.js';

const ARRAYS = new Set(['organization', 'item', 'resource', 'file', 'dependency', 'objective', 'mapInfo']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // XML's predefined entities and character references (and HTML's named ones, which authoring
  // tools write) are expanded; DTDs, and with them every declared entity (XXE, billion laughs),
  // are refused before parsing.
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

/** Attributes that 1.2 spells in lower case and 2004 in camel case (scormtype / scormType). */
function attrAnyCase(node: XmlNode, name: string): string | null {
  const lower = name.toLowerCase();
  for (const key of Object.keys(node)) if (key.toLowerCase() === `@${lower}`) return String(node[key]);
  return null;
}

function childAnyCase(node: XmlNode, name: string): unknown {
  const lower = name.toLowerCase();
  for (const key of Object.keys(node)) if (key.toLowerCase() === lower) return node[key];
  return undefined;
}

function detectEdition(root: XmlNode): ScormEdition {
  const metadata = root['metadata'] as XmlNode | undefined;
  const version = text(metadata?.['schemaversion'])?.trim();
  if (version === '1.2') return '1.2';
  if (version === 'CAM 1.3' || version === '2004 2nd Edition') return '2004 2nd Edition';
  if (version === '2004 3rd Edition') return '2004 3rd Edition';
  if (version === '2004 4th Edition') return '2004 4th Edition';
  if (version) throw new ContentImportError('unsupported-version', { version });
  // No schemaversion: tell the editions apart by how resources spell scormType.
  const resources = list((root['resources'] as XmlNode | undefined)?.['resource']);
  if (resources.some((r) => '@scormType' in r)) return '2004 3rd Edition';
  if (resources.some((r) => '@scormtype' in r)) return '1.2';
  throw new ContentImportError('version-unknown', {}, 'no schemaversion and no adlcp:scormtype');
}

function objectivesOf(sequencing: XmlNode | undefined): { objectives: ManifestObjective[]; scaledPassingScore: number | null } {
  const container = sequencing?.['objectives'] as XmlNode | undefined;
  const objectives: ManifestObjective[] = [];
  let scaledPassingScore: number | null = null;
  const read = (node: XmlNode, primary: boolean) => {
    const satisfiedByMeasure = attr(node, 'satisfiedByMeasure') === 'true';
    const minNormalizedMeasure = number(text(node['minNormalizedMeasure']), 'minNormalizedMeasure');
    objectives.push({ id: attr(node, 'objectiveID') ?? '', primary, satisfiedByMeasure, minNormalizedMeasure });
    // SCORM 2004 RTE 4.2.18: cmi.scaled_passing_score comes from the primary objective's measure.
    if (primary && satisfiedByMeasure) scaledPassingScore = minNormalizedMeasure ?? 1;
  };
  for (const primary of list(container?.['primaryObjective'])) read(primary, true);
  for (const other of list(container?.['objective'])) read(other, false);
  return { objectives, scaledPassingScore };
}

function completionThresholdOf(node: unknown): number | null {
  if (node === undefined) return null;
  const n = node as XmlNode;
  // 4th edition: attributes completedByMeasure/minProgressMeasure; 3rd: the element's text.
  if (typeof n === 'object' && n !== null && '@minProgressMeasure' in n) {
    if (attr(n, 'completedByMeasure') === 'false') return null;
    return number(attr(n, 'minProgressMeasure'), 'completionThreshold');
  }
  return number(text(node), 'completionThreshold');
}

function parseItem(node: XmlNode, resolve: SequencingResolver): ManifestItem {
  const identifier = attr(node, 'identifier');
  if (!identifier) throw invalid('manifest-missing-identifier', '<item>', 'an <item> has no identifier');
  const sequencing = resolve(node, `item '${identifier}'`);
  const { objectives, scaledPassingScore } = objectivesOf(sequencing);
  const limit = list(sequencing?.['limitConditions'])[0];
  return {
    identifier,
    title: text(node['title'])?.trim() || identifier,
    identifierref: attr(node, 'identifierref'),
    parameters: attr(node, 'parameters'),
    isVisible: attr(node, 'isvisible') !== 'false',
    masteryScore: number(text(childAnyCase(node, 'masteryscore')), 'masteryscore'),
    dataFromLms: text(childAnyCase(node, 'dataFromLMS')),
    maxTimeAllowed: text(childAnyCase(node, 'maxtimeallowed')) ?? (limit ? attr(limit, 'attemptAbsoluteDurationLimit') : null),
    timeLimitAction: text(childAnyCase(node, 'timeLimitAction')),
    prerequisites: text(childAnyCase(node, 'prerequisites')),
    completionThreshold: completionThresholdOf(childAnyCase(node, 'completionThreshold')),
    scaledPassingScore,
    objectives,
    sequencing: parseSequencing(sequencing, `item '${identifier}'`),
    children: list(node['item']).map((child) => parseItem(child, resolve)),
  };
}

function parseResources(root: XmlNode, files: ReadonlySet<string>): ManifestResource[] {
  const container = root['resources'] as XmlNode | undefined;
  if (!container) throw invalid('manifest-missing-element', '<resources>', '<resources> is missing');
  const base = attr(container, 'base');
  return list(container['resource']).map((node) => {
    const identifier = attr(node, 'identifier');
    if (!identifier) throw invalid('manifest-missing-identifier', '<resource>', 'a <resource> has no identifier');
    const scormType = (attrAnyCase(node, 'scormType') ?? 'asset').toLowerCase();
    if (scormType !== 'sco' && scormType !== 'asset') throw invalid('manifest-bad-value', tag('resource', { identifier, 'adlcp:scormType': scormType }), `resource '${identifier}' has scormType '${scormType}'`);
    const resourceBase = attr(node, 'base');
    const href = attr(node, 'href');
    const check = (value: string) => {
      if (isExternalHref(value)) return;
      const file = resolvePackagePath(value, base, resourceBase);
      if (file === undefined) throw new ContentImportError('path-escapes', { file: value });
      if (!files.has(file)) throw new ContentImportError('href-missing', { file });
    };
    if (href) check(href);
    const fileHrefs = list(node['file']).map((f) => attr(f, 'href')).filter((h): h is string => !!h);
    fileHrefs.forEach(check);
    return {
      identifier,
      scormType,
      href: href ? (isExternalHref(href) ? href : (launchHref(href, base, resourceBase) ?? null)) : null,
      files: fileHrefs.map((h) => resolvePackagePath(h, base, resourceBase) ?? h),
    };
  });
}

/**
 * Parses imsmanifest.xml (CAM 1.2 / CAM 1.3) and checks that it can be played: an organization with
 * launchable items, every referenced resource present, every href a file of the package.
 */
export function parseManifest(xml: string, files: ReadonlySet<string>): PackageManifest {
  // XXE and entity expansion: a manifest needs no DTD, so any is refused before parsing.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ContentImportError('manifest-dtd');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ContentImportError('manifest-not-xml', { line: valid.err.line }, valid.err.msg);
  const document = parser.parse(xml) as XmlNode;
  const root = document['manifest'] as XmlNode | undefined;
  if (!root || typeof root !== 'object') throw invalid('manifest-missing-element', '<manifest>', 'the root element is not <manifest>');
  const edition = detectEdition(root);
  const organizationsNode = (root['organizations'] ?? {}) as XmlNode;
  const resolve = sequencingCollection(root);
  const organizations: ManifestOrganization[] = list(organizationsNode['organization']).map((node) => {
    const identifier = attr(node, 'identifier') ?? '';
    return {
      identifier,
      title: text(node['title'])?.trim() || identifier,
      items: list(node['item']).map((item) => parseItem(item, resolve)),
      sequencing: edition === '1.2' ? null : parseSequencing(resolve(node, `organization '${identifier}'`), `organization '${identifier}'`),
    };
  });
  const resources = parseResources(root, files);
  const resourceIds = new Set(resources.map((r) => r.identifier));
  const walk = (items: ManifestItem[]) => {
    for (const item of items) {
      if (item.identifierref && !resourceIds.has(item.identifierref)) {
        throw invalid('manifest-unknown-reference', tag('item', { identifier: item.identifier, identifierref: item.identifierref }),
          `item '${item.identifier}' refers to resource '${item.identifierref}', which is not in <resources>`);
      }
      walk(item.children);
    }
  };
  organizations.forEach((o) => walk(o.items));
  const defaultOrganization = attr(organizationsNode, 'default') ?? organizations[0]?.identifier ?? '';
  if (organizations.length > 0 && !organizations.some((o) => o.identifier === defaultOrganization)) {
    throw invalid('manifest-unknown-reference', tag('organizations', { default: defaultOrganization }), `the default organization '${defaultOrganization}' does not exist`);
  }
  const launchable = organizations.some((o) => {
    const has = (items: ManifestItem[]): boolean =>
      items.some((i) => (i.identifierref && resources.find((r) => r.identifier === i.identifierref)?.href) || has(i.children));
    return has(o.items);
  });
  if (!launchable) throw new ContentImportError('nothing-to-launch');
  const firstOrg = organizations.find((o) => o.identifier === defaultOrganization);
  return {
    identifier: attr(root, 'identifier') ?? '',
    title: firstOrg?.title || attr(root, 'identifier') || 'SCORM',
    standard: edition === '1.2' ? 'scorm12' : 'scorm2004',
    edition,
    defaultOrganization,
    organizations,
    resources,
  };
}
