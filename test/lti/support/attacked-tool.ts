import http from 'node:http';
import { createLtiService } from '../../../src/lti/lti-service.js';
import type { PlatformKeysOptions } from '../../../src/lti/platform-keys.js';
import type { Logger } from '../../../src/logger.js';
import { directRequestListener } from '../../../src/web/direct-routes.js';
import { directLaunchRoute } from '../../../src/web/lti/direct-launch.js';
import { ltiRouter, NO_ITEMS } from '../../../src/web/lti/router.js';
import { pageSecurityHeaderValues } from '../../../src/web/security-headers.js';
import { testApp, testConfig } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { newKey, TestPlatform, type PlatformKey } from './attack-platform.js';
import { freePort, SECRET } from './lti-http.js';

export interface AttackedTool {
  testDb: TestDatabase;
  toolUrl: string;
  platform: TestPlatform;
  key: PlatformKey;
  stop(): Promise<void>;
}

/**
 * The tool's LTI routes on a database of the backend under test, and a registered platform whose
 * tokens the tests sign (correctly or not) with `key`.
 */
/**
 * `served`: 'direct' (the default, as the service runs) answers the login and the launch ahead of
 * Express (src/web/lti/direct-launch.ts); 'app' leaves them to the LTI router.
 */
export type ServedBy = 'direct' | 'app';

export async function startAttackedTool(logger: Logger, options: { kid: string; platformKeys?: PlatformKeysOptions; served?: ServedBy }): Promise<AttackedTool> {
  const testDb = await createTestDatabase();
  const port = await freePort();
  const toolUrl = `http://127.0.0.1:${port}`;
  const config = testConfig({ PORT: String(port), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET });
  const lti = createLtiService({ config, database: testDb.database, logger }, options.platformKeys ? { platformKeys: options.platformKeys } : {});
  const app = testApp(testDb.database, { config, logger, routers: [ltiRouter({ config, database: testDb.database, logger, lti })] });
  const direct = directLaunchRoute({ config, logger, pageHeaders: pageSecurityHeaderValues(config), flow: { database: testDb.database, lti, launchRoutes: [], linkableItems: NO_ITEMS } });
  const server = http.createServer(directRequestListener(app, options.served === 'app' ? [] : [direct]));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const key = await newKey(options.kid);
  const platform = new TestPlatform();
  await platform.start(testDb.database, key);
  return {
    testDb,
    toolUrl,
    platform,
    key,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await platform.stop();
      await testDb.dispose();
    },
  };
}
