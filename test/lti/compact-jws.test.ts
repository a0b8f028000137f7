import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JwsError, readHeader, rsaPublicKey, signHs256, verifyHs256, verifyRs256 } from '../../src/lti/compact-jws.js';
import { LtiRefusal } from '../../src/lti/refusal.js';
import { SessionTokens } from '../../src/lti/session-token.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
const rs256 = (header: Record<string, unknown>, payload: unknown) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
};
const reason = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof JwsError ? error.reason : `not a JwsError: ${String(error)}`;
  }
  return 'accepted';
};

describe('compact JWS on node:crypto', () => {
  it('verifies an RS256 token with a key from the JWK and returns its payload', () => {
    const token = rs256({ alg: 'RS256', kid: 'k1' }, { sub: 'x', æ: 'ø' });
    expect(readHeader(token)).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(verifyRs256(token, rsaPublicKey(jwk)).payload).toEqual({ sub: 'x', æ: 'ø' });
  });

  it('refuses a changed payload, another key, alg none, HS256 and critical headers', () => {
    const key = rsaPublicKey(jwk);
    const token = rs256({ alg: 'RS256' }, { sub: 'x' });
    const [header, , signature] = token.split('.');
    expect(reason(() => verifyRs256(`${header}.${b64({ sub: 'admin' })}.${signature}`, key))).toBe('signature');
    const other = rsaPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>);
    expect(reason(() => verifyRs256(token, other))).toBe('signature');
    expect(reason(() => verifyRs256(`${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`, key))).toBe('algorithm');
    const hsInput = `${b64({ alg: 'HS256' })}.${b64({ sub: 'x' })}`;
    expect(reason(() => verifyRs256(`${hsInput}.${createHmac('sha256', 'k').update(hsInput).digest('base64url')}`, key))).toBe('algorithm');
    expect(reason(() => verifyRs256(rs256({ alg: 'RS256', crit: ['exp'], exp: 1 }, { sub: 'x' }), key))).toBe('malformed');
  });

  it('refuses what is not a compact JWS with a JSON object payload', () => {
    const key = rsaPublicKey(jwk);
    expect(reason(() => verifyRs256('a.b', key))).toBe('malformed');
    expect(reason(() => verifyRs256('a.b.c.d', key))).toBe('malformed');
    expect(reason(() => verifyRs256(`${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}.a+b/c=`, key))).toBe('malformed');
    expect(reason(() => verifyRs256(rs256({ alg: 'RS256' }, ['an', 'array']), key))).toBe('malformed');
    expect(reason(() => readHeader(`${Buffer.from('not json').toString('base64url')}.${b64({})}.`))).toBe('malformed');
  });

  it('refuses RSA keys under 2048 bits and keys that are not RSA', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(reason(() => rsaPublicKey(small))).toBe('key');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(reason(() => rsaPublicKey(ec))).toBe('key');
  });

  it('signs and verifies HS256, refusing another key, a changed payload and another algorithm', () => {
    const key = new Uint8Array(32).fill(1);
    const token = signHs256({ sub: 'p', n: 1 }, key);
    expect(verifyHs256(token, key)).toEqual({ sub: 'p', n: 1 });
    expect(reason(() => verifyHs256(token, new Uint8Array(32).fill(2)))).toBe('signature');
    const [header, , signature] = token.split('.');
    expect(reason(() => verifyHs256(`${header}.${b64({ sub: 'q', n: 1 })}.${signature}`, key))).toBe('signature');
    expect(reason(() => verifyHs256(`${header}.${token.split('.')[1]}.`, key))).toBe('signature');
    expect(reason(() => verifyHs256(rs256({ alg: 'RS256' }, { sub: 'p' }), key))).toBe('algorithm');
  });
});

describe('session tokens', () => {
  const session = { personId: 'p1', tenantId: 't1', role: 'learner' as const, contextId: 'c1', resourceLinkId: null, platformId: 'pl1', locale: 'nn' };

  it('round-trip, and are refused when expired, signed with another secret or changed', async () => {
    const tokens = new SessionTokens('secret-one-0123456789-0123456789-abcdef', 60);
    const now = Date.UTC(2026, 0, 1);
    const token = await tokens.issue(session, now);
    await expect(tokens.verify(token, now + 59_000)).resolves.toEqual(session);
    await expect(tokens.verify(token, now + 60_000)).rejects.toMatchObject({ code: 'session-invalid' });
    await expect(new SessionTokens('secret-two-0123456789-0123456789-abcdef').verify(token, now)).rejects.toBeInstanceOf(LtiRefusal);
    const [header, payload, signature] = token.split('.');
    const elevated = b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' });
    await expect(tokens.verify(`${header}.${elevated}.${signature}`, now)).rejects.toMatchObject({ code: 'session-invalid' });
  });

  it('carry the session issuer and expire after one hour by default', async () => {
    const tokens = new SessionTokens('secret-one-0123456789-0123456789-abcdef');
    const token = await tokens.issue(session);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload['iss']).toBe('laeringslop/lti-session');
    expect(payload['exp']).toBe((payload['iat'] as number) + 3600);
  });
});
