import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { prepared } from '../db/prepared.js';
import type { Schema } from '../db/schema.js';
import { decideLink, identifierValue, linkFirstLaunch, linkLauncher, recordLinkConflict, type LinkCandidate, type LinkDecision } from '../people/launch-links.js';
import { updatePersonDetails, type PersonDetails } from '../people/people.js';
import { toLocale, type Locale } from '../web/i18n.js';
import { CLAIM, type LaunchClaims } from './claims.js';
import { contextChanged, resourceLinkChanged, saveContext, saveResourceLink, type LaunchSnapshot } from './launch-records.js';
import type { Platform } from './platforms.js';
import { LtiRefusal, MunicipalityUnmapped } from './refusal.js';
import { mapRoles } from './roles.js';

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
export type KnownSnapshot = LaunchSnapshot & {
  tenant_id: string | null;
  tenant_name: string | null;
  /** 'region' only when a region's platform could place the launch in none of its municipalities. */
  tenant_kind?: 'region' | 'municipality' | null;
  /** The launcher's person is an employee HR knows (linked, or HR's own person). */
  linked?: boolean | null;
  /** The platform's issuer is trusted to substitute the custom parameter ansattnummer. */
  employee_number_trusted?: boolean | null;
  /** The employees the launch names, when the launcher is not linked yet. */
  link_candidates?: LinkCandidate[] | null;
};

/** The values of a launch that its snapshot is read by. */
export interface LaunchSubject {
  sub: string;
  contextId: string | null;
  resourceLinkId: string | null;
  kommunenummer: string | undefined;
  /** The custom parameter ansattnummer, the LIS person_sourcedid and the e-mail address. */
  employeeNumber: string | undefined;
  sourcedId: string | undefined;
  email: string | undefined;
  /** A designer or administrator: through a region's platform they may work in the region itself. */
  staff: boolean;
}

const emailDomain = (email: string | undefined) => {
  const at = email?.lastIndexOf('@') ?? -1;
  return email && at > 0 ? email.slice(at + 1).toLowerCase() : null;
};

const isStaff = (roles: readonly string[]) => {
  const role = mapRoles(roles, []);
  return role === 'designer' || role === 'admin';
};

function subjectOf(sub: string, contextId: string | null, resourceLinkId: string | null, custom: Record<string, unknown> | undefined, lis: unknown, email: unknown, roles: unknown): LaunchSubject {
  const kommunenummer = custom?.['kommunenummer'];
  const sourcedId = typeof lis === 'object' && lis !== null ? (lis as Record<string, unknown>)['person_sourcedid'] : undefined;
  return {
    sub,
    contextId,
    resourceLinkId,
    kommunenummer: typeof kommunenummer === 'string' && kommunenummer ? kommunenummer : undefined,
    employeeNumber: identifierValue(custom?.['ansattnummer']),
    sourcedId: identifierValue(sourcedId),
    email: identifierValue(email),
    staff: Array.isArray(roles) && isStaff(roles.filter((r): r is string => typeof r === 'string')),
  };
}

/** A snapshot read ahead (with the login's claim), and the subject it was read for. */
export interface KnownLaunch {
  subject: LaunchSubject;
  snapshot: KnownSnapshot;
}

export function launchSubject(claims: Pick<LaunchClaims, 'sub' | 'context' | 'resourceLink' | 'custom' | 'email' | 'roles' | 'raw'>): LaunchSubject {
  return subjectOf(claims.sub, claims.context?.id ?? null, claims.resourceLink?.id ?? null, claims.custom, claims.raw[CLAIM.lis], claims.email, claims.roles);
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
    const custom = payload[CLAIM.custom];
    return subjectOf(sub, id(CLAIM.context), id(CLAIM.resourceLink), typeof custom === 'object' && custom !== null ? (custom as Record<string, unknown>) : undefined, payload[CLAIM.lis], payload['email'], payload[CLAIM.roles]);
  } catch {
    return undefined;
  }
}

const sameSubject = (a: LaunchSubject, b: LaunchSubject) =>
  a.sub === b.sub && a.contextId === b.contextId && a.resourceLinkId === b.resourceLinkId && a.kommunenummer === b.kommunenummer &&
  a.employeeNumber === b.employeeNumber && a.sourcedId === b.sourcedId && a.email === b.email && a.staff === b.staff;

/** The snapshot statement's parameters after the first seven, in order ($8 …). */
export function subjectParameters(subject: LaunchSubject | undefined) {
  return {
    employee_number: subject?.employeeNumber ?? null,
    sourced_id: subject?.sourcedId ?? null,
    email: subject?.email ?? null,
    email_domain: emailDomain(subject?.email),
    staff: subject?.staff ?? false,
  };
}

/**
 * The launch's tenant and what the database already holds about its person, course and link, in
 * one query. The tenant is the platform's; a platform bound to a region may name the municipality
 * in the custom parameter `kommunenummer`, which must be one of the region's members.
 */
async function snapshot(db: Kysely<Schema>, platform: Platform, subject: LaunchSubject): Promise<KnownSnapshot> {
  const { rows } = await db.executeQuery<KnownSnapshot>(
    CompiledQuery.raw(SNAPSHOT_SQL, [platform.tenantId, platform.id, subject.sub, subject.contextId, subject.resourceLinkId, subject.kommunenummer ?? null, platform.issuer, ...Object.values(subjectParameters(subject))]),
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
  /** What the launch says of the launcher in HR terms; each null when not sent. */
  employeeNumber: string;
  sourcedId: string;
  email: string;
  /** The e-mail address's domain in lower case: a region's platform places the launch by it. */
  emailDomain: string;
  /** Boolean: a designer's or administrator's launch stays in the region when nothing places it. */
  staff: string;
}

// Written once as SQL text: the query builder cost more CPU than the query. The tenant is the
// platform's when no municipality is named, else the named one if it is the platform tenant or one
// of its members. A region's platform with no municipality named places a learner's or manager's
// launch by the e-mail domain in its members' map; when that maps nowhere the region is the
// tenant, which only staff may work in (recordLaunch refuses the others with a page that says what
// to send). The employees the launch names are read only while its person is not an employee:
// three index lookups, the link itself is made once.
export const snapshotSql = (at: SnapshotInputs) => `
    select t.id as tenant_id, t.name as tenant_name, t.kind as tenant_kind,
           u.person_id, u.tenant_id as person_tenant_id, p.name, p.given_name, p.family_name, p.email, p.locale,
           c.id as context_row_id, c.title as context_title, c.label as context_label, c.memberships_url,
           r.id as link_row_id, r.context_id as link_context_id, r.title as link_title, r.custom as link_custom,
           r.lineitem_url, r.lineitems_url, r.ags_scopes,
           lk.linked, lk.employee_number_trusted, cand.link_candidates
      from (select 1) as one
      left join lateral (
        select x.id, x.name, x.kind from (
          (select t.id, t.name, t.kind, 2 as preference from tenants as t where ${at.kommunenummer}::text is null and t.id = ${at.platformTenant})
          union all
          (select t.id, t.name, t.kind, 1 from tenants as t
             left join region_municipalities as rm on rm.municipality_id = t.id
            where t.kind = 'municipality' and t.kommunenummer = ${at.kommunenummer}::text and (rm.region_id = ${at.platformTenant} or t.id = ${at.platformTenant})
            limit 1)
          union all
          (select t.id, t.name, t.kind, 1 from municipality_email_domains as d
             join region_municipalities as rm on rm.municipality_id = d.tenant_id and rm.region_id = ${at.platformTenant}
             join tenants as t on t.id = d.tenant_id and t.kind = 'municipality'
            where ${at.kommunenummer}::text is null and not ${at.staff}::boolean and d.domain = ${at.emailDomain}::text
            limit 1)
        ) as x order by x.preference limit 1
      ) as t on true
      left join lti_users u on u.tenant_id = t.id and u.issuer = ${at.issuer}::text and u.subject = ${at.sub}::text
      left join people p on p.id = u.person_id
      left join lti_contexts c on c.platform_id = ${at.platform} and c.context_id = ${at.context}::text
      left join lti_resource_links r on r.platform_id = ${at.platform} and r.resource_link_id = ${at.link}::text
      left join lateral (
        select exists (select 1 from employees as e where e.person_id = u.person_id) as linked,
               ${at.employeeNumber}::text is not null and exists (select 1 from employee_number_trusted_issuers as ti where ti.issuer = ${at.issuer}::text) as employee_number_trusted
      ) as lk on true
      left join lateral (
        select json_agg(json_build_object('employee_id', named.id, 'person_id', named.person_id, 'by', named.by,
                 'taken', exists (select 1 from lti_users as lu where lu.person_id = named.person_id))) as link_candidates
          from (
            (select e.id, e.person_id, 'employee-number' as by from employees as e
              where lk.employee_number_trusted and e.tenant_id = t.id and e.employee_number = ${at.employeeNumber}::text)
            union all
            (select e.id, e.person_id, 'sourcedid' from employees as e
              where e.tenant_id = t.id and e.sourced_id = ${at.sourcedId}::text limit 5)
            union all
            (select e.id, e.person_id, 'email' from people as ep join employees as e on e.person_id = ep.id
              where ep.tenant_id = t.id and lower(ep.email) = lower(${at.email}::text) limit 5)
          ) as named
         where not lk.linked
      ) as cand on true`;
const SNAPSHOT_SQL = prepared(snapshotSql({
  platformTenant: '$1::uuid', platform: '$2::uuid', sub: '$3', context: '$4', link: '$5', kommunenummer: '$6', issuer: '$7',
  employeeNumber: '$8', sourcedId: '$9', email: '$10', emailDomain: '$11', staff: '$12',
}));

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
  if (known.tenant_kind === 'region' && !subject.staff) {
    // A learner's completions and a manager's units belong to a municipality: never the region's.
    throw new MunicipalityUnmapped(known.tenant_name ?? '', emailDomain(subject.email), locale);
  }
  const tenant = { id: known.tenant_id, name: known.tenant_name! };
  const account = { tenantId: tenant.id, issuer: platform.issuer, subject: claims.sub };
  const link: LinkDecision = known.linked ? { kind: 'none' } : decideLink(subject, known.link_candidates ?? [], known.employee_number_trusted === true);
  const writes =
    (known.person_id ? (Object.keys(changedDetails(known, details)).length > 0 ? 1 : 0) : 1) +
    (link.kind === 'none' ? 0 : 2) +
    (claims.context && contextChanged(claims, known) ? 1 : 0) +
    (claims.resourceLink && resourceLinkChanged(claims, claims.context ? known.context_row_id ?? undefined : null, known) ? 1 : 0);

  const record = async (db: Kysely<Schema>): Promise<LaunchIdentity> => {
    let current = known;
    let personId = current.person_id ?? (link.kind === 'link' ? await linkFirstLaunch(db, account, link) : undefined) ?? (await createLtiPerson(db, platform, tenant.id, claims.sub, details));
    if (!personId) {
      // Another launch of this person created them a moment ago: use theirs.
      current = await snapshot(db, platform, subject);
      personId = current.person_id!;
    }
    if (link.kind === 'link' && personId !== link.personId) {
      personId = await linkLauncher(db, account, personId, link);
    } else if (link.kind === 'conflict') {
      await recordLinkConflict(db, account, personId, link);
    }
    if (link.kind === 'link' && personId === link.personId) {
      // The employee's person as HR made it: the launch's details are written as sent.
      await updatePersonDetails(db, tenant.id, personId, details);
    } else if (current.person_id) {
      await updatePersonDetails(db, current.person_tenant_id!, personId, changedDetails(current, details));
    }
    const contextId = claims.context ? await saveContext(db, platform, tenant.id, claims, current) : null;
    const resourceLinkId = claims.resourceLink ? await saveResourceLink(db, platform, tenant.id, claims, contextId, current) : null;
    return { personId, tenantId: tenant.id, tenantName: tenant.name, contextId, resourceLinkId, locale };
  };
  return writes > 1 ? db.transaction().execute(record) : record(db);
}
