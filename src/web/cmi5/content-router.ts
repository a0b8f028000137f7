import { Router } from 'express';
import type { Cmi5Lms } from '../../cmi5/lms.js';
import type { ContentStore } from '../../content/content-store.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { ProblemError } from '../problem.js';
import { contentHostCheck } from '../scorm/content-router.js';
import { sendPackageFile } from '../tincan/content-router.js';
import type { Cmi5ContentTokens } from './content-token.js';

/** As for SCORM and xAPI packages: the AU's own HTML and script, talking only to the LRS. */
const CONTENT_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'self' {lrs}; frame-ancestors *; form-action 'self'; base-uri 'self'";

export interface Cmi5RoutesOptions {
  config: Config;
  database: Database;
  store: ContentStore;
  tokens: Cmi5ContentTokens;
  lms: Cmi5Lms;
}

/**
 * cmi5 on the web: the package's files on the content origin (`/content/cmi5/<token>/files/…`,
 * the AU's launch URL points there) and the fetch URL on the tool's origin (`POST
 * /cmi5/fetch/<session id>?k=<secret>`, cmi5 §8.2), which answers 200 with JSON whatever happens
 * and lets the AU read it from any origin.
 */
export function cmi5Router({ config, database, store, tokens, lms }: Cmi5RoutesOptions): Router {
  const router = Router();
  const allowed = contentHostCheck(config);
  const csp = CONTENT_CSP.replace('{lrs}', new URL(config.publicUrl).origin);

  router.get('/content/cmi5/:token/files/*file', async (req, res) => {
    if (!allowed(req.get('host'))) throw new ProblemError('not-found', 'Content is served from the content origin.');
    const claims = await tokens.verify(String(req.params['token']));
    if (!claims) throw new ProblemError('attempt-token-invalid');
    await sendPackageFile(res, { database, store, csp }, claims.packageId, (req.params['file'] as unknown as string[]).join('/'));
  });

  router.post('/cmi5/fetch/:sessionId', async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-store');
    const secret = typeof req.query['k'] === 'string' ? req.query['k'] : '';
    let answer;
    try {
      answer = await lms.fetch(String(req.params['sessionId']), secret);
    } catch (error) {
      req.log.error({ err: error }, 'cmi5 fetch failed');
      answer = { 'error-code': '3', 'error-text': 'The LMS could not make an authorization token.' };
    }
    if ('error-code' in answer) req.log.info({ code: answer['error-code'] }, 'cmi5 fetch refused');
    res.status(200).json(answer);
  });
  return router;
}
