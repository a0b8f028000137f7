import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { XapiAuthenticator, type XapiClient, type XapiScope } from '../credentials.js';
import { XapiError } from '../errors.js';
import { StatementGroups } from '../statement-groups.js';
import { XapiInvalid } from '../validation/invalid.js';
import { StatementStatistics } from '../statement-statistics.js';
import { readerFor } from '../region-read.js';
import { parseVersion } from '../version.js';
import { unfoldAlternateSyntax } from './alternate-syntax.js';
import { LAUNCH_USER, LaunchCredentials, type LaunchScope } from '../launch-credentials.js';
import { WriteTracker, type AuthorisedRequest, type LaunchHooks, type LrsContext } from './context.js';
import { ACTIVITY_PROFILE, AGENT_PROFILE, STATE, handleDocuments } from './documents.js';
import { header, methodNotAllowed, NUL_REASON, type XapiMethod, type XapiRequest, type XapiResponse } from './request.js';
import { about, getActivity, getPerson } from './resources.js';
import { getStatements } from './statements-read.js';
import { postStatements, putStatement } from './statements-write.js';

/** A request as it came off the wire, before xAPI rules are applied. */
export interface RawXapiRequest {
  method: string;
  /** Path below /xapi/, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** The client's network address (behind a trusted proxy, the one it forwarded), for the brake on guessing secrets. */
  clientAddress: string;
}

const READ_SCOPES: readonly XapiScope[] = ['statements/read', 'statements/read/mine', 'all/read', 'all'];

/** Which scopes let a client make a request (Part Three §4.2). */
function scopesFor(resource: string, method: XapiMethod): readonly XapiScope[] {
  const reading = method === 'GET' || method === 'HEAD';
  if (resource === 'statements') return reading ? READ_SCOPES : ['statements/write', 'all'];
  if (resource === 'activities/state') return reading ? ['state', 'all/read', 'all'] : ['state', 'all'];
  if (resource.endsWith('/profile')) return reading ? ['profile', 'all/read', 'all'] : ['profile', 'all'];
  return [...READ_SCOPES, 'profile', 'state'];
}

export function basicCredentials(value: string | undefined): { key: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // No key holds U+0000, and the database could not even look one up.
  return colon < 0 || decoded.slice(0, colon).includes('\0') ? undefined : { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

const PROGRAM_LIMIT_EXCEEDED = '54000';

const RESOURCES = new Set(['statements', 'activities/state', 'activities/profile', 'agents/profile', 'activities', 'agents', 'about']);

/** The Learning Record Store: takes wire requests, applies the xAPI 1.0.3 or 2.0 rules, answers. */
export class Lrs {
  readonly context: LrsContext;
  readonly #authenticator: XapiAuthenticator;
  /** Launch credentials are accepted only when the LRS has the secret they are signed with. */
  readonly #launches: LaunchCredentials | undefined;

  /** `now` is the clock of the login throttle, the client cache and launch credentials (tests set it). */
  constructor(options: { db: Kysely<Schema>; publicUrl: string; maxPageSize?: number; now?: () => number; launchSecret?: string; launchHooks?: LaunchHooks }) {
    this.context = {
      db: options.db,
      publicUrl: options.publicUrl,
      basePath: new URL(options.publicUrl).pathname.replace(/\/+$/, ''),
      tracker: new WriteTracker(),
      statementGroups: new StatementGroups(options.db),
      statistics: new StatementStatistics(options.db),
      maxPageSize: options.maxPageSize ?? 500,
      launchHooks: options.launchHooks ?? {},
    };
    this.#authenticator = new XapiAuthenticator(options.db, options.now);
    this.#launches = options.launchSecret === undefined ? undefined : new LaunchCredentials(options.db, options.launchSecret, options.now);
  }

  /** Issues and renews launch credentials (the learner pages use it); undefined without a launch secret. */
  get launchCredentials(): LaunchCredentials | undefined {
    return this.#launches;
  }

  async handle(raw: RawXapiRequest): Promise<XapiResponse> {
    const request = this.#unfold(raw);
    for (const [name, value] of request.params) if (value.includes('\0')) throw new XapiInvalid(name, NUL_REASON);
    if (!RESOURCES.has(request.resource)) throw new XapiError('not-found', `There is no xAPI resource /xapi/${request.resource}.`);
    if (request.resource === 'about') {
      if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed(request);
      return about(request);
    }
    const versionHeader = header(request, 'x-experience-api-version');
    if (versionHeader === undefined) throw new XapiError('bad-request', 'The X-Experience-API-Version header is required.');
    const version = parseVersion(versionHeader);
    if (!version) throw new XapiError('bad-request', `X-Experience-API-Version ${versionHeader} is not supported; this LRS speaks 1.0.x (1.0.3) and 2.0.x (2.0.0).`);
    if (request.alternateSyntax && (version === '2.0' || parseVersion(raw.headers['x-experience-api-version']) === '2.0')) {
      throw new XapiError('bad-request', 'xAPI 2.0 has no alternate request syntax: send the method, headers and body as they are.');
    }
    const { client, launch } = await this.#authenticate(request, raw.clientAddress);
    // cmi5 §11: an AU reads the learner preferences agent profile (documents.ts keeps it to that one document).
    const cmi5Profile = launch?.cmi5SessionId !== undefined && request.resource === 'agents/profile';
    if (launch && request.resource !== 'statements' && request.resource !== 'activities/state' && !cmi5Profile) {
      throw new XapiError('forbidden', `A launch credential reaches only /xapi/statements and /xapi/activities/state, not /xapi/${request.resource}.`);
    }
    const needed = scopesFor(request.resource, request.method);
    if (!cmi5Profile && !client.scopes.some((scope) => needed.includes(scope))) {
      throw new XapiError('forbidden', `These credentials lack the scope for ${request.method} /xapi/${request.resource} (one of: ${needed.join(', ')}).`);
    }
    const reader = launch ? { client, publicUrl: this.context.publicUrl, tenantIds: [client.tenantId], launch } : await readerFor(this.context.db, client, this.context.publicUrl);
    try {
      return await this.#dispatch({ context: this.context, reader, version }, request);
    } catch (error) {
      // An identifier the database cannot index (a B-tree entry holds about 2,700 bytes): the write is rolled back whole.
      if ((error as { code?: unknown }).code === PROGRAM_LIMIT_EXCEEDED) {
        throw new XapiError('bad-request', 'An identifier in the request (an IRI, an agent, a document id) is too long for this LRS to index: keep each well under 2,000 bytes.');
      }
      throw error;
    }
  }

  #unfold(raw: RawXapiRequest): XapiRequest {
    const resource = raw.path.replace(/^\/+|\/+$/g, '');
    if (raw.method === 'POST' && raw.query.has('method')) {
      return { resource, ...unfoldAlternateSyntax(raw.query, raw.headers, raw.body), alternateSyntax: true };
    }
    const method = raw.method.toUpperCase() as XapiMethod;
    if (!['GET', 'HEAD', 'PUT', 'POST', 'DELETE'].includes(method)) {
      throw new XapiError('method-not-allowed', `${raw.method} is not an xAPI method.`);
    }
    const params = new Map<string, string>();
    for (const [name, value] of raw.query) {
      if (params.has(name)) throw new XapiError('bad-request', `The parameter ${name} is given twice.`);
      params.set(name, value);
    }
    return { method, resource, params, headers: raw.headers, body: raw.body };
  }

  async #authenticate(request: XapiRequest, address: string): Promise<{ client: XapiClient; launch?: LaunchScope }> {
    const credentials = basicCredentials(header(request, 'authorization'));
    if (!credentials) throw new XapiError('unauthorized', 'Send the client key and secret with HTTP Basic authentication.');
    if (credentials.key === LAUNCH_USER && this.#launches) {
      const { client, scope } = await this.#launches.authenticate(credentials.secret);
      return { client, launch: scope };
    }
    const client = await this.#authenticator.authenticate(credentials.key, credentials.secret, address);
    if (!client) throw new XapiError('unauthorized', 'The client key or secret is wrong, or the client is revoked.');
    return { client };
  }

  #dispatch(auth: AuthorisedRequest, request: XapiRequest): Promise<XapiResponse> {
    switch (request.resource) {
      case 'statements':
        if (request.method === 'GET' || request.method === 'HEAD') return getStatements(auth, request);
        if (request.method === 'POST') return postStatements(auth, request);
        if (request.method === 'PUT') return putStatement(auth, request);
        return methodNotAllowed(request);
      case 'activities/state':
        return handleDocuments(STATE, auth, request);
      case 'activities/profile':
        return handleDocuments(ACTIVITY_PROFILE, auth, request);
      case 'agents/profile':
        return handleDocuments(AGENT_PROFILE, auth, request);
      case 'activities':
        if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed(request);
        return getActivity(auth, request);
      default:
        if (request.method !== 'GET' && request.method !== 'HEAD') methodNotAllowed(request);
        return getPerson(auth, request);
    }
  }
}
