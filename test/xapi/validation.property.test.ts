import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isDuration, isIri, isLanguageTag, isTimestamp, isUuid, timestampToDate,
} from '../../src/xapi/validation/primitives.js';
import { isValidStatement } from '../../src/xapi/validation/statement.js';
import { agentKey } from '../../src/xapi/agents.js';

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
