import { XapiError } from './errors.js';
import { XapiInvalid } from './validation/invalid.js';

/**
 * The deepest nesting of arrays and objects the LRS reads in any JSON it is sent (bodies, the
 * `agent` parameter, `more` links, signed payloads). Real statements nest about ten deep; past the
 * limit the recursive steps after parsing (validation, comparison, storage) would exhaust the stack.
 */
export const MAX_JSON_DEPTH = 100;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as UTF-8 text; malformed UTF-8 is refused rather than silently replaced with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new XapiError('bad-request', `${what} is not valid UTF-8.`);
  }
}

/** Counts nesting on the text itself, so a hostile depth is refused before anything recurses over it. */
function checkDepth(text: string, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) {
        throw new XapiError('bad-request', `${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the most this LRS reads.`);
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
}

/** With the u flag a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function propertyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * JSON strings may escape half of a surrogate pair (`"\ud800"`); that is not Unicode text, and
 * PostgreSQL's jsonb refuses it. The first one found is named by its property path.
 */
function checkText(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new XapiInvalid(path, 'holds a lone UTF-16 surrogate (\\ud800–\\udfff without its pair), which is not Unicode text');
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkText(item, `${path}[${index}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = propertyPath(path, key);
      if (LONE_SURROGATE.test(key)) throw new XapiInvalid(at, 'the property name holds a lone UTF-16 surrogate, which is not Unicode text');
      checkText(item, at);
    }
  }
}

/**
 * JSON from a client: at most `MAX_JSON_DEPTH` deep and Unicode text throughout. `root` names the
 * value in errors; a function chooses it once the value is known (a statement or a batch).
 */
export function parseJsonText(text: string, what: string, root: string | ((value: unknown) => string) = ''): unknown {
  checkDepth(text, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new XapiError('bad-request', `${what} is not valid JSON.`);
  }
  // Decoded UTF-8 holds no surrogates, so only a \u escape can bring a lone one in.
  if (/\\u[dD][89a-fA-F]/.test(text)) checkText(value, typeof root === 'function' ? root(value) : root);
  return value;
}

export function parseJsonBytes(bytes: Uint8Array, what: string, root: string | ((value: unknown) => string) = ''): unknown {
  return parseJsonText(decodeUtf8(bytes, what), what, root);
}

function percentDecode(text: string, what: string): string {
  const plain = text.replace(/\+/g, ' ');
  if (!plain.includes('%')) return plain;
  const bytes: number[] = [];
  for (let i = 0; i < plain.length; i += 1) {
    const c = plain.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(plain.slice(i + 1, i + 3))) {
      bytes.push(parseInt(plain.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(plain.slice(i, i + 1 + (c >= 0xd800 && c <= 0xdbff ? 1 : 0)), 'utf8'));
      if (c >= 0xd800 && c <= 0xdbff) i += 1;
    }
  }
  return decodeUtf8(Uint8Array.from(bytes), what);
}

/**
 * An application/x-www-form-urlencoded string (a query string or a form body) as name/value pairs,
 * like URLSearchParams, except that percent-encoded bytes that are not UTF-8 are refused instead of
 * becoming U+FFFD.
 */
export function decodeForm(text: string, what: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const field of text.replace(/^\?/, '').split('&')) {
    if (!field) continue;
    const equals = field.indexOf('=');
    const name = equals < 0 ? field : field.slice(0, equals);
    const value = equals < 0 ? '' : field.slice(equals + 1);
    pairs.push([percentDecode(name, what), percentDecode(value, what)]);
  }
  return pairs;
}
