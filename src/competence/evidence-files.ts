import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceMediaType } from './tables.js';

/** A scanned certificate or authorisation is at most this large. */
export const EVIDENCE_FILE_LIMIT = 10 * 1024 * 1024;

/** Where a running tool keeps the evidence files: DATA_DIR/competence/evidence. */
export const evidenceDir = (dataDir: string) => path.join(dataDir, 'competence', 'evidence');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What the bytes are, by their signature (never by the file's name or the type the browser sent):
 * a PDF starts with `%PDF-`, a PNG with its eight-byte signature, a JPEG with FF D8 FF. Anything
 * else (HTML, SVG, scripts, archives, a renamed executable) is undefined: refused.
 */
export function sniffEvidence(bytes: Uint8Array): EvidenceMediaType | undefined {
  const starts = (signature: readonly number[]) => bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

export const EVIDENCE_EXTENSION: Record<EvidenceMediaType, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Evidence files on disk, under DATA_DIR (never under a directory the web server serves), each
 * named by its random id alone: no name a person typed ever becomes a path.
 */
export class EvidenceStore {
  constructor(readonly dir: string) {}

  #pathOf(id: string): string {
    if (!UUID.test(id)) throw new RangeError('not an evidence file id');
    return path.join(this.dir, id);
  }

  /** A new random id for a file about to be stored. */
  newId(): string {
    return randomUUID();
  }

  /**
   * Writes the bytes whole (to a temporary name first, so a half-written file is never read); a file
   * is never replaced (the link refuses an id that exists).
   */
  async put(id: string, bytes: Uint8Array): Promise<void> {
    const target = this.#pathOf(id);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const partial = `${target}.part`;
    await fs.writeFile(partial, bytes, { flag: 'wx', mode: 0o600 });
    try {
      await fs.link(partial, target);
    } finally {
      await fs.rm(partial, { force: true });
    }
  }

  async read(id: string): Promise<Buffer> {
    return fs.readFile(this.#pathOf(id));
  }

  /** Removes a file whose record was never written (the registration failed after the write) or was erased. */
  async discard(id: string): Promise<void> {
    await fs.rm(this.#pathOf(id), { force: true });
  }
}
