import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { XapiClient, XapiScope } from './credentials.js';
import { XapiError } from './errors.js';

/**
 * Credentials for xAPI content launched by the tool ("Tin Can launch", Rustici's launch.md): the
 * `auth` launch parameter is `Basic base64("launch:<token>")`, which the content sends as its
 * Authorization header. The token names one credential row; the row scopes it to one actor, one
 * registration and one package's activities, and says when it stops: after `LAUNCH_IDLE_MS`
 * without use (each use and the player's keep-alive renew it), at `expires_at` whatever happens,
 * and from `closes_at`, when the attempt ends.
 *
 * It is never the municipality's own client: every tenant has one content-launch client (key
 * `launch:<tenant id>`) that the credentials act as (the statements' authority), whose key cannot
 * be used with Basic and whose secret hash matches no secret.
 */

/** The Basic user name that marks a launch credential (no client key is this: keys are 24 hex digits). */
export const LAUNCH_USER = 'launch';
export const LAUNCH_IDLE_MS = 30 * 60_000;
export const LAUNCH_MAX_MS = 12 * 3600_000;
/** A credential is renewed at most once a minute, so a busy course costs no write per statement. */
const RENEW_STEP_MS = 60_000;

const LAUNCH_SCOPES: readonly XapiScope[] = ['statements/write', 'statements/read/mine', 'state'];
const ISSUER = 'laeringslop';
const AUDIENCE = 'xapi-launch';

/** What a launch credential may touch. */
export interface LaunchScope {
  readonly credentialId: string;
  readonly registration: string;
  /** agentKey() of the one actor. */
  readonly actorKey: string;
  readonly courseActivityId: string;
  readonly activityIds: ReadonlySet<string>;
  /** A cmi5 AU session's credential (src/cmi5/): the LRS applies the cmi5 statement rules. */
  readonly cmi5SessionId?: string;
}

export interface LaunchGrant {
  /** The `auth` launch parameter: the whole Authorization header value. */
  readonly auth: string;
  readonly credentialId: string;
  readonly expiresAt: Date;
}

export interface LaunchRequest {
  readonly tenantId: string;
  readonly actorKey: string;
  readonly registration: string;
  readonly courseActivityId: string;
  readonly activityIds: readonly string[];
  readonly cmi5SessionId?: string;
}

/** A new credential for a registration that has closed: the caller starts a new registration. */
export class LaunchClosedError extends Error {}

/** Whether an activity id is within the scope: listed, or under the course activity (`<id>/…`, `#…`, `?…`). */
export function inLaunchScope(scope: Pick<LaunchScope, 'courseActivityId' | 'activityIds'>, activityId: string): boolean {
  const course = scope.courseActivityId;
  if (activityId === course || scope.activityIds.has(activityId)) return true;
  return activityId.startsWith(course) && /^[/#?]/.test(activityId.slice(course.length));
}

/** The key of a tenant's content-launch client; no Basic client key has a ':' (they are hex). */
export function launchClientKey(tenantId: string): string {
  return `launch:${tenantId}`;
}

/** The tenant's content-launch client, created the first time it is needed (the unique key makes two at once one). */
async function launchClient(db: Kysely<Schema>, tenantId: string): Promise<XapiClient> {
  const find = () => db
    .selectFrom('xapi_clients')
    .select(['id', 'tenant_id', 'name', 'key', 'created_at'])
    .where('key', '=', launchClientKey(tenantId))
    .executeTakeFirst();
  let row = await find();
  if (!row) {
    await db
      .insertInto('xapi_clients')
      // '!' is no scrypt hash, so no secret ever verifies; the ':' in the key keeps it out of Basic anyway.
      .values({ tenant_id: tenantId, name: 'Læringsløp xAPI-innhold', key: launchClientKey(tenantId), secret_hash: '!', scopes: [...LAUNCH_SCOPES] })
      .onConflict((oc) => oc.doNothing())
      .execute();
    row = await find();
  }
  if (!row) throw new Error(`no content-launch client for tenant ${tenantId}`);
  return { id: row.id, tenantId: row.tenant_id, name: row.name, key: row.key, scopes: LAUNCH_SCOPES, createdAt: row.created_at, revokedAt: null, readsMemberStatements: false };
}

export class LaunchCredentials {
  readonly #key: Uint8Array;
  readonly #clients = new Map<string, Promise<XapiClient>>();

  constructor(
    private readonly db: Kysely<Schema>,
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = new Uint8Array(hkdfSync('sha256', secret, 'laeringslop', 'xapi-launch-credential', 32));
  }

  #client(tenantId: string): Promise<XapiClient> {
    let client = this.#clients.get(tenantId);
    if (!client) {
      client = launchClient(this.db, tenantId);
      client.catch(() => this.#clients.delete(tenantId));
      this.#clients.set(tenantId, client);
    }
    return client;
  }

  /** A new credential for a launch. Refused (LaunchClosedError) when the registration has closed. */
  async issue(request: LaunchRequest): Promise<LaunchGrant> {
    const now = new Date(this.now());
    // A cmi5 registration outlives its sessions: each session's credential ends on its own.
    const closed = request.cmi5SessionId !== undefined ? undefined : await this.db
      .selectFrom('xapi_launch_credentials')
      .select('id')
      .where('tenant_id', '=', request.tenantId)
      .where('registration', '=', request.registration)
      .where('closes_at', '<=', now)
      .executeTakeFirst();
    if (closed) throw new LaunchClosedError(`registration ${request.registration} has closed`);
    const client = await this.#client(request.tenantId);
    const expiresAt = new Date(now.getTime() + LAUNCH_MAX_MS);
    const row = await this.db
      .insertInto('xapi_launch_credentials')
      .values({
        tenant_id: request.tenantId,
        client_id: client.id,
        actor_key: request.actorKey,
        registration: request.registration,
        course_activity_id: request.courseActivityId,
        activity_ids: [...new Set(request.activityIds)],
        cmi5_session_id: request.cmi5SessionId ?? null,
        issued_at: now,
        idle_until: new Date(now.getTime() + LAUNCH_IDLE_MS),
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const token = await new SignJWT({ tid: request.tenantId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(row.id)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.#key);
    return { auth: `Basic ${Buffer.from(`${LAUNCH_USER}:${token}`).toString('base64')}`, credentialId: row.id, expiresAt };
  }

  async #claims(token: string): Promise<{ credentialId: string; tenantId: string } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(this.now()), clockTolerance: 5,
      });
      return typeof payload.sub === 'string' && typeof payload['tid'] === 'string' ? { credentialId: payload.sub, tenantId: payload['tid'] } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The client and scope of a live credential; 401 for one that is unknown, expired or whose attempt has ended. */
  async authenticate(token: string): Promise<{ client: XapiClient; scope: LaunchScope }> {
    const claims = await this.#claims(token);
    if (!claims) throw new XapiError('unauthorized', 'The launch credential is not valid, or it has expired.');
    const row = await this.db
      .selectFrom('xapi_launch_credentials')
      .selectAll()
      .where('id', '=', claims.credentialId)
      .where('tenant_id', '=', claims.tenantId)
      .executeTakeFirst();
    if (!row) throw new XapiError('unauthorized', 'The launch credential is not valid.');
    const now = this.now();
    if (row.closes_at && row.closes_at.getTime() <= now) throw new XapiError('unauthorized', 'The attempt this launch credential was issued for has ended; launch the course again.');
    if (row.idle_until.getTime() <= now || row.expires_at.getTime() <= now) throw new XapiError('unauthorized', 'The launch credential has expired; launch the course again.');
    if (row.idle_until.getTime() - now < LAUNCH_IDLE_MS - RENEW_STEP_MS) await this.#renew(row.id, row.tenant_id);
    return {
      client: await this.#client(row.tenant_id),
      scope: {
        credentialId: row.id,
        registration: row.registration,
        actorKey: row.actor_key,
        courseActivityId: row.course_activity_id,
        activityIds: new Set(row.activity_ids),
        ...(row.cmi5_session_id ? { cmi5SessionId: row.cmi5_session_id } : {}),
      },
    };
  }

  async #renew(credentialId: string, tenantId: string): Promise<boolean> {
    const until = new Date(this.now() + LAUNCH_IDLE_MS);
    const result = await this.db
      .updateTable('xapi_launch_credentials')
      .set({ idle_until: sql<Date>`least(${until}::timestamptz, expires_at)` })
      .where('id', '=', credentialId)
      .where('tenant_id', '=', tenantId)
      .where('idle_until', '>', new Date(this.now()))
      .where((eb) => eb.or([eb('closes_at', 'is', null), eb('closes_at', '>', new Date(this.now()))]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * The keep-alive of a long session (the player calls it while the course is open, also when the
   * content sends nothing for a while): true when the credential was live and is renewed.
   */
  renew(tenantId: string, credentialId: string): Promise<boolean> {
    return this.#renew(credentialId, tenantId);
  }
}

/** Ends an attempt: every credential of the registration is refused from `at` on. */
export async function closeLaunchRegistration(db: Kysely<Schema>, tenantId: string, registration: string, at: Date): Promise<void> {
  await db
    .updateTable('xapi_launch_credentials')
    .set({ closes_at: at })
    .where('tenant_id', '=', tenantId)
    .where('registration', '=', registration)
    .where((eb) => eb.or([eb('closes_at', 'is', null), eb('closes_at', '>', at)]))
    .execute();
}
