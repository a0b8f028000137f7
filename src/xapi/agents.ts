import { isPlainObject } from './validation/primitives.js';

/** An agent as the xAPI JSON has it (validated before use). */
export interface AgentJson {
  objectType?: 'Agent' | 'Group';
  name?: string;
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: { homePage: string; name: string };
  member?: AgentJson[];
}

/**
 * One string per inverse functional identifier, so that "the same agent" is one equality in SQL.
 * mbox is compared case-insensitively (email addresses are, in practice).
 */
export function agentKey(agent: unknown): string | null {
  if (!isPlainObject(agent)) return null;
  const a = agent as AgentJson;
  if (typeof a.mbox === 'string') return `mbox:${a.mbox.toLowerCase()}`;
  if (typeof a.mbox_sha1sum === 'string') return `sha1:${a.mbox_sha1sum.toLowerCase()}`;
  if (typeof a.openid === 'string') return `openid:${a.openid}`;
  if (a.account && typeof a.account.homePage === 'string' && typeof a.account.name === 'string') {
    return `account:${a.account.homePage} ${a.account.name}`;
  }
  return null;
}

/** The key of one of our own learners, as their xAPI actor names them (DESIGN.md). */
export function personAccountKey(publicUrl: string, personId: string): string {
  return `account:${publicUrl} ${personId}`;
}

/** The agent itself and, for a group, its members: everyone a related_agents query should find. */
export function agentAndMemberKeys(agent: unknown): string[] {
  const keys: string[] = [];
  const own = agentKey(agent);
  if (own) keys.push(own);
  if (isPlainObject(agent) && Array.isArray(agent['member'])) {
    for (const member of agent['member']) {
      const key = agentKey(member);
      if (key) keys.push(key);
    }
  }
  return keys;
}

/** The IFI-only form of an agent or group (format=ids, §2.1.3). */
export function agentIds(agent: unknown): unknown {
  if (!isPlainObject(agent)) return agent;
  const a = agent as AgentJson & Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (a.objectType) out['objectType'] = a.objectType;
  for (const ifi of ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const) {
    if (a[ifi] !== undefined) out[ifi] = a[ifi];
  }
  if (Array.isArray(a.member) && agentKey(a) === null) out['member'] = a.member.map(agentIds);
  return out;
}
