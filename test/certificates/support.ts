import { createHash, createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

/**
 * A VC-JWT checked with node:crypto alone (not jose, which signs them): ES256 over the first two
 * segments with the public key from the JWKS; the payload when the signature holds, else undefined.
 */
export function verifyEs256ByHand(jwt: string, jwks: { keys: (JsonWebKey & { kid?: string })[] }): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return undefined;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (header['alg'] !== 'ES256') return undefined;
  const jwk = jwks.keys.find((k) => k.kid === header['kid']);
  if (!jwk) return undefined;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  // JWS ES256 (RFC 7518 §3.4): the signature is r‖s, 64 bytes, not DER.
  const ok = cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  return ok ? { header, payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown> } : undefined;
}

/** Bitstring Status List v1.0: the bit at `index` of a multibase ('u', base64url) GZIP list, and the list's length in bits. */
export function statusBit(encodedList: string, index: number): { bit: boolean; bits: number } {
  if (!encodedList.startsWith('u')) throw new Error('not multibase base64url');
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  return { bit: ((bytes[index >> 3]! >> (7 - (index & 7))) & 1) === 1, bits: bytes.length * 8 };
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A JWT segment of a JSON value. */
export const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
