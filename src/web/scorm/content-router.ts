import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { ContentStore } from '../../content/content-store.js';
import { launchableItems } from '../../content/manifest-model.js';
import { packageFile } from '../../content/packages.js';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { PROJECT_ROOT } from '../../project-root.js';
import type { AttemptClaims } from '../../scorm/attempt-token.js';
import type { ScormRuntime } from '../../scorm/runtime.js';
import type { Refusal } from '../../scorm/sequencing/rules.js';
import { requestLocale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { ProblemError } from '../problem.js';
import { contentType } from './content-types.js';
import { PLAYER_CSS } from './player-css.js';
import { playerPage } from './player-page.js';

const require = createRequire(import.meta.url);
const SCORM_AGAIN_FILE = path.join(path.dirname(require.resolve('scorm-again')), 'scorm-again.min.js');
export const PLAYER_SCRIPT_FILE = path.join(PROJECT_ROOT, 'scorm', 'dist', 'player.js');

/**
 * Package files are the content's own HTML and script: inline script, eval and data: URLs are
 * what authoring tools emit. They run on the content origin (or, in development, under this path)
 * and reach nothing but their own attempt, through the token in the path.
 */
const CONTENT_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; frame-ancestors 'self'; form-action 'self'; base-uri 'self'";

/**
 * Where the player leads back to when an attempt belongs to something outside the package (a path
 * step): an absolute URL on the tool's origin that carries no credential, or undefined.
 */
export type PlayerReturn = (claims: AttemptClaims) => Promise<string | undefined>;

/** Filled by later capabilities before the first request (the learner pages set `returnTo`). */
export interface PlayerHooks {
  returnTo?: PlayerReturn;
}

export interface ContentRouterOptions {
  config: Config;
  database: Database;
  runtime: ScormRuntime;
  store: ContentStore;
  hooks?: PlayerHooks;
}

const REFUSAL_DETAIL: Record<Refusal, string> = {
  prerequisites: 'The prerequisites of this SCO are not met.',
  disabled: 'A precondition rule disables this activity (SN UP.5).',
  'attempt-limit': 'This activity has no attempts left (SN UP.1, limitConditions attemptLimit).',
  'hidden-from-choice': 'A precondition rule hides this activity from choice; it is reached by flow only (SN SB.2.9).',
  'choice-not-allowed': 'The controlMode of its parent does not allow choice, and no flow request leads here (SN SB.2.9).',
  'choice-exit': 'The current activity does not allow choosing outside it (controlMode choiceExit, SN SB.2.9).',
  'forward-only': 'The controlMode of the course forbids going backward (forwardOnly, SN SB.2.9).',
  'stop-forward-traversal': 'A stopForwardTraversal rule forbids passing forward to this activity (SN SB.2.4).',
};

type Handler = (req: Request, res: Response, claims: AttemptClaims) => Promise<void>;

/** With a separate content origin, content is served there only: whether a Host header is allowed. */
export function contentHostCheck(config: Config): (host: string | undefined) => boolean {
  const contentHost = config.contentOrigin ? new URL(config.contentOrigin).host : undefined;
  return (host) => !contentHost || host === contentHost;
}

/** With a separate content origin, content is served there only, never on the tool's origin. */
function onlyOnContentOrigin(config: Config): RequestHandler {
  const allowed = contentHostCheck(config);
  return (req, _res, next) => {
    if (!allowed(req.get('host'))) next(new ProblemError('not-found', 'Content is served from the content origin.'));
    else next();
  };
}

/**
 * A commit's answer: its JSON and HTTP status. A beacon's body arrives as text and is read as JSON
 * here; text that is not JSON is refused as the runtime API's own error.
 */
export async function commitAnswer(runtime: ScormRuntime, claims: AttemptClaims, scoId: string, body: unknown): Promise<{ status: number; answer: object }> {
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { status: 400, answer: { result: false, errorCode: 101, errorMessage: 'the commit is not JSON' } };
    }
  }
  const { status, ...answer } = await runtime.commit(claims, scoId, body);
  return { status, answer };
}

function withLang(href: string, locale: string): string {
  const url = new URL(href);
  url.searchParams.set('lang', locale);
  return url.toString();
}

/** A handler for requests that carry an attempt token in the path: refused unless it verifies. */
function withClaims(runtime: ScormRuntime, handler: Handler) {
  return async (req: Request, res: Response) => {
    const claims = await runtime.verifyToken(String(req.params['token']));
    if (!claims) throw new ProblemError('attempt-token-invalid');
    res.setHeader('Cache-Control', 'no-store');
    await handler(req, res, claims);
  };
}

/**
 * The runtime API the player calls (launch and commit): JSON for a script, the busiest requests the
 * tool serves. The app mounts it ahead of the page middleware, so it parses its own bodies.
 */
export function runtimeApiRouter({ config, runtime }: Pick<ContentRouterOptions, 'config' | 'runtime'>): Router {
  const router = Router();
  router.use('/content', onlyOnContentOrigin(config));
  const json = express.json({ limit: config.bodyLimitBytes });

  router.post('/content/:token/runtime/:scoId/launch', json, withClaims(runtime, async (req, res, claims) => {
    const state = await runtime.launch(claims, String(req.params['scoId']));
    if (!state) throw new ProblemError('not-found', 'No such SCO in this package.');
    if ('refused' in state) throw new ProblemError('sco-locked', REFUSAL_DETAIL[state.refused], { reason: state.refused });
    res.json(state);
  }));

  // scorm-again commits JSON by XHR or fetch, and its Terminate commit by sendBeacon as text/plain
  // (a beacon carries no headers: the token is in the path). Both are decoded as UTF-8.
  router.post(
    '/content/:token/runtime/:scoId/commit',
    json,
    express.text({ type: 'text/plain', limit: config.bodyLimitBytes, defaultCharset: 'utf-8' }),
    withClaims(runtime, async (req, res, claims) => {
      const { status, answer } = await commitAnswer(runtime, claims, String(req.params['scoId']), req.body);
      res.status(status).json(answer);
    }),
  );

  return router;
}

/** The player's pages and scripts, and the package's files, for one attempt. */
export function contentRouter({ config, database, runtime, store, hooks = {} }: ContentRouterOptions): Router {
  const router = Router();
  const returnTo = async (claims: AttemptClaims) => (hooks.returnTo ? hooks.returnTo(claims) : undefined);
  router.use('/content', onlyOnContentOrigin(config));

  const sendFile = (file: string, type: string) => (_req: Request, res: Response, next: NextFunction) => {
    res.type(type).setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(file, (error) => error && next(error));
  };
  router.get('/content/_player/scorm-again.js', sendFile(SCORM_AGAIN_FILE, 'text/javascript'));
  router.get('/content/_player/player.js', (req, res, next) => {
    if (!fs.existsSync(PLAYER_SCRIPT_FILE)) {
      next(new ProblemError('not-ready', 'The player script is not built: run npm run build:player.'));
      return;
    }
    sendFile(PLAYER_SCRIPT_FILE, 'text/javascript')(req, res, next);
  });
  router.get('/content/_player/player.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(PLAYER_CSS);
  });

  const base = (claims: AttemptClaims, req: Request) => `/content/${String(req.params['token'])}`;

  router.get('/content/:token/player', withClaims(runtime, async (req, res, claims) => {
    const entry = await runtime.entryScoId(claims);
    res.redirect(303, `${base(claims, req)}/play/${encodeURIComponent(entry ?? '')}?lang=${requestLocale(req)}`);
  }));

  router.get('/content/:token/play/:scoId', withClaims(runtime, async (req, res, claims) => {
    const manifest = await runtime.manifestOf(claims);
    const items = launchableItems(manifest);
    const current = items.find((i) => i.id === req.params['scoId']);
    if (!current) throw new ProblemError('not-found', 'No such part in this course.');
    const navigation = await runtime.playerNavigation(claims, current.id);
    const returnUrl = await returnTo(claims);
    sendPage(res, 200, playerPage({ locale: requestLocale(req), manifest, items, current, navigation, base: base(claims, req), returnUrl: returnUrl && withLang(returnUrl, requestLocale(req)) }));
  }));

  // After the learner exits: back where the attempt was opened from (a path step), else the exit page.
  router.get('/content/:token/exit', withClaims(runtime, async (req, res, claims) => {
    const returnUrl = await returnTo(claims);
    if (returnUrl) {
      res.redirect(303, withLang(returnUrl, requestLocale(req)));
      return;
    }
    const manifest = await runtime.manifestOf(claims);
    const navigation = await runtime.playerNavigation(claims, null);
    sendPage(res, 200, playerPage({ locale: requestLocale(req), manifest, items: launchableItems(manifest), current: undefined, navigation, base: base(claims, req) }));
  }));

  // SN continue / previous, decided on the state stored now: to the SCO it leads to, or the exit page.
  router.get('/content/:token/navigate/:request', withClaims(runtime, async (req, res, claims) => {
    const request = req.params['request'];
    if (request !== 'continue' && request !== 'previous') throw new ProblemError('not-found', 'Navigation is continue or previous.');
    const target = await runtime.flowFrom(claims, String(req.query['from'] ?? ''), request);
    const lang = requestLocale(req);
    res.redirect(303, target ? `${base(claims, req)}/play/${encodeURIComponent(target)}?lang=${lang}` : `${base(claims, req)}/exit?lang=${lang}`);
  }));

  router.get('/content/:token/files/*file', withClaims(runtime, async (req, res, claims) => {
    const segments = req.params['file'] as unknown as string[];
    const file = segments.join('/');
    const found = await packageFile(database.db, claims.packageId, file);
    const stream = found && (await store.open(found.sha256));
    if (!found || !stream) throw new ProblemError('not-found', `No file ${file} in this package.`);
    res.setHeader('Content-Security-Policy', CONTENT_CSP);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Length', String(found.size));
    res.type(contentType(file));
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }));

  return router;
}
