import { base64url, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { PROOF_CLOCK_SKEW_MS, PROOF_MAX_AGE_MS, PROOF_TYP, WalletError } from './protocol.js';

/** The key a credential is bound to: the holder's public key and its did:jwk. */
export interface HolderKey {
  readonly jwk: { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string };
  readonly did: string;
}

const PROOF_LIMIT = 8 * 1024;
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

function p256(value: unknown): HolderKey['jwk'] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const jwk = value as Record<string, unknown>;
  // A private key in a header is a wallet's mistake we do not take part in.
  if ('d' in jwk || jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256') return undefined;
  const { x, y } = jwk;
  return typeof x === 'string' && typeof y === 'string' && COORDINATE.test(x) && COORDINATE.test(y) ? { kty: 'EC', crv: 'P-256', x, y } : undefined;
}

/** did:jwk: the JWK's JSON, base64url (members in RFC 7638 order, so one key has one DID). */
export function didJwk(jwk: HolderKey['jwk']): string {
  return `did:jwk:${base64url.encode(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))}`;
}

/** The key of a did:jwk DID URL (`did:jwk:…#0`), if it is one. */
function fromDidJwk(kid: string): { did: string; jwk: HolderKey['jwk'] } | undefined {
  const match = /^(did:jwk:([A-Za-z0-9_-]+))(?:#0)?$/.exec(kid);
  if (!match) return undefined;
  try {
    const jwk = p256(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(match[2]!))));
    return jwk ? { did: match[1]!, jwk } : undefined;
  } catch {
    return undefined;
  }
}

const invalid = (why: string) => new WalletError('invalid_proof', why);

/**
 * A `jwt` key proof (OID4VCI 1.0 App. F.1), checked before any nonce is spent: typed
 * openid4vci-proof+jwt, ES256, exactly one of `jwk` or a did:jwk `kid`, signed by that key, `aud` the
 * issuer, `iat` fresh, a `nonce` present. Returns the holder's key and the nonce to check.
 */
export async function checkKeyProof(proof: unknown, issuer: string, now: Date): Promise<{ holder: HolderKey; nonce: string }> {
  if (typeof proof !== 'string' || proof.length > PROOF_LIMIT || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) throw invalid('The key proof is not a compact JWS.');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    throw invalid('The key proof header is not readable.');
  }
  if (header['typ'] !== PROOF_TYP && header['typ'] !== `application/${PROOF_TYP}`) throw invalid(`The key proof typ must be ${PROOF_TYP}.`);
  if (header['alg'] !== 'ES256') throw invalid('The key proof must be signed with ES256.');
  const keyParameters = ['jwk', 'kid', 'x5c', 'trust_chain', 'key_attestation'].filter((name) => name in header);
  if (keyParameters.length !== 1 || (keyParameters[0] !== 'jwk' && keyParameters[0] !== 'kid')) throw invalid('The key proof header must name its key by exactly one of jwk or a did:jwk kid.');
  const named = header['jwk'] !== undefined ? p256(header['jwk']) : undefined;
  const holder: HolderKey | undefined = named ? { jwk: named, did: didJwk(named) } : typeof header['kid'] === 'string' ? fromDidJwk(header['kid']) : undefined;
  if (!holder) throw invalid('The key proof key must be a public P-256 key, as jwk or did:jwk.');
  let payload: Record<string, unknown>;
  try {
    const key = await importJWK(holder.jwk as JWK, 'ES256');
    const verified = await compactVerify(proof, key, { algorithms: ['ES256'] });
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(verified.payload)) as Record<string, unknown>;
  } catch {
    throw invalid('The key proof is not signed by the key its header names.');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw invalid('The key proof payload is not a JSON object.');
  if (payload['aud'] !== issuer) throw invalid('The key proof aud must be this Credential Issuer.');
  const iat = payload['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('The key proof has no iat.');
  const age = now.getTime() - iat * 1000;
  if (age > PROOF_MAX_AGE_MS || age < -PROOF_CLOCK_SKEW_MS) throw invalid('The key proof iat is not recent.');
  const nonce = payload['nonce'];
  if (typeof nonce !== 'string' || nonce === '') throw invalid('The key proof has no nonce: fetch one from the nonce endpoint.');
  return { holder, nonce };
}
