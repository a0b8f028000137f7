import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentImportError } from './import-errors.js';

/**
 * Streams an upload to a temporary file, never holding it in memory, and stops at `limitBytes`.
 * The caller removes the file (`remove`) when it is done with it.
 */
export async function receiveUpload(source: Readable, dir: string, limitBytes: number): Promise<{ file: string; size: number; remove(): Promise<void> }> {
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${randomUUID()}.zip`);
  const remove = () => fs.promises.rm(file, { force: true });
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limitBytes) done(new ContentImportError('upload-too-large', { limit: limitBytes }));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, fs.createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    await remove();
    throw error;
  }
  return { file, size, remove };
}
