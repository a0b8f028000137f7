import { randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type CryptoKey, type JWK } from 'jose';

export interface GeneratedKey {
  kid: string;
  publicJwk: JWK;
  privatePem: string;
}

/** A fresh RS256 key pair (2048-bit RSA, the size LTI platforms expect). */
export async function generateRsaKey(): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, publicJwk, privatePem: await exportPKCS8(privateKey) };
}

export function importPrivateKey(pem: string): Promise<CryptoKey> {
  return importPKCS8(pem, 'RS256');
}
