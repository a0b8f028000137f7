import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ScormRuntime } from '../../scorm/runtime.js';
import { readRequestBody, type DirectRoute, type Handover } from '../direct-routes.js';
import { ProblemError } from '../problem.js';
import { logRequestEnd, requestIdOf } from '../request-log.js';
import { commitAnswer, contentHostCheck } from './content-router.js';

const malformed = () => new ProblemError('malformed-request-body', 'The body is not valid JSON.');
const COMMIT_PATH = /^\/content\/([^/?#]+)\/runtime\/([^/?#]+)\/commit$/;
/** JSON by XHR or fetch, text/plain from sendBeacon; UTF-8 (said or not) and nothing else. */
const COMMIT_TYPE = /^\s*(application\/json|text\/plain)\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * POST /content/<token>/runtime/<sco>/commit served ahead of Express (see direct-routes.ts): the
 * same answers as the runtime API router's commit route, which still serves everything this one
 * leaves to it: another host than the content origin, a body that is empty, compressed, chunked,
 * over the limit or of another type or charset, a path that does not decode, JSON that does not
 * parse, a token that does not verify, and any error.
 */
export function directCommitRoute({ config, runtime, logger }: { config: Config; runtime: ScormRuntime; logger: Logger }): DirectRoute {
  const onContentHost = contentHostCheck(config);
  return (req, res) => {
    if (req.method !== 'POST') return undefined;
    const path = COMMIT_PATH.exec(req.url ?? '');
    if (!path) return undefined;
    if (!onContentHost(req.headers.host)) return undefined;
    const type = COMMIT_TYPE.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (!type) return undefined;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
    const length = Number(req.headers['content-length'] ?? Number.NaN);
    if (!Number.isInteger(length) || length <= 0 || length > config.bodyLimitBytes) return undefined;
    let token: string;
    let scoId: string;
    try {
      token = decodeURIComponent(path[1]!);
      scoId = decodeURIComponent(path[2]!);
    } catch {
      return undefined;
    }
    return serve(req, res, { token, scoId, json: type === 'application/json' });
  };

  async function serve(req: IncomingMessage, res: ServerResponse, at: { token: string; scoId: string; json: boolean }): Promise<Handover | undefined> {
    const started = performance.now();
    let text = (await readRequestBody(req)).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // A beacon's text goes to commitAnswer as it is; JSON is parsed as strictly as the app's parser
    // does (an object or an array), and JSON that does not parse is its malformed-body problem.
    let body: unknown = text;
    if (at.json) {
      try {
        body = JSON.parse(text);
      } catch {
        return { error: malformed() };
      }
      if (typeof body !== 'object' || body === null) return { error: malformed() };
    }

    const claims = await runtime.verifyToken(at.token);
    if (!claims) return { body };
    const { status, answer } = await commitAnswer(runtime, claims, at.scoId, body);

    const id = requestIdOf(req.headers);
    const json = JSON.stringify(answer);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Request-Id': id,
    });
    res.end(json);
    logRequestEnd(logger, () => logger.child({ requestId: id }), { method: req.method, url: req.url, statusCode: status, started, aborted: false });
    return undefined;
  }
}
