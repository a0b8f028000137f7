/**
 * Every kind of upload refusal is told in the page's language in our own words: the designer's
 * package upload and path archive import (pages in bokmål and nynorsk) and the package APIs
 * (problem+json, English detail). What zip and XML libraries said goes to the log, never out.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND, createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTenantAndPerson } from '../scorm/support/seed.js';
import { startScormServer } from '../scorm/support/server.js';
import { SECRET, sessionFor, writeArchive } from '../archive/support.js';
import { hostilePackages, MINIMAL_MANIFEST_12, rawZip, writeZip } from './support/package-zip.js';

/** Words of yauzl, zlib, fast-xml-parser, JSON.parse and zod that must never reach a person. */
const LIBRARY_TEXT = /signature|central directory|invalid (block|distance|stored|code)|incorrect header|unexpected|Expected|at position|Too small|too_small|invalid_type|Closing tag|\bat [\w.]+ \(|stack/i;

/** A zip of a page and a manifest; the manifest's compressed bytes can be spoiled. */
async function packageZip(manifest: string, spoilManifest = false): Promise<Buffer> {
  const file = await writeArchive([{ name: 'imsmanifest.xml', data: manifest, compress: true }, { name: 'index.html', data: '<p>hei</p>' }]);
  const bytes = fs.readFileSync(file);
  if (spoilManifest) {
    // The first entry's data starts after its 30-byte local header and name: fill it with garbage.
    const start = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
    bytes.fill(0xff, start, start + 40);
  }
  return bytes;
}

/** A real zip whose central directory is broken: yauzl finds the end record, then fails. */
function damagedZip(zip: Buffer): Buffer {
  const damaged = Buffer.from(zip);
  const central = damaged.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  damaged.write('XX', central, 'latin1');
  return damaged;
}

interface Kind {
  name: string;
  body: () => Promise<Buffer>;
  code: string;
  nb: RegExp;
  nn: RegExp;
  status?: number;
}

describe(`upload refusals in the page's language (${BACKEND})`, { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let running: Awaited<ReturnType<typeof startScormServer>>;
  let tenantId: string;
  let token: string;
  let url: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    running = await startScormServer(testDb.database, { KEY_ENCRYPTION_SECRET: SECRET, CONTENT_UPLOAD_LIMIT_BYTES: String(256 * 1024) });
    url = running.server.url;
    const seeded = await seedTenantAndPerson(testDb.database.db, 'Kongsberg');
    tenantId = seeded.tenantId;
    token = await sessionFor(seeded);
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
    await testDb?.dispose();
  });

  const good = () => packageZip(MINIMAL_MANIFEST_12);
  const hostile = (name: string) => async () => fs.readFileSync(hostilePackages().find((h) => h.name === name)!.file);
  const PACKAGE_KINDS: Kind[] = [
    { name: 'an empty file', body: async () => Buffer.alloc(0), code: 'empty-file', nb: /^Filen er tom \(0 byte\)/, nn: /^Fila er tom \(0 byte\)/ },
    { name: 'not a zip', body: async () => Buffer.from('dette er ikke en zip-fil '.repeat(20)), code: 'not-a-zip', nb: /^Filen er ikke en zip-fil/, nn: /^Fila er ikkje ei zip-fil/ },
    { name: 'a damaged zip', body: async () => damagedZip(await good()), code: 'damaged-zip', nb: /^Zip-filen er skadet/, nn: /^Zip-fila er skadd/ },
    { name: 'a damaged file inside', body: () => packageZip(MINIMAL_MANIFEST_12, true), code: 'corrupt-entry', nb: /^Filen 'imsmanifest\.xml' i pakken er skadet/, nn: /^Fila 'imsmanifest\.xml' i pakken er skadd/ },
    { name: 'too large', body: async () => Buffer.alloc(300 * 1024, 1), code: 'upload-too-large', nb: /^Filen er større enn grensen på 256 kB/, nn: /^Fila er større enn grensa på 256 kB/, status: 413 },
    { name: 'an unsafe path', body: hostile('zip-slip'), code: 'path-escapes', nb: /peker ut av pakken/, nn: /peikar ut av pakken/ },
    { name: 'no imsmanifest.xml', body: hostile('no-manifest'), code: 'manifest-missing', nb: /^imsmanifest\.xml mangler i roten/, nn: /^imsmanifest\.xml manglar i rota/ },
    { name: 'a manifest that is not XML', body: () => packageZip('<manifest><organizations></manifest>'), code: 'manifest-not-xml', nb: /^imsmanifest\.xml er ikke gyldig XML \(feil på linje 1\)$/, nn: /^imsmanifest\.xml er ikkje gyldig XML \(feil på linje 1\)$/ },
    {
      name: 'a manifest pointing at a resource it lacks',
      body: () => packageZip(MINIMAL_MANIFEST_12.replace('identifierref="r"', 'identifierref="finnes-ikke"')),
      code: 'manifest-unknown-reference',
      nb: /^imsmanifest\.xml er ikke et gyldig SCORM-manifest: <item identifier="i" identifierref="finnes-ikke"> viser til noe som ikke finnes/,
      nn: /^imsmanifest\.xml er ikkje eit gyldig SCORM-manifest: <item identifier="i" identifierref="finnes-ikke"> viser til noko som ikkje finst/,
    },
    {
      name: 'a manifest with a bad value',
      body: () => packageZip(MINIMAL_MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormtype="kurs"')),
      code: 'manifest-bad-value',
      nb: /^imsmanifest\.xml er ikke et gyldig SCORM-manifest: verdien i <resource identifier="r" adlcp:scormType="kurs"> er ikke tillatt/,
      nn: /verdien i <resource identifier="r" adlcp:scormType="kurs"> er ikkje tillaten/,
    },
    { name: 'a manifest without <resources>', body: () => packageZip(MINIMAL_MANIFEST_12.replace(/<resources>[\s\S]*<\/resources>/, '')), code: 'manifest-missing-element', nb: /elementet <resources> mangler/, nn: /elementet <resources> manglar/ },
  ];

  /** The page without script: a multipart form post, answered with a page. */
  function postForm(path: string, lang: string, file: Buffer, name = 'kurs.zip') {
    const boundary = '----laeringslop-test';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/zip\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return fetch(`${url}${path}?session=${token}&lang=${lang}`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'text/html' }, body: new Uint8Array(body) });
  }

  /** The refusal's text on a page: the status paragraph. */
  const refusalText = (page: string) => /data-state="refused"[^>]*><p class="ds-paragraph">([^<]*)</.exec(page)?.[1]?.replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

  it.each(PACKAGE_KINDS)('the designer\'s package upload refuses $name in nb and nn, and the API in English', async ({ body, code, nb, nn, status }) => {
    const file = await body();
    for (const [lang, expected, prefix] of [['nb', nb, 'Pakken ble ikke tatt imot: '], ['nn', nn, 'Pakken vart ikkje teken imot: ']] as const) {
      const response = await postForm('/design/packages/upload', lang, file);
      expect(response.status).toBe(status ?? 422);
      const page = await response.text();
      expect(page).toContain(`<html lang="${lang}" data-color-scheme="auto">`);
      const text = refusalText(page);
      expect(text, page.slice(0, 3000)).toBeDefined();
      expect(text!.startsWith(prefix)).toBe(true);
      expect(text!.slice(prefix.length)).toMatch(expected);
      expect(page).not.toMatch(LIBRARY_TEXT);
    }
    // The development content API answers problem+json: our English, our code, no internals.
    const api = await fetch(`${url}/api/content/packages?tenant=${tenantId}&name=kurs.zip`, { method: 'POST', headers: { 'content-type': 'application/zip', accept: 'application/json' }, body: new Uint8Array(file) });
    expect(api.status).toBe(status ?? 422);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await api.json()) as { code: string; detail: string; messages: Record<string, string> };
    expect(problem.code).toBe(code);
    expect(problem.messages.nb).toMatch(nb);
    expect(problem.messages.nn).toMatch(nn);
    expect(JSON.stringify(problem)).not.toMatch(LIBRARY_TEXT);
  });

  const ARCHIVE_KINDS: Kind[] = [
    { name: 'an empty file', body: async () => Buffer.alloc(0), code: 'empty-file', nb: /^Arkivet 'kurs\.zip' ble ikke godtatt: Filen er tom/, nn: /^Arkivet 'kurs\.zip' vart ikkje godteke: Fila er tom/ },
    { name: 'not a zip', body: async () => Buffer.from('<html>ikke et arkiv</html>'), code: 'not-a-zip', nb: /ble ikke godtatt: Filen er ikke en zip-fil/, nn: /vart ikkje godteke: Fila er ikkje ei zip-fil/ },
    { name: 'a damaged zip', body: async () => damagedZip(fs.readFileSync(await writeArchive([{ name: 'path.json', data: '{}' }]))), code: 'damaged-zip', nb: /Zip-filen er skadet/, nn: /Zip-fila er skadd/ },
    { name: 'path.json that is not JSON', body: async () => fs.readFileSync(await writeArchive([{ name: 'path.json', data: '{ "format": ' }])), code: 'manifest-not-json', nb: /^path\.json i arkivet 'kurs\.zip' er ikke gyldig JSON; arkivet er endret eller skadet$/, nn: /er ikkje gyldig JSON; arkivet er endra eller skadd$/ },
    {
      name: 'path.json with wrong fields',
      body: async () => fs.readFileSync(await writeArchive([{ name: 'path.json', data: JSON.stringify({ format: 'laeringslop.path-archive', formatVersion: 1, packages: 'ingen' }) }])),
      code: 'manifest-invalid',
      nb: /^path\.json i arkivet 'kurs\.zip' har feil i path\.json\.\w+/,
      nn: /^path\.json i arkivet 'kurs\.zip' har feil i path\.json\.\w+/,
    },
    { name: 'an unsafe path', body: async () => rawZip([{ name: 'path.json', data: Buffer.from('{}') }, { name: '../../evil', data: Buffer.from('x') }]), code: 'path-escapes', nb: /Filstien '\.\.\/\.\.\/evil' peker ut av pakken/, nn: /Filstien '\.\.\/\.\.\/evil' peikar ut av pakken/ },
  ];

  it.each(ARCHIVE_KINDS)('the path archive import refuses $name in nb and nn, and in English as JSON', async ({ body, nb, nn, code }) => {
    const file = await body();
    for (const [lang, expected, prefix] of [['nb', nb, 'Arkivet ble ikke importert: '], ['nn', nn, 'Arkivet vart ikkje importert: ']] as const) {
      const response = await postForm('/design/import', lang, file);
      expect(response.status).toBe(422);
      const page = await response.text();
      const text = refusalText(page);
      expect(text, page.slice(0, 3000)).toBeDefined();
      expect(text!.startsWith(prefix)).toBe(true);
      expect(text!.slice(prefix.length)).toMatch(expected);
      expect(page).not.toMatch(LIBRARY_TEXT);
    }
    const api = await fetch(`${url}/design/import?name=kurs.zip`, { method: 'POST', headers: { 'content-type': 'application/zip', accept: 'application/json', authorization: `Bearer ${token}` }, body: new Uint8Array(file) });
    expect(api.status).toBe(422);
    const problem = (await api.json()) as { code: string; reason?: string; messages: Record<string, string> };
    expect(problem.reason ?? problem.code).toBe(code);
    expect(JSON.stringify(problem)).not.toMatch(LIBRARY_TEXT);
  });

  it('keeps what the library said for the log', async () => {
    const file = writeZip('tom.zip', Buffer.alloc(0));
    expect(fs.statSync(file).size).toBe(0);
    const { stagePackage } = await import('../../src/content/package-import.js');
    const { DiskContentStore } = await import('../../src/content/content-store.js');
    const { DEFAULT_ZIP_LIMITS } = await import('../../src/content/zip-reader.js');
    const deps = { db: testDb.database.db, store: new DiskContentStore(fs.mkdtempSync('/tmp/refusal-store-')), limits: DEFAULT_ZIP_LIMITS };
    await expect(stagePackage(deps, file)).rejects.toMatchObject({ code: 'empty-file' });
    const text = writeZip('text.zip', Buffer.from('x'.repeat(100)));
    await expect(stagePackage(deps, text)).rejects.toMatchObject({ code: 'not-a-zip', technical: expect.stringMatching(/end of central directory record signature not found/i) });
  });
});
