import { sql, type Kysely, type Transaction } from 'kysely';
import type { Schema } from '../db/schema.js';
import { createPerson, updatePersonDetails, type PersonDetails } from '../people/people.js';
import { toLocale, type Locale } from '../web/i18n.js';
import type { LaunchClaims } from './claims.js';
import { saveContext, saveResourceLink, type LaunchSnapshot } from './launch-records.js';
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

/**
 * The tenant a launch belongs to: the platform's. A platform bound to a region may name the
 * municipality in the custom parameter `kommunenummer`; it must be one of the region's members.
 */
async function launchTenant(trx: Transaction<Schema>, platform: Platform, claims: LaunchClaims): Promise<{ id: string; name: string }> {
  const number = claims.custom['kommunenummer'];
  let query = trx.selectFrom('tenants as t').select(['t.id', 't.name']);
  query = number
    ? query
        .leftJoin('region_municipalities as rm', 'rm.municipality_id', 't.id')
        .where('t.kind', '=', 'municipality')
        .where('t.kommunenummer', '=', number)
        .where((eb) => eb.or([eb('rm.region_id', '=', platform.tenantId), eb('t.id', '=', platform.tenantId)]))
    : query.where('t.id', '=', platform.tenantId);
  const tenant = await query.executeTakeFirst();
  if (!tenant) throw new LtiRefusal('unknown-tenant', `municipality ${number ?? ''} is not served by the platform's tenant`);
  return tenant;
}

/** What the database already holds about this launch's person, course and link, in one query. */
async function snapshot(trx: Transaction<Schema>, platform: Platform, claims: LaunchClaims): Promise<LaunchSnapshot> {
  const { rows } = await sql<LaunchSnapshot>`
    select u.person_id, u.tenant_id as person_tenant_id, p.name, p.given_name, p.family_name, p.email, p.locale,
           c.id as context_row_id, c.title as context_title, c.label as context_label, c.memberships_url,
           r.id as link_row_id, r.context_id as link_context_id, r.title as link_title, r.custom as link_custom,
           r.lineitem_url, r.lineitems_url, r.ags_scopes
      from (select 1) as one
      left join lti_users u on u.platform_id = ${platform.id} and u.subject = ${claims.sub}
      left join people p on p.id = u.person_id
      left join lti_contexts c on c.platform_id = ${platform.id} and c.context_id = ${claims.context?.id ?? null}
      left join lti_resource_links r on r.platform_id = ${platform.id} and r.resource_link_id = ${claims.resourceLink?.id ?? null}`.execute(trx);
  return rows[0]!;
}

/**
 * Who launched, from where: the person (platform + subject → people.id; name and email only when
 * sent), the course and the resource link. One transaction, so a refused launch leaves nothing;
 * a repeated launch that brings nothing new only reads.
 */
export async function recordLaunch(db: Kysely<Schema>, platform: Platform, claims: LaunchClaims): Promise<LaunchIdentity> {
  const locale = toLocale(claims.locale);
  return db.transaction().execute(async (trx) => {
    const tenant = await launchTenant(trx, platform, claims);
    const details: PersonDetails = {};
    if (claims.name !== undefined) details.name = claims.name;
    if (claims.givenName !== undefined) details.givenName = claims.givenName;
    if (claims.familyName !== undefined) details.familyName = claims.familyName;
    if (claims.email !== undefined) details.email = claims.email;
    if (locale !== undefined) details.locale = locale;

    let known = await snapshot(trx, platform, claims);
    if (!known.person_id) {
      // Two first launches of one person at once (a double click) must make one person, not two.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`lti-user:${platform.id}:${claims.sub}`}, 0))`.execute(trx);
      known = await snapshot(trx, platform, claims);
    }
    let personId: string;
    if (known.person_id) {
      personId = known.person_id;
      const current: PersonDetails = { name: known.name, givenName: known.given_name, familyName: known.family_name, email: known.email, locale: known.locale };
      const changed = Object.fromEntries(Object.entries(details).filter(([k, v]) => current[k as keyof PersonDetails] !== v)) as PersonDetails;
      await updatePersonDetails(trx, known.person_tenant_id!, personId, changed);
    } else {
      personId = (await createPerson(trx, tenant.id, details)).id;
      await trx.insertInto('lti_users').values({ platform_id: platform.id, subject: claims.sub, tenant_id: tenant.id, person_id: personId }).execute();
    }
    const contextId = claims.context ? await saveContext(trx, platform, tenant.id, claims, known) : null;
    const resourceLinkId = claims.resourceLink ? await saveResourceLink(trx, platform, tenant.id, claims, contextId, known) : null;
    return { personId, tenantId: tenant.id, tenantName: tenant.name, contextId, resourceLinkId, locale };
  });
}
