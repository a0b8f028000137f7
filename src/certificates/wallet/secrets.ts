import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret for a URL or a bearer: 256 random bits, base64url. */
export const newSecret = () => randomBytes(32).toString('base64url');

/** What is stored of a secret: its SHA-256, so a read of the table hands no one a usable code or token. */
export const secretHash = (secret: string) => createHash('sha256').update(secret).digest('base64url');

export const hmac = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest();

export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
