import { Router } from 'express';
import { refusalHandler } from '../lti/router.js';
import { designerKit, type DesignerRouterDeps } from './kit.js';
import { pathPages } from './path-pages.js';
import { previewReturnRoute } from './preview-return.js';
import { DESIGNER_JS } from './scripts.js';
import { sessionPages } from './session-pages.js';
import { stepPages } from './step-pages.js';
import { versionPages } from './version-pages.js';

export type { DesignerRouterDeps };

/** The designer's pages under /design, for people whose launch made them designers. */
export function designerRouter(deps: DesignerRouterDeps): Router {
  const router = Router();
  const kit = designerKit(deps);
  router.get('/design/assets/designer.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600').send(DESIGNER_JS);
  });
  pathPages(router, kit);
  stepPages(router, kit);
  previewReturnRoute(router, deps.sessions);
  versionPages(router, kit);
  sessionPages(router, kit);
  router.use(refusalHandler);
  return router;
}
