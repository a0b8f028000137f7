import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ContentImportError } from './import-errors.js';
import { isExternalHref, launchHref, resolvePackagePath } from './package-paths.js';
import { inLanguage, type LanguageMap, type TinCanActivity, type TinCanManifest } from './tincan-model.js';
import { attr, list, tag, text, type XmlNode } from './xml-nodes.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // As for imsmanifest.xml: entities XML predefines are expanded; any DTD is refused before parsing.
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ['activity', 'name', 'description', 'launch'].includes(name),
});

const COURSE_TYPES = new Set(['course', 'http://adlnet.gov/expapi/activities/course']);

/** An IRI as xAPI needs it for an activity id (Part Two §4.1.4.1): a scheme, then something. */
function isActivityIri(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(value) && !/\s/.test(value);
}

function languageMap(nodes: unknown): LanguageMap {
  const map: Record<string, string> = {};
  for (const node of Array.isArray(nodes) ? nodes : [nodes]) {
    if (node === undefined || node === null) continue;
    const value = text(node)?.trim() ?? '';
    if (!value) continue;
    const lang = typeof node === 'object' ? (attr(node as XmlNode, 'lang') ?? 'und') : 'und';
    if (!(lang in map)) map[lang] = value;
  }
  return map;
}

function invalidTinCan(problem: 'tincan-missing-element' | 'tincan-bad-value', element: string, detail: string): ContentImportError {
  return new ContentImportError(problem, { element }, detail);
}

function parseActivity(node: XmlNode, files: ReadonlySet<string>): TinCanActivity {
  const id = attr(node, 'id')?.trim() ?? '';
  if (!id) throw invalidTinCan('tincan-missing-element', '<activity>', 'an <activity> has no id');
  if (!isActivityIri(id)) throw invalidTinCan('tincan-bad-value', tag('activity', { id }), `activity id '${id}' is not an IRI`);
  const launchNode: unknown = Array.isArray(node['launch']) ? node['launch'][0] : node['launch'];
  const written = text(launchNode)?.trim() || null;
  let launch: string | null = null;
  if (written) {
    if (isExternalHref(written)) throw invalidTinCan('tincan-bad-value', tag('launch'), `launch '${written}' is not a file of the package`);
    const file = resolvePackagePath(written);
    if (file === undefined) throw new ContentImportError('path-escapes', { file: written });
    if (!files.has(file)) throw new ContentImportError('href-missing', { file });
    launch = launchHref(written) ?? null;
  }
  return { id, type: attr(node, 'type')?.trim() || null, names: languageMap(node['name']), descriptions: languageMap(node['description']), launch };
}

/**
 * Parses tincan.xml and checks that it can be launched: activities with IRIs for ids, a launched
 * activity whose file is in the package. The course activity is the launched one of type course,
 * else the first launched one (Storyline and iSpring mark it course; some tools leave the type out).
 */
export function parseTinCan(xml: string, files: ReadonlySet<string>): TinCanManifest {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ContentImportError('tincan-dtd');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ContentImportError('tincan-not-xml', { line: valid.err.line }, valid.err.msg);
  const document = parser.parse(xml) as XmlNode;
  // An empty <tincan/> parses as '': present, with nothing in it.
  const root = document['tincan'] === '' ? {} : document['tincan'];
  if (!root || typeof root !== 'object') throw invalidTinCan('tincan-missing-element', '<tincan>', 'the root element is not <tincan>');
  const container = (root as XmlNode)['activities'];
  if (!container || typeof container !== 'object') throw invalidTinCan('tincan-missing-element', '<activities>', '<activities> is missing');
  const activities = list((container as XmlNode)['activity']).map((node) => parseActivity(node, files));
  const seen = new Set<string>();
  for (const activity of activities) {
    if (seen.has(activity.id)) throw invalidTinCan('tincan-bad-value', tag('activity', { id: activity.id }), `activity '${activity.id}' appears twice`);
    seen.add(activity.id);
  }
  const launched = activities.filter((a) => a.launch !== null);
  const course = launched.find((a) => a.type !== null && COURSE_TYPES.has(a.type)) ?? launched[0];
  if (!course?.launch) throw new ContentImportError('tincan-nothing-to-launch');
  return {
    standard: 'xapi',
    edition: 'tincan',
    title: inLanguage(course.names, 'nb') ?? course.id,
    courseActivityId: course.id,
    launch: course.launch,
    activities,
  };
}
