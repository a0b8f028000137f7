import path from 'node:path';
import { Router } from 'express';
import type { Config } from '../../config.js';
import { DiskContentStore, type ContentStore } from '../../content/content-store.js';
import { DEFAULT_ZIP_LIMITS } from '../../content/zip-reader.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../logger.js';
import { attemptTokens } from '../../scorm/attempt-token.js';
import { ScormRuntime } from '../../scorm/runtime.js';
import { contentRouter, runtimeApiRouter, type PlayerHooks } from './content-router.js';
import { devAttemptRouter } from './dev-attempt-router.js';
import { directCommitRoute } from './direct-commit.js';
import { developmentRoutes } from '../development-routes.js';
import type { DirectRoute } from '../direct-routes.js';
import { importPageRouter } from './import-page.js';
import { importRouter } from './import-router.js';
import type { StartPageLink } from '../home.js';

export interface ScormCapability {
  routers: Router[];
  /** The runtime API (launch, commit), mounted ahead of the page middleware. */
  apiRouters: Router[];
  /** The commit, served ahead of Express (the runtime API router serves what it leaves). */
  directRoutes: DirectRoute[];
  startPageLinks: StartPageLink[];
  runtime: ScormRuntime;
  store: ContentStore;
}

/** Content import, the player and the SCORM runtime, wired from the configuration. */
export function scormCapability({ config, database, logger }: { config: Config; database: Database; logger: Logger }, hooks: PlayerHooks = {}): ScormCapability {
  const contentDir = path.join(config.dataDir, 'content');
  const store = new DiskContentStore(contentDir);
  const runtime = new ScormRuntime({ db: database.db, tokens: attemptTokens(config.keyEncryptionSecret), logger: logger.child({ capability: 'scorm' }) });
  const routers = [contentRouter({ config, database, runtime, store, hooks })];
  const startPageLinks: StartPageLink[] = [];
  // Import into any municipality and attempts for anyone, without a session: development tools.
  const developmentTools = Router().use(
    importPageRouter(database),
    importRouter({ database, store, limits: DEFAULT_ZIP_LIMITS, uploadDir: path.join(contentDir, 'uploads'), uploadLimitBytes: config.contentUploadLimitBytes }),
    devAttemptRouter(runtime, config.contentOrigin ?? ''),
  );
  const served = developmentRoutes(config, ['/dev/content', '/api/content/packages', '/api/dev/scorm'], developmentTools);
  if (served) {
    startPageLinks.push({ href: '/dev/content', label: { nb: 'Last opp en SCORM- eller xAPI-pakke (utvikling)', nn: 'Last opp ein SCORM- eller xAPI-pakke (utvikling)', en: 'Upload a SCORM or xAPI package (development)' } });
    routers.push(served);
  }
  if (config.nodeEnv === 'production' && !config.contentOrigin) {
    logger.warn('CONTENT_ORIGIN is not set: uploaded content runs on the tool\'s own origin. Set it to a separate origin in production (docs/content.md).');
  }
  return { routers, apiRouters: [runtimeApiRouter({ config, runtime })], directRoutes: [directCommitRoute({ config, runtime, logger })], startPageLinks, runtime, store };
}
