import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ausInScope, ausOf, blocksOf } from '../../src/content/cmi5-model.js';
import { DiskContentStore } from '../../src/content/content-store.js';
import { ContentImportError } from '../../src/content/import-errors.js';
import { importPackage, type ImportDependencies } from '../../src/content/package-import.js';
import { findPackage } from '../../src/content/packages.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { rawZip, tempFile, writeZip } from '../content/support/package-zip.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { CMI5_XML, cmi5CourseEntries } from './support/course.js';

const files = cmi5CourseEntries();
const withXml = (xml: string) => [{ name: 'cmi5.xml', data: Buffer.from(xml) }, ...files.filter((f) => f.name !== 'cmi5.xml')];

/** A course structure with one AU (and the given parts swapped in), for the refusals. */
function course({ courseId = 'https://a.example/c', au = '', root = '' } = {}): string {
  const theAu = au || '<au id="https://a.example/au"><title><langstring lang="nb">A</langstring></title><description><langstring lang="nb">B</langstring></description><url>innforing.html</url></au>';
  return `<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"><course id="${courseId}"><title><langstring>K</langstring></title><description><langstring>D</langstring></description></course>${root}${theAu}</courseStructure>`;
}
const T = '<title><langstring lang="nb">A</langstring></title><description><langstring lang="nb">B</langstring></description>';

describe(`importing cmi5 courses (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let deps: ImportDependencies;
  let tenantId: string;
  let storeDir: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmi5-store-'));
    deps = { db: testDb.database.db, store: new DiskContentStore(storeDir), limits: DEFAULT_ZIP_LIMITS };
    ({ tenantId } = await seedTenantAndPerson(testDb.database.db));
  });
  afterAll(async () => {
    await testDb?.dispose();
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  const refusal = async (file: string) => {
    try {
      await importPackage(deps, tenantId, file);
    } catch (error) {
      if (error instanceof ContentImportError) return error;
      throw error;
    }
    throw new Error('the course was imported');
  };

  it('imports the course of our own making: blocks, AUs with moveOn, masteryScore, launchMethod, parameters, texts in every language', async () => {
    const imported = await importPackage(deps, tenantId, writeZip('smittevern.zip', rawZip(files)), { originalName: 'smittevern.zip' });
    expect(imported).toMatchObject({ standard: 'cmi5', edition: 'zip', title: 'Smittevern i hjemmetjenesten' });
    const manifest = imported.manifest;
    if (manifest.standard !== 'cmi5') throw new Error('not cmi5');
    expect(manifest.course.title).toEqual({ 'nb-NO': 'Smittevern i hjemmetjenesten', 'en-US': 'Infection control in home care' });
    expect(manifest.objectives.map((o) => o.id)).toEqual(['https://laeringslop.example/cmi5/smittevern/mal/handhygiene']);
    expect(blocksOf(manifest.children).map((b) => b.id)).toEqual(['https://laeringslop.example/cmi5/smittevern/del-1']);
    const [intro, test] = ausOf(manifest.children);
    expect(intro).toMatchObject({ moveOn: 'Completed', masteryScore: null, launchMethod: 'AnyWindow', url: 'innforing.html?del=1', external: false, launchParameters: 'sider=3', entitlementKey: null });
    expect(test).toMatchObject({
      moveOn: 'CompletedAndPassed', masteryScore: 0.8, launchMethod: 'OwnWindow', url: 'prove.html', entitlementKey: 'laeringslop-demo',
      activityType: 'http://adlnet.gov/expapi/activities/assessment', title: { 'nb-NO': 'Prøve', 'en-US': 'Test' },
    });
    expect(ausInScope(manifest, 'https://laeringslop.example/cmi5/smittevern/prove').map((a) => a.id)).toEqual([test!.id]);
    expect(ausInScope(manifest, undefined)).toHaveLength(2);
    expect((await findPackage(deps.db, tenantId, imported.id))?.manifest).toEqual(manifest);
  });

  it('imports a bare cmi5.xml whose AUs are on the web, with the defaults the specification gives', async () => {
    const xml = course({ au: `<au id="https://a.example/au">${T}<url>https://kurs.example/start.html?x=1</url></au>` });
    const imported = await importPackage(deps, tenantId, writeZip('cmi5.xml', Buffer.from(`\uFEFF<?xml version="1.0"?>\n${xml}`)));
    expect(imported).toMatchObject({ standard: 'cmi5', edition: 'xml', fileCount: 0 });
    if (imported.manifest.standard !== 'cmi5') throw new Error('not cmi5');
    expect(ausOf(imported.manifest.children)[0]).toMatchObject({ url: 'https://kurs.example/start.html?x=1', external: true, moveOn: 'NotApplicable', launchMethod: 'AnyWindow', masteryScore: null });
  });

  it('takes more than 1000 AUs (cmi5 §6.1) and nested blocks, and keeps vendor extensions out of the way', async () => {
    const aus = Array.from({ length: 1001 }, (_, i) => `<au id="https://a.example/au/${i}">${T}<url>https://kurs.example/${i}</url></au>`).join('');
    const xml = `<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd" xmlns:v="https://vendor.example/x"><course id="https://a.example/c"><title><langstring>K</langstring></title><description><langstring>D</langstring></description><v:note>ekstra</v:note></course>
      <block id="https://a.example/b1">${T}<block id="https://a.example/b2">${T}${aus}</block></block></courseStructure>`;
    const imported = await importPackage(deps, tenantId, writeZip('big.xml', Buffer.from(xml)));
    if (imported.manifest.standard !== 'cmi5') throw new Error('not cmi5');
    expect(ausOf(imported.manifest.children)).toHaveLength(1001);
    expect(blocksOf(imported.manifest.children).map((b) => b.id)).toEqual(['https://a.example/b1', 'https://a.example/b2']);
  });

  const au = (attributes: string, url = 'innforing.html', extra = '') => `<au id="https://a.example/au" ${attributes}>${T}${extra}<url>${url}</url></au>`;
  const bad: { name: string; xml: string; code: string; nb: RegExp }[] = [
    { name: 'a DTD (XXE)', xml: `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>${course()}`, code: 'cmi5-dtd', nb: /cmi5\.xml inneholder en DTD/ },
    { name: 'broken XML', xml: '<courseStructure><course id="x">', code: 'cmi5-not-xml', nb: /cmi5\.xml er ikke gyldig XML \(feil på linje 1\)/ },
    { name: 'another root', xml: '<tincan/>', code: 'cmi5-missing-element', nb: /<courseStructure> mangler/ },
    { name: 'another namespace', xml: course().replace('https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd', 'http://example.com/x'), code: 'cmi5-bad-value', nb: /<courseStructure xmlns>/ },
    { name: 'no course', xml: '<courseStructure><au id="https://a.example/au"/></courseStructure>', code: 'cmi5-missing-element', nb: /<course> mangler/ },
    { name: 'a course without id', xml: course().replace(' id="https://a.example/c"', ''), code: 'cmi5-missing-element', nb: /<course> id mangler/ },
    { name: 'a course id that is no IRI (CATAPULT 201-1)', xml: course({ courseId: 'w3id.org/xapi/course' }), code: 'cmi5-bad-value', nb: /verdien i <course id="w3id\.org\/xapi\/course">/ },
    { name: 'an AU without id', xml: course({ au: `<au>${T}<url>innforing.html</url></au>` }), code: 'cmi5-missing-element', nb: /<au> id mangler/ },
    { name: 'an AU without title', xml: course({ au: '<au id="https://a.example/au"><description><langstring>x</langstring></description><url>innforing.html</url></au>' }), code: 'cmi5-missing-element', nb: /<au id="https:\/\/a\.example\/au"> <title> mangler/ },
    { name: 'an AU without url', xml: course({ au: `<au id="https://a.example/au">${T}</au>` }), code: 'cmi5-missing-element', nb: /<url> mangler/ },
    { name: 'the url before the title (CATAPULT 207-1, the XSD order)', xml: course({ au: `<au id="https://a.example/au"><url>innforing.html</url>${T}</au>` }), code: 'cmi5-misplaced-element', nb: /står på feil plass/ },
    { name: 'an AU id used twice', xml: course({ au: au('') + au('') }), code: 'cmi5-duplicate-id', nb: /id-en i <au id="https:\/\/a\.example\/au"> er brukt mer enn én gang/ },
    { name: 'a block id used twice', xml: course({ au: `<block id="https://a.example/b">${T}${au('')}</block><block id="https://a.example/b">${T}<au id="https://a.example/au2">${T}<url>innforing.html</url></au></block>` }), code: 'cmi5-duplicate-id', nb: /<block id="https:\/\/a\.example\/b">/ },
    { name: 'an objective id used twice', xml: course({ root: `<objectives><objective id="https://a.example/o">${T}</objective><objective id="https://a.example/o">${T}</objective></objectives>` }), code: 'cmi5-duplicate-id', nb: /<objective id=/ },
    { name: 'an AU with the course id', xml: course({ au: au('').replace('https://a.example/au', 'https://a.example/c') }), code: 'cmi5-duplicate-id', nb: /brukt mer enn én gang/ },
    { name: 'an unknown objective', xml: course({ au: au('', 'innforing.html', '<objectives><objective idref="https://a.example/o"/></objectives>') }), code: 'cmi5-unknown-objective', nb: /viser til et mål som ikke finnes/ },
    { name: 'an empty block', xml: course({ au: `<block id="https://a.example/b">${T}</block>${au('')}` }), code: 'cmi5-missing-element', nb: /<block id="https:\/\/a\.example\/b"> <au> mangler/ },
    { name: 'no AU at all', xml: '<courseStructure><course id="https://a.example/c"><title><langstring>K</langstring></title><description><langstring>D</langstring></description></course></courseStructure>', code: 'cmi5-no-au', nb: /ingen AU/ },
    { name: 'an invalid moveOn', xml: course({ au: au('moveOn="Finished"') }), code: 'cmi5-bad-value', nb: /moveOn="Finished"/ },
    { name: 'an invalid launchMethod', xml: course({ au: au('launchMethod="Popup"') }), code: 'cmi5-bad-value', nb: /launchMethod="Popup"/ },
    { name: 'a masteryScore above 1', xml: course({ au: au('masteryScore="1.5"') }), code: 'cmi5-bad-value', nb: /masteryScore="1\.5"/ },
    { name: 'a negative masteryScore', xml: course({ au: au('masteryScore="-0.1"') }), code: 'cmi5-bad-value', nb: /masteryScore="-0\.1"/ },
    { name: 'a masteryScore with 5 decimals', xml: course({ au: au('masteryScore="0.12345"') }), code: 'cmi5-bad-value', nb: /masteryScore/ },
    { name: 'a masteryScore that is no number', xml: course({ au: au('masteryScore="høy"') }), code: 'cmi5-bad-value', nb: /masteryScore="høy"/ },
    { name: 'an activityType that is no IRI', xml: course({ au: au('activityType="quiz"') }), code: 'cmi5-bad-value', nb: /activityType="quiz"/ },
    { name: 'a url with white space (CATAPULT 206-1)', xml: course({ au: au('', 'http://example.com index.html') }), code: 'cmi5-bad-value', nb: /<url>/ },
    { name: 'a url naming a launch parameter (CATAPULT 204)', xml: course({ au: au('', 'innforing.html?endpoint=http://example.org/lrs') }), code: 'cmi5-url-parameter', nb: /parameteren 'endpoint'/ },
    { name: 'a url that escapes the package', xml: course({ au: au('', '../../etc/passwd') }), code: 'path-escapes', nb: /peker ut av pakken/ },
    { name: 'a url from the host root', xml: course({ au: au('', '/index.html') }), code: 'path-escapes', nb: /peker ut av pakken/ },
    { name: 'a url with no file in the package (CATAPULT 203-1)', xml: course({ au: au('', 'mangler.html') }), code: 'href-missing', nb: /Filen 'mangler\.html'/ },
    { name: 'a url of another scheme', xml: course({ au: au('', 'javascript:alert(1)') }), code: 'cmi5-bad-value', nb: /<url>/ },
  ];
  for (const c of bad) {
    it(`refuses cmi5.xml with ${c.name}, in every language, and stores nothing`, async () => {
      const before = (await deps.db.selectFrom('content_packages').select('id').execute()).length;
      const error = await refusal(writeZip('bad.zip', rawZip(withXml(c.xml))));
      expect(error.code).toBe(c.code);
      expect(error.text('nb')).toMatch(c.nb);
      expect(error.text('nn')).not.toBe(error.text('nb'));
      expect(error.text('en')).toMatch(/[a-z]/);
      expect((await deps.db.selectFrom('content_packages').select('id').execute()).length).toBe(before);
    });
  }

  it('refuses a bare cmi5.xml with a relative url (CATAPULT 202), naming the AU', async () => {
    for (const url of ['index.html', 'index.html?abc=def', '/index.html']) {
      const error = await refusal(writeZip('cmi5.xml', Buffer.from(course({ au: au('', url) }))));
      expect(error.code).toBe('cmi5-relative-url');
      expect(error.text('nb')).toMatch(/<au id="https:\/\/a\.example\/au"> <url> er relativ/);
      expect(error.text('en')).toMatch(/fully qualified/);
    }
  });

  it('refuses what is neither a zip nor XML (CATAPULT 208, 209) and a zip without cmi5.xml (210)', async () => {
    expect((await refusal(writeZip('readme.md', Buffer.from('# Ikke en pakke\n')))).code).toBe('not-a-zip');
    expect((await refusal(writeZip('nothing.zip', rawZip([{ name: 'index.html', data: Buffer.from('x') }])))).code).toBe('manifest-missing');
    expect((await refusal(writeZip('nested.zip', rawZip(files.map((f) => ({ ...f, name: `kurs/${f.name}` })))))).code).toBe('manifest-in-subfolder');
  });

  const hostile: { name: string; entries: Parameters<typeof rawZip>[0]; code: string }[] = [
    { name: 'zip slip', entries: [...files, { name: '../../evil.sh', data: Buffer.from('echo pwned') }], code: 'path-escapes' },
    { name: 'an absolute path', entries: [...files, { name: '/etc/cron.d/evil', data: Buffer.from('x') }], code: 'absolute-path' },
    { name: 'a symlink', entries: [...files, { name: 'passwd', data: Buffer.from('/etc/passwd'), mode: 0o120777 }], code: 'symlink' },
    { name: 'a zip bomb', entries: [...files, { name: 'data.bin', data: Buffer.alloc(50 * 1024 * 1024), deflate: true }], code: 'compression-ratio' },
    { name: 'the same path twice', entries: [...files, { name: 'prove.html', data: Buffer.from('other') }], code: 'duplicate-path' },
  ];
  for (const c of hostile) {
    it(`refuses a cmi5 package with ${c.name} before unpacking anything`, async () => {
      const blobs = () => (fs.existsSync(path.join(storeDir, 'blobs')) ? fs.readdirSync(path.join(storeDir, 'blobs'), { recursive: true }).length : 0);
      const before = blobs();
      expect((await refusal(writeZip('hostile.zip', rawZip(c.entries)))).code).toBe(c.code);
      expect(blobs()).toBe(before);
    });
  }

  it('plays a package with cmi5.xml and tincan.xml as cmi5, and one with imsmanifest.xml as SCORM', async () => {
    const tincan = { name: 'tincan.xml', data: Buffer.from('<tincan><activities><activity id="http://a.example/x" type="course"><launch>prove.html</launch></activity></activities></tincan>') };
    expect((await importPackage(deps, tenantId, writeZip('both.zip', rawZip([...files, tincan])))).standard).toBe('cmi5');
  });

  it('reads the fixture the browser test uploads', () => {
    expect(CMI5_XML).toContain('masteryScore="0.8"');
    expect(tempFile('x')).toMatch(/x$/);
  });
});
