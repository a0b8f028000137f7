import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { DeepLinking } from './deep-linking.js';
import { LoginClaims, LoginPlatforms, LoginStates } from './oidc-login.js';
import { PlatformKeys, type PlatformKeysOptions } from './platform-keys.js';
import { SecretBox } from './secret-box.js';
import { ServiceClient } from './service-client.js';
import { SessionTokens } from './session-token.js';
import { toolEndpoints, type ToolEndpoints } from './tool-config.js';
import { ToolKeys } from './tool-keys.js';

/** The LTI capability's parts, built once per service from its configuration. */
export interface LtiService {
  readonly endpoints: ToolEndpoints;
  readonly toolKeys: ToolKeys;
  readonly platformKeys: PlatformKeys;
  readonly sessions: SessionTokens;
  readonly loginStates: LoginStates;
  readonly loginPlatforms: LoginPlatforms;
  readonly loginClaims: LoginClaims;
  readonly deepLinking: DeepLinking;
  readonly serviceClient: ServiceClient;
  readonly skewSeconds: number;
  readonly managerRoles: readonly string[];
}

export function toolKeyBox(secret: string): SecretBox {
  return new SecretBox(secret, 'lti-tool-key');
}

export function createLtiService(
  deps: { config: Config; database: Database; logger: Logger },
  options: { platformKeys?: PlatformKeysOptions } = {},
): LtiService {
  const { config, database, logger } = deps;
  const toolKeys = new ToolKeys(database.db, toolKeyBox(config.keyEncryptionSecret));
  return {
    endpoints: toolEndpoints(config.publicUrl),
    toolKeys,
    platformKeys: new PlatformKeys(database.db, logger, options.platformKeys),
    sessions: new SessionTokens(config.keyEncryptionSecret),
    loginStates: new LoginStates(config.keyEncryptionSecret),
    loginPlatforms: new LoginPlatforms(database.db),
    loginClaims: new LoginClaims(database.db),
    deepLinking: new DeepLinking(config.keyEncryptionSecret, toolKeys),
    serviceClient: new ServiceClient(toolKeys),
    skewSeconds: config.ltiClockSkewSeconds,
    managerRoles: config.ltiManagerRoles,
  };
}
