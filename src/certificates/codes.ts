import { randomBytes } from 'node:crypto';

// Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is hard to get wrong.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 20;
/** Bits of entropy in a code: 20 characters of 5 bits (the issue asks for at least 80). */
export const CODE_BITS = CODE_LENGTH * 5;
const CODE = /^[0-9A-HJKMNP-TV-Z]{20}$/;
/** Anything longer than a grouped code with some slack is not a code, whatever it holds. */
const INPUT_LIMIT = 64;

/** A new verification code: 100 random bits from the operating system's generator. */
export function newVerificationCode(): string {
  const bytes = randomBytes(13);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    code = ALPHABET[Number(bits & 31n)]! + code;
    bits >>= 5n;
  }
  return code;
}

/** A code as printed: five groups of four, e.g. 7K3M-Q9TX-…. */
export function groupedCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * What a person typed, as a code: case, spaces and dashes do not matter, and the letters Crockford
 * reads as digits (O as 0, I and L as 1) are read so. Undefined when it cannot be a code.
 */
export function normaliseCode(input: string): string | undefined {
  if (input.length > INPUT_LIMIT) return undefined;
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE.test(code) ? code : undefined;
}
