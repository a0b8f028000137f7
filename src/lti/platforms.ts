import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface Platform {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly authEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUrl: string;
  readonly deploymentIds: readonly string[];
}

export interface PlatformRegistration {
  tenantId: string;
  name: string;
  issuer: string;
  clientId: string;
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUrl: string;
  deploymentIds: readonly string[];
}

export class PlatformError extends Error {}

function requireUrl(name: string, value: string, allowHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PlatformError(`${name} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new PlatformError(`${name} must be an https URL: ${value}`);
  }
}

/** Validates a registration; plain http is accepted only outside production (local LMSs). */
export function validateRegistration(registration: PlatformRegistration, allowHttp: boolean): void {
  requireUrl('issuer', registration.issuer, allowHttp);
  requireUrl('auth endpoint', registration.authEndpoint, allowHttp);
  requireUrl('token endpoint', registration.tokenEndpoint, allowHttp);
  requireUrl('JWKS URL', registration.jwksUrl, allowHttp);
  if (!registration.clientId.trim()) throw new PlatformError('client id is empty');
  if (registration.deploymentIds.length === 0) throw new PlatformError('name at least one deployment id');
}

export type PlatformRow = { id: string; tenant_id: string; name: string; issuer: string; client_id: string; auth_endpoint: string; token_endpoint: string; jwks_url: string; deployment_ids: string[] | null };

const DEPLOYMENT_IDS_SQL = '(select array_agg(d.deployment_id order by d.deployment_id) from lti_deployments d where d.platform_id = p.id)';

/** Platforms with their deployment ids, in one round trip (launches read this on every request). */
export function selectPlatforms(db: Kysely<Schema>) {
  return db
    .selectFrom('lti_platforms as p')
    .select(['p.id', 'p.tenant_id', 'p.name', 'p.issuer', 'p.client_id', 'p.auth_endpoint', 'p.token_endpoint', 'p.jwks_url'])
    .select(sql<string[] | null>`${sql.raw(DEPLOYMENT_IDS_SQL)}`.as('deployment_ids'));
}

/** The columns of selectPlatforms over `lti_platforms p`, for statements written once as SQL text. */
export const PLATFORM_COLUMNS_SQL = `p.id, p.tenant_id, p.name, p.issuer, p.client_id, p.auth_endpoint, p.token_endpoint, p.jwks_url,
  ${DEPLOYMENT_IDS_SQL} as deployment_ids`;

export function toPlatform(row: PlatformRow): Platform {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    authEndpoint: row.auth_endpoint,
    tokenEndpoint: row.token_endpoint,
    jwksUrl: row.jwks_url,
    deploymentIds: row.deployment_ids ?? [],
  };
}

/** Adds a platform, or updates it (same issuer and client id) and adds the deployment ids given. */
export async function savePlatform(db: Kysely<Schema>, registration: PlatformRegistration): Promise<Platform> {
  return savePlatformIn(db, (trx) => writePlatform(trx, registration));
}

/** Runs `write` (returning the platform's id) in a transaction, then reads the platform it saved. */
export async function savePlatformIn(db: Kysely<Schema>, write: (trx: Kysely<Schema>) => Promise<string>): Promise<Platform> {
  const id = await db.transaction().execute(write);
  const platform = await findPlatformById(db, id);
  if (!platform) throw new PlatformError('the platform vanished while it was saved');
  return platform;
}

/** savePlatform's writes, for a transaction that does more (such as using up an invitation). */
export async function writePlatform(trx: Kysely<Schema>, registration: PlatformRegistration): Promise<string> {
  const values = {
    tenant_id: registration.tenantId,
    name: registration.name,
    issuer: registration.issuer,
    client_id: registration.clientId,
    auth_endpoint: registration.authEndpoint,
    token_endpoint: registration.tokenEndpoint,
    jwks_url: registration.jwksUrl,
  };
  const row = await trx
    .insertInto('lti_platforms')
    .values(values)
    .onConflict((oc) => oc.columns(['issuer', 'client_id']).doUpdateSet(values))
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('lti_deployments')
    .values(registration.deploymentIds.map((deploymentId) => ({ platform_id: row.id, deployment_id: deploymentId })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  return row.id;
}

export async function listPlatforms(db: Kysely<Schema>): Promise<Platform[]> {
  return (await selectPlatforms(db).orderBy('p.issuer').orderBy('p.client_id').execute()).map(toPlatform);
}

export async function findPlatformById(db: Kysely<Schema>, id: string): Promise<Platform | undefined> {
  const row = await selectPlatforms(db).where('p.id', '=', id).executeTakeFirst();
  return row && toPlatform(row);
}

/**
 * The platform for an issuer; `clientId` narrows it when the LMS sends one (an issuer may have
 * registered the tool more than once). Without a client id, an issuer with several is ambiguous.
 */
export async function findPlatform(db: Kysely<Schema>, issuer: string, clientId?: string): Promise<Platform | undefined> {
  let query = selectPlatforms(db).where('p.issuer', '=', issuer);
  if (clientId) query = query.where('p.client_id', '=', clientId);
  const rows = await query.limit(2).execute();
  return rows.length === 1 ? toPlatform(rows[0]!) : undefined;
}

export async function removePlatform(db: Kysely<Schema>, issuer: string, clientId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('lti_platforms')
    .where('issuer', '=', issuer)
    .where('client_id', '=', clientId)
    .returning('id')
    .execute();
  return result.length > 0;
}
