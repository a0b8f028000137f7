import { SCOPE } from './claims.js';
import { LtiRefusal } from './refusal.js';
import { toolEndpoints } from './tool-config.js';
import type { PlatformRegistration } from './platforms.js';

/** The parts of the platform's OpenID configuration (Dynamic Registration 1.0 §3.4) the tool uses. */
export interface PlatformConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  registration_endpoint: string;
  'https://purl.imsglobal.org/spec/lti-platform-configuration'?: { product_family_code?: string; version?: string };
}

/** A platform that cannot be reached, or answers with something other than JSON, is refused, never a 500. */
async function fetchJson(url: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new LtiRefusal('platform-unreachable', `${url} could not be reached: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
  }
  if (!response.ok) throw new LtiRefusal('platform-unreachable', `HTTP ${response.status} from ${url}: ${(await response.text()).slice(0, 200)}`);
  try {
    return await response.json();
  } catch {
    throw new LtiRefusal('platform-unreachable', `${url} did not answer with JSON`);
  }
}

/** Fetches and checks the configuration: its issuer must share the configuration URL's origin (§3.5.1). */
export async function fetchPlatformConfiguration(configurationUrl: string, registrationToken: string | undefined): Promise<PlatformConfiguration> {
  const body = (await fetchJson(configurationUrl, { headers: registrationToken ? { authorization: `Bearer ${registrationToken}` } : {} })) as Partial<PlatformConfiguration>;
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const) {
    if (typeof body[field] !== 'string') throw new LtiRefusal('bad-login-request', `the platform configuration has no ${field}`);
  }
  if (!URL.canParse(body.issuer!)) throw new LtiRefusal('wrong-issuer', `issuer ${body.issuer} is not a URL`);
  if (new URL(body.issuer!).origin !== new URL(configurationUrl).origin) {
    throw new LtiRefusal('wrong-issuer', `issuer ${body.issuer} does not match the configuration URL ${configurationUrl}`);
  }
  return body as PlatformConfiguration;
}

/** Sends the tool's registration (§3.6) and returns what to store about the platform. */
export async function registerWithPlatform(
  publicUrl: string,
  configuration: PlatformConfiguration,
  registrationToken: string | undefined,
  tenantId: string,
): Promise<PlatformRegistration> {
  const e = toolEndpoints(publicUrl);
  const request = {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: e.loginUrl,
    redirect_uris: [e.launchUrl],
    client_name: 'Læringsløp',
    jwks_uri: e.jwksUrl,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: [SCOPE.lineItem, SCOPE.lineItemReadOnly, SCOPE.score, SCOPE.resultReadOnly, SCOPE.nrps].join(' '),
    'https://purl.imsglobal.org/spec/lti-tool-configuration': {
      domain: new URL(publicUrl).host,
      target_link_uri: e.launchUrl,
      custom_parameters: {},
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email', 'locale'],
      messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: e.deepLinkingUrl, label: 'Læringsløp' }],
    },
  };
  const answer = (await fetchJson(configuration.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}) },
    body: JSON.stringify(request),
  })) as { client_id?: string; 'https://purl.imsglobal.org/spec/lti-tool-configuration'?: { deployment_id?: string } };
  const deploymentId = answer['https://purl.imsglobal.org/spec/lti-tool-configuration']?.deployment_id;
  if (!answer.client_id || !deploymentId) throw new LtiRefusal('bad-login-request', 'the platform answered the registration without client_id or deployment_id');
  return {
    tenantId,
    name: registrationName(configuration),
    issuer: configuration.issuer,
    clientId: answer.client_id,
    authEndpoint: configuration.authorization_endpoint,
    tokenEndpoint: configuration.token_endpoint,
    jwksUrl: configuration.jwks_uri,
    deploymentIds: [deploymentId],
  };
}

/**
 * The site the registration is for, as people tell registrations apart: the issuer's host (Moodle
 * sends only its product family, `moodle`, which every Moodle site shares), with product and version.
 */
export function registrationName(configuration: PlatformConfiguration): string {
  let site: string;
  try {
    site = new URL(configuration.issuer).host || configuration.issuer;
  } catch {
    site = configuration.issuer;
  }
  const platform = configuration['https://purl.imsglobal.org/spec/lti-platform-configuration'];
  const product = [platform?.product_family_code, platform?.version].filter(Boolean).join(' ');
  return product ? `${site} (${product})` : site;
}
