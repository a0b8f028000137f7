import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { PLATFORM_COLUMNS_SQL, toPlatform, type Platform, type PlatformRow } from './platforms.js';
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
}

/** A login state as a launch finds it, and whether this launch consumed it. */
export interface ClaimedState extends StoredState {
  /** Undefined when the platform was removed since the login. */
  platform: Platform | undefined;
  /** This request marked the state used: the browser binding matched and nobody had used it. */
  consumed: boolean;
  /** The nonce was recorded as seen now (false: it had been seen before, a replay). */
  nonceRecorded: boolean;
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
  const { rows } = await db.executeQuery<PlatformRow & { recorded: number }>(
    CompiledQuery.raw(START_LOGIN_SQL, [
      params.iss,
      params.client_id ?? null,
      state,
      nonce,
      hashBinding(binding),
      params.lti_storage_target ?? null,
      JSON.stringify(loginParams),
      new Date(now.getTime() + STATE_LIFETIME_MS),
      params.lti_deployment_id ?? null,
    ]),
  );
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
 * The login state of an authentication response, if it exists and has not expired, with its
 * platform; in the same statement, when the browser's binding secret matches, the state is marked
 * used and its nonce recorded (Security Framework §5.1.3: single use), before the id_token is
 * verified. A browser without the secret (another browser, or one whose cookie is blocked and must
 * first ask the platform's storage) only reads it, so it cannot use up someone else's login.
 */
export async function claimState(db: Kysely<Schema>, state: string, binding: string | undefined, now = new Date()): Promise<ClaimedState | undefined> {
  type Row = PlatformRow & {
    state: string;
    platform_id: string;
    nonce: string;
    binding_hash: string;
    storage_target: string | null;
    login_params: Record<string, string>;
    consumed: number;
    recorded: number;
  };
  const { rows } = await db.executeQuery<Row>(CompiledQuery.raw(CLAIM_STATE_SQL, [state, now, binding === undefined ? null : hashBinding(binding)]));
  const row = rows[0];
  if (!row) return undefined;
  return {
    state: row.state,
    platformId: row.platform_id,
    nonce: row.nonce,
    bindingHash: row.binding_hash,
    storageTarget: row.storage_target,
    loginParams: row.login_params,
    platform: row.id === null ? undefined : toPlatform(row),
    consumed: row.consumed === 1,
    nonceRecorded: row.recorded === 1,
  };
}

// Written once as SQL text: building them with the query builder cost more tool CPU per launch
// than the rest of the statement handling.
const START_LOGIN_SQL = `
with platform as (
  select ${PLATFORM_COLUMNS_SQL}
    from lti_platforms p
   where p.issuer = $1 and ($2::text is null or p.client_id = $2::text)
   limit 2
), recorded as (
  insert into lti_oidc_states (state, platform_id, nonce, binding_hash, storage_target, login_params, expires_at, used_at)
  select $3, platform.id, $4, $5, $6::text, $7::jsonb, $8::timestamptz, null
    from platform
   where (select count(*) from platform) = 1
     and ($9::text is null or $9::text = any(coalesce(platform.deployment_ids, '{}')))
  returning state
)
select platform.*, (select count(*) from recorded)::int as recorded from platform`;

// The nonce is kept an hour past the state's expiry; a token carrying it could only be accepted
// together with this (single-use) state anyway.
const CLAIM_STATE_SQL = `
with found as (
  select s.state, s.platform_id, s.nonce, s.binding_hash, s.storage_target, s.login_params
    from lti_oidc_states s
   where s.state = $1 and s.expires_at > $2::timestamptz
), consumed as (
  update lti_oidc_states s set used_at = now()
   where s.state = $1 and s.expires_at > $2::timestamptz and s.used_at is null and s.binding_hash = $3::text
  returning s.platform_id, s.nonce, s.expires_at
), recorded as (
  insert into lti_nonces (platform_id, nonce, expires_at)
  select platform_id, nonce, expires_at + interval '1 hour' from consumed
  on conflict do nothing
  returning nonce
)
select found.*, ${PLATFORM_COLUMNS_SQL},
       (select count(*) from consumed)::int as consumed, (select count(*) from recorded)::int as recorded
  from found
  left join lti_platforms p on p.id = found.platform_id`;

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
