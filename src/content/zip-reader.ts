import fs from 'node:fs';
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ContentImportError } from './import-errors.js';

export interface ZipLimits {
  /** Most entries (files and folders) a package may have. */
  maxEntries: number;
  /** Most bytes all files together may unpack to. */
  maxTotalUncompressedBytes: number;
  /** Most bytes one file may unpack to. */
  maxEntryUncompressedBytes: number;
  /** Highest uncompressed:compressed ratio for a file larger than `ratioCheckAboveBytes`. */
  maxCompressionRatio: number;
  ratioCheckAboveBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxTotalUncompressedBytes: 4 * 1024 ** 3,
  maxEntryUncompressedBytes: 2 * 1024 ** 3,
  maxCompressionRatio: 200,
  ratioCheckAboveBytes: 1024 * 1024,
};

export interface ZipEntry {
  /** Normalised path inside the package (forward slashes, no '.' segments). */
  path: string;
  uncompressedSize: number;
  entry: Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Entry names: the UTF-8 flag or Info-ZIP's Unicode path field when present; otherwise UTF-8 when
 * the bytes are valid UTF-8 (macOS and many tools write UTF-8 without the flag), else CP437.
 */
function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw;
  const flagged = (entry.generalPurposeBitFlag & 0x800) !== 0 || entry.extraFields.some((f) => f.id === 0x7075);
  if (!flagged) {
    try {
      return utf8.decode(raw).replace(/\\/g, '/');
    } catch {
      // not UTF-8: fall through to the zip standard's CP437
    }
  }
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

function checkName(name: string): string {
  if (/^[a-zA-Z]:/.test(name) || name.startsWith('/')) throw new ContentImportError('absolute-path', { file: name });
  if (name.split('/').includes('..')) throw new ContentImportError('path-escapes', { file: name });
  if (name.includes('\0')) throw new ContentImportError('path-escapes', { file: name });
  return path.normalize(name);
}

/**
 * What yauzl's complaint means for the person who chose the file: no end-of-central-directory record
 * means it is not a zip at all (or was cut off); anything else is a zip that is damaged. Its own
 * words go to the log only.
 */
export function zipRefusal(error: Error): ContentImportError {
  if (error instanceof ContentImportError) return error;
  const notZip = /end of central directory record signature not found/i.test(error.message);
  return new ContentImportError(notZip ? 'not-a-zip' : 'damaged-zip', {}, error.message);
}

async function openZip(file: string): Promise<ZipFile> {
  // An empty file is what a failed save or download leaves: say so, not "not a zip".
  if ((await fs.promises.stat(file)).size === 0) throw new ContentImportError('empty-file');
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) reject(zipRefusal(error ?? new Error('unreadable')));
      else resolve(zip);
    });
  });
}

/** An opened, checked zip: every entry's path is confined, unique and within the limits. */
export class CheckedZip {
  private constructor(
    private readonly zip: ZipFile,
    readonly files: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Reads the central directory and refuses the package before any byte is unpacked. */
  static async open(file: string, limits: ZipLimits): Promise<CheckedZip> {
    const zip = await openZip(file);
    try {
      if (zip.entryCount > limits.maxEntries) throw new ContentImportError('too-many-entries', { limit: limits.maxEntries });
      const files = new Map<string, ZipEntry>();
      const seen = new Set<string>();
      let total = 0;
      await new Promise<void>((resolve, reject) => {
        zip.on('error', (error: Error) => reject(zipRefusal(error)));
        zip.on('end', () => resolve());
        zip.on('entry', (entry: Entry) => {
          try {
            const name = entryName(entry);
            const normal = checkName(name);
            if (seen.has(normal)) throw new ContentImportError('duplicate-path', { file: name });
            seen.add(normal);
            const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
            if (mode === S_IFLNK) throw new ContentImportError('symlink', { file: name });
            if ((entry.generalPurposeBitFlag & 0x1) !== 0) throw new ContentImportError('encrypted-entry', { file: name });
            if (!name.endsWith('/')) {
              const size = entry.uncompressedSize;
              if (size > limits.maxEntryUncompressedBytes) throw new ContentImportError('entry-too-large', { file: name, limit: limits.maxEntryUncompressedBytes });
              total += size;
              if (total > limits.maxTotalUncompressedBytes) throw new ContentImportError('too-large-uncompressed', { limit: limits.maxTotalUncompressedBytes });
              if (size > limits.ratioCheckAboveBytes) {
                const ratio = size / Math.max(entry.compressedSize, 1);
                if (ratio > limits.maxCompressionRatio) {
                  throw new ContentImportError('compression-ratio', { file: name, ratio: Math.round(ratio), limit: limits.maxCompressionRatio });
                }
              }
              files.set(normal, { path: normal, uncompressedSize: size, entry });
            }
            zip.readEntry();
          } catch (error) {
            reject(error);
          }
        });
        zip.readEntry();
      });
      return new CheckedZip(zip, files);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  /** The entry's bytes; yauzl fails the stream when they differ from the declared size (lying headers). */
  read(entry: ZipEntry): Promise<Readable> {
    return new Promise((resolve, reject) => {
      this.zip.openReadStream(entry.entry, (error, stream) => {
        if (error || !stream) reject(new ContentImportError('corrupt-entry', { file: entry.path }, error?.message ?? 'unreadable entry'));
        else resolve(stream);
      });
    });
  }

  async readText(entry: ZipEntry, maxBytes: number): Promise<string> {
    if (entry.uncompressedSize > maxBytes) throw new ContentImportError('entry-too-large', { file: entry.path, limit: maxBytes });
    const stream = await this.read(entry);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (error) {
      // Bad deflate data or a size that lies: the package's fault, told as such.
      throw new ContentImportError('corrupt-entry', { file: entry.path }, (error as Error).message);
    }
    return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
  }

  close(): void {
    this.zip.close();
  }
}
