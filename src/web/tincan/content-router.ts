import { Router, type Request, type Response } from 'express';
import type { ContentStore } from '../../content/content-store.js';
import { findPackage, packageFile } from '../../content/packages.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import type { TinCanContentClaims, TinCanContentTokens } from '../../xapi/content-token.js';
import { requestLocale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { ProblemError } from '../problem.js';
import { contentHostCheck } from '../scorm/content-router.js';
import { contentType } from '../scorm/content-types.js';
import { returnPath } from '../learner/scorm-return.js';
import { KEEPALIVE_SCRIPT, tinCanPlayerPage } from './player-page.js';

/** As for SCORM packages (web/scorm/content-router.ts): the content's own HTML and script, on the content origin. */
const CONTENT_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'self' {lrs}; frame-ancestors 'self'; form-action 'self'; base-uri 'self'";

const LAUNCH_PARAMS = ['endpoint', 'auth', 'actor', 'registration', 'activity_id', 'grouping', 'activity_platform', 'Accept-Language', 'content_token', 'content_endpoint'] as const;

export interface TinCanContentOptions {
  config: Config;
  database: Database;
  store: ContentStore;
  tokens: TinCanContentTokens;
  /** Renews a launch credential (the learner capability's bridge). */
  renew(tenantId: string, credentialId: string): Promise<boolean>;
}

/**
 * xAPI packages on the content origin: `/content/tincan/<token>/player` (the course in a frame, the
 * launch parameters passed on), `/files/<path>` (the package's files), `/keepalive` (renews the
 * launch credential). The token carries no LRS credential; the course gets that from its URL.
 */
export function tinCanContentRouter({ config, database, store, tokens, renew }: TinCanContentOptions): Router {
  const router = Router();
  const allowed = contentHostCheck(config);
  const lrsOrigin = new URL(config.publicUrl).origin;
  const csp = CONTENT_CSP.replace('{lrs}', lrsOrigin);
  type Handler = (req: Request, res: Response, claims: TinCanContentClaims, base: string) => Promise<void>;
  const withClaims = (handler: Handler) => async (req: Request, res: Response) => {
    if (!allowed(req.get('host'))) throw new ProblemError('not-found', 'Content is served from the content origin.');
    const token = String(req.params['token']);
    const claims = await tokens.verify(token);
    if (!claims) throw new ProblemError('attempt-token-invalid');
    res.setHeader('Cache-Control', 'no-store');
    await handler(req, res, claims, `/content/tincan/${token}`);
  };

  router.get('/content/_player/tincan-keepalive.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(KEEPALIVE_SCRIPT);
  });

  router.get('/content/tincan/:token/player', withClaims(async (req, res, claims, base) => {
    const found = await findPackage(database.db, claims.packageTenantId, claims.packageId);
    if (!found || found.manifest.standard !== 'xapi') throw new ProblemError('not-found', 'No such xAPI package.');
    const launch = new URLSearchParams();
    for (const name of LAUNCH_PARAMS) {
      const value = req.query[name];
      if (typeof value === 'string') launch.set(name, value);
    }
    const locale = requestLocale(req);
    const returnUrl = `${config.publicUrl}${returnPath(claims.enrolmentId, claims.stepId)}?lang=${locale}`;
    sendPage(res, 200, tinCanPlayerPage({ locale, manifest: found.manifest, base, launch, returnUrl }));
  }));

  router.post('/content/tincan/:token/keepalive', withClaims(async (_req, res, claims) => {
    res.status((await renew(claims.tenantId, claims.credentialId)) ? 204 : 410).end();
  }));

  router.get('/content/tincan/:token/files/*file', withClaims(async (req, res, claims) => {
    await sendPackageFile(res, { database, store, csp }, claims.packageId, (req.params['file'] as unknown as string[]).join('/'));
  }));
  return router;
}

/**
 * One file of an xAPI or cmi5 package, under the content origin's CSP. The launch URL carries the
 * credential (or cmi5's fetch URL): it must not leave in a Referer.
 */
export async function sendPackageFile(res: Response, from: { database: Database; store: ContentStore; csp: string }, packageId: string, file: string): Promise<void> {
  const found = await packageFile(from.database.db, packageId, file);
  const stream = found && (await from.store.open(found.sha256));
  if (!found || !stream) throw new ProblemError('not-found', `No file ${file} in this package.`);
  res.setHeader('Content-Security-Policy', from.csp);
  res.setHeader('Cache-Control', 'private, max-age=3600');
  res.setHeader('Content-Length', String(found.size));
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.type(contentType(file));
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
