import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  LAUNCH_METHODS, MOVE_ON, type Cmi5Au, type Cmi5Block, type Cmi5Manifest, type Cmi5Node, type Cmi5Objective, type LaunchMethod, type MoveOn,
} from './cmi5-model.js';
import { ContentImportError, type ImportErrorCode } from './import-errors.js';
import { isExternalHref, launchHref, resolvePackagePath } from './package-paths.js';
import { inLanguage, type LanguageMap } from './tincan-model.js';
import { tag } from './xml-nodes.js';

/** The course structure's namespace (cmi5 §14: CourseStructure.xsd). */
const CMI5_NAMESPACE = 'https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd';
/** cmi5 §8.1: the launch sets these; an AU URL that uses them would collide. */
const LAUNCH_PARAMETER_NAMES = ['endpoint', 'fetch', 'actor', 'registration', 'activityId'];

// Order kept (the XSD gives every element's place); prefixes kept so vendor extensions in other
// namespaces (§13.1.5) are told apart from the course structure's own elements.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

/** An element as fast-xml-parser gives it with preserveOrder: `{ name: children, ':@': attributes }`. */
type OrderedNode = Record<string, unknown>;

interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly Element[];
  readonly text: string;
}

function refuse(code: ImportErrorCode, element: string, detail: string, extra: Record<string, string> = {}): ContentImportError {
  return new ContentImportError(code, { element, ...extra }, detail);
}

/** The ordered nodes as elements of the course structure: other namespaces and comments left out. */
function elements(nodes: unknown, prefix: string | null): Element[] {
  if (!Array.isArray(nodes)) return [];
  const out: Element[] = [];
  for (const node of nodes as OrderedNode[]) {
    const key = Object.keys(node).find((k) => k !== ':@');
    if (key === undefined || key === '#text' || key.startsWith('?') || key === '#comment') continue;
    const colon = key.indexOf(':');
    if (colon >= 0 && key.slice(0, colon) !== prefix) continue;
    const name = colon >= 0 ? key.slice(colon + 1) : key;
    const children = node[key];
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries((node[':@'] ?? {}) as Record<string, unknown>)) {
      const attr = k.slice(1);
      if (!attr.includes(':') && attr !== 'xmlns' && typeof v === 'string') attributes[attr] = v.trim();
    }
    const text = Array.isArray(children) ? (children as OrderedNode[]).map((c) => (typeof c['#text'] === 'string' ? c['#text'] : '')).join('') : '';
    out.push({ name, attributes, children: elements(children, prefix), text: text.trim() });
  }
  return out;
}

/** An IRI as xAPI needs it (cmi5 §3: fully qualified, not an IRI reference). */
function isIri(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);
}

/**
 * Checks that the element's children come in the order the XSD gives: `order` lists the places,
 * a place holding one name or several that may mix (`au` and `block`); only a place with several
 * names repeats.
 */
function checkOrder(parent: Element, where: string, order: readonly (string | readonly string[])[]): void {
  const rank = (name: string) => order.findIndex((place) => (typeof place === 'string' ? place === name : place.includes(name)));
  let at = -1;
  for (const element of parent.children) {
    const index = rank(element.name);
    const repeats = index === at && typeof order[index] !== 'string';
    if (index < 0) throw refuse('cmi5-misplaced-element', `${where} ${tag(element.name)}`, `<${element.name}> is not allowed in ${where}`);
    if (index < at || (index === at && !repeats)) throw refuse('cmi5-misplaced-element', `${where} ${tag(element.name)}`, `<${element.name}> is out of order in ${where}`);
    at = index;
  }
}

function child(parent: Element, name: string): Element | undefined {
  return parent.children.find((c) => c.name === name);
}

/** A langstring list (title, description): text per language, `und` when none is given. */
function langstrings(parent: Element, name: 'title' | 'description', where: string): LanguageMap {
  const holder = child(parent, name);
  const map: Record<string, string> = {};
  for (const entry of holder?.children ?? []) {
    if (entry.name !== 'langstring') throw refuse('cmi5-misplaced-element', `${where} <${name}> ${tag(entry.name)}`, `only <langstring> goes in <${name}>`);
    const lang = entry.attributes['lang'] || 'und';
    if (entry.text && !(lang in map)) map[lang] = entry.text;
  }
  if (!holder || Object.keys(map).length === 0) throw refuse('cmi5-missing-element', `${where} <${name}>`, `${where} has no <${name}> with a <langstring>`);
  return map;
}

function requiredId(element: Element, attribute: 'id' | 'idref'): { id: string; where: string } {
  const id = element.attributes[attribute] ?? '';
  const where = tag(element.name, id ? { [attribute]: id } : {});
  if (!id) throw refuse('cmi5-missing-element', `${tag(element.name)} ${attribute}`, `a <${element.name}> has no ${attribute}`);
  if (!isIri(id)) throw refuse('cmi5-bad-value', where, `${attribute} '${id}' is not a fully qualified IRI`);
  return { id, where };
}

function objectiveRefs(parent: Element, where: string): string[] {
  const holder = child(parent, 'objectives');
  return (holder?.children ?? []).map((ref) => {
    if (ref.name !== 'objective') throw refuse('cmi5-misplaced-element', `${where} <objectives> ${tag(ref.name)}`, 'only <objective idref> goes here');
    return requiredId(ref, 'idref').id;
  });
}

function masteryScore(value: string | undefined, where: string): number | null {
  if (value === undefined || value === '') return null;
  // xs:decimal, 0..1 with at most 4 decimals (cmi5 §13.1.4).
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)$/.test(value)) throw refuse('cmi5-bad-value', `${where} masteryScore="${value}"`, `masteryScore '${value}' is not a decimal`);
  const score = Number(value);
  const decimals = value.includes('.') ? value.split('.')[1]!.replace(/0+$/, '').length : 0;
  if (score < 0 || score > 1 || decimals > 4) throw refuse('cmi5-bad-value', `${where} masteryScore="${value}"`, `masteryScore '${value}' is not between 0 and 1 with at most 4 decimals`);
  return score;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined, fallback: T, where: string, attribute: string): T {
  if (value === undefined || value === '') return fallback;
  if (!(values as readonly string[]).includes(value)) throw refuse('cmi5-bad-value', `${where} ${attribute}="${value}"`, `${attribute} '${value}' is none of ${values.join(', ')}`);
  return value as T;
}

/** Where the AU is launched from: a package file (zip) or a URL (§14.1, §14.2). */
function auUrl(written: string, where: string, files: ReadonlySet<string> | null): { url: string; external: boolean } {
  const element = `${where} <url>`;
  if (!written) throw refuse('cmi5-missing-element', element, 'the AU has no url');
  if (/\s/.test(written)) throw refuse('cmi5-bad-value', element, `url '${written}' has white space in it`);
  const query = written.split('#', 1)[0]!.split('?')[1];
  for (const name of new URLSearchParams(query ?? '').keys()) {
    if (LAUNCH_PARAMETER_NAMES.includes(name)) throw refuse('cmi5-url-parameter', element, `url '${written}' uses the launch parameter ${name}`, { name });
  }
  if (isExternalHref(written)) {
    let parsed: URL;
    try {
      parsed = new URL(written);
    } catch {
      throw refuse('cmi5-bad-value', element, `url '${written}' is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw refuse('cmi5-bad-value', element, `url '${written}' is not a web address`);
    return { url: parsed.toString(), external: true };
  }
  if (files === null) throw refuse('cmi5-relative-url', element, `url '${written}' is relative and there is no package`);
  if (written.startsWith('/') || written.startsWith('\\')) throw new ContentImportError('path-escapes', { file: written });
  const file = resolvePackagePath(written);
  if (file === undefined) throw new ContentImportError('path-escapes', { file: written });
  if (!files.has(file)) throw new ContentImportError('href-missing', { file });
  return { url: launchHref(written) ?? file, external: false };
}

interface ParseState {
  readonly files: ReadonlySet<string> | null;
  readonly ids: Set<string>;
  readonly objectiveRefs: { id: string; where: string }[];
}

function noteId(state: ParseState, id: string, where: string): void {
  // cmi5 §13.1: ids are unique within the course structure (course, blocks, AUs, objectives).
  if (state.ids.has(id)) throw refuse('cmi5-duplicate-id', where, `id '${id}' appears twice`);
  state.ids.add(id);
}

function parseAu(element: Element, state: ParseState): Cmi5Au {
  const { id, where } = requiredId(element, 'id');
  noteId(state, id, where);
  checkOrder(element, where, ['title', 'description', 'objectives', 'url', 'launchParameters', 'entitlementKey']);
  const urlElement = child(element, 'url');
  if (!urlElement) throw refuse('cmi5-missing-element', `${where} <url>`, 'the AU has no <url>');
  const activityType = element.attributes['activityType'] || null;
  if (activityType !== null && !isIri(activityType)) throw refuse('cmi5-bad-value', `${where} activityType="${activityType}"`, 'activityType is not an IRI');
  const objectives = objectiveRefs(element, where);
  state.objectiveRefs.push(...objectives.map((ref) => ({ id: ref, where: `${where} ${tag('objective', { idref: ref })}` })));
  return {
    kind: 'au',
    id,
    title: langstrings(element, 'title', where),
    description: langstrings(element, 'description', where),
    objectives,
    ...auUrl(urlElement.text, where, state.files),
    moveOn: oneOf<MoveOn>(MOVE_ON, element.attributes['moveOn'], 'NotApplicable', where, 'moveOn'),
    masteryScore: masteryScore(element.attributes['masteryScore'], where),
    launchMethod: oneOf<LaunchMethod>(LAUNCH_METHODS, element.attributes['launchMethod'], 'AnyWindow', where, 'launchMethod'),
    launchParameters: child(element, 'launchParameters')?.text || null,
    entitlementKey: child(element, 'entitlementKey')?.text || null,
    activityType,
  };
}

function parseNodes(parent: Element, state: ParseState): Cmi5Node[] {
  return parent.children.filter((c) => c.name === 'au' || c.name === 'block').map((c) => (c.name === 'au' ? parseAu(c, state) : parseBlock(c, state)));
}

function parseBlock(element: Element, state: ParseState): Cmi5Block {
  const { id, where } = requiredId(element, 'id');
  noteId(state, id, where);
  checkOrder(element, where, ['title', 'description', 'objectives', ['au', 'block']]);
  const objectives = objectiveRefs(element, where);
  state.objectiveRefs.push(...objectives.map((ref) => ({ id: ref, where: `${where} ${tag('objective', { idref: ref })}` })));
  const children = parseNodes(element, state);
  if (children.length === 0) throw refuse('cmi5-missing-element', `${where} <au>`, 'a block holds at least one AU or block');
  return { kind: 'block', id, title: langstrings(element, 'title', where), description: langstrings(element, 'description', where), objectives, children };
}

function parseObjectives(root: Element, state: ParseState): Cmi5Objective[] {
  const holder = child(root, 'objectives');
  return (holder?.children ?? []).map((element) => {
    if (element.name !== 'objective') throw refuse('cmi5-misplaced-element', `<objectives> ${tag(element.name)}`, 'only <objective> goes here');
    const { id, where } = requiredId(element, 'id');
    noteId(state, id, where);
    checkOrder(element, where, ['title', 'description']);
    return { id, title: langstrings(element, 'title', where), description: langstrings(element, 'description', where) };
  });
}

/** The root element, and the prefix the course structure's namespace has in this document (null: default namespace). */
function rootOf(document: OrderedNode[]): { root: Element; prefix: string | null } {
  for (const node of document) {
    const key = Object.keys(node).find((k) => k !== ':@' && !k.startsWith('?') && k !== '#text' && k !== '#comment');
    if (key === undefined) continue;
    const colon = key.indexOf(':');
    const prefix = colon >= 0 ? key.slice(0, colon) : null;
    const declared = ((node[':@'] ?? {}) as Record<string, string>)[prefix === null ? '@xmlns' : `@xmlns:${prefix}`];
    const [root] = elements([node], prefix);
    if (!root || root.name !== 'courseStructure') break;
    if (declared !== undefined && declared !== CMI5_NAMESPACE) {
      throw refuse('cmi5-bad-value', '<courseStructure xmlns>', `the namespace '${declared}' is not the cmi5 course structure's`);
    }
    return { root, prefix };
  }
  throw refuse('cmi5-missing-element', '<courseStructure>', 'the root element is not <courseStructure>');
}

/**
 * Parses cmi5.xml and checks it against the course structure rules (cmi5 §13, §14 and the order of
 * CourseStructure.xsd): fully qualified IRIs for every id, ids unique across the course, known
 * objectives, moveOn, launchMethod and masteryScore from their value spaces, AU URLs that are files
 * of the package or absolute web addresses (only absolute ones without a package), and no launch
 * parameter of cmi5's own in an AU's URL. `files` is null for a bare cmi5.xml.
 */
export function parseCmi5(xml: string, files: ReadonlySet<string> | null): Cmi5Manifest {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ContentImportError('cmi5-dtd');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ContentImportError('cmi5-not-xml', { line: valid.err.line }, valid.err.msg);
  const { root } = rootOf(parser.parse(xml) as OrderedNode[]);
  checkOrder(root, '<courseStructure>', ['course', 'objectives', ['au', 'block']]);
  const state: ParseState = { files, ids: new Set(), objectiveRefs: [] };
  const courseElement = child(root, 'course');
  if (!courseElement) throw refuse('cmi5-missing-element', '<course>', 'the course structure has no <course>');
  const { id: courseId, where: courseWhere } = requiredId(courseElement, 'id');
  noteId(state, courseId, courseWhere);
  checkOrder(courseElement, courseWhere, ['title', 'description']);
  const course = { id: courseId, title: langstrings(courseElement, 'title', courseWhere), description: langstrings(courseElement, 'description', courseWhere) };
  const objectives = parseObjectives(root, state);
  const children = parseNodes(root, state);
  if (!children.some(function hasAu(n: Cmi5Node): boolean { return n.kind === 'au' || n.children.some(hasAu); })) throw new ContentImportError('cmi5-no-au');
  const known = new Set(objectives.map((o) => o.id));
  for (const ref of state.objectiveRefs) if (!known.has(ref.id)) throw refuse('cmi5-unknown-objective', ref.where, `objective '${ref.id}' is not declared`);
  return {
    standard: 'cmi5',
    edition: files === null ? 'xml' : 'zip',
    title: inLanguage(course.title, 'nb') ?? course.id,
    course,
    objectives,
    children,
  };
}
