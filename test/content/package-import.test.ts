import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskContentStore, type ContentStore } from '../../src/content/content-store.js';
import { ContentImportError } from '../../src/content/import-errors.js';
import { launchableItems, scormManifest } from '../../src/content/manifest-model.js';
import { discardStagedPackages, importPackage, insertStagedPackage, stagePackage, type ImportDependencies } from '../../src/content/package-import.js';
import { findPackage, packageFile } from '../../src/content/packages.js';
import { DEFAULT_ZIP_LIMITS } from '../../src/content/zip-reader.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { hostilePackages, MINIMAL_MANIFEST_12, rawZip, writeZip, zipFixture } from './support/package-zip.js';

let testDb: TestDatabase;
let storeDir: string;
let deps: ImportDependencies;
let tenantId: string;

function blobCount(): number {
  const blobs = path.join(storeDir, 'blobs');
  return fs.readdirSync(blobs).reduce((n, d) => n + fs.readdirSync(path.join(blobs, d)).length, 0);
}

async function packageRows(): Promise<number> {
  const row = await testDb.database.db.selectFrom('content_packages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'content-store-'));
  deps = { db: testDb.database.db, store: new DiskContentStore(storeDir), limits: DEFAULT_ZIP_LIMITS };
  ({ tenantId } = await seedTenantAndPerson(testDb.database.db));
}, 120_000);

afterAll(async () => {
  await testDb.dispose();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

describe('importing the packages we author', () => {
  it('imports a SCORM 1.2 single-SCO package with its mastery score, launch data and time limit', async () => {
    const imported = await importPackage(deps, tenantId, await zipFixture('scorm12-single'), { originalName: 'brannvern.zip' });
    expect(imported).toMatchObject({ standard: 'scorm12', edition: '1.2', title: 'Brannvern for ansatte', fileCount: 3 });
    const [sco] = launchableItems(imported.manifest);
    expect(sco).toMatchObject({ id: 'item-brannvern', scormType: 'sco', launch: 'index.html' });
    expect(sco!.item).toMatchObject({ masteryScore: 80, dataFromLms: 'modus=kort', maxTimeAllowed: '01:00:00', timeLimitAction: 'continue,no message' });
    const stored = await findPackage(deps.db, tenantId, imported.id);
    expect(stored?.originalName).toBe('brannvern.zip');
    expect(await deps.store.has(imported.zipSha256)).toBe(true);
    expect(await packageFile(deps.db, imported.id, 'sco.js')).toBeDefined();
  });

  it('imports a SCORM 1.2 multi-SCO package: nested items, two organizations, parameters, prerequisites, assets', async () => {
    const imported = await importPackage(deps, tenantId, await zipFixture('scorm12-multi'));
    expect(scormManifest(imported.manifest)!.organizations.map((o) => o.identifier)).toEqual(['org-a', 'org-b']);
    const items = launchableItems(imported.manifest);
    expect(items.map((i) => [i.id, i.depth, i.launch])).toEqual([
      ['del1', 1, 'del1/index.html'],
      ['del2', 1, 'del2/index.html?side=1'],
    ]);
    expect(items[1]!.item).toMatchObject({ prerequisites: 'del1', masteryScore: 70 });
    expect(scormManifest(imported.manifest)!.resources.find((r) => r.identifier === 'felles')?.scormType).toBe('asset');
    expect(launchableItems(imported.manifest, 'org-b').map((i) => i.id)).toEqual(['b-del2']);
  });

  it('imports SCORM 2004 4th edition: objectives, completion threshold, passing score, time limit, control mode', async () => {
    const imported = await importPackage(deps, tenantId, await zipFixture('scorm2004-4th'));
    expect(imported).toMatchObject({ standard: 'scorm2004', edition: '2004 4th Edition' });
    const [one, two] = launchableItems(imported.manifest);
    expect(one!.item).toMatchObject({ completionThreshold: 0.8, scaledPassingScore: 0.8, dataFromLms: 'del=1' });
    expect(one!.item.objectives.map((o) => [o.id, o.primary])).toEqual([['pv-mål-1', true], ['pv-begreper', false]]);
    expect(two!.item.maxTimeAllowed).toBe('PT1H');
    expect(scormManifest(imported.manifest)!.organizations[0]!.items).toHaveLength(2);
  });

  it('imports æøå in titles and file names, with percent-encoded hrefs under xml:base', async () => {
    const imported = await importPackage(deps, tenantId, await zipFixture('scorm12-norsk'));
    expect(imported.title).toBe('Førstehjelp på arbeidsplassen – æøå ÆØÅ');
    expect(launchableItems(imported.manifest)[0]!.launch).toBe('sider/første side.html');
    expect(await packageFile(deps.db, imported.id, 'sider/første side.html')).toBeDefined();
  });

  it('imports file names written without the UTF-8 flag, in UTF-8 or in CP437', async () => {
    const manifest = MINIMAL_MANIFEST_12.replace(/index\.html/g, 'bl%C3%A5b%C3%A6r.html');
    const file = writeZip('noflag.zip', rawZip([
      { name: 'imsmanifest.xml', data: Buffer.from(manifest), utf8Flag: false },
      { name: Buffer.from('blåbær.html', 'utf8'), data: Buffer.from('<p>utf8</p>'), utf8Flag: false },
      // CP437: 0x86 is å, 0x91 is æ.
      { name: Buffer.from([0x86, 0x91, 0x2e, 0x68, 0x74, 0x6d]), data: Buffer.from('<p>cp437</p>'), utf8Flag: false },
    ]));
    const imported = await importPackage(deps, tenantId, file);
    expect(await packageFile(deps.db, imported.id, 'blåbær.html')).toBeDefined();
    expect(await packageFile(deps.db, imported.id, 'åæ.htm')).toBeDefined();
  });

  it('stores a file shared by two packages once', async () => {
    const before = blobCount();
    await importPackage(deps, tenantId, await zipFixture('scorm12-single'));
    // Same files again: only nothing new (the zip is byte-identical too, same address).
    expect(blobCount()).toBe(before);
  });
});

describe('two imports of the same files at once', () => {
  const freshPackage = (name: string) =>
    writeZip(`${name}.zip`, rawZip([
      { name: 'imsmanifest.xml', data: Buffer.from(MINIMAL_MANIFEST_12) },
      { name: 'index.html', data: Buffer.from(`<p>${name} ${randomUUID()}</p>`) },
    ]));
  const leases = async () => Number((await testDb.database.db.selectFrom('content_blob_leases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('an import that fails does not remove blobs that another import of the same files is about to use', async () => {
    const zip = freshPackage('samtidig');
    // The first import puts the blobs in the store; the second finds them there.
    const first = await stagePackage(deps, zip);
    const second = await stagePackage(deps, zip);
    expect(first.created.length).toBeGreaterThan(0);
    expect(second.created).toEqual([]);
    // The first gives up before writing its rows; the second then writes its rows.
    await discardStagedPackages(deps, [first]);
    const id = await testDb.database.db.transaction().execute((trx) => insertStagedPackage(trx, tenantId, second));
    for (const file of second.files) expect(await deps.store.has(file.sha256), file.path).toBe(true);
    expect(await deps.store.has(second.zipSha256)).toBe(true);
    expect(await packageFile(deps.db, id, 'index.html')).toBeDefined();
    expect(await leases()).toBe(0);
  });

  it('a blob removed by a failing import before this import leased it is put back', async () => {
    const zip = freshPackage('fjernet');
    // A store where another import removes each blob just after this import found it there.
    let removals = 0;
    const racing: ContentStore = {
      put: async (source) => {
        const blob = await deps.store.put(source);
        if (removals < 2) {
          removals += 1;
          await deps.store.delete(blob.sha256);
          return { ...blob, created: false };
        }
        return blob;
      },
      has: (sha) => deps.store.has(sha),
      open: (sha) => deps.store.open(sha),
      delete: (sha) => deps.store.delete(sha),
    };
    const imported = await importPackage({ ...deps, store: racing }, tenantId, zip);
    expect(removals).toBe(2);
    const files = await testDb.database.db.selectFrom('content_package_files').select('sha256').where('package_id', '=', imported.id).execute();
    for (const file of files) expect(await deps.store.has(file.sha256)).toBe(true);
    expect(await deps.store.has(imported.zipSha256)).toBe(true);
  });

  it('a lease left by a crashed import is ignored after a day: a failed import still cleans up', async () => {
    const zip = freshPackage('krasj');
    const crashed = await stagePackage(deps, zip);
    await sql`update content_blob_leases set taken_at = now() - interval '2 days' where lease_id = ${crashed.leaseId}`.execute(testDb.database.db);
    const failing = await stagePackage(deps, zip);
    // The failing import did not create the blobs; hand it the crashed one's list to clean up.
    await discardStagedPackages(deps, [{ ...failing, created: crashed.created }]);
    for (const sha of crashed.created) expect(await deps.store.has(sha)).toBe(false);
    await testDb.database.db.deleteFrom('content_blob_leases').where('lease_id', '=', crashed.leaseId).execute();
    expect(await leases()).toBe(0);
  });
});

describe('refusing broken and hostile packages', () => {
  for (const hostile of hostilePackages()) {
    it(`refuses ${hostile.name} with a clear message, leaving no rows and no files`, async () => {
      const rows = await packageRows();
      const blobs = blobCount();
      const error = await importPackage(deps, tenantId, hostile.file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContentImportError);
      const refusal = error as ContentImportError;
      expect(refusal.code).toBe(hostile.code);
      expect(refusal.text('nb')).toMatch(hostile.nb);
      expect(refusal.text('en')).not.toBe(refusal.text('nb'));
      expect(await packageRows()).toBe(rows);
      expect(blobCount()).toBe(blobs);
    });
  }

  it('refuses a package over the entry count and total size limits', async () => {
    const zip = await zipFixture('scorm12-single');
    await expect(importPackage({ ...deps, limits: { ...DEFAULT_ZIP_LIMITS, maxEntries: 2 } }, tenantId, zip)).rejects.toMatchObject({ code: 'too-many-entries' });
    await expect(importPackage({ ...deps, limits: { ...DEFAULT_ZIP_LIMITS, maxTotalUncompressedBytes: 1000 } }, tenantId, zip)).rejects.toMatchObject({ code: 'too-large-uncompressed' });
  });

  it('refuses a zip whose headers lie about the unpacked size, removing the files it had stored', async () => {
    const bytes = rawZip([
      { name: 'imsmanifest.xml', data: Buffer.from(MINIMAL_MANIFEST_12) },
      { name: 'index.html', data: Buffer.from('<p>ny fil som ikke finnes fra før ' + Date.now() + '</p>') },
      { name: 'z-big.bin', data: Buffer.alloc(4096, 1), deflate: true },
    ]);
    // Patch the central directory's uncompressed size of the last entry to claim 10 bytes.
    const cd = bytes.lastIndexOf(Buffer.from('z-big.bin')) - 46;
    bytes.writeUInt32LE(10, cd + 24);
    const rows = await packageRows();
    const blobs = blobCount();
    await expect(importPackage(deps, tenantId, writeZip('lie.zip', bytes))).rejects.toBeInstanceOf(ContentImportError);
    expect(await packageRows()).toBe(rows);
    expect(blobCount()).toBe(blobs);
  });
});
