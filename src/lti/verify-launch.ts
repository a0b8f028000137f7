import { JwsError, readHeader, verifyRs256 } from './compact-jws.js';
import { CLAIM, MESSAGE_TYPES, type LaunchClaims, type MessageType } from './claims.js';
import type { LoginState } from './oidc-login.js';
import type { PlatformKeys } from './platform-keys.js';
import type { Platform } from './platforms.js';
import { LtiRefusal } from './refusal.js';

export interface VerifyOptions {
  /** Allowed clock difference. Moodle's tokens live 60 s, so this stays small. */
  skewSeconds: number;
  now?: () => Date;
}

export interface VerifiedLaunch {
  platform: Platform;
  claims: LaunchClaims;
}

type Payload = Record<string, unknown>;

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Verifies an authentication response (id_token) against the login state it answers, in the order
 * of the 1EdTech Security Framework §5.1.3: signature with the platform's key, iss, aud, azp, exp,
 * iat, nonce; then LTI 1.3 Core §5.3: deployment, message type, version, required claims.
 * The browser binding and single use of the login's nonce (LoginClaims) are checked by the caller first.
 */
export async function verifyLaunch(keys: PlatformKeys, idToken: string, state: LoginState, platform: Platform, options: VerifyOptions): Promise<VerifiedLaunch> {
  if (platform.id !== state.platformId) throw new LtiRefusal('unknown-platform', 'the platform of this login was removed');

  let header;
  try {
    header = readHeader(idToken);
  } catch {
    throw new LtiRefusal('malformed-token', 'the id_token is not a JWS in compact form');
  }
  // Security Framework §5.1.3 step 1: RS256 only. Refusing before key lookup rules out `none`
  // and HS256 signed with the platform's public key as the HMAC secret.
  if (header['alg'] !== 'RS256') throw new LtiRefusal('bad-algorithm', `alg ${String(header['alg'])} is not RS256`);

  const kid = header['kid'];
  if (kid !== undefined && typeof kid !== 'string') throw new LtiRefusal('malformed-token', 'the id_token header names a kid that is not a string');
  const key = await keys.key(platform, kid);
  let payload: Payload;
  try {
    payload = verifyRs256(idToken, key).payload;
  } catch (error) {
    if (error instanceof JwsError && error.reason === 'signature') {
      throw new LtiRefusal('bad-signature', 'the id_token signature does not verify with the platform key');
    }
    throw new LtiRefusal('malformed-token', `the id_token could not be read: ${(error as Error).message}`);
  }

  checkRegisteredClaims(payload, platform, state, options);
  return { platform, claims: readLtiClaims(payload, platform) };
}

function checkRegisteredClaims(payload: Payload, platform: Platform, state: LoginState, options: VerifyOptions): void {
  if (payload['iss'] !== platform.issuer) {
    throw new LtiRefusal('wrong-issuer', `iss ${String(payload['iss'])} is not ${platform.issuer}`);
  }
  const aud = payload['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(platform.clientId)) {
    throw new LtiRefusal('wrong-audience', `aud does not contain client id ${platform.clientId}`);
  }
  // §5.1.3 steps 4–5: with several audiences azp is required; when present it must be our client id.
  const azp = payload['azp'];
  if ((audiences.length > 1 && azp === undefined) || (azp !== undefined && azp !== platform.clientId)) {
    throw new LtiRefusal('azp-mismatch', `azp ${String(azp)} is not client id ${platform.clientId}`);
  }
  const now = (options.now?.() ?? new Date()).getTime() / 1000;
  const exp = payload['exp'];
  const iat = payload['iat'];
  if (typeof exp !== 'number' || typeof iat !== 'number') throw new LtiRefusal('missing-claims', 'exp and iat are required');
  if (exp + options.skewSeconds < now) throw new LtiRefusal('expired', `the id_token expired ${Math.round(now - exp)} s ago`);
  if (iat - options.skewSeconds > now) throw new LtiRefusal('issued-in-future', `iat is ${Math.round(iat - now)} s in the future`);
  if (!isString(payload['nonce'])) throw new LtiRefusal('missing-claims', 'nonce is required');
  if (payload['nonce'] !== state.nonce) throw new LtiRefusal('nonce-mismatch', 'the nonce is not the one sent with this login');
}

function readLtiClaims(payload: Payload, platform: Platform): LaunchClaims {
  const deploymentId = payload[CLAIM.deploymentId];
  if (!isString(deploymentId)) throw new LtiRefusal('missing-claims', 'deployment_id is required');
  if (!platform.deploymentIds.includes(deploymentId)) {
    throw new LtiRefusal('unknown-deployment', `deployment ${deploymentId} is not registered for ${platform.issuer}`);
  }
  const messageType = payload[CLAIM.messageType];
  if (!MESSAGE_TYPES.includes(messageType as MessageType)) {
    throw new LtiRefusal('wrong-message-type', `message type ${String(messageType)} is not one this tool accepts`);
  }
  if (payload[CLAIM.version] !== '1.3.0') {
    throw new LtiRefusal('wrong-version', `LTI version ${String(payload[CLAIM.version])} is not 1.3.0`);
  }
  const missing: string[] = [];
  const sub = payload['sub'];
  if (!isString(sub)) missing.push('sub');
  const roles = payload[CLAIM.roles];
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) missing.push('roles');
  const targetLinkUri = payload[CLAIM.targetLinkUri];
  if (!isString(targetLinkUri)) missing.push('target_link_uri');
  const resourceLink = payload[CLAIM.resourceLink];
  const deepLinking = payload[CLAIM.deepLinkingSettings];
  if (messageType === 'LtiResourceLinkRequest' && !(isObject(resourceLink) && isString(resourceLink['id']))) missing.push('resource_link.id');
  if (
    messageType === 'LtiDeepLinkingRequest' &&
    !(isObject(deepLinking) && isString(deepLinking['deep_link_return_url']) && Array.isArray(deepLinking['accept_types']))
  ) {
    missing.push('deep_linking_settings');
  }
  const context = payload[CLAIM.context];
  if (context !== undefined && !(isObject(context) && isString(context['id']))) missing.push('context.id');
  if (missing.length > 0) throw new LtiRefusal('missing-claims', `missing or malformed: ${missing.join(', ')}`);

  const custom = isObject(payload[CLAIM.custom])
    ? Object.fromEntries(Object.entries(payload[CLAIM.custom] as Payload).map(([k, v]) => [k, String(v)]))
    : {};
  const presentation = payload[CLAIM.launchPresentation];
  const ags = payload[CLAIM.ags];
  const nrps = payload[CLAIM.nrps];
  const optional = (name: string) => (isString(payload[name]) ? (payload[name] as string) : undefined);
  const claims: LaunchClaims = {
    iss: platform.issuer,
    sub: sub as string,
    aud: payload['aud'] as string | string[],
    nonce: payload['nonce'] as string,
    messageType: messageType as MessageType,
    deploymentId,
    targetLinkUri: targetLinkUri as string,
    roles: roles as string[],
    custom,
    raw: payload,
  };
  const set = <K extends keyof LaunchClaims>(name: K, value: LaunchClaims[K] | undefined) => {
    if (value !== undefined) claims[name] = value;
  };
  set('name', optional('name'));
  set('givenName', optional('given_name'));
  set('familyName', optional('family_name'));
  set('email', optional('email'));
  set('locale', optional('locale') ?? (isObject(presentation) && isString(presentation['locale']) ? presentation['locale'] : undefined));
  set('context', isObject(context) ? (context as unknown as LaunchClaims['context']) : undefined);
  set('resourceLink', isObject(resourceLink) ? (resourceLink as unknown as LaunchClaims['resourceLink']) : undefined);
  set('ags', isObject(ags) ? (ags as LaunchClaims['ags']) : undefined);
  set('nrps', isObject(nrps) && isString(nrps['context_memberships_url']) ? (nrps as unknown as LaunchClaims['nrps']) : undefined);
  set('deepLinking', isObject(deepLinking) ? (deepLinking as unknown as LaunchClaims['deepLinking']) : undefined);
  set('documentTarget', isObject(presentation) && isString(presentation['document_target']) ? presentation['document_target'] : undefined);
  return claims;
}
