import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Locale } from '../web/i18n.js';
import { SCOPE, type LaunchClaims } from './claims.js';
import type { Platform } from './platforms.js';

/** The rows a launch touches, as they were before it (all null when new). */
export interface LaunchSnapshot {
  person_id: string | null;
  person_tenant_id: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  locale: Locale | null;
  context_row_id: string | null;
  context_title: string | null;
  context_label: string | null;
  memberships_url: string | null;
  link_row_id: string | null;
  link_context_id: string | null;
  link_title: string | null;
  link_custom: Record<string, string> | null;
  lineitem_url: string | null;
  lineitems_url: string | null;
  ags_scopes: string[] | null;
}

/** JSON with sorted keys: jsonb does not keep key order, so compare canonically. */
function canonical(value: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));
}

function contextValues(claims: LaunchClaims) {
  return {
    title: claims.context!.title ?? null,
    label: claims.context!.label ?? null,
    memberships_url: claims.nrps?.context_memberships_url ?? null,
  };
}

/** Whether the launch's course must be written: it is new, or the platform changed it. */
export function contextChanged(claims: LaunchClaims, known: LaunchSnapshot): boolean {
  const values = contextValues(claims);
  return !known.context_row_id || known.context_title !== values.title || known.context_label !== values.label || known.memberships_url !== values.memberships_url;
}

/** The course (context) of a launch: inserted when new, updated only when the platform changed it. */
export async function saveContext(db: Kysely<Schema>, platform: Platform, tenantId: string, claims: LaunchClaims, known: LaunchSnapshot): Promise<string> {
  const values = contextValues(claims);
  if (known.context_row_id) {
    if (contextChanged(claims, known)) {
      await db.updateTable('lti_contexts').set({ ...values, updated_at: new Date() }).where('id', '=', known.context_row_id).execute();
    }
    return known.context_row_id;
  }
  const row = await db
    .insertInto('lti_contexts')
    .values({ tenant_id: tenantId, platform_id: platform.id, context_id: claims.context!.id, ...values })
    .onConflict((oc) => oc.columns(['platform_id', 'context_id']).doUpdateSet({ ...values, updated_at: new Date() }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function resourceLinkValues(claims: LaunchClaims, contextId: string | null, known: LaunchSnapshot) {
  const scopes = claims.ags?.scope ?? [];
  const claimedLineItem = scopes.includes(SCOPE.score) ? claims.ags?.lineitem ?? null : null;
  return {
    context_id: contextId,
    title: claims.resourceLink!.title ?? null,
    custom: claims.custom,
    lineitem_url: claimedLineItem ?? known.lineitem_url,
    lineitems_url: claims.ags?.lineitems ?? null,
    ags_scopes: scopes,
  };
}

/**
 * Whether the launch's resource link must be written: it is new, or something about it changed.
 * `contextId` undefined: the link's course is new, so its id is not known yet (a change).
 */
export function resourceLinkChanged(claims: LaunchClaims, contextId: string | null | undefined, known: LaunchSnapshot): boolean {
  if (!known.link_row_id || contextId === undefined) return true;
  const values = resourceLinkValues(claims, contextId, known);
  return !(
    known.link_context_id === values.context_id &&
    known.link_title === values.title &&
    canonical(known.link_custom ?? {}) === canonical(values.custom) &&
    known.lineitem_url === values.lineitem_url &&
    known.lineitems_url === values.lineitems_url &&
    JSON.stringify(known.ags_scopes ?? []) === JSON.stringify(values.ags_scopes)
  );
}

/**
 * The resource link with its AGS endpoints. A launch without a line item claim keeps a line item
 * the tool created earlier (AGS 2.0 §3.2: the tool may create one when the platform did not).
 */
export async function saveResourceLink(
  db: Kysely<Schema>,
  platform: Platform,
  tenantId: string,
  claims: LaunchClaims,
  contextId: string | null,
  known: LaunchSnapshot,
): Promise<string> {
  const values = resourceLinkValues(claims, contextId, known);
  const encoded = { ...values, custom: JSON.stringify(values.custom), ags_scopes: JSON.stringify(values.ags_scopes) };
  if (known.link_row_id) {
    if (resourceLinkChanged(claims, contextId, known)) {
      await db.updateTable('lti_resource_links').set({ ...encoded, updated_at: new Date() }).where('id', '=', known.link_row_id).execute();
    }
    return known.link_row_id;
  }
  const row = await db
    .insertInto('lti_resource_links')
    .values({ tenant_id: tenantId, platform_id: platform.id, resource_link_id: claims.resourceLink!.id, ...encoded })
    .onConflict((oc) => oc.columns(['platform_id', 'resource_link_id']).doUpdateSet({ ...encoded, updated_at: new Date() }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
