import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { prepared } from '../db/prepared.js';
import type { Schema } from '../db/schema.js';
import { updatePersonDetails, type PersonDetails } from '../people/people.js';
import { toLocale, type Locale } from '../web/i18n.js';
import { CLAIM, type LaunchClaims } from './claims.js';
import { contextChanged, resourceLinkChanged, saveContext, saveResourceLink, type LaunchSnapshot } from './launch-records.js';
import type { Platform } from './platforms.js';
import { LtiRefusal } from './refusal.js';

export interface LaunchIdentity {
  personId: string;
  tenantId: string;
  tenantName: string;
  /** lti_contexts.id, when the launch came from a course. */
  contextId: string | null;
  /** lti_resource_links.id, for resource-link launches. */
  resourceLinkId: string | null;
  locale: Locale | undefined;
}

/** What the database holds about a launch's tenant, person, course and link. */
export type KnownSnapshot = LaunchSnapshot & { tenant_id: string | null; tenant_name: string | null };

/** The values of a launch that its snapshot is read by. */
export interface LaunchSubject {
  sub: string;
  contextId: string | null;
  resourceLinkId: string | null;
  kommunenummer: string | undefined;
}

/** A snapshot read ahead (with the login's claim), and the subject it was read for. */
export interface KnownLaunch {
  subject: LaunchSubject;
  snapshot: KnownSnapshot;
}

export function launchSubject(claims: Pick<LaunchClaims, 'sub' | 'context' | 'resourceLink' | 'custom'>): LaunchSubject {
  return { sub: claims.sub, contextId: claims.context?.id ?? null, resourceLinkId: claims.resourceLink?.id ?? null, kommunenummer: claims.custom['kommunenummer'] || undefined };
}

/**
 * The subject an id_token names, read without verifying it: only to read ahead what the launch will
 * need once it has verified. Undefined when the token cannot be read as one.
 */
export function peekLaunchSubject(idToken: string): LaunchSubject | undefined {
  try {
    const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const sub = payload['sub'];
    if (typeof sub !== 'string' || sub === '') return undefined;
    const id = (claim: string) => {
      const value = payload[claim] as { id?: unknown } | undefined;
      return typeof value?.id === 'string' ? value.id : null;
    };
    const custom = payload[CLAIM.custom] as Record<string, unknown> | undefined;
    const kommunenummer = custom?.['kommunenummer'];
    return { sub, contextId: id(CLAIM.context), resourceLinkId: id(CLAIM.resourceLink), kommunenummer: typeof kommunenummer === 'string' && kommunenummer ? kommunenummer : undefined };
  } catch {
    return undefined;
  }
}

const sameSubject = (a: LaunchSubject, b: LaunchSubject) =>
  a.sub === b.sub && a.contextId === b.contextId && a.resourceLinkId === b.resourceLinkId && a.kommunenummer === b.kommunenummer;

/**
 * The launch's tenant and what the database already holds about its person, course and link, in
 * one query. The tenant is the platform's; a platform bound to a region may name the municipality
 * in the custom parameter `kommunenummer`, which must be one of the region's members.
 */
async function snapshot(db: Kysely<Schema>, platform: Platform, subject: LaunchSubject): Promise<KnownSnapshot> {
  const { rows } = await db.executeQuery<KnownSnapshot>(
    CompiledQuery.raw(SNAPSHOT_SQL, [platform.tenantId, platform.id, subject.sub, subject.contextId, subject.resourceLinkId, subject.kommunenummer ?? null, platform.issuer]),
  );
  return rows[0]!;
}

/** Where the snapshot's values come from: parameters or columns of the statement around it. */
interface SnapshotInputs {
  platformTenant: string;
  platform: string;
  /** The platform's issuer: a person is its issuer and subject within the tenant, whatever the registration. */
  issuer: string;
  sub: string;
  context: string;
  link: string;
  /** Null when the launch names no municipality. */
  kommunenummer: string;
}

// Written once as SQL text: the query builder cost more CPU than the query. The tenant is the
// platform's when no municipality is named, else the named one if it is the platform tenant or one
// of its members.
export const snapshotSql = (at: SnapshotInputs) => `
    select t.id as tenant_id, t.name as tenant_name,
           u.person_id, u.tenant_id as person_tenant_id, p.name, p.given_name, p.family_name, p.email, p.locale,
           c.id as context_row_id, c.title as context_title, c.label as context_label, c.memberships_url,
           r.id as link_row_id, r.context_id as link_context_id, r.title as link_title, r.custom as link_custom,
           r.lineitem_url, r.lineitems_url, r.ags_scopes
      from (select 1) as one
      left join lateral (
        (select t.id, t.name from tenants as t where ${at.kommunenummer}::text is null and t.id = ${at.platformTenant})
        union all
        (select t.id, t.name from tenants as t
           left join region_municipalities as rm on rm.municipality_id = t.id
          where t.kind = 'municipality' and t.kommunenummer = ${at.kommunenummer}::text and (rm.region_id = ${at.platformTenant} or t.id = ${at.platformTenant})
          limit 1)
      ) as t on true
      left join lti_users u on u.tenant_id = t.id and u.issuer = ${at.issuer}::text and u.subject = ${at.sub}::text
      left join people p on p.id = u.person_id
      left join lti_contexts c on c.platform_id = ${at.platform} and c.context_id = ${at.context}::text
      left join lti_resource_links r on r.platform_id = ${at.platform} and r.resource_link_id = ${at.link}::text`;
const SNAPSHOT_SQL = prepared(snapshotSql({ platformTenant: '$1::uuid', platform: '$2::uuid', sub: '$3', context: '$4', link: '$5', kommunenummer: '$6', issuer: '$7' }));

/**
 * A new person with their platform account, in one statement: the person row is written only when
 * the account is, so two first launches of one person at once (a double click) make one person; the
 * second finds no row returned and reads the first one's.
 */
async function createLtiPerson(db: Kysely<Schema>, platform: Platform, tenantId: string, subject: string, details: PersonDetails): Promise<string | undefined> {
  const personId = randomUUID();
  // The account row refers to the person inserted after it in the same statement: foreign keys are
  // checked at the end of the statement.
  const { rows } = await db.executeQuery<{ person_id: string }>(
    CompiledQuery.raw(CREATE_LTI_PERSON_SQL, [platform.issuer, subject, tenantId, personId, details.name ?? null, details.givenName ?? null, details.familyName ?? null, details.email ?? null, details.locale ?? null]),
  );
  return rows[0]?.person_id;
}

const CREATE_LTI_PERSON_SQL = prepared(`
    with account as (
      insert into lti_users (issuer, subject, tenant_id, person_id)
      values ($1, $2, $3, $4)
      on conflict (tenant_id, issuer, subject) do nothing
      returning person_id
    ), person as (
      insert into people (id, tenant_id, name, given_name, family_name, email, locale)
      select person_id, $3, $5::text, $6::text, $7::text, $8::text, $9::text
        from account
      returning id
    )
    select id as person_id from person`);

function changedDetails(known: LaunchSnapshot, details: PersonDetails): PersonDetails {
  const current: PersonDetails = { name: known.name, givenName: known.given_name, familyName: known.family_name, email: known.email, locale: known.locale };
  return Object.fromEntries(Object.entries(details).filter(([k, v]) => current[k as keyof PersonDetails] !== v)) as PersonDetails;
}

/**
 * Who launched, from where: the person (tenant + issuer + subject → people.id, whatever the client
 * id or deployment the launch came through; name and email only when
 * sent), the course and the resource link. A repeated launch that brings nothing new only reads
 * (one query); the writes a launch needs happen together (one statement, or one transaction when
 * there are several), so a refused launch leaves nothing.
 */
export async function recordLaunch(db: Kysely<Schema>, platform: Platform, claims: LaunchClaims, readAhead?: KnownLaunch): Promise<LaunchIdentity> {
  const locale = toLocale(claims.locale);
  const details: PersonDetails = {};
  if (claims.name !== undefined) details.name = claims.name;
  if (claims.givenName !== undefined) details.givenName = claims.givenName;
  if (claims.familyName !== undefined) details.familyName = claims.familyName;
  if (claims.email !== undefined) details.email = claims.email;
  if (locale !== undefined) details.locale = locale;

  const subject = launchSubject(claims);
  const known = readAhead && sameSubject(readAhead.subject, subject) ? readAhead.snapshot : await snapshot(db, platform, subject);
  if (!known.tenant_id) {
    throw new LtiRefusal('unknown-tenant', `municipality ${claims.custom['kommunenummer'] ?? ''} is not served by the platform's tenant`);
  }
  const tenant = { id: known.tenant_id, name: known.tenant_name! };
  const writes =
    (known.person_id ? (Object.keys(changedDetails(known, details)).length > 0 ? 1 : 0) : 1) +
    (claims.context && contextChanged(claims, known) ? 1 : 0) +
    (claims.resourceLink && resourceLinkChanged(claims, claims.context ? known.context_row_id ?? undefined : null, known) ? 1 : 0);

  const record = async (db: Kysely<Schema>): Promise<LaunchIdentity> => {
    let current = known;
    let personId = current.person_id ?? (await createLtiPerson(db, platform, tenant.id, claims.sub, details));
    if (!personId) {
      // Another launch of this person created them a moment ago: use theirs.
      current = await snapshot(db, platform, subject);
      personId = current.person_id!;
    }
    if (current.person_id) await updatePersonDetails(db, current.person_tenant_id!, personId, changedDetails(current, details));
    const contextId = claims.context ? await saveContext(db, platform, tenant.id, claims, current) : null;
    const resourceLinkId = claims.resourceLink ? await saveResourceLink(db, platform, tenant.id, claims, contextId, current) : null;
    return { personId, tenantId: tenant.id, tenantName: tenant.name, contextId, resourceLinkId, locale };
  };
  return writes > 1 ? db.transaction().execute(record) : record(db);
}
