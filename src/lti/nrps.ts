import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { SCOPE } from './claims.js';
import { findPlatformById } from './platforms.js';
import { roleName } from './roles.js';
import type { ServiceClient } from './service-client.js';

export interface Member {
  userId: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  /** Absent when the LMS does not share e-mail addresses, or the person has none (Moodle sends ""). */
  email?: string;
  /** `Active` unless the LMS says otherwise (NRPS 2.0 also has `Inactive` and `Deleted`; Moodle sends only `Active`). */
  status: string;
  /** Short role names: Moodle sends both `Learner` and full URIs; both become `Learner`. */
  roles: string[];
}

const MEMBERSHIP_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const MAX_PAGES = 1000;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#039;': "'", '&#39;': "'" };

/**
 * A name as the LMS sent it, in plain text. Moodle passes names through format_string(), which
 * escapes `&` (and a few others) as HTML entities: "Bø & Sauherad" arrives as "Bø &amp; Sauherad".
 */
function plainText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/&(?:amp|lt|gt|quot|#0?39);/g, (entity) => ENTITIES[entity] ?? entity).trim();
  return text === '' ? undefined : text;
}

function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (match) return match[1];
  }
  return undefined;
}

/**
 * A course's members (NRPS 2.0), following rel="next" pages, cached for `maxAgeMs` so reports do
 * not call the LMS for every view. Scoped by tenant: a context of another tenant is not found.
 */
export async function courseMembers(
  db: Kysely<Schema>,
  client: ServiceClient,
  tenantId: string,
  contextId: string,
  options: { maxAgeMs?: number; now?: Date } = {},
): Promise<{ members: Member[]; fetchedAt: Date; fromCache: boolean }> {
  const now = options.now ?? new Date();
  const maxAge = options.maxAgeMs ?? 15 * 60_000;
  const cached = await db.selectFrom('lti_nrps_cache').select(['members', 'fetched_at']).where('context_id', '=', contextId).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (cached && now.getTime() - cached.fetched_at.getTime() < maxAge) {
    return { members: cached.members as unknown as Member[], fetchedAt: cached.fetched_at, fromCache: true };
  }
  const context = await db.selectFrom('lti_contexts').selectAll().where('id', '=', contextId).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!context?.memberships_url) throw new RangeError('the course offers no member list (no NRPS claim in its launches)');
  const platform = await findPlatformById(db, context.platform_id);
  if (!platform) throw new RangeError('the platform was removed');

  const members: Member[] = [];
  let url: string | undefined = context.memberships_url;
  for (let pages = 0; url && pages < MAX_PAGES; pages += 1) {
    const response = await client.request(platform, [SCOPE.nrps], url, { headers: { accept: MEMBERSHIP_TYPE } });
    const body = (await response.json()) as { members?: Record<string, unknown>[] };
    for (const m of body.members ?? []) {
      const member: Member = {
        userId: String(m['user_id']),
        status: typeof m['status'] === 'string' ? m['status'] : 'Active',
        roles: Array.isArray(m['roles']) ? (m['roles'] as string[]).map(roleName) : [],
      };
      const name = plainText(m['name']);
      const givenName = plainText(m['given_name']);
      const familyName = plainText(m['family_name']);
      const email = typeof m['email'] === 'string' ? m['email'].trim() : '';
      if (name) member.name = name;
      if (givenName) member.givenName = givenName;
      if (familyName) member.familyName = familyName;
      if (email) member.email = email;
      members.push(member);
    }
    url = nextLink(response.headers.get('link'));
  }
  const values = { context_id: contextId, tenant_id: tenantId, members: JSON.stringify(members), fetched_at: now };
  await db
    .insertInto('lti_nrps_cache')
    .values(values)
    .onConflict((oc) => oc.column('context_id').doUpdateSet({ members: values.members, fetched_at: now }))
    .execute();
  return { members, fetchedAt: now, fromCache: false };
}
