import http from 'node:http';
import { createLtiService } from '../../../src/lti/lti-service.js';
import type { PlatformKeysOptions } from '../../../src/lti/platform-keys.js';
import type { Logger } from '../../../src/logger.js';
import { ltiRouter } from '../../../src/web/lti/router.js';
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
export async function startAttackedTool(logger: Logger, options: { kid: string; platformKeys?: PlatformKeysOptions }): Promise<AttackedTool> {
  const testDb = await createTestDatabase();
  const port = await freePort();
  const toolUrl = `http://127.0.0.1:${port}`;
  const config = testConfig({ PORT: String(port), PUBLIC_URL: toolUrl, KEY_ENCRYPTION_SECRET: SECRET });
  const lti = createLtiService({ config, database: testDb.database, logger }, options.platformKeys ? { platformKeys: options.platformKeys } : {});
  const app = testApp(testDb.database, { config, logger, routers: [ltiRouter({ config, database: testDb.database, logger, lti })] });
  const server = http.createServer(app);
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
