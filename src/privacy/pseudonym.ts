import { randomInt } from 'node:crypto';

// No 0/O, 1/I: the code is read aloud and typed from a screen.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A random code such as "7F3K": what an erased person is called ("Slettet person 7F3K"). */
export function pseudonymCode(length = 4): string {
  let code = '';
  for (let i = 0; i < length; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** The employee number an erased employee gets: unique in the municipality, says nothing. */
export const erasedEmployeeNumber = (code: string) => `slettet-${code}`;
