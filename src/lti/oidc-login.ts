import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { findPlatform, type Platform } from './platforms.js';
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
  const platform = await findPlatform(db, params.iss, params.client_id);
  if (!platform) {
    throw new LtiRefusal('unknown-platform', `no platform registered for issuer ${params.iss}${params.client_id ? ` and client ${params.client_id}` : ''}`);
  }
  if (params.lti_deployment_id && !platform.deploymentIds.includes(params.lti_deployment_id)) {
    throw new LtiRefusal('unknown-deployment', `deployment ${params.lti_deployment_id} is not registered for ${platform.issuer}`);
  }
  const state = token();
  const nonce = token();
  const binding = token();
  const now = options.now ?? new Date();
  const loginParams = Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  await db
    .insertInto('lti_oidc_states')
    .values({
      state,
      platform_id: platform.id,
      nonce,
      binding_hash: hashBinding(binding),
      storage_target: params.lti_storage_target ?? null,
      login_params: JSON.stringify(loginParams),
      expires_at: new Date(now.getTime() + STATE_LIFETIME_MS),
      used_at: null,
    })
    .execute();

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

/** The state row, if it exists and has not expired (used ones are returned, marked used). */
export async function findState(db: Kysely<Schema>, state: string, now = new Date()): Promise<StoredState | undefined> {
  const row = await db
    .selectFrom('lti_oidc_states')
    .select(['state', 'platform_id', 'nonce', 'binding_hash', 'storage_target', 'login_params', 'expires_at', 'used_at'])
    .where('state', '=', state)
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
