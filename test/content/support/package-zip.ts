import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { PROJECT_ROOT } from '../../../src/project-root.js';

export const FIXTURES_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'scorm');
export const FIXTURE_PACKAGES = ['scorm12-single', 'scorm12-multi', 'scorm2004-4th', 'scorm12-norsk', 'scorm2004-sequencing'] as const;
export type FixturePackage = (typeof FIXTURE_PACKAGES)[number];

function walk(dir: string, prefix = ''): { name: string; file: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const file = path.join(dir, d.name);
    const name = prefix ? `${prefix}/${d.name}` : d.name;
    return d.isDirectory() ? walk(file, name) : [{ name, file }];
  });
}

export function tempFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scorm-fixture-'));
  return path.join(dir, name);
}

/** Zips a fixture folder (plus the shared SCO script at the root) the way authoring tools do. */
export async function zipFixture(name: FixturePackage, options: { skip?: (name: string) => boolean; prefix?: string } = {}): Promise<string> {
  const zip = new yazl.ZipFile();
  const entries = [...walk(path.join(FIXTURES_DIR, name)), ...walk(path.join(FIXTURES_DIR, '_shared'))];
  for (const entry of entries) {
    if (options.skip?.(entry.name)) continue;
    zip.addFile(entry.file, (options.prefix ?? '') + entry.name);
  }
  zip.end();
  const out = tempFile(`${name}.zip`);
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  return out;
}

export interface RawEntry {
  name: string | Buffer;
  data?: Buffer;
  deflate?: boolean;
  /** Unix mode in the external attributes (0o120777 makes a symlink). */
  mode?: number;
  utf8Flag?: boolean;
}

/**
 * Writes a zip byte by byte, so tests can build what zip libraries refuse to write: `../` paths,
 * absolute paths, duplicates, symlinks, names without the UTF-8 flag.
 */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const data = e.data ?? Buffer.alloc(0);
    const body = e.deflate ? deflateRawSync(data) : data;
    const method = e.deflate ? 8 : 0;
    const flags = e.utf8Flag === false ? 0 : 0x800;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export function writeZip(name: string, bytes: Buffer): string {
  const file = tempFile(name);
  fs.writeFileSync(file, bytes);
  return file;
}

export const MINIMAL_MANIFEST_12 = `<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schemaversion>1.2</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>I</title></item></organization></organizations>
<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
</manifest>`;

/** The hostile and broken packages of the issue, each with the error code it must be refused with. */
export function hostilePackages(): { name: string; file: string; code: string; nb: RegExp }[] {
  const page = { name: 'index.html', data: Buffer.from('<p>hei</p>') };
  const manifest = { name: 'imsmanifest.xml', data: Buffer.from(MINIMAL_MANIFEST_12) };
  const xxe = `<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n` + MINIMAL_MANIFEST_12.replace('<title>T</title>', '<title>&xxe;</title>').replace(/^<\?xml version="1.0"\?>\n/, '');
  return [
    { name: 'zip-slip', file: writeZip('slip.zip', rawZip([manifest, page, { name: '../../evil.sh', data: Buffer.from('echo pwned') }])), code: 'path-escapes', nb: /Filstien '\.\.\/\.\.\/evil\.sh' peker ut av pakken/ },
    { name: 'zip-slip-nested', file: writeZip('slip2.zip', rawZip([manifest, page, { name: 'a/../../evil.sh', data: Buffer.from('x') }])), code: 'path-escapes', nb: /peker ut av pakken/ },
    { name: 'absolute-path', file: writeZip('abs.zip', rawZip([manifest, page, { name: '/etc/cron.d/evil', data: Buffer.from('x') }])), code: 'absolute-path', nb: /Filstien '\/etc\/cron\.d\/evil' er absolutt/ },
    { name: 'windows-absolute-path', file: writeZip('abs2.zip', rawZip([manifest, page, { name: 'C:\\Windows\\evil.dll', data: Buffer.from('x') }])), code: 'absolute-path', nb: /er absolutt/ },
    { name: 'duplicate-path', file: writeZip('dup.zip', rawZip([manifest, page, { name: 'index.html', data: Buffer.from('other') }])), code: 'duplicate-path', nb: /Filen 'index\.html' finnes mer enn én gang/ },
    { name: 'symlink', file: writeZip('link.zip', rawZip([manifest, page, { name: 'passwd', data: Buffer.from('/etc/passwd'), mode: 0o120777 }])), code: 'symlink', nb: /Filen 'passwd' er en symbolsk lenke/ },
    { name: 'zip-bomb', file: writeZip('bomb.zip', rawZip([manifest, page, { name: 'data.bin', data: Buffer.alloc(50 * 1024 * 1024), deflate: true }])), code: 'compression-ratio', nb: /Filen 'data\.bin' er komprimert mistenkelig mye/ },
    { name: 'external-entity-manifest', file: writeZip('xxe.zip', rawZip([{ name: 'imsmanifest.xml', data: Buffer.from(xxe) }, page])), code: 'manifest-dtd', nb: /imsmanifest\.xml inneholder en DTD/ },
    { name: 'missing-href-target', file: writeZip('href.zip', rawZip([manifest])), code: 'href-missing', nb: /Filen 'index\.html' som manifestet peker på finnes ikke/ },
    { name: 'no-manifest', file: writeZip('none.zip', rawZip([page])), code: 'manifest-missing', nb: /imsmanifest\.xml mangler i roten av pakken/ },
    { name: 'manifest-in-subfolder', file: writeZip('sub.zip', rawZip([{ ...manifest, name: 'kurs/imsmanifest.xml' }, { ...page, name: 'kurs/index.html' }])), code: 'manifest-in-subfolder', nb: /imsmanifest\.xml ligger i mappen 'kurs'/ },
    { name: 'not-a-zip', file: writeZip('text.zip', Buffer.from('this is not a zip file at all, just text '.repeat(10))), code: 'not-a-zip', nb: /Filen er ikke en zip-fil/ },
  ];
}
