import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  /** Lower-case hex SHA-256 of the bytes: the blob's address. */
  sha256: string;
  size: number;
  /** False when the store already held these bytes (the same file in another package). */
  created: boolean;
}

/**
 * Where package files live, addressed by content so the same file is stored once. Local disk now;
 * an S3-compatible store implements the same contract later.
 */
export interface ContentStore {
  put(source: Readable): Promise<StoredBlob>;
  has(sha256: string): Promise<boolean>;
  /** A stream of the blob's bytes; undefined when the store does not hold it. */
  open(sha256: string): Promise<Readable | undefined>;
  delete(sha256: string): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Blobs under `<root>/blobs/ab/cdef…`; written to `<root>/tmp` first and renamed, so a reader never sees half a file. */
export class DiskContentStore implements ContentStore {
  readonly #blobs: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.#blobs = path.join(root, 'blobs');
    this.#tmp = path.join(root, 'tmp');
    fs.mkdirSync(this.#blobs, { recursive: true });
    fs.mkdirSync(this.#tmp, { recursive: true });
  }

  #file(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a content address: ${sha256}`);
    return path.join(this.#blobs, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(source: Readable): Promise<StoredBlob> {
    const tmp = path.join(this.#tmp, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    try {
      const out = fs.createWriteStream(tmp, { flags: 'wx' });
      await pipeline(source, out);
      // The import is acknowledged only after its files are durable.
      const fd = await fs.promises.open(tmp, 'r');
      try {
        await fd.sync();
      } finally {
        await fd.close();
      }
      const sha256 = hash.digest('hex');
      const target = this.#file(sha256);
      if (fs.existsSync(target)) {
        await fs.promises.rm(tmp, { force: true });
        return { sha256, size, created: false };
      }
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(tmp, target);
      return { sha256, size, created: true };
    } catch (error) {
      await fs.promises.rm(tmp, { force: true });
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return fs.existsSync(this.#file(sha256));
  }

  async open(sha256: string): Promise<Readable | undefined> {
    const file = this.#file(sha256);
    try {
      const handle = await fs.promises.open(file, 'r');
      return handle.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await fs.promises.rm(this.#file(sha256), { force: true });
  }
}
