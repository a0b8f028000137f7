import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { GroupCommit } from '../db/group-commit.js';
import { prepared } from '../db/prepared.js';
import type { Schema } from '../db/schema.js';
import { snapshotSql, subjectParameters, type KnownLaunch, type KnownSnapshot, type LaunchSubject } from './identity.js';
import { PLATFORM_COLUMNS_SQL, toPlatform, type Platform, type PlatformRow } from './platforms.js';
import { LtiRefusal } from './refusal.js';
import { SecretBox } from './secret-box.js';
import { SharedCalls } from './shared-calls.js';

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
  /** The sealed login state, sent to the platform and back. */
  state: string;
  nonce: string;
  /** The secret the browser must bring back to the launch (in a cookie or the platform's storage). */
  binding: string;
  /** The platform's OIDC authorization endpoint with the authentication request. */
  authUrl: string;
  storageTarget: string | undefined;
}

/**
 * A login waiting for its authentication response. It is not stored: it travels as the `state`
 * parameter, sealed (AES-256-GCM), so a login costs the database one read and nothing is written
 * until a launch comes back. Single use is kept by the nonce, which is recorded when the launch
 * claims it (lti_nonces), and the nonce is unique to the login.
 */
export interface LoginState {
  platformId: string;
  nonce: string;
  /** base64url SHA-256 of the binding secret the browser must bring back. */
  bindingHash: string;
  storageTarget: string | null;
  loginParams: Record<string, string>;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** What a launch's claim found: the platform (unless it was removed) and whether the nonce was new. */
export interface ClaimedLogin {
  platform: Platform | undefined;
  /** The nonce was recorded as seen now (false: it had been seen before, a replay). */
  nonceRecorded: boolean;
  /** What the database held about the launch's person, course and link (see recordLaunch). */
  known: KnownLaunch | undefined;
}

/** How long a browser has between login initiation and the authentication response. */
const STATE_LIFETIME_MS = 10 * 60_000;

const token = () => randomBytes(24).toString('base64url');
export const hashBinding = (binding: string) => createHash('sha256').update(binding).digest('base64url');

export function bindingMatches(binding: string, storedHash: string): boolean {
  const given = Buffer.from(hashBinding(binding));
  const stored = Buffer.from(storedHash);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Seals login states into `state` values and opens them again; a value sealed elsewhere opens as nothing. */
export class LoginStates {
  readonly #box: SecretBox;

  constructor(secret: string) {
    this.#box = new SecretBox(secret, 'lti-login-state');
  }

  seal(state: LoginState): string {
    return this.#box.seal(JSON.stringify([state.platformId, state.nonce, state.bindingHash, state.storageTarget, state.loginParams, state.expiresAt]));
  }

  /** The login state, unless the value is not one of ours, was altered, or has expired. */
  open(sealed: string, now = Date.now()): LoginState | undefined {
    let fields: unknown;
    try {
      fields = JSON.parse(this.#box.open(sealed));
    } catch {
      return undefined;
    }
    if (!Array.isArray(fields) || fields.length !== 6) return undefined;
    const [platformId, nonce, bindingHash, storageTarget, loginParams, expiresAt] = fields as unknown[];
    if (typeof platformId !== 'string' || typeof nonce !== 'string' || typeof bindingHash !== 'string' || typeof expiresAt !== 'number') return undefined;
    if (storageTarget !== null && typeof storageTarget !== 'string') return undefined;
    if (typeof loginParams !== 'object' || loginParams === null) return undefined;
    if (expiresAt <= now) return undefined;
    return { platformId, nonce, bindingHash, storageTarget, loginParams: loginParams as Record<string, string>, expiresAt };
  }
}

/**
 * Finds the platform a login initiation names. Logins that arrive while the same platform is being
 * read share that read (a class starting a course sends many logins of one platform at once), so
 * under load a login waits for no round trip of its own. Nothing is kept once a read is answered:
 * a login that arrives after a platform was removed or changed reads it anew.
 */
export class LoginPlatforms {
  readonly #reads = new SharedCalls<readonly PlatformRow[]>();

  constructor(private readonly db: Kysely<Schema>) {}

  /** The platforms registered for the issuer (and client, when given): one, or a refusal. */
  rows(issuer: string, clientId: string | undefined): Promise<readonly PlatformRow[]> {
    return this.#reads.run(JSON.stringify([issuer, clientId ?? null]), async () => {
      const { rows } = await this.db.executeQuery<PlatformRow>(CompiledQuery.raw(FIND_LOGIN_PLATFORM_SQL, [issuer, clientId ?? null]));
      return rows;
    });
  }
}

/**
 * The platform a login initiation names, once its parameters are those of a login for this tool:
 * one read, shared by concurrent logins of the same platform.
 */
export async function findLoginPlatform(platforms: LoginPlatforms, params: LoginInitiation, options: { launchUrl: string }): Promise<Platform> {
  if (!params.iss || !params.login_hint || !params.target_link_uri) {
    throw new LtiRefusal('bad-login-request', 'iss, login_hint and target_link_uri are required');
  }
  if (!ownUrl(params.target_link_uri, options.launchUrl)) {
    throw new LtiRefusal('bad-login-request', `target_link_uri ${params.target_link_uri} is not this tool's launch URL`);
  }
  const rows = await platforms.rows(params.iss, params.client_id);
  if (rows.length !== 1) {
    throw new LtiRefusal('unknown-platform', `no platform registered for issuer ${params.iss}${params.client_id ? ` and client ${params.client_id}` : ''}`);
  }
  const platform = toPlatform(rows[0]!);
  if (params.lti_deployment_id && !platform.deploymentIds.includes(params.lti_deployment_id)) {
    throw new LtiRefusal('unknown-deployment', `deployment ${params.lti_deployment_id} is not registered for ${platform.issuer}`);
  }
  return platform;
}

/**
 * Answers a login initiation: finds the platform (see findLoginPlatform), seals state and nonce into
 * the state parameter, and builds the OIDC authentication request. login_hint and lti_message_hint
 * go back exactly as received (Moodle checks both).
 */
export async function startLogin(
  platforms: LoginPlatforms,
  states: LoginStates,
  params: LoginInitiation,
  options: { launchUrl: string; now?: Date },
): Promise<StartedLogin> {
  const platform = await findLoginPlatform(platforms, params, options);
  const nonce = token();
  const binding = token();
  const now = options.now ?? new Date();
  const loginParams = Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const state = states.seal({
    platformId: platform.id,
    nonce,
    bindingHash: hashBinding(binding),
    storageTarget: params.lti_storage_target ?? null,
    loginParams,
    expiresAt: now.getTime() + STATE_LIFETIME_MS,
  });

  const auth = new URL(platform.authEndpoint);
  const request: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: options.launchUrl,
    // findLoginPlatform refused a login without it.
    login_hint: params.login_hint!,
    state,
    nonce,
  };
  if (params.lti_message_hint !== undefined) request['lti_message_hint'] = params.lti_message_hint;
  for (const [name, value] of Object.entries(request)) auth.searchParams.set(name, value);
  return { platform, state, nonce, binding, authUrl: auth.toString(), storageTarget: params.lti_storage_target };
}

/** A login to claim: its state, and the subject its (not yet verified) id_token names. */
export interface LoginClaim {
  state: LoginState;
  subject: LaunchSubject | undefined;
}

/**
 * Claims logins whose browser binding matched: in one statement, each login's platform as it is now
 * and its nonce recorded as used (Security Framework §5.1.3: single use), before the id_token is
 * verified, so a login whose token is refused cannot be tried again with another. The same
 * statement reads what is known of the person, course and link the (not yet verified) token
 * names; recordLaunch uses that only for the very same subject once the token has verified.
 *
 * Claims that arrive while others are being written go to PostgreSQL together (group commit, see
 * db/group-commit.ts): one round trip and one WAL flush for all of them. Two claims of one nonce
 * are never in one statement: the later one waits for the next and finds the nonce used.
 */
export class LoginClaims {
  readonly #groups: GroupCommit<LoginClaim, ClaimedLogin>;

  constructor(db: Kysely<Schema>, options: { inFlight?: number; maxGroup?: number } = {}) {
    this.#groups = new GroupCommit((claims) => claimGroup(db, claims), {
      inFlight: options.inFlight ?? 4,
      maxWeight: options.maxGroup ?? 50,
      key: (claim) => `${claim.state.platformId}\u0000${claim.state.nonce}`,
    });
  }

  claim(state: LoginState, subject: LaunchSubject | undefined): Promise<ClaimedLogin> {
    return this.#groups.submit({ state, subject });
  }
}

async function claimGroup(db: Kysely<Schema>, claims: readonly LoginClaim[]): Promise<ClaimedLogin[]> {
  type Row = PlatformRow & { ord: number; recorded: boolean; known: KnownSnapshot | null };
  const input = claims.map(({ state, subject }, ord) => ({
    ord,
    platform_id: state.platformId,
    nonce: state.nonce,
    // Kept an hour past the login's expiry; a token carrying it could only be accepted together
    // with this (single-use) login anyway.
    expires_at: new Date(state.expiresAt + 60 * 60_000).toISOString(),
    sub: subject?.sub ?? null,
    context_id: subject?.contextId ?? null,
    link_id: subject?.resourceLinkId ?? null,
    kommunenummer: subject?.kommunenummer ?? null,
    ...subjectParameters(subject),
  }));
  const { rows } = await db.executeQuery<Row>(CompiledQuery.raw(CLAIM_LOGINS_SQL, [JSON.stringify(input)]));
  const byOrd = new Map(rows.map((row) => [row.ord, row]));
  return claims.map(({ subject }, ord) => {
    const row = byOrd.get(ord);
    if (!row) return { platform: undefined, nonceRecorded: false, known: undefined };
    return { platform: toPlatform(row), nonceRecorded: row.recorded, known: subject && row.known ? { subject, snapshot: row.known } : undefined };
  });
}

// Written once as SQL text: building them with the query builder cost more tool CPU per launch
// than the rest of the statement handling.
const FIND_LOGIN_PLATFORM_SQL = prepared(`
select ${PLATFORM_COLUMNS_SQL}
  from lti_platforms p
 where p.issuer = $1 and ($2::text is null or p.client_id = $2::text)
 limit 2`);

// One text for any number of claims (they arrive as one jsonb array): planned once per connection.
const CLAIM_LOGINS_SQL = prepared(`
with input as (
  select * from jsonb_to_recordset($1::jsonb)
    as i(ord int, platform_id uuid, nonce text, expires_at timestamptz, sub text, context_id text, link_id text, kommunenummer text,
         employee_number text, sourced_id text, email text, email_domain text, staff boolean)
), recorded as (
  insert into lti_nonces (platform_id, nonce, expires_at)
  select p.id, i.nonce, i.expires_at from input i join lti_platforms p on p.id = i.platform_id
  on conflict do nothing
  returning platform_id, nonce
)
select i.ord, platform.*, exists (select 1 from recorded r where r.platform_id = i.platform_id and r.nonce = i.nonce) as recorded, row_to_json(known) as known
  from input i
  join lateral (select ${PLATFORM_COLUMNS_SQL} from lti_platforms p where p.id = i.platform_id) as platform on true
  left join lateral (${snapshotSql({ platformTenant: 'platform.tenant_id', platform: 'platform.id', issuer: 'platform.issuer', sub: 'i.sub', context: 'i.context_id', link: 'i.link_id', kommunenummer: 'i.kommunenummer',
    employeeNumber: 'i.employee_number', sourcedId: 'i.sourced_id', email: 'i.email', emailDomain: 'i.email_domain', staff: 'i.staff' })}) as known on true`);

/** Removes recorded nonces whose time is past; run now and then. */
export async function purgeExpiredNonces(db: Kysely<Schema>, now = new Date()): Promise<void> {
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
