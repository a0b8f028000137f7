import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { CLAIM, SCOPE } from '../lti/claims.js';
import { generateRsaKey, importPrivateKey } from '../lti/rsa-keys.js';
import { derivedKey, SecretBox } from '../lti/secret-box.js';

export const DEV_ROLES = ['learner', 'designer', 'manager', 'admin'] as const;
export type DevRole = (typeof DEV_ROLES)[number];

export interface DevUser {
  id: string;
  name: string;
  givenName: string;
  familyName: string;
  email: string;
  roles: string[];
}

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';

/** The people of the development course, one per role, with the LIS roles a Moodle would send. */
export const DEV_USERS: Record<DevRole, DevUser> = {
  learner: { id: '101', name: 'Kari Nordmann', givenName: 'Kari', familyName: 'Nordmann', email: 'kari.nordmann@kongsberg.kommune.example', roles: [`${LIS}membership#Learner`] },
  designer: { id: '102', name: 'Ola Normann', givenName: 'Ola', familyName: 'Normann', email: 'ola.normann@kongsberg.kommune.example', roles: [`${LIS}membership#Instructor`, `${LIS}institution/person#Staff`] },
  manager: { id: '103', name: 'Ingrid Leder', givenName: 'Ingrid', familyName: 'Leder', email: 'ingrid.leder@kongsberg.kommune.example', roles: [`${LIS}membership#Mentor`] },
  admin: { id: '104', name: 'Per Admin', givenName: 'Per', familyName: 'Admin', email: 'per.admin@kongsberg.kommune.example', roles: [`${LIS}system/person#Administrator`, `${LIS}membership#Instructor`] },
};

/** A second learner of the course, to try two people on one path. */
export const DEV_SECOND_LEARNER: DevUser = {
  id: '105', name: 'Per Hansen', givenName: 'Per', familyName: 'Hansen', email: 'per.hansen@kongsberg.kommune.example', roles: [`${LIS}membership#Learner`],
};

/** The user a launch is made as: the role's user, or the second learner for `learner2`. */
function devUser(role: DevRole, second: boolean): DevUser {
  return role === 'learner' && second ? DEV_SECOND_LEARNER : DEV_USERS[role];
}

export const DEV_COURSE = { id: 'dev-course-1', label: 'FH-101', title: 'Førstehjelp for ansatte (utviklings-LMS)' };
export const DEV_RESOURCE_LINK = { id: 'dev-link-1', title: 'Førstehjelp – grunnkurs' };
export const DEV_CLIENT_ID = 'laeringslop-dev-lms';
export const DEV_DEPLOYMENT_ID = 'dev-deployment-1';
/** The municipality launches are made in unless another is chosen: Kongsberg. */
export const DEV_DEFAULT_KOMMUNENUMMER = '3303';

/**
 * The client id the tool knows the development LMS by in a municipality. A platform is registered
 * for one tenant, so the LMS has a registration per municipality chosen on its page, as a platform
 * serving several municipalities would; Kongsberg keeps the first one.
 */
/**
 * The launch choice for the region's shared registration (like KS Læring): the launch names no
 * municipality, and the tool places it by the e-mail domain.
 */
export const DEV_REGION_CHOICE = 'region';

export function devClientId(kommunenummer: string): string {
  return kommunenummer === DEV_DEFAULT_KOMMUNENUMMER ? DEV_CLIENT_ID : `${DEV_CLIENT_ID}-${kommunenummer}`;
}

const isDevClientId = (value: unknown): value is string => typeof value === 'string' && (value === DEV_CLIENT_ID || /^laeringslop-dev-lms-(?:\d{4}|region)$/.test(value));

/** What the person on the development LMS's page chose: the municipality and the language. */
export interface LaunchChoice {
  kommunenummer?: string;
  locale?: string;
}

/** A link in the development course: the default one, or one placed with Deep Linking. */
export interface DevLink {
  id: string;
  title: string;
  custom: Record<string, string>;
}

interface PendingLaunch {
  userId: string;
  role: DevRole;
  messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  /** The course link launched (resource-link launches); the default link when not given. */
  linkId?: string;
  /** Launch as the course's second learner. */
  secondLearner?: boolean;
  /** The municipality (sent as the custom parameter kommunenummer) and the locale sent. */
  kommunenummer: string;
  locale?: string;
  expiresAt: number;
}

export interface DevLmsOptions {
  db: Kysely<Schema>;
  /** Where the LMS answers, e.g. http://localhost:3000/dev/lms; also its issuer. */
  baseUrl: string;
  /** The tool's public URL (login, launch and JWKS are found below it). */
  toolUrl: string;
  secret: string;
  /** The locale launches send unless the page's language is given with the launch. */
  locale?: string;
}

/**
 * A real LTI 1.3 platform for development and tests: its own RSA key and JWKS, an OIDC
 * authorization endpoint that signs id_tokens with real claims, a token endpoint that accepts the
 * tool's JWT client assertion, line items and scores (stored), and members with paging.
 */
export class DevLms {
  readonly issuer: string;
  readonly #pending = new Map<string, PendingLaunch>();
  /** Launch ids already authorized, until they would have expired: a second use is refused. */
  readonly #used = new Map<string, number>();
  readonly #accessKey: Uint8Array;
  readonly #box: SecretBox;
  readonly #toolJwks: ReturnType<typeof createRemoteJWKSet>;
  #key: Promise<{ kid: string; key: CryptoKey; publicJwk: JWK }> | undefined;

  constructor(readonly options: DevLmsOptions) {
    this.issuer = options.baseUrl;
    this.#accessKey = derivedKey(options.secret, 'dev-lms-access');
    this.#box = new SecretBox(options.secret, 'dev-lms-key');
    this.#toolJwks = createRemoteJWKSet(new URL(`${options.toolUrl}/lti/jwks`), { cooldownDuration: 1000 });
  }

  get endpoints() {
    const base = this.options.baseUrl;
    return {
      auth: `${base}/auth`,
      token: `${base}/token`,
      jwks: `${base}/jwks`,
      deepLinkReturn: `${base}/deep-link-return`,
      lineItems: `${base}/courses/${DEV_COURSE.id}/lineitems?type_id=1`,
      members: `${base}/courses/${DEV_COURSE.id}/members`,
    };
  }

  async signingKey(): Promise<{ kid: string; key: CryptoKey; publicJwk: JWK }> {
    this.#key ??= (async () => {
      const db = this.options.db;
      let row = await db.selectFrom('dev_lms_keys').select(['kid', 'public_jwk', 'private_key_encrypted']).orderBy('created_at', 'desc').executeTakeFirst();
      if (!row) {
        const generated = await generateRsaKey();
        row = { kid: generated.kid, public_jwk: generated.publicJwk as Record<string, unknown>, private_key_encrypted: this.#box.seal(generated.privatePem) };
        await db.insertInto('dev_lms_keys').values({ ...row, public_jwk: JSON.stringify(row.public_jwk) }).execute();
      }
      return { kid: row.kid, key: await importPrivateKey(this.#box.open(row.private_key_encrypted)), publicJwk: row.public_jwk as JWK };
    })();
    return this.#key;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.signingKey()).publicJwk] };
  }

  /** The login initiation a click on "launch as …" sends to the tool (Moodle's shape of hints). */
  startLaunch(role: DevRole, messageType: PendingLaunch['messageType'] = 'LtiResourceLinkRequest', storageTarget?: string, linkId?: string, secondLearner = false, choice: LaunchChoice = {}): string {
    const launchId = randomUUID();
    const user = devUser(role, secondLearner);
    const kommunenummer = choice.kommunenummer ?? DEV_DEFAULT_KOMMUNENUMMER;
    this.#pending.set(launchId, {
      userId: user.id, role, messageType, ...(linkId ? { linkId } : {}), secondLearner, kommunenummer, ...(choice.locale ? { locale: choice.locale } : {}), expiresAt: Date.now() + 10 * 60_000,
    });
    const url = new URL(`${this.options.toolUrl}/lti/login`);
    url.searchParams.set('iss', this.issuer);
    url.searchParams.set('login_hint', user.id);
    url.searchParams.set('target_link_uri', `${this.options.toolUrl}/lti/launch`);
    url.searchParams.set('lti_message_hint', JSON.stringify({ cmid: 7, launchid: launchId }));
    url.searchParams.set('client_id', devClientId(kommunenummer));
    url.searchParams.set('lti_deployment_id', DEV_DEPLOYMENT_ID);
    if (storageTarget) url.searchParams.set('lti_storage_target', storageTarget);
    return url.toString();
  }

  /**
   * The OIDC authorization endpoint (LTI 1.3 Core §5.1.1.2): checks the request the way Moodle's
   * auth.php does and returns the form_post fields, or an OAuth error.
   */
  async authorize(query: Record<string, string | undefined>): Promise<{ redirectUri: string; fields: Record<string, string> }> {
    const fail = (error: string, description: string): never => {
      throw new DevLmsError(error, description);
    };
    if (query['scope'] !== 'openid') fail('invalid_scope', 'scope must be openid');
    if (query['response_type'] !== 'id_token') fail('unsupported_response_type', 'response_type must be id_token');
    if (query['response_mode'] !== 'form_post') fail('invalid_request', 'response_mode must be form_post');
    if (query['prompt'] !== 'none') fail('invalid_request', 'prompt must be none');
    if (!isDevClientId(query['client_id'])) fail('unauthorized_client', 'unknown client_id');
    if (query['redirect_uri'] !== `${this.options.toolUrl}/lti/launch`) fail('invalid_request', 'redirect_uri is not registered');
    if (!query['nonce'] || !query['state']) fail('invalid_request', 'nonce and state are required');
    let hint: { launchid?: string } = {};
    try {
      hint = JSON.parse(query['lti_message_hint'] ?? '') as { launchid?: string };
    } catch {
      fail('invalid_request', 'lti_message_hint is not the one sent');
    }
    const now = Date.now();
    for (const [id, expiresAt] of this.#used) if (expiresAt < now) this.#used.delete(id);
    // Moodle keeps each launch in the session only until its login is answered: a second use of
    // the same lti_message_hint is refused with "Invalid request".
    if (hint.launchid && this.#used.has(hint.launchid)) fail('invalid_request', 'Invalid request: this login (lti_message_hint) was already used');
    const pending = hint.launchid ? this.#pending.get(hint.launchid) : undefined;
    if (!pending || pending.expiresAt < now || pending.userId !== query['login_hint']) fail('login_required', 'login_hint does not match the launch');
    if (query['client_id'] !== devClientId(pending!.kommunenummer)) fail('unauthorized_client', 'client_id is not the one of the launch');
    this.#pending.delete(hint.launchid!);
    this.#used.set(hint.launchid!, pending!.expiresAt);
    const idToken = await this.idToken(pending!, query['nonce']!);
    return { redirectUri: query['redirect_uri']!, fields: { id_token: idToken, state: query['state']! } };
  }

  /** The claims Moodle 4.x sends, with this course, link and the AGS/NRPS/deep-linking claims. */
  async idToken(launch: Pick<PendingLaunch, 'role' | 'messageType' | 'linkId' | 'secondLearner'> & Partial<Pick<PendingLaunch, 'kommunenummer' | 'locale'>>, nonce: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const kommunenummer = launch.kommunenummer ?? DEV_DEFAULT_KOMMUNENUMMER;
    const locale = launch.locale ?? this.options.locale ?? 'nb';
    const user = devUser(launch.role, launch.secondLearner === true);
    const e = this.endpoints;
    const link = launch.linkId ? await this.findLink(launch.linkId) : undefined;
    if (launch.linkId && !link) throw new DevLmsError('invalid_request', `no link ${launch.linkId} in the course`);
    const claims: Record<string, unknown> = {
      nonce,
      name: user.name,
      given_name: user.givenName,
      family_name: user.familyName,
      email: user.email,
      locale,
      [CLAIM.messageType]: launch.messageType,
      [CLAIM.version]: '1.3.0',
      [CLAIM.deploymentId]: DEV_DEPLOYMENT_ID,
      [CLAIM.targetLinkUri]: `${this.options.toolUrl}/lti/launch`,
      [CLAIM.roles]: user.roles,
      [CLAIM.context]: { ...DEV_COURSE, type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [CLAIM.toolPlatform]: { guid: 'dev-lms', name: 'Utviklings-LMS', product_family_code: 'laeringslop-dev-lms', version: '1' },
      [CLAIM.launchPresentation]: { locale, document_target: 'iframe', return_url: `${this.options.baseUrl}` },
      [CLAIM.custom]: { ...(kommunenummer === DEV_REGION_CHOICE ? {} : { kommunenummer }), ...(link?.custom ?? {}) },
      [CLAIM.ags]: { scope: [SCOPE.lineItem, SCOPE.lineItemReadOnly, SCOPE.score, SCOPE.resultReadOnly], lineitems: e.lineItems },
      [CLAIM.nrps]: { context_memberships_url: e.members, service_versions: ['2.0'] },
      ...overrides,
    };
    if (launch.messageType === 'LtiResourceLinkRequest') {
      claims[CLAIM.resourceLink] = link ? { id: link.id, title: link.title } : DEV_RESOURCE_LINK;
    } else {
      claims[CLAIM.deepLinkingSettings] = {
        // The return page leads back to the course page in the municipality and language launched from.
        deep_link_return_url: `${e.deepLinkReturn}?${new URLSearchParams({ kommune: kommunenummer, lang: locale }).toString()}`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        accept_multiple: false,
        auto_create: true,
        data: `dl-${randomUUID()}`,
      };
    }
    const { kid, key } = await this.signingKey();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(user.id)
      .setAudience(devClientId(kommunenummer))
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(key);
  }

  /** Token endpoint (Security Framework §4.1): client_credentials with the tool's signed assertion. */
  async token(form: Record<string, string | undefined>): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    if (form['grant_type'] !== 'client_credentials') throw new DevLmsError('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form['client_assertion_type'] !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !form['client_assertion']) {
      throw new DevLmsError('invalid_client', 'a JWT client assertion is required');
    }
    try {
      // Security Framework §4.1.1: iss and sub are the client id, one of this LMS's registrations.
      const { payload } = await jwtVerify(form['client_assertion'], this.#toolJwks, { algorithms: ['RS256'], audience: this.endpoints.token });
      if (!isDevClientId(payload.iss) || payload.sub !== payload.iss) throw new Error(`iss ${String(payload.iss)} and sub must be a client id of this LMS`);
    } catch (error) {
      throw new DevLmsError('invalid_client', `client assertion refused: ${(error as Error).message}`);
    }
    const allowed = new Set<string>([SCOPE.lineItem, SCOPE.lineItemReadOnly, SCOPE.score, SCOPE.resultReadOnly, SCOPE.nrps]);
    const scope = (form['scope'] ?? '').split(' ').filter((s) => allowed.has(s)).join(' ');
    const accessToken = await new SignJWT({ scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(this.issuer)
      .setExpirationTime('1h')
      .sign(this.#accessKey);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope };
  }

  /** Checks a bearer token and that it carries the scope a service needs. */
  async authorizeService(authorization: string | undefined, scope: string): Promise<void> {
    if (!authorization?.startsWith('Bearer ')) throw new DevLmsError('invalid_token', 'a bearer token is required', 401);
    try {
      const { payload } = await jwtVerify(authorization.slice(7), this.#accessKey, { issuer: this.issuer, algorithms: ['HS256'] });
      if (!String(payload['scope']).split(' ').includes(scope)) throw new Error(`scope ${scope} not granted`);
    } catch (error) {
      throw new DevLmsError('invalid_token', (error as Error).message, 401);
    }
  }

  /** The links placed in the course (with Deep Linking or by the demo set-up), oldest first. */
  async listLinks(): Promise<DevLink[]> {
    const rows = await this.options.db.selectFrom('dev_lms_links').select(['id', 'title', 'custom']).where('context_id', '=', DEV_COURSE.id).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, title: r.title, custom: r.custom }));
  }

  async findLink(id: string): Promise<DevLink | undefined> {
    const row = await this.options.db.selectFrom('dev_lms_links').select(['id', 'title', 'custom']).where('context_id', '=', DEV_COURSE.id).where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, title: row.title, custom: row.custom } : undefined;
  }

  /** Places a link in the course; `id` given keeps it stable (the demo link), else one is made. */
  async addLink(input: { id?: string; title: string; custom: Record<string, string> }): Promise<DevLink> {
    const link = { id: input.id ?? `dev-link-${randomUUID().slice(0, 8)}`, title: input.title, custom: input.custom };
    await this.options.db
      .insertInto('dev_lms_links')
      .values({ id: link.id, context_id: DEV_COURSE.id, title: link.title, custom: JSON.stringify(link.custom) })
      .onConflict((oc) => oc.column('id').doUpdateSet({ title: link.title, custom: JSON.stringify(link.custom) }))
      .execute();
    return link;
  }

  /** Verifies the tool's deep-linking response (Deep Linking 2.0 §4.2). */
  async readDeepLinkResponse(jwt: string): Promise<Record<string, unknown>> {
    // A missing or unverifiable JWT is the sender's mistake (400), not the LMS's.
    const { payload } = await jwtVerify(jwt, this.#toolJwks, { algorithms: ['RS256'], audience: this.issuer }).catch((error: unknown) => {
      throw new DevLmsError('invalid_request', `the deep-linking response JWT is refused: ${(error as Error).message}`);
    });
    if (!isDevClientId(payload.iss)) throw new DevLmsError('invalid_request', 'the deep-linking response is not from a client of this LMS');
    if (payload[CLAIM.messageType] !== 'LtiDeepLinkingResponse') throw new DevLmsError('invalid_request', 'not a deep-linking response');
    return payload as Record<string, unknown>;
  }
}

export class DevLmsError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(`${error}: ${description}`);
  }
}
