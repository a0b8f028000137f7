import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isDuration, isIri, isLanguageTag, isTimestamp, isUuid, timestampToDate,
} from '../../src/xapi/validation/primitives.js';
import { isValidStatement } from '../../src/xapi/validation/statement.js';
import { agentKey } from '../../src/xapi/agents.js';
import { XapiError } from '../../src/xapi/errors.js';
import { decodeForm, MAX_JSON_DEPTH, parseJsonBytes, parseJsonText } from '../../src/xapi/text-input.js';
import { XapiInvalid } from '../../src/xapi/validation/invalid.js';

const alnum = fc.stringMatching(/^[a-z0-9]{1,12}$/);
const iri = fc.tuple(fc.constantFrom('http', 'https', 'urn', 'tag'), alnum, alnum).map(([s, host, path]) =>
  s === 'urn' ? `urn:${host}:${path}` : s === 'tag' ? `tag:${host}.no,2026:${path}` : `${s}://${host}.no/${path}`,
);
const languageTag = fc.constantFrom('nb', 'nn', 'en', 'nb-NO', 'en-US', 'se', 'sma-NO', 'zh-Hant-TW', 'und', 'x-private');
const languageMap = fc.dictionary(languageTag, fc.string(), { minKeys: 1, maxKeys: 3 });
const agent = fc.oneof(
  alnum.map((name) => ({ mbox: `mailto:${name}@kommune.no` })),
  fc.stringMatching(/^[0-9a-f]{40}$/).map((sum) => ({ mbox_sha1sum: sum })),
  iri.map((openid) => ({ openid })),
  fc.tuple(iri, fc.string({ minLength: 1 })).map(([homePage, name]) => ({ objectType: 'Agent', account: { homePage, name } })),
);
const extensions = fc.dictionary(iri, fc.jsonValue(), { maxKeys: 3 });
const timestamp = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const duration = fc
  .tuple(fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(59))
  .map(([d, h, m, s]) => `P${d}DT${h}H${m}M${s}S`);

const statement = fc.record(
  {
    id: fc.uuid(),
    actor: agent,
    verb: fc.record({ id: iri, display: languageMap }, { requiredKeys: ['id'] }),
    object: fc.record({ id: iri, definition: fc.record({ name: languageMap, extensions }, { requiredKeys: [] }) }, { requiredKeys: ['id'] }),
    result: fc.record({ success: fc.boolean(), duration, extensions, score: fc.record({ scaled: fc.double({ min: -1, max: 1, noNaN: true }) }) }, { requiredKeys: [] }),
    timestamp,
  },
  { requiredKeys: ['actor', 'verb', 'object'] },
);

describe('validators (property-based)', () => {
  it('accepts every generated IRI and refuses strings without a scheme or with spaces', () => {
    fc.assert(fc.property(iri, (value) => isIri(value)));
    fc.assert(fc.property(alnum, (value) => !isIri(value)));
    fc.assert(fc.property(iri, alnum, (value, word) => !isIri(`${value} ${word}`)));
  });
  it('accepts every UUID fast-check makes, in either case, and nothing shorter', () => {
    fc.assert(fc.property(fc.uuid(), (value) => isUuid(value) && isUuid(value.toUpperCase())));
    fc.assert(fc.property(fc.uuid(), (value) => !isUuid(value.slice(1))));
  });
  it('accepts every ISO timestamp and reads it back as the same instant', () => {
    fc.assert(fc.property(timestamp, (value) => isTimestamp(value) && timestampToDate(value).toISOString() === value));
    fc.assert(fc.property(timestamp, (value) => !isTimestamp(value.replace('Z', '-00:00'))));
    fc.assert(fc.property(timestamp, (value) => isTimestamp(value.replace('Z', '+02:00'))));
  });
  it('xAPI 2.0 timestamps: a zone is required, RFC 3339\'s space for T is allowed and read as the same instant', () => {
    const v2 = { requireZone: true, allowSpace: true };
    fc.assert(fc.property(timestamp, (value) => isTimestamp(value, v2) && !isTimestamp(value.replace('Z', ''), v2)));
    fc.assert(fc.property(timestamp, (value) => {
      const spaced = value.replace('T', ' ');
      return isTimestamp(spaced, v2) && !isTimestamp(spaced) && timestampToDate(spaced).toISOString() === value;
    }));
    fc.assert(fc.property(timestamp, (value) => !isTimestamp(value.replace('Z', '-00:00'), v2)));
  });
  it('accepts durations with any parts and refuses them without the P or with an empty T', () => {
    fc.assert(fc.property(duration, (value) => isDuration(value) && !isDuration(value.slice(1))));
    fc.assert(fc.property(fc.nat(), (n) => isDuration(`PT${n}S`) && isDuration(`P${n}W`) && !isDuration(`P${n}DT`)));
  });
  it('language maps: generated tags pass, tags with spaces or underscores fail', () => {
    fc.assert(fc.property(languageTag, (tag) => isLanguageTag(tag) && !isLanguageTag(`${tag}_x`) && !isLanguageTag(`${tag} x`)));
  });
  it('accepts every generated statement', () => {
    fc.assert(fc.property(statement, (value) => isValidStatement(value)));
  });
  it('refuses a statement whose actor has two identifiers, whatever they are', () => {
    fc.assert(fc.property(statement, agent, agent, (value, one, two) => {
      const [first] = Object.keys(one).filter((k) => k !== 'objectType');
      const [second] = Object.keys(two).filter((k) => k !== 'objectType');
      fc.pre(first !== second);
      return !isValidStatement({ ...value, actor: { ...one, ...two } });
    }));
  });
  it('refuses extensions keyed by anything but an IRI', () => {
    fc.assert(fc.property(statement, alnum, (value, key) => !isValidStatement({ ...value, result: { extensions: { [key]: 1 } } })));
  });
  it('refuses a language map with a value that is not a string', () => {
    fc.assert(fc.property(statement, languageTag, fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), (value, tag, bad) =>
      !isValidStatement({ ...value, verb: { id: 'https://x.no/v', display: { [tag]: bad } } }),
    ));
  });
  it('gives every identified agent one key, equal for equal agents', () => {
    fc.assert(fc.property(agent, (value) => {
      const key = agentKey(value);
      return key !== null && key === agentKey(structuredClone(value));
    }));
  });
  it('refuses any unknown top-level property', () => {
    fc.assert(fc.property(statement, fc.stringMatching(/^[a-zA-Z]{1,10}$/), (value, key) => {
      fc.pre(!['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments'].includes(key));
      return !isValidStatement({ ...value, [key]: 'x' });
    }));
  });
});

it('statement generator is not trivially empty', () => {
  expect(fc.sample(statement, 5).every((s) => 'actor' in s)).toBe(true);
});

/** Issue 13 item 4: whatever a client sends, the parsers answer a value or a 400 error, never a crash. */
describe('hostile input to the JSON and form parsers (property-based)', () => {
  const refusal = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    return undefined;
  };
  const isClientError = (error: unknown) => error instanceof XapiInvalid || (error instanceof XapiError && error.kind === 'bad-request');
  const wrap = (value: unknown, depth: number): unknown => (depth === 0 ? value : wrap(fc.sample(fc.boolean(), 1)[0] ? [value] : { a: value }, depth - 1));

  it('parses every JSON value within the depth limit exactly as JSON.parse does', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
      const text = JSON.stringify(value);
      expect(parseJsonText(text, 'x')).toEqual(JSON.parse(text));
      expect(parseJsonBytes(Buffer.from(text), 'x')).toEqual(JSON.parse(text));
    }));
  });

  it('refuses any value nested past the limit, however deep (to 100,000), with a 400 and not a stack overflow', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 2 }), fc.integer({ min: MAX_JSON_DEPTH + 1, max: 100_000 }), fc.boolean(), (value, depth, arrays) => {
      const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
      const error = refusal(() => parseJsonText(`${open.repeat(depth)}${JSON.stringify(value)}${close.repeat(depth)}`, 'x'));
      return error instanceof XapiError && error.kind === 'bad-request' && /more than 100 levels/.test(error.message);
    }), { numRuns: 30 });
    fc.assert(fc.property(fc.integer({ min: 1, max: MAX_JSON_DEPTH }), (depth) => parseJsonText(JSON.stringify(wrap(1, depth)), 'x') !== undefined));
  });

  it('refuses a lone surrogate anywhere in a statement, naming the property, and keeps surrogate pairs', () => {
    const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => `\\u${code.toString(16)}`);
    fc.assert(fc.property(statement, lone, fc.boolean(), (value, escape, asKey) => {
      const at = 'LONE_SURROGATE_HERE';
      const text = JSON.stringify({ ...value, result: { extensions: asKey ? { [`https://x.no/${at}`]: 1 } : { 'https://x.no/e': `a${at}b` } } })
        .replace(at, escape);
      const error = refusal(() => parseJsonText(text, 'The body', 'statement'));
      return error instanceof XapiInvalid && error.path.startsWith('statement.result.extensions') && /lone UTF-16 surrogate/.test(error.reason);
    }));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => parseJsonText(JSON.stringify({ v: value }), 'x') !== undefined));
  });

  it('refuses bytes that are not UTF-8 instead of replacing them, and never fails otherwise on arbitrary bytes', () => {
    fc.assert(fc.property(statement, fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]), (value, bad) => {
      const text = JSON.stringify({ ...value, result: { response: 'SPLIT' } });
      const [before, after] = text.split('SPLIT') as [string, string];
      const error = refusal(() => parseJsonBytes(Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]), 'The body'));
      return error instanceof XapiError && /not valid UTF-8/.test(error.message);
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const error = refusal(() => parseJsonBytes(bytes, 'x'));
      return error === undefined || isClientError(error);
    }));
  });

  it('decodes every form and query string as URLSearchParams does, and refuses percent-encoded bytes that are not UTF-8', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), { maxLength: 5 }), (pairs) => {
      const encoded = new URLSearchParams(pairs).toString();
      expect(decodeForm(encoded, 'x')).toEqual([...new URLSearchParams(encoded)]);
    }));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('%FF', '%C0%AF', '%ED%A0%80', '%E2%82'), (value, bad) => {
      const error = refusal(() => decodeForm(`agent=${encodeURIComponent(value)}${bad}`, 'The query string'));
      return error instanceof XapiError && /not valid UTF-8/.test(error.message);
    }));
  });
});
