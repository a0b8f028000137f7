import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * Compact JWS for the launch's hot path, on node:crypto: jose goes through WebCrypto, which costs
 * about 170 µs for an RS256 verification or an HS256 token (the HMAC key is imported on every call)
 * against 40 µs and 10 µs here. Only the two algorithms the tool uses on that path: RS256 id_tokens
 * from platforms and HS256 session tokens of its own.
 */

export class JwsError extends Error {
  constructor(
    readonly reason: 'malformed' | 'algorithm' | 'signature' | 'key',
    message: string,
  ) {
    super(message);
  }
}

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decodeJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwsError('malformed', `the ${what} is not base64url JSON`);
  }
  if (!isObject(value)) throw new JwsError('malformed', `the ${what} is not a JSON object`);
  return value;
}

interface Parts {
  header: Record<string, unknown>;
  signingInput: string;
  payloadSegment: string;
  signature: Buffer;
}

function split(token: string): Parts {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p)) || !parts[0] || !parts[1]) {
    throw new JwsError('malformed', 'not a JWS in compact form');
  }
  const header = decodeJson(parts[0], 'header');
  // Extensions marked critical are ones we do not understand (RFC 7515 §4.1.11): refuse them.
  if (header['crit'] !== undefined || header['b64'] !== undefined) throw new JwsError('malformed', 'critical header parameters are not supported');
  return { header, signingInput: `${parts[0]}.${parts[1]}`, payloadSegment: parts[1], signature: Buffer.from(parts[2] ?? '', 'base64url') };
}

/** The protected header, without verifying anything (to pick the algorithm and key). */
export function readHeader(token: string): Record<string, unknown> {
  return split(token).header;
}

/** An RSA public key for RS256 from a JWK; keys under 2048 bits are refused (RFC 7518 §3.3). */
export function rsaPublicKey(jwk: Record<string, unknown>): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: jwk['kty'], n: jwk['n'], e: jwk['e'] } as never, format: 'jwk' });
  } catch (error) {
    throw new JwsError('key', `not a usable RSA key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new JwsError('key', 'RS256 needs an RSA key of at least 2048 bits');
  }
  return key;
}

/** Verifies an RS256 compact JWS and returns its header and JSON payload. */
export function verifyRs256(token: string, key: KeyObject): DecodedJws {
  const { header, signingInput, payloadSegment, signature } = split(token);
  if (header['alg'] !== 'RS256') throw new JwsError('algorithm', `alg ${String(header['alg'])} is not RS256`);
  if (!verify('RSA-SHA256', Buffer.from(signingInput), key, signature)) throw new JwsError('signature', 'the signature does not verify');
  return { header, payload: decodeJson(payloadSegment, 'payload') };
}

/** Signs claims as an HS256 JWT. */
export function signHs256(claims: Record<string, unknown>, key: Uint8Array): string {
  const signingInput = `${encode({ alg: 'HS256' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

/** Verifies an HS256 JWT made by signHs256 and returns its payload (claims are the caller's to check). */
export function verifyHs256(token: string, key: Uint8Array): Record<string, unknown> {
  const { header, signingInput, payloadSegment, signature } = split(token);
  if (header['alg'] !== 'HS256') throw new JwsError('algorithm', `alg ${String(header['alg'])} is not HS256`);
  const expected = createHmac('sha256', key).update(signingInput).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new JwsError('signature', 'the signature does not verify');
  return decodeJson(payloadSegment, 'payload');
}
