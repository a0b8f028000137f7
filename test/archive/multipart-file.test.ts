import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FormFileStream, formDataBoundary } from '../../src/web/design-transfer/multipart-file.js';

async function extract(chunks: Buffer[], boundary: string, maxBytes = 1024 * 1024): Promise<{ data: Buffer; filename: string | undefined }> {
  const form = new FormFileStream(boundary, maxBytes);
  const out: Buffer[] = [];
  Readable.from(chunks).pipe(form);
  for await (const chunk of form) out.push(chunk as Buffer);
  return { data: Buffer.concat(out), filename: form.filename };
}

/** A form body as browsers build it (built by the platform's own FormData encoder). */
async function formBody(parts: { name: string; value: string | Buffer; filename?: string }[]): Promise<{ body: Buffer; boundary: string }> {
  const form = new FormData();
  for (const p of parts) {
    if (p.filename !== undefined) form.append(p.name, new Blob([new Uint8Array(Buffer.from(p.value))]), p.filename);
    else form.append(p.name, String(p.value));
  }
  const request = new Request('http://x/', { method: 'POST', body: form });
  const boundary = formDataBoundary(request.headers.get('content-type') ?? '')!;
  return { body: Buffer.from(await request.arrayBuffer()), boundary };
}

describe('the streaming form file reader of the upload pages', () => {
  it('finds the boundary only in multipart/form-data', () => {
    expect(formDataBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(formDataBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(formDataBoundary('application/zip')).toBeUndefined();
    expect(formDataBoundary('multipart/mixed; boundary=x')).toBeUndefined();
  });

  it('passes on exactly the file bytes, however the body is cut into chunks', async () => {
    // Bytes that look like a delimiter's start (CRLF, dashes) inside the file must pass through.
    const file = Buffer.concat([randomBytes(3000), Buffer.from('\r\n--\r\n-'), randomBytes(500)]);
    const { body, boundary } = await formBody([{ name: 'note', value: 'før filen' }, { name: 'file', value: file, filename: 'kurs æøå.zip' }, { name: 'after', value: 'x' }]);
    for (const size of [1, 2, 7, 64, 1000, body.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
      const result = await extract(chunks, boundary);
      expect(result.filename).toBe('kurs æøå.zip');
      expect(result.data.equals(file)).toBe(true);
    }
  });

  it('refuses a form without a file, a body cut short and a body over the limit', async () => {
    const noFile = await formBody([{ name: 'note', value: 'x' }]);
    await expect(extract([noFile.body], noFile.boundary)).rejects.toThrow(/no file/);
    const withFile = await formBody([{ name: 'file', value: randomBytes(5000), filename: 'a.zip' }]);
    await expect(extract([withFile.body.subarray(0, 3000)], withFile.boundary)).rejects.toThrow(/ends before/);
    await expect(extract([withFile.body], withFile.boundary, 1000)).rejects.toThrow(/larger than the limit/);
  });
});
