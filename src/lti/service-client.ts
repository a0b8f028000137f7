import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Platform } from './platforms.js';
import type { ToolKeys } from './tool-keys.js';

/** An error from a platform service; `retryable` is false when retrying cannot help. */
export class PlatformServiceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PlatformServiceError';
  }
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Calls LTI Advantage services as the tool: gets an access token with the client-credentials grant
 * and a JWT client assertion signed with the tool's key (1EdTech Security Framework §4.1), caches
 * it until shortly before it expires, and sends the requests.
 */
export class ServiceClient {
  readonly #tokens = new Map<string, CachedToken>();

  constructor(
    private readonly toolKeys: ToolKeys,
    private readonly timeoutMs = 10_000,
  ) {}

  async accessToken(platform: Platform, scopes: readonly string[]): Promise<string> {
    const cacheKey = `${platform.id} ${[...scopes].sort().join(' ')}`;
    const cached = this.#tokens.get(cacheKey);
    if (cached && cached.expiresAt > Date.now() + 30_000) return cached.token;
    const { kid, key } = await this.toolKeys.signingKey();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setSubject(platform.clientId)
      .setAudience(platform.tokenEndpoint)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(key);
    const response = await this.#fetch(platform.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: scopes.join(' '),
      }),
    });
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new PlatformServiceError(`no access_token from ${platform.tokenEndpoint}`, true);
    this.#tokens.set(cacheKey, { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 });
    return body.access_token;
  }

  /** A request to a service URL with a bearer token; non-2xx answers become PlatformServiceErrors. */
  async request(platform: Platform, scopes: readonly string[], url: string, init: RequestInit): Promise<Response> {
    const token = await this.accessToken(platform, scopes);
    try {
      return await this.#fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
    } catch (error) {
      // A token the platform no longer accepts (revoked, platform restarted): fetch a new one next time.
      if (error instanceof PlatformServiceError && error.status === 401) {
        for (const key of this.#tokens.keys()) if (key.startsWith(`${platform.id} `)) this.#tokens.delete(key);
      }
      throw error;
    }
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new PlatformServiceError(`${url} unreachable: ${(error as Error).message}`, true);
    }
    if (!response.ok) {
      const text = (await response.text()).slice(0, 300);
      // 4xx other than 408/429 will not change by retrying; 5xx and throttling may.
      const retryable = response.status >= 500 || response.status === 408 || response.status === 429 || response.status === 401;
      throw new PlatformServiceError(`HTTP ${response.status} from ${url}: ${text}`, retryable, response.status);
    }
    return response;
  }
}

/**
 * A service URL with a path appended before its query string: Moodle's line item
 * `…/lineitems/12/lineitem?type_id=1` has its scores at `…/lineitems/12/lineitem/scores?type_id=1`
 * (AGS 2.0 §3.4 leaves the form of the URL to the platform).
 */
export function appendPath(serviceUrl: string, segment: string): string {
  const url = new URL(serviceUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + segment;
  return url.toString();
}
