import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { selectPlatforms, toPlatform, type Platform, type PlatformRow } from './platforms.js';
import { LtiRefusal } from './refusal.js';

/** Parameters of a third-party initiated login (LTI 1.3 Core §5.1.1 / Security Framework §5.1.1). */
export interface LoginInitiation {
  iss?: string | undefined;
  login_hint?: string | undefined;
  target_link_uri?: string | undefined;
  lti_message_hint?: string | undefined;
  client_id?: string | undefined;
  lti_deployment_id?: string | undefined;
  lti_storage_target?: string | undefined;
}

export interface StartedLogin {
  platform: Platform;
  state: string;
  /** The secret the browser must bring back to the launch (in a cookie or the platform's storage). */
  binding: string;
  /** The platform's OIDC authorization endpoint with the authentication request. */
  authUrl: string;
  storageTarget: string | undefined;
}

export interface StoredState {
  state: string;
  platformId: string;
  nonce: string;
  bindingHash: string;
  storageTarget: string | null;
  loginParams: Record<string, string>;
  used: boolean;
}

/** How long a browser has between login initiation and the authentication response. */
const STATE_LIFETIME_MS = 10 * 60_000;

const token = () => randomBytes(24).toString('base64url');
export const hashBinding = (binding: string) => createHash('sha256').update(binding).digest('hex');

export function bindingMatches(binding: string, storedHash: string): boolean {
  const given = Buffer.from(hashBinding(binding), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * Answers a login initiation: finds the platform, records state and nonce, and builds the OIDC
 * authentication request. login_hint and lti_message_hint go back exactly as received (Moodle
 * checks both).
 */
export async function startLogin(
  db: Kysely<Schema>,
  params: LoginInitiation,
  options: { launchUrl: string; now?: Date },
): Promise<StartedLogin> {
  if (!params.iss || !params.login_hint || !params.target_link_uri) {
    throw new LtiRefusal('bad-login-request', 'iss, login_hint and target_link_uri are required');
  }
  if (!ownUrl(params.target_link_uri, options.launchUrl)) {
    throw new LtiRefusal('bad-login-request', `target_link_uri ${params.target_link_uri} is not this tool's launch URL`);
  }
  const state = token();
  const nonce = token();
  const binding = token();
  const now = options.now ?? new Date();
  const loginParams = Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  // One round trip: the platform lookup and the state insert, which happens only when exactly one
  // platform answers and the deployment (when named) is registered for it.
  let platforms = selectPlatforms(db).where('p.issuer', '=', params.iss);
  if (params.client_id) platforms = platforms.where('p.client_id', '=', params.client_id);
  const deploymentId = params.lti_deployment_id ?? null;
  const { rows } = await sql<PlatformRow & { recorded: number }>`
    with platform as (${platforms.limit(2)}),
    recorded as (
      insert into lti_oidc_states (state, platform_id, nonce, binding_hash, storage_target, login_params, expires_at, used_at)
      select ${state}, platform.id, ${nonce}, ${hashBinding(binding)}, ${params.lti_storage_target ?? null}::text,
             ${JSON.stringify(loginParams)}::jsonb, ${new Date(now.getTime() + STATE_LIFETIME_MS)}::timestamptz, null
        from platform
       where (select count(*) from platform) = 1
         and (${deploymentId}::text is null or ${deploymentId}::text = any(coalesce(platform.deployment_ids, '{}')))
      returning state
    )
    select platform.*, (select count(*) from recorded)::int as recorded from platform`.execute(db);
  if (rows.length !== 1) {
    throw new LtiRefusal('unknown-platform', `no platform registered for issuer ${params.iss}${params.client_id ? ` and client ${params.client_id}` : ''}`);
  }
  const platform = toPlatform(rows[0]!);
  if (params.lti_deployment_id && !platform.deploymentIds.includes(params.lti_deployment_id)) {
    throw new LtiRefusal('unknown-deployment', `deployment ${params.lti_deployment_id} is not registered for ${platform.issuer}`);
  }
  if (rows[0]!.recorded !== 1) throw new LtiRefusal('unknown-platform', `the platform ${platform.issuer} changed while the login was recorded`);

  const auth = new URL(platform.authEndpoint);
  const request: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: options.launchUrl,
    login_hint: params.login_hint,
    state,
    nonce,
  };
  if (params.lti_message_hint !== undefined) request['lti_message_hint'] = params.lti_message_hint;
  for (const [name, value] of Object.entries(request)) auth.searchParams.set(name, value);
  return { platform, state, binding, authUrl: auth.toString(), storageTarget: params.lti_storage_target };
}

/**
 * The state row, if it exists and has not expired (used ones are returned, marked used), with the
 * platform it was started for in the same round trip (undefined when the platform was removed).
 */
export async function findState(db: Kysely<Schema>, state: string, now = new Date()): Promise<(StoredState & { platform: Platform | undefined }) | undefined> {
  const row = await db
    .selectFrom('lti_oidc_states as s')
    .leftJoin(selectPlatforms(db).as('p'), 'p.id', 's.platform_id')
    .select(['s.state', 's.platform_id', 's.nonce', 's.binding_hash', 's.storage_target', 's.login_params', 's.expires_at', 's.used_at'])
    .select(['p.id', 'p.tenant_id', 'p.name', 'p.issuer', 'p.client_id', 'p.auth_endpoint', 'p.token_endpoint', 'p.jwks_url', 'p.deployment_ids'])
    .where('s.state', '=', state)
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  return {
    state: row.state,
    platformId: row.platform_id,
    nonce: row.nonce,
    bindingHash: row.binding_hash,
    storageTarget: row.storage_target,
    loginParams: row.login_params,
    used: row.used_at !== null,
    platform: row.id === null ? undefined : toPlatform(row as PlatformRow),
  };
}

/** Removes login states and nonces whose time is past; run now and then. */
export async function purgeExpiredLoginState(db: Kysely<Schema>, now = new Date()): Promise<void> {
  await db.deleteFrom('lti_oidc_states').where('expires_at', '<', now).execute();
  await db.deleteFrom('lti_nonces').where('expires_at', '<', now).execute();
}

/**
 * The target link must be this tool (Security Framework §5.1.1.1): its origin, below its base path.
 * Moodle administrators sometimes enter the tool's base URL instead of /lti/launch; that is ours too.
 */
function ownUrl(given: string, launchUrl: string): boolean {
  try {
    const target = new URL(given);
    const launch = new URL(launchUrl);
    const base = launch.pathname.replace(/\/lti\/launch\/?$/, '/');
    return target.origin === launch.origin && target.pathname.startsWith(base);
  } catch {
    return false;
  }
}
