import { createPublicKey, createVerify, X509Certificate } from 'node:crypto';
import { comparableStatement } from '../durations.js';
import { XapiError } from '../errors.js';
import { jsonEqual } from '../json-equal.js';
import { parseJsonBytes } from '../text-input.js';
import { isPlainObject } from '../validation/primitives.js';
import type { XapiVersion } from '../version.js';

type Json = Record<string, unknown>;

export const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

const ALGORITHMS: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

function decodeSegment(segment: string | undefined, what: string): Json {
  const value = parseJsonBytes(Buffer.from(segment ?? '', 'base64url'), `The signature's ${what}`, `signature.${what}`);
  if (isPlainObject(value)) return value;
  throw new XapiError('bad-request', `The signature's ${what} is not a base64url JSON object.`);
}

/** The statement as it was before it was signed: without the signature attachment, or the LRS's properties. */
function unsignedForm(statement: Json): Json {
  const copy: Json = { ...statement };
  for (const key of ['stored', 'authority', 'version', 'id', 'timestamp']) delete copy[key];
  const attachments = (Array.isArray(statement['attachments']) ? (statement['attachments'] as Json[]) : []).filter(
    (a) => a['usageType'] !== SIGNATURE_USAGE,
  );
  if (attachments.length) copy['attachments'] = attachments;
  else delete copy['attachments'];
  return copy;
}

/**
 * xAPI 1.0.3 §2.6 Signed Statements: the attachment is a JWS (compact serialisation, RS256/384/512)
 * whose payload is the statement as signed. When the header carries an x5c chain, the signature is
 * verified with its first certificate.
 */
export function verifySignature(statement: Json, attachment: Json, content: Buffer, version: XapiVersion = '1.0'): void {
  if (String(attachment['contentType']).toLowerCase() !== 'application/octet-stream') {
    throw new XapiError('bad-request', 'A signature attachment must have contentType application/octet-stream.');
  }
  const jws = content.toString('utf8').trim();
  const segments = jws.split('.');
  if (segments.length !== 3) throw new XapiError('bad-request', 'The signature is not a JWS in compact serialisation.');
  const [encodedHeader, encodedPayload, encodedSignature] = segments as [string, string, string];
  const headerJson = decodeSegment(encodedHeader, 'header');
  const algorithm = ALGORITHMS[String(headerJson['alg'])];
  if (!algorithm) throw new XapiError('bad-request', 'The signature must use RS256, RS384 or RS512.');
  const payload = decodeSegment(encodedPayload, 'payload');
  const signed = comparableStatement(unsignedForm(payload), version);
  const mine = comparableStatement(unsignedForm(statement), version);
  if (!jsonEqual(signed, mine)) throw new XapiError('bad-request', 'The signed payload is not the statement it is attached to.');
  const chain = headerJson['x5c'];
  if (Array.isArray(chain) && typeof chain[0] === 'string') {
    let key;
    try {
      key = createPublicKey(new X509Certificate(Buffer.from(chain[0], 'base64')).publicKey.export({ type: 'spki', format: 'pem' }));
    } catch {
      throw new XapiError('bad-request', 'The signature header x5c does not hold a readable certificate.');
    }
    const ok = createVerify(algorithm).update(`${encodedHeader}.${encodedPayload}`).verify(key, Buffer.from(encodedSignature, 'base64url'));
    if (!ok) throw new XapiError('bad-request', 'The signature does not verify with the certificate in x5c.');
  }
}
