import { fail } from './invalid.js';
import { isIri, isMailto, isPlainObject, isSha1Hex } from './primitives.js';
import { expectIri, expectObject, expectString, optional, required } from './structure.js';

const IFIS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

function checkIfi(object: Record<string, unknown>, path: string, needed: boolean): number {
  const present = IFIS.filter((ifi) => ifi in object);
  if (present.length > 1) fail(path, `has more than one inverse functional identifier (${present.join(', ')})`);
  if (needed && present.length === 0) fail(path, 'needs exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)');
  optional(object, 'mbox', path, (value, at) => {
    if (!isMailto(value)) fail(at, 'must be a mailto: IRI of an email address');
  });
  optional(object, 'mbox_sha1sum', path, (value, at) => {
    if (!isSha1Hex(value)) fail(at, 'must be the hex SHA-1 of a mailto: IRI');
  });
  optional(object, 'openid', path, (value, at) => {
    if (!isIri(value)) fail(at, 'must be an absolute URI');
  });
  optional(object, 'account', path, (value, at) => {
    const account = expectObject(value, at, ['homePage', 'name']);
    required(account, 'homePage', at, expectIri);
    required(account, 'name', at, expectString);
  });
  return present.length;
}

const AGENT_KEYS = ['objectType', 'name', ...IFIS];

/** §2.4.2.1 Agent: objectType "Agent" (optional where an Agent is the default), exactly one IFI. */
export function validateAgent(value: unknown, path: string, objectTypeRequired = false): void {
  if (!isPlainObject(value)) fail(path, 'must be a JSON object');
  if ((objectTypeRequired || 'objectType' in value) && value['objectType'] !== 'Agent') fail(`${path}.objectType`, 'must be "Agent"');
  const agent = expectObject(value, path, AGENT_KEYS);
  optional(agent, 'name', path, expectString);
  checkIfi(agent, path, true);
}

/** §2.4.2.2 Group: anonymous groups list members; identified groups have one IFI. Members are Agents. */
export function validateGroup(value: unknown, path: string): void {
  const group = expectObject(value, path, [...AGENT_KEYS, 'member']);
  if (group['objectType'] !== 'Group') fail(`${path}.objectType`, 'must be "Group"');
  optional(group, 'name', path, expectString);
  const identified = checkIfi(group, path, false) === 1;
  if (!identified && !('member' in group)) fail(`${path}.member`, 'is required for an anonymous group');
  optional(group, 'member', path, (members, at) => {
    if (!Array.isArray(members)) fail(at, 'must be an array of Agents');
    members.forEach((member, index) => validateAgent(member, `${at}[${index}]`));
  });
}

/** An Agent or a Group, told apart by objectType (§2.4.2). */
export function validateActor(value: unknown, path: string): void {
  if (typeof value === 'object' && value !== null && (value as { objectType?: unknown }).objectType === 'Group') {
    validateGroup(value, path);
  } else {
    validateAgent(value, path);
  }
}
