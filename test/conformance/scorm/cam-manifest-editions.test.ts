import { describe, expect, it } from 'vitest';
import { ContentImportError } from '../../../src/content/import-errors.js';
import { launchableItems, withParameters } from '../../../src/content/manifest-model.js';
import { parseManifest } from '../../../src/content/manifest-parser.js';

// SCORM 2004 CAM §3 (imsmanifest.xml) and SCORM 1.2 CAM §2.3: editions, xml:base, parameters.
const manifest2004 = (schemaversion: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>${schemaversion}</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Kurs</title>
    <item identifier="a" identifierref="r" parameters="?kapittel=1"><title>A</title>
      <adlcp:completionThreshold>0.6</adlcp:completionThreshold>
      <adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>
      ${extra}
    </item>
  </organization></organizations>
  <resources xml:base="innhold/"><resource identifier="r" type="webcontent" adlcp:scormType="sco" xml:base="del a/" href="start.html?modus=1"><file href="start.html"/></resource></resources>
</manifest>`;

const files = new Set(['innhold/del a/start.html']);

describe('CAM editions and manifest details', () => {
  it.each([
    ['CAM 1.3', '2004 2nd Edition'],
    ['2004 3rd Edition', '2004 3rd Edition'],
    ['2004 4th Edition', '2004 4th Edition'],
  ])('reads schemaversion %s as %s', (schemaversion, edition) => {
    const parsed = parseManifest(manifest2004(schemaversion), files);
    expect(parsed).toMatchObject({ standard: 'scorm2004', edition });
    const [item] = launchableItems(parsed);
    // xml:base on <resources> and <resource> apply; the resource's query and the item's parameters join.
    expect(item!.launch).toBe('innhold/del a/start.html?modus=1&kapittel=1');
    expect(item!.item).toMatchObject({ completionThreshold: 0.6, timeLimitAction: 'exit,message' });
  });

  it('refuses SCORM versions we do not play', () => {
    expect(() => parseManifest(manifest2004('1.1'), files)).toThrow(ContentImportError);
    try {
      parseManifest(manifest2004('1.1'), files);
    } catch (error) {
      expect((error as ContentImportError).text('nb')).toMatch(/versjon vi ikke støtter \(1\.1\)/);
    }
  });

  it('refuses entity declarations even without a DOCTYPE keyword in upper case', () => {
    expect(() => parseManifest('<?xml version="1.0"?><!doctype manifest><manifest/>', files)).toThrow(/DTD/);
    expect(() => parseManifest('<manifest><!ENTITY x "y"></manifest>', files)).toThrow(/DTD/);
  });

  it('expands character references in titles and attributes (XML 1.0 §4.1)', () => {
    const escaped = manifest2004('2004 4th Edition')
      .replace('<title>A</title>', '<title>Brann &amp; sikkerhet &#248;v&#xE6;lse</title>')
      .replace('href="start.html?modus=1"', 'href="start.html?modus=1&amp;spr%C3%A5k=nb"');
    const [item] = launchableItems(parseManifest(escaped, files));
    expect(item!.title).toBe('Brann & sikkerhet øvælse');
    expect(item!.launch).toBe('innhold/del a/start.html?modus=1&spr%C3%A5k=nb&kapittel=1');
  });

  it('names the resource a dangling identifierref points to', () => {
    const broken = manifest2004('2004 4th Edition').replace('identifierref="r"', 'identifierref="missing"');
    expect(() => parseManifest(broken, files)).toThrow(/identifierref="missing"/);
  });

  it('refuses hrefs that climb out of the package', () => {
    const climbing = manifest2004('2004 4th Edition').replace('href="start.html?modus=1"', 'href="../../../etc/passwd"');
    expect(() => parseManifest(climbing, files)).toThrow(ContentImportError);
  });

  it('joins parameters as CAM 3.4.1.12.2 says', () => {
    expect(withParameters('a.html', '?x=1')).toBe('a.html?x=1');
    expect(withParameters('a.html?y=2', '&x=1')).toBe('a.html?y=2&x=1');
    expect(withParameters('a.html', '#kapittel2')).toBe('a.html#kapittel2');
    expect(withParameters('a.html', null)).toBe('a.html');
  });
});
