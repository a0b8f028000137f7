import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckedZip, DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { findPackage } from '../../src/content/packages.js';
import { getDraft, addStep, publish } from '../../src/paths/drafts.js';
import { deliverOutcome } from '../../src/paths/engine.js';
import { enrol, getProgress, listCompletions } from '../../src/paths/enrolments.js';
import { createPath, setSharing } from '../../src/paths/paths.js';
import { createPerson } from '../../src/people/people.js';
import { hostilePackages, zipFixture } from '../content/support/package-zip.js';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { startScormServer } from '../scorm/support/server.js';
import { blobFiles, rowCounts, SECRET, sessionFor, writeArchive } from './support.js';

interface Installation {
  testDb: TestDatabase;
  running: Awaited<ReturnType<typeof startScormServer>>;
  url: string;
  tenantId: string;
  personId: string;
  token: string;
}

async function installation(): Promise<Installation> {
  const testDb = await createTestDatabase();
  const running = await startScormServer(testDb.database, { KEY_ENCRYPTION_SECRET: SECRET });
  const { tenantId, personId } = await seedTenantAndPerson(testDb.database.db, 'Kongsberg');
  return { testDb, running, url: running.server.url, tenantId, personId, token: await sessionFor({ tenantId, personId }) };
}

async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await CheckedZip.open(file, DEFAULT_ZIP_LIMITS);
  try {
    const out = new Map<string, Buffer>();
    for (const entry of zip.files.values()) {
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.read(entry)) chunks.push(chunk as Buffer);
      out.set(entry.path, Buffer.concat(chunks));
    }
    return out;
  } finally {
    zip.close();
  }
}

function post(url: string, token: string | undefined, body: Buffer, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/zip', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: new Uint8Array(body),
  });
}

let source: Installation;
let target: Installation;
let packageZip: string;
let packageId: string;
let pathId: string;
let archiveFile: string;
let manifest: Record<string, unknown> & { packages: { id: string; file: string; sha256: string; size: number }[]; definition: { steps: Record<string, unknown>[] } };

beforeAll(async () => {
  source = await installation();
  target = await installation();
  packageZip = await zipFixture('scorm2004-4th');
}, 180_000);
afterAll(async () => {
  await source?.running.stop();
  await source?.testDb.dispose();
  await target?.running.stop();
  await target?.testDb.dispose();
}, 60_000);

describe(`path archives and package upload over HTTP (${BACKEND})`, { timeout: 60_000 }, () => {
  it('a designer uploads a SCORM package for the tenant of the session', async () => {
    const response = await post(`${source.url}/design/packages/upload?name=personvern.zip`, source.token, fs.readFileSync(packageZip));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; title: string; edition: string };
    expect(body).toMatchObject({ title: 'Personvern i kommunen', edition: '2004 4th Edition' });
    packageId = body.id;
    const stored = await findPackage(source.testDb.database.db, source.tenantId, packageId);
    expect(stored).toMatchObject({ title: 'Personvern i kommunen', originalName: 'personvern.zip' });
  });

  it('refuses a broken package with the texts in nb, nn and en, and keeps nothing', async () => {
    const before = { rows: await rowCounts(source.testDb.database.db), blobs: blobFiles(source.running.dataDir) };
    const hostile = hostilePackages().find((h) => h.name === 'zip-slip')!;
    const response = await post(`${source.url}/design/packages/upload`, source.token, fs.readFileSync(hostile.file));
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { code: string; file: string; messages: Record<string, string> };
    expect(problem).toMatchObject({ code: 'path-escapes', file: '../../evil.sh' });
    expect(problem.messages.nb).toMatch(/peker ut av pakken/);
    expect(problem.messages.nn).toMatch(/peikar ut av pakken/);
    expect(problem.messages.en).toMatch(/points outside the package/);
    expect({ rows: await rowCounts(source.testDb.database.db), blobs: blobFiles(source.running.dataDir) }).toEqual(before);
  });

  it('exports a path with a SCORM step and a web step as one archive with the original package zip', async () => {
    const db = source.testDb.database.db;
    const path = await createPath(db, source.tenantId, { title: 'Personvern for alle', description: 'Grunnkurs', language: 'nb', createdBy: source.personId });
    pathId = path.id;
    await addStep(db, source.tenantId, pathId, { type: 'scorm', title: 'Kurset', required: true, config: { packageId, completion: { rule: 'completed' } } });
    await addStep(db, source.tenantId, pathId, { type: 'web', title: 'Les veilederen', required: true, config: { resource: { kind: 'link', url: 'https://www.datatilsynet.no/' }, done: { by: 'mark-as-done' } } });

    const response = await fetch(`${source.url}/design/paths/${pathId}/export?session=${source.token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toContain('personvern-for-alle.zip');
    archiveFile = `${fs.mkdtempSync('/tmp/archive-')}/personvern.zip`;
    fs.writeFileSync(archiveFile, Buffer.from(await response.arrayBuffer()));

    const entries = await readZip(archiveFile);
    expect([...entries.keys()].sort()).toEqual(['packages/' + packageId + '.zip', 'path.json']);
    manifest = JSON.parse(entries.get('path.json')!.toString('utf8')) as typeof manifest;
    expect(manifest).toMatchObject({
      format: 'laeringslop.path-archive',
      formatVersion: 1,
      exportedVersion: 'draft',
      path: { title: 'Personvern for alle', description: 'Grunnkurs', language: 'nb' },
      packages: [{ id: packageId, file: `packages/${packageId}.zip`, title: 'Personvern i kommunen', standard: 'scorm2004', originalName: 'personvern.zip' }],
    });
    expect(manifest.definition).toEqual(await getDraft(db, source.tenantId, pathId));
    expect(entries.get(`packages/${packageId}.zip`)!.equals(fs.readFileSync(packageZip))).toBe(true);
  });

  it('exports a published version by number', async () => {
    const db = source.testDb.database.db;
    await publish(db, source.tenantId, pathId, source.personId);
    const response = await fetch(`${source.url}/design/paths/${pathId}/export?version=1&session=${source.token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('personvern-for-alle-v1.zip');
    await response.arrayBuffer();
    const missing = await fetch(`${source.url}/design/paths/${pathId}/export?version=7&session=${source.token}`, { headers: { accept: 'application/json' } });
    expect(missing.status).toBe(404);
  });

  it('refuses to export a path whose SCORM step names a package the tenant does not have, naming the step', async () => {
    const db = source.testDb.database.db;
    const other = await seedTenantAndPerson(db, 'Drammen');
    const foreign = (await db.selectFrom('content_packages').select('id').where('tenant_id', '=', source.tenantId).executeTakeFirstOrThrow()).id;
    const broken = await createPath(db, source.tenantId, { title: 'Løp med fremmed pakke', language: 'nb', createdBy: source.personId });
    await addStep(db, source.tenantId, broken.id, { type: 'scorm', title: 'Lånt kurs', required: true, config: { packageId: 'pkg-1', completion: { rule: 'completed' } } });
    const response = await fetch(`${source.url}/design/paths/${broken.id}/export?session=${source.token}`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ type: '/problems/path-export-refused', step: 'Lånt kurs', package: 'pkg-1' });
    // Another tenant cannot export through a step that names this tenant's package either.
    const theirs = await createPath(db, other.tenantId, { title: 'Deres løp', language: 'nb', createdBy: other.personId });
    await addStep(db, other.tenantId, theirs.id, { type: 'scorm', title: 'Kurset', required: true, config: { packageId: foreign, completion: { rule: 'completed' } } });
    const otherToken = await sessionFor(other);
    const page = await fetch(`${source.url}/design/paths/${theirs.id}/export?session=${otherToken}`);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('Steget «Kurset» viser til pakken');
  });

  it('imports the archive into another installation as a draft with new packages, and a learner completes it', async () => {
    const db = target.testDb.database.db;
    const response = await post(`${target.url}/design/import?name=personvern.zip`, target.token, fs.readFileSync(archiveFile));
    expect(response.status).toBe(201);
    const report = (await response.json()) as { pathId: string; title: string; steps: { title: string; type: string; packageId?: string }[]; packages: { id: string; title: string; reused: boolean }[]; adjustments: { code: string; messages: Record<string, string> }[] };
    expect(report.title).toBe('Personvern for alle');
    expect(report.steps.map((s) => [s.title, s.type])).toEqual([['Kurset', 'scorm'], ['Les veilederen', 'web']]);
    expect(report.packages).toEqual([expect.objectContaining({ title: 'Personvern i kommunen', reused: false })]);
    expect(report.adjustments.map((a) => a.code)).toEqual(['imported-as-draft']);
    const newPackage = report.packages[0]!.id;
    expect(newPackage).not.toBe(packageId);
    expect(report.steps[0]!.packageId).toBe(newPackage);

    const imported = await findPackage(db, target.tenantId, newPackage);
    expect(imported).toMatchObject({ title: 'Personvern i kommunen', tenantId: target.tenantId });
    expect(await target.running.server.url).toBeTruthy();
    const path = await db.selectFrom('paths').selectAll().where('id', '=', report.pathId).executeTakeFirstOrThrow();
    expect(path).toMatchObject({ tenant_id: target.tenantId, sharing: 'tenant', title: 'Personvern for alle', created_by: target.personId });
    const draft = await getDraft(db, target.tenantId, report.pathId);
    expect(draft.steps.map((s) => s.id)).toEqual(manifest.definition.steps.map((s) => s['id']));

    // A learner of the importing organisation completes the imported path.
    const { versionId } = await publish(db, target.tenantId, report.pathId, target.personId);
    const learner = (await createPerson(db, target.tenantId, { name: 'Ola Nordmann' })).id;
    const { enrolmentId } = await enrol(db, target.tenantId, { personId: learner, pathId: report.pathId });
    const [scormStep, webStep] = draft.steps;
    await deliverOutcome(db, target.tenantId, {
      enrolmentId, stepId: scormStep!.id, idempotencyKey: 'attempt-1:1',
      outcome: { kind: 'sco', packageId: newPackage, completionStatus: 'completed', successStatus: 'passed', scoreScaled: 0.9 },
    });
    const done = await deliverOutcome(db, target.tenantId, { enrolmentId, stepId: webStep!.id, idempotencyKey: 'web-done', outcome: { kind: 'web', event: 'done' } });
    expect(done.pathCompleted).toBe(true);
    expect((await getProgress(db, target.tenantId, enrolmentId)).status).toBe('completed');
    expect(await listCompletions(db, target.tenantId, { pathId: report.pathId })).toEqual([expect.objectContaining({ versionId })]);
  });

  it('imports the same archive again as a second path that reuses the package instead of storing it twice', async () => {
    const db = target.testDb.database.db;
    const before = { rows: await rowCounts(db), blobs: blobFiles(target.running.dataDir) };
    const response = await post(`${target.url}/design/import`, target.token, fs.readFileSync(archiveFile));
    expect(response.status).toBe(201);
    const report = (await response.json()) as { packages: { reused: boolean }[]; adjustments: { code: string; messages: Record<string, string> }[] };
    expect(report.packages).toEqual([expect.objectContaining({ reused: true })]);
    expect(report.adjustments.find((a) => a.code === 'package-reused')?.messages.nb).toBe('Pakken «Personvern i kommunen» fantes fra før og ble gjenbrukt, ikke lagret på nytt.');
    const after = await rowCounts(db);
    expect(after).toEqual({ ...before.rows, paths: before.rows['paths']! + 1, path_versions: before.rows['path_versions']! + 1 });
    expect(blobFiles(target.running.dataDir)).toEqual(before.blobs);
  });

  describe('bad archives are refused and leave nothing behind', () => {
    const withManifest = (change: (m: typeof manifest) => unknown) => () => writeArchive([
      { name: 'path.json', data: JSON.stringify(change(structuredClone(manifest))) },
      { name: `packages/${packageId}.zip`, file: packageZip },
    ]);
    const cases: { name: string; archive: () => Promise<string>; status: number; code: string; nb: RegExp; file?: string }[] = [
      { name: 'not a zip', archive: async () => { const f = `${fs.mkdtempSync('/tmp/archive-')}/tekst.zip`; fs.writeFileSync(f, 'not a zip '.repeat(50)); return f; }, status: 422, code: 'archive-unreadable', nb: /Arkivet 'kurs\.zip' ble ikke godtatt: Filen er ikke en zip-fil/, file: 'kurs.zip' },
      { name: 'no path.json', archive: () => writeArchive([{ name: `packages/${packageId}.zip`, file: packageZip }]), status: 422, code: 'manifest-missing', nb: /path\.json mangler i roten av arkivet 'kurs\.zip'/, file: 'kurs.zip' },
      { name: 'path.json is not JSON', archive: () => writeArchive([{ name: 'path.json', data: '{ "format": ' }]), status: 422, code: 'manifest-not-json', nb: /er ikke gyldig JSON/ },
      { name: 'another format', archive: withManifest((m) => ({ ...m, format: 'scorm' })), status: 422, code: 'wrong-format', nb: /er ikke et læringsløp-arkiv \(format "scorm"\)/ },
      { name: 'a newer format version', archive: withManifest((m) => ({ ...m, formatVersion: 2 })), status: 422, code: 'unsupported-version', nb: /har formatversjon 2; denne installasjonen leser versjon 1/ },
      { name: 'an invalid definition', archive: withManifest((m) => { m.definition.steps[1]!['title'] = ''; return m; }), status: 422, code: 'definition-invalid', nb: /Læringsløpet i path\.json .* er ikke gyldig; feil i definition\.steps\.1\.title/ },
      { name: 'a step naming an unlisted package', archive: withManifest((m) => ({ ...m, packages: [] })), status: 422, code: 'package-unlisted', nb: /Steget «Kurset» viser til pakken .*, som ikke er oppført i path\.json/ },
      { name: 'a listed package missing from the zip', archive: () => writeArchive([{ name: 'path.json', data: JSON.stringify(manifest) }]), status: 422, code: 'package-missing', nb: /Pakkefilen 'packages\/.*\.zip' som path\.json viser til, finnes ikke i arkivet/, file: `packages/${'{id}'}.zip` },
      { name: 'a package that is not valid SCORM', archive: async () => {
        const bad = hostilePackages().find((h) => h.name === 'missing-href-target')!.file;
        const m = structuredClone(manifest);
        m.packages[0]!.sha256 = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(bad)).digest('hex');
        m.packages[0]!.size = fs.statSync(bad).size;
        return writeArchive([{ name: 'path.json', data: JSON.stringify(m) }, { name: m.packages[0]!.file, file: bad }]);
      }, status: 422, code: 'package-invalid', nb: /Pakkefilen 'packages\/.*\.zip' er ikke en gyldig SCORM-pakke: Filen 'index\.html' som manifestet peker på finnes ikke/ },
      { name: 'a package with a zip slip inside', archive: async () => {
        const bad = hostilePackages().find((h) => h.name === 'zip-slip')!.file;
        const m = structuredClone(manifest);
        m.packages[0]!.sha256 = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(bad)).digest('hex');
        return writeArchive([{ name: 'path.json', data: JSON.stringify(m) }, { name: m.packages[0]!.file, file: bad }]);
      }, status: 422, code: 'package-invalid', nb: /er ikke en gyldig SCORM-pakke: Filstien '\.\.\/\.\.\/evil\.sh' peker ut av pakken/ },
      { name: 'a package that is a zip bomb', archive: async () => {
        const bad = hostilePackages().find((h) => h.name === 'zip-bomb')!.file;
        const m = structuredClone(manifest);
        m.packages[0]!.sha256 = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(bad)).digest('hex');
        return writeArchive([{ name: 'path.json', data: JSON.stringify(m) }, { name: m.packages[0]!.file, file: bad }]);
      }, status: 422, code: 'package-invalid', nb: /er ikke en gyldig SCORM-pakke: Filen 'data\.bin' er komprimert mistenkelig mye/ },
      { name: 'a valid new package followed by an invalid one (the stored files of the first are removed again)', archive: async () => {
        const { createHash } = await import('node:crypto');
        const good = await zipFixture('scorm12-multi');
        const bad = hostilePackages().find((h) => h.name === 'manifest-in-subfolder')!.file;
        const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
        const m = structuredClone(manifest);
        const scorm = m.definition.steps[0]!;
        m.definition.steps = [
          { ...scorm, id: '7d1c4f0e-0000-4000-8000-000000000001', title: 'Først', config: { packageId: 'good', completion: { rule: 'completed' } } },
          { ...scorm, title: 'Så', config: { packageId: 'bad', completion: { rule: 'completed' } } },
          ...m.definition.steps.slice(1),
        ];
        m.packages = [
          { ...m.packages[0]!, id: 'good', file: 'packages/good.zip', sha256: sha(good), size: fs.statSync(good).size },
          { ...m.packages[0]!, id: 'bad', file: 'packages/bad.zip', sha256: sha(bad), size: fs.statSync(bad).size },
        ];
        return writeArchive([{ name: 'path.json', data: JSON.stringify(m) }, { name: 'packages/good.zip', file: good }, { name: 'packages/bad.zip', file: bad }]);
      }, status: 422, code: 'package-invalid', nb: /Pakkefilen 'packages\/bad\.zip' er ikke en gyldig SCORM-pakke: imsmanifest\.xml ligger i mappen 'kurs'/ },
      { name: 'a package changed after export', archive: () => writeArchive([{ name: 'path.json', data: JSON.stringify(manifest) }, { name: `packages/${packageId}.zip`, file: hostilePackages().find((h) => h.name === 'symlink')!.file }]), status: 422, code: 'package-checksum', nb: /kontrollsummen stemmer ikke/ },
      { name: 'a zip slip in the archive itself', archive: async () => {
        const { rawZip, writeZip } = await import('../content/support/package-zip.js');
        return writeZip('slip.zip', rawZip([{ name: 'path.json', data: Buffer.from(JSON.stringify(manifest)) }, { name: '../../../etc/evil', data: Buffer.from('x') }]));
      }, status: 422, code: 'archive-unreadable', nb: /Filstien '\.\.\/\.\.\/\.\.\/etc\/evil' peker ut av pakken \(zip slip\)/ },
      { name: 'a zip bomb in the archive itself', archive: async () => {
        const { rawZip, writeZip } = await import('../content/support/package-zip.js');
        return writeZip('bomb.zip', rawZip([{ name: 'path.json', data: Buffer.from(JSON.stringify(manifest)) }, { name: 'packages/bomb.zip', data: Buffer.alloc(40 * 1024 * 1024), deflate: true }]));
      }, status: 422, code: 'archive-unreadable', nb: /komprimert mistenkelig mye .* zip-bombe/ },
    ];

    it.each(cases)('$name', async ({ archive, status, code, nb }) => {
      const db = target.testDb.database.db;
      const before = { rows: await rowCounts(db), blobs: blobFiles(target.running.dataDir) };
      const response = await post(`${target.url}/design/import?name=kurs.zip`, target.token, fs.readFileSync(await archive()));
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { type: string; code: string; messages: Record<string, string>; file?: string };
      expect(problem).toMatchObject({ type: '/problems/path-archive-invalid', code });
      expect(problem.messages.nb).toMatch(nb);
      expect(problem.messages.nn).toBeTruthy();
      expect(problem.messages.en).toBeTruthy();
      expect({ rows: await rowCounts(db), blobs: blobFiles(target.running.dataDir) }).toEqual(before);
      expect(fs.readdirSync(`${target.running.dataDir}/content/uploads`)).toEqual([]);
    });
  });

  it('refuses an archive larger than the upload limit before it is stored', async () => {
    const small = await startScormServer(target.testDb.database, { KEY_ENCRYPTION_SECRET: SECRET, CONTENT_UPLOAD_LIMIT_BYTES: '1024' });
    try {
      const response = await post(`${small.server.url}/design/import`, target.token, fs.readFileSync(archiveFile));
      expect(response.status).toBe(413);
      const problem = (await response.json()) as { messages: Record<string, string> };
      expect(problem.messages.en).toMatch(/larger than the limit of 1 kB/);
    } finally {
      await small.stop();
    }
  });

  describe('who may export and import', () => {
    it('does not export another tenant\'s path, not even one shared with everyone, and leaks nothing about it', async () => {
      const db = source.testDb.database.db;
      const other = await seedTenantAndPerson(db, 'Drammen');
      const secret = await createPath(db, other.tenantId, { title: 'Hemmelig utkast', language: 'nb', createdBy: other.personId });
      const shared = await createPath(db, other.tenantId, { title: 'Delt løp', language: 'nb', createdBy: other.personId });
      await setSharing(db, other.tenantId, shared.id, 'everyone');
      for (const id of [secret.id, shared.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const page = await fetch(`${source.url}/design/paths/${id}/export?session=${source.token}`);
        expect(page.status).toBe(404);
        const text = await page.text();
        expect(text).toContain('Fant ikke dette læringsløpet i din organisasjon');
        expect(text).not.toContain('Hemmelig');
        expect(text).not.toContain('Delt løp');
        const api = await fetch(`${source.url}/design/paths/${id}/export?session=${source.token}`, { headers: { accept: 'application/json' } });
        expect(api.status).toBe(404);
        expect(api.headers.get('content-type')).toContain('application/problem+json');
      }
    });

    it('refuses learners, managers, a missing session and a forged one', async () => {
      const learner = await sessionFor({ tenantId: source.tenantId, personId: source.personId }, 'learner');
      const manager = await sessionFor({ tenantId: source.tenantId, personId: source.personId }, 'manager');
      const forged = await sessionFor({ tenantId: source.tenantId, personId: source.personId }, 'designer', 'another-secret-that-is-long-enough-0123456789');
      const zip = fs.readFileSync(archiveFile);
      const before = await rowCounts(source.testDb.database.db);
      for (const [token, refusal] of [[learner, 'not-permitted'], [manager, 'not-permitted'], [undefined, 'session-invalid'], [forged, 'session-invalid']] as const) {
        const exported = await fetch(`${source.url}/design/paths/${pathId}/export${token ? `?session=${token}` : ''}`, { headers: { accept: 'application/json' } });
        expect(exported.status).toBe(refusal === 'not-permitted' ? 403 : 401);
        expect(await exported.json()).toMatchObject({ refusal });
        for (const url of ['/design/import', '/design/packages/upload']) {
          const posted = await post(`${source.url}${url}`, token, url === '/design/import' ? zip : fs.readFileSync(packageZip));
          expect(posted.status).toBe(refusal === 'not-permitted' ? 403 : 401);
          expect(await posted.json()).toMatchObject({ refusal });
          const page = await fetch(`${source.url}${url}${token ? `?session=${token}` : ''}`);
          expect(page.status).toBe(refusal === 'not-permitted' ? 403 : 401);
        }
      }
      expect(await rowCounts(source.testDb.database.db)).toEqual(before);
    });
  });

  describe('without JavaScript, the forms post multipart and get pages back', () => {
    it('imports an archive and shows the report', async () => {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(fs.readFileSync(archiveFile))], { type: 'application/zip' }), 'personvern.zip');
      const response = await fetch(`${target.url}/design/import?session=${target.token}`, { method: 'POST', body: form });
      expect(response.status).toBe(201);
      const page = await response.text();
      expect(page).toContain('Importert: Personvern for alle');
      expect(page).toContain('Kurset (E-læringskurs, obligatorisk)');
      expect(page).toContain('Personvern i kommunen (2004 4th Edition, fantes fra før)');
    });

    it('uploads a package and shows its title and id, or the refusal in nynorsk', async () => {
      const form = new FormData();
      form.set('note', 'ignored field first');
      form.set('file', new Blob([new Uint8Array(fs.readFileSync(await zipFixture('scorm12-single')))], { type: 'application/zip' }), 'brannvern.zip');
      const response = await fetch(`${target.url}/design/packages/upload?session=${target.token}`, { method: 'POST', body: form });
      expect(response.status).toBe(201);
      const page = await response.text();
      const id = /data-package-id="([^"]+)"/.exec(page)?.[1];
      expect(page).toContain(`Importert: Brannvern for ansatte (id ${id})`);
      expect(await findPackage(target.testDb.database.db, target.tenantId, id!)).toMatchObject({ originalName: 'brannvern.zip' });

      const bad = new FormData();
      bad.set('file', new Blob([new Uint8Array(fs.readFileSync(hostilePackages().find((h) => h.name === 'no-manifest')!.file))]), 'tom.zip');
      const refused = await fetch(`${target.url}/design/packages/upload?session=${target.token}&lang=nn`, { method: 'POST', body: bad });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('Pakken vart ikkje teken imot: imsmanifest.xml manglar i rota av pakken');
    });
  });
});
