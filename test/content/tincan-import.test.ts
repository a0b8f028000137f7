import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskContentStore } from '../../src/content/content-store.js';
import { ContentImportError } from '../../src/content/import-errors.js';
import { importPackage, type ImportDependencies } from '../../src/content/package-import.js';
import { findPackage, packageFile } from '../../src/content/packages.js';
import { activityInPackage, inLanguage } from '../../src/content/tincan-model.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { ArchiveError } from '../../src/paths/archive/errors.js';
import { archiveStream, prepareExport } from '../../src/paths/archive/export.js';
import { importPathArchive } from '../../src/paths/archive/import.js';
import { addStep, type NewStep } from '../../src/paths/drafts.js';
import { createPath } from '../../src/paths/paths.js';
import { createPerson } from '../../src/people/people.js';
import { buildTinCanPackage, COURSE_ACTIVITY_ID } from '../fixtures/tincan/build-package.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { rawZip, tempFile, writeZip } from './support/package-zip.js';

const TINCAN = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/tincan/course/tincan.xml'), 'utf8');
const page = { name: 'index.html', data: Buffer.from('<p>hei</p>') };
const tincan = { name: 'tincan.xml', data: Buffer.from(TINCAN) };

describe(`importing xAPI (tincan.xml) packages (${BACKEND})`, () => {
  let testDb: TestDatabase;
  let deps: ImportDependencies;
  let tenantId: string;
  let storeDir: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tincan-store-'));
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
    throw new Error('the package was imported');
  };

  it('imports the package of our own making: the course activity, its launch file, names and descriptions in every language', async () => {
    const imported = await importPackage(deps, tenantId, await buildTinCanPackage(tempFile('kurs.zip')), { originalName: 'kurs.zip' });
    expect(imported).toMatchObject({ standard: 'xapi', edition: 'tincan', title: 'Håndhygiene i pleie og omsorg', fileCount: 3 });
    const manifest = imported.manifest;
    if (manifest.standard !== 'xapi') throw new Error('not xAPI');
    expect(manifest.courseActivityId).toBe(COURSE_ACTIVITY_ID);
    expect(manifest.launch).toBe('index.html');
    const course = manifest.activities[0]!;
    expect(course.names).toEqual({ 'nb-NO': 'Håndhygiene i pleie og omsorg', 'en-US': 'Hand hygiene in care' });
    expect(inLanguage(course.names, 'en')).toBe('Hand hygiene in care');
    expect(inLanguage(course.descriptions, 'nb')).toBe('To sider og en quiz.');
    expect(activityInPackage(manifest, `${COURSE_ACTIVITY_ID}/quiz`)).toBe(true);
    expect(activityInPackage(manifest, `${COURSE_ACTIVITY_ID}/side-2`)).toBe(true);
    expect(activityInPackage(manifest, `${COURSE_ACTIVITY_ID}-annet`)).toBe(false);
    expect(activityInPackage(manifest, 'http://example.com/other')).toBe(false);
    expect((await findPackage(deps.db, tenantId, imported.id))?.manifest).toEqual(manifest);
    expect(await packageFile(deps.db, imported.id, 'course.js')).toBeDefined();
  });

  it('takes the launched activity of type course, keeps the launch query, and reads a launch with no type', async () => {
    const xml = `<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>
      <activity id="http://x.example/a/obj" type="http://adlnet.gov/expapi/activities/objective"><name>Mål</name></activity>
      <activity id="http://x.example/a" type="course"><name lang="und">Kurs &amp; mer</name><launch lang="und">story.html?modus=lms</launch></activity>
    </activities></tincan>`;
    const imported = await importPackage(deps, tenantId, writeZip('typed.zip', rawZip([{ name: 'tincan.xml', data: Buffer.from(xml) }, { name: 'story.html', data: Buffer.from('x') }])));
    expect(imported.manifest).toMatchObject({ courseActivityId: 'http://x.example/a', launch: 'story.html?modus=lms', title: 'Kurs & mer' });
    const untyped = xml.replace(' type="course"', '');
    const again = await importPackage(deps, tenantId, writeZip('untyped.zip', rawZip([{ name: 'tincan.xml', data: Buffer.from(untyped) }, { name: 'story.html', data: Buffer.from('x') }])));
    expect(again.manifest).toMatchObject({ courseActivityId: 'http://x.example/a' });
  });

  const bad: { name: string; xml: string; code: string; nb: RegExp }[] = [
    { name: 'a DTD (XXE)', xml: `<?xml version="1.0"?><!DOCTYPE tincan [<!ENTITY x SYSTEM "file:///etc/passwd">]>${TINCAN.replace(/^<\?xml[^>]*>/, '')}`, code: 'tincan-dtd', nb: /tincan\.xml inneholder en DTD/ },
    { name: 'not XML', xml: '<tincan><activities><activity id="http://a.example/x">', code: 'tincan-not-xml', nb: /tincan\.xml er ikke gyldig XML \(feil på linje 1\)/ },
    { name: 'another root', xml: '<manifest/>', code: 'tincan-missing-element', nb: /<tincan> mangler/ },
    { name: 'no activities', xml: '<tincan/>', code: 'tincan-missing-element', nb: /<activities> mangler/ },
    { name: 'an activity without id', xml: '<tincan><activities><activity><launch>index.html</launch></activity></activities></tincan>', code: 'tincan-missing-element', nb: /<activity> mangler/ },
    { name: 'an id that is no IRI', xml: '<tincan><activities><activity id="kurs 1"><launch>index.html</launch></activity></activities></tincan>', code: 'tincan-bad-value', nb: /verdien i <activity id="kurs 1">/ },
    { name: 'the same id twice', xml: '<tincan><activities><activity id="http://a.example/x"><launch>index.html</launch></activity><activity id="http://a.example/x"/></activities></tincan>', code: 'tincan-bad-value', nb: /ikke tillatt/ },
    { name: 'nothing to launch', xml: '<tincan><activities><activity id="http://a.example/x"><name>X</name></activity></activities></tincan>', code: 'tincan-nothing-to-launch', nb: /ingen aktivitet med <launch>/ },
    { name: 'a launch file not in the package', xml: TINCAN.replace('index.html', 'start.html'), code: 'href-missing', nb: /Filen 'start\.html' som manifestet peker på finnes ikke/ },
    { name: 'a launch outside the package', xml: TINCAN.replace('index.html', '../../index.html'), code: 'path-escapes', nb: /peker ut av pakken/ },
    { name: 'a launch on another site', xml: TINCAN.replace('index.html', 'https://evil.example/index.html'), code: 'tincan-bad-value', nb: /<launch>/ },
  ];
  for (const c of bad) {
    it(`refuses tincan.xml with ${c.name}, in every language, and stores nothing`, async () => {
      const before = (await deps.db.selectFrom('content_packages').select('id').execute()).length;
      const error = await refusal(writeZip('bad.zip', rawZip([{ name: 'tincan.xml', data: Buffer.from(c.xml) }, page])));
      expect(error.code).toBe(c.code);
      expect(error.text('nb')).toMatch(c.nb);
      expect(error.text('nn')).not.toBe(error.text('nb'));
      expect(error.text('en')).toMatch(/[a-z]/);
      expect((await deps.db.selectFrom('content_packages').select('id').execute()).length).toBe(before);
    });
  }

  const hostile: { name: string; entries: Parameters<typeof rawZip>[0]; code: string }[] = [
    { name: 'zip slip', entries: [tincan, page, { name: '../../evil.sh', data: Buffer.from('echo pwned') }], code: 'path-escapes' },
    { name: 'an absolute path', entries: [tincan, page, { name: '/etc/cron.d/evil', data: Buffer.from('x') }], code: 'absolute-path' },
    { name: 'a symlink', entries: [tincan, page, { name: 'passwd', data: Buffer.from('/etc/passwd'), mode: 0o120777 }], code: 'symlink' },
    { name: 'a zip bomb', entries: [tincan, page, { name: 'data.bin', data: Buffer.alloc(50 * 1024 * 1024), deflate: true }], code: 'compression-ratio' },
    { name: 'the same path twice', entries: [tincan, page, { name: 'index.html', data: Buffer.from('other') }], code: 'duplicate-path' },
    { name: 'tincan.xml in a folder', entries: [{ ...tincan, name: 'kurs/tincan.xml' }, { ...page, name: 'kurs/index.html' }], code: 'manifest-in-subfolder' },
  ];
  for (const c of hostile) {
    it(`refuses an xAPI package with ${c.name} before unpacking anything`, async () => {
      const blobs = () => (fs.existsSync(path.join(storeDir, 'blobs')) ? fs.readdirSync(path.join(storeDir, 'blobs'), { recursive: true }).length : 0);
      const before = blobs();
      expect((await refusal(writeZip('hostile.zip', rawZip(c.entries)))).code).toBe(c.code);
      expect(blobs()).toBe(before);
    });
  }

  it('travels in a path archive: exported with its xAPI step, imported into another tenant with the step pointing at the new package', async () => {
    const db = deps.db;
    const imported = await importPackage(deps, tenantId, await buildTinCanPackage(tempFile('arkiv-kurs.zip')));
    const designer = (await createPerson(db, tenantId, { name: 'Designer' })).id;
    const created = await createPath(db, tenantId, { title: 'Smittevern', description: '', language: 'nb', sharing: 'tenant', createdBy: designer });
    await addStep(db, tenantId, created.id, { type: 'xapi', title: 'Håndhygiene', required: true, config: { packageId: imported.id } } as NewStep);
    const prepared = await prepareExport(db, tenantId, created.id, 'draft');
    expect(prepared.manifest.packages).toMatchObject([{ id: imported.id, standard: 'xapi', edition: 'tincan' }]);
    const archive = tempFile('smittevern.zip');
    await new Promise<void>((resolve, reject) => archiveStream(deps.store, prepared).pipe(fs.createWriteStream(archive)).on('close', resolve).on('error', reject));
    const other = await seedTenantAndPerson(db, 'Asker');
    const report = await importPathArchive({ ...deps, workDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tincan-archive-')) }, other.tenantId, other.personId, archive);
    expect(report.packages).toMatchObject([{ standard: 'xapi', reused: false }]);
    const step = report.steps[0]!;
    expect(step).toMatchObject({ type: 'xapi', packageId: report.packages[0]!.id });
    expect((await findPackage(db, other.tenantId, step.packageId!))?.manifest).toMatchObject({ courseActivityId: COURSE_ACTIVITY_ID });

    // An archive whose xAPI step names a SCORM package is refused.
    const { MINIMAL_MANIFEST_12 } = await import('./support/package-zip.js');
    const scorm = writeZip('scorm.zip', rawZip([{ name: 'imsmanifest.xml', data: Buffer.from(MINIMAL_MANIFEST_12) }, page]));
    const { createHash } = await import('node:crypto');
    const bytes = fs.readFileSync(scorm);
    const tampered = { ...prepared.manifest, packages: [{ ...prepared.manifest.packages[0]!, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length }] };
    const yazl = (await import('yazl')).default;
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(JSON.stringify(tampered)), 'path.json');
    zip.addBuffer(bytes, tampered.packages[0]!.file);
    zip.end();
    const bad = tempFile('tampered.zip');
    await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(bad)).on('close', resolve).on('error', reject));
    const refused = await importPathArchive({ ...deps, workDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tincan-archive-')) }, other.tenantId, other.personId, bad).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArchiveError);
    expect((refused as ArchiveError).code).toBe('package-kind');
  });

  it('plays a package with both imsmanifest.xml and tincan.xml as SCORM', async () => {
    const { MINIMAL_MANIFEST_12 } = await import('./support/package-zip.js');
    const both = await importPackage(deps, tenantId, writeZip('both.zip', rawZip([{ name: 'imsmanifest.xml', data: Buffer.from(MINIMAL_MANIFEST_12) }, tincan, page])));
    expect(both.standard).toBe('scorm12');
  });
});
