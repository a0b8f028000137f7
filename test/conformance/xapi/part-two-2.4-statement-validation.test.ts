import { describe, expect, it } from 'vitest';
import { XapiInvalid } from '../../../src/xapi/validation/invalid.js';
import { validateStatement } from '../../../src/xapi/validation/statement.js';

const actor = { mbox: 'mailto:kari@oslo.kommune.no' };
const verb = { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } };
const object = { id: 'https://example.no/activities/1' };
const base = { actor, verb, object };

function invalid(statement: unknown): XapiInvalid {
  try {
    validateStatement(statement);
  } catch (error) {
    if (error instanceof XapiInvalid) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(statement)} to be refused`);
}

describe('xAPI 1.0.3 Part Two §2.2 statement requirements', () => {
  it('accepts a minimal statement', () => expect(() => validateStatement(base)).not.toThrow());
  it('refuses properties the spec does not define, case-sensitively', () => {
    expect(invalid({ ...base, Verb: verb }).path).toBe('statement.Verb');
    expect(invalid({ ...base, extra: 1 }).reason).toMatch(/not a property/);
  });
  it('requires actor, verb and object', () => {
    expect(invalid({ verb, object }).path).toBe('statement.actor');
    expect(invalid({ actor, object }).path).toBe('statement.verb');
    expect(invalid({ actor, verb }).path).toBe('statement.object');
  });
  it('requires the id to be a UUID', () => {
    expect(invalid({ ...base, id: 'not-a-uuid' }).path).toBe('statement.id');
    expect(() => validateStatement({ ...base, id: 'AF9FD7D1-B5D1-4D37-B98D-8DBB2BF1A3E0' })).not.toThrow();
  });
  it('refuses null where a value is required', () => {
    expect(invalid({ ...base, result: { success: null } }).path).toBe('statement.result.success');
  });
});

describe('§2.4.2 Actor: Agents and Groups', () => {
  it('needs exactly one inverse functional identifier', () => {
    expect(invalid({ ...base, actor: { name: 'Kari' } }).reason).toMatch(/exactly one/);
    expect(invalid({ ...base, actor: { mbox: 'mailto:a@b.no', openid: 'https://id.no/a' } }).reason).toMatch(/more than one/);
  });
  it('mbox is a mailto IRI; mbox_sha1sum is 40 hex digits; account has homePage and name', () => {
    expect(invalid({ ...base, actor: { mbox: 'kari@oslo.no' } }).path).toBe('statement.actor.mbox');
    expect(invalid({ ...base, actor: { mbox_sha1sum: 'xyz' } }).path).toBe('statement.actor.mbox_sha1sum');
    expect(invalid({ ...base, actor: { account: { homePage: 'https://x.no' } } }).path).toBe('statement.actor.account.name');
    expect(invalid({ ...base, actor: { account: { homePage: 'not an iri', name: 'a' } } }).path).toBe('statement.actor.account.homePage');
  });
  it('objectType is case-sensitive', () => {
    expect(invalid({ ...base, actor: { ...actor, objectType: 'agent' } }).path).toBe('statement.actor.objectType');
  });
  it('anonymous groups need members; members are Agents, not Groups', () => {
    expect(invalid({ ...base, actor: { objectType: 'Group' } }).path).toBe('statement.actor.member');
    const nested = { objectType: 'Group', member: [{ objectType: 'Group', member: [actor] }] };
    expect(invalid({ ...base, actor: nested }).path).toBe('statement.actor.member[0].objectType');
    expect(() => validateStatement({ ...base, actor: { objectType: 'Group', member: [actor] } })).not.toThrow();
  });
});

describe('§2.4.3 Verb and §2.4.4 Object', () => {
  it('verb id is an IRI and display a language map', () => {
    expect(invalid({ ...base, verb: { id: 'completed' } }).path).toBe('statement.verb.id');
    expect(invalid({ ...base, verb: { ...verb, display: { 'not a tag!': 'x' } } }).path).toBe('statement.verb.display.not a tag!');
  });
  it('Agent objects need objectType; SubStatements cannot nest or carry id/stored/authority', () => {
    expect(invalid({ ...base, object: { mbox: 'mailto:a@b.no' } }).path).toBe('statement.object.mbox');
    const sub = { objectType: 'SubStatement', actor, verb, object };
    expect(() => validateStatement({ ...base, object: sub })).not.toThrow();
    expect(invalid({ ...base, object: { ...sub, id: '9e6ca14c-2f3b-4d2e-8a53-4d5c9a3d0f4c' } }).path).toBe('statement.object.id');
    expect(invalid({ ...base, object: { ...sub, object: sub } }).reason).toMatch(/another SubStatement/);
  });
  it('interaction components must belong to the interaction type, with unique ids', () => {
    const definition = { interactionType: 'choice', choices: [{ id: 'a' }, { id: 'a' }] };
    expect(invalid({ ...base, object: { ...object, definition } }).path).toBe('statement.object.definition.choices[1].id');
    const wrong = { interactionType: 'likert', choices: [{ id: 'a' }] };
    expect(invalid({ ...base, object: { ...object, definition: wrong } }).path).toBe('statement.object.definition.choices');
  });
  it('StatementRef ids are UUIDs; voiding needs a StatementRef', () => {
    expect(invalid({ ...base, object: { objectType: 'StatementRef', id: 'x' } }).path).toBe('statement.object.id');
    expect(invalid({ ...base, verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }).path).toBe('statement.object');
  });
});

describe('§2.4.5 Result and §2.4.6 Context', () => {
  it('score: scaled in [-1, 1], raw between min and max, max above min', () => {
    expect(invalid({ ...base, result: { score: { scaled: 1.5 } } }).path).toBe('statement.result.score.scaled');
    expect(invalid({ ...base, result: { score: { raw: 11, min: 0, max: 10 } } }).path).toBe('statement.result.score.raw');
    expect(invalid({ ...base, result: { score: { min: 5, max: 5 } } }).path).toBe('statement.result.score.max');
  });
  it('duration is ISO 8601', () => {
    expect(invalid({ ...base, result: { duration: '1 hour' } }).path).toBe('statement.result.duration');
    expect(() => validateStatement({ ...base, result: { duration: 'PT1H30M5.5S' } })).not.toThrow();
  });
  it('revision and platform only with an Activity object; registration is a UUID; team is a Group', () => {
    const agentObject = { objectType: 'Agent', mbox: 'mailto:o@b.no' };
    expect(invalid({ ...base, object: agentObject, context: { platform: 'x' } }).path).toBe('statement.context.platform');
    expect(invalid({ ...base, context: { registration: 'abc' } }).path).toBe('statement.context.registration');
    expect(invalid({ ...base, context: { team: actor } }).path).toBe('statement.context.team.objectType');
  });
  it('contextActivities accepts one activity or an array', () => {
    expect(() => validateStatement({ ...base, context: { contextActivities: { parent: object, grouping: [object] } } })).not.toThrow();
    expect(invalid({ ...base, context: { contextActivities: { sibling: [object] } } }).path).toBe('statement.context.contextActivities.sibling');
  });
  it('extension keys are IRIs', () => {
    expect(invalid({ ...base, result: { extensions: { notiri: 1 } } }).path).toBe('statement.result.extensions["notiri"]');
  });
});

describe('§2.4.7 timestamp, §2.4.10 version, §2.4.11 attachments', () => {
  it('timestamps are ISO 8601 and never -00:00', () => {
    expect(invalid({ ...base, timestamp: '2026-13-01T00:00:00Z' }).path).toBe('statement.timestamp');
    expect(invalid({ ...base, timestamp: '2026-01-01T00:00:00-00:00' }).path).toBe('statement.timestamp');
    expect(() => validateStatement({ ...base, timestamp: '2026-01-01T12:00:00.123+01:00' })).not.toThrow();
  });
  it('version must be 1.0.x', () => {
    expect(invalid({ ...base, version: '0.95' }).path).toBe('statement.version');
    expect(() => validateStatement({ ...base, version: '1.0.3' })).not.toThrow();
  });
  it('attachments need usageType, display, contentType, length and sha2', () => {
    const attachment = { usageType: 'https://x.no/u', display: { en: 'x' }, contentType: 'text/plain', length: 3, sha2: 'a'.repeat(64) };
    expect(() => validateStatement({ ...base, attachments: [attachment] })).not.toThrow();
    expect(invalid({ ...base, attachments: [{ ...attachment, length: -1 }] }).path).toBe('statement.attachments[0].length');
    const { sha2: _sha2, ...noHash } = attachment;
    expect(invalid({ ...base, attachments: [noHash] }).path).toBe('statement.attachments[0].sha2');
  });
});
