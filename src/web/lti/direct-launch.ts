import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { LtiRefusal } from '../../lti/refusal.js';
import { readRequestBody, type DirectRoute, type Handover } from '../direct-routes.js';
import type { SafeHtml } from '../html.js';
import { localeOf, type Locale } from '../i18n.js';
import { FORM_FIELD_LIMIT, tooManyFormFields } from '../problem.js';
import { logRequestEnd, requestIdOf } from '../request-log.js';
import type { LtiExchange } from './exchange.js';
import { adjustedCsp, readCookie, type CspChanges } from './http.js';
import { answerLaunch, answerLogin, answerRefusal, type LoginLaunchDeps } from './login-launch.js';

/** A form as browsers post it: UTF-8, said or not. */
const FORM_TYPE = /^\s*application\/x-www-form-urlencoded\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * GET /lti/login and POST /lti/launch served ahead of Express (see direct-routes.ts): the login and
 * the launch are the same code as in the LTI router (login-launch.ts), answered with the same
 * security headers as every page; every launch passes here, and Express's middleware and routing
 * were more than a third of its CPU time. Left to the app, which answers them as before: other
 * methods and paths (a trailing slash, a query string on the launch), a client asking for JSON,
 * a body that is not a plain UTF-8 form of a known length within the limit. Refusals are answered
 * here as the router answers them; any other error is handed to the app's error handler.
 */
export function directLaunchRoute(options: { config: Config; logger: Logger; pageHeaders: Readonly<Record<string, string>>; flow: LoginLaunchDeps }): DirectRoute {
  const { config, logger, pageHeaders, flow } = options;
  return (req, res) => {
    const url = req.url ?? '';
    if ((req.headers.accept ?? '').includes('json')) return undefined;
    if (req.method === 'GET' && (url === '/lti/login' || url.startsWith('/lti/login?'))) {
      const query = parseQuery(url.slice('/lti/login?'.length));
      return handOverErrors(res, serve(req, res, query, typeof query['lang'] === 'string' ? query['lang'] : undefined, answerLogin));
    }
    if (req.method !== 'POST' || url !== '/lti/launch') return undefined;
    if (!FORM_TYPE.test(req.headers['content-type'] ?? '')) return undefined;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
    const length = Number(req.headers['content-length'] ?? Number.NaN);
    if (!Number.isInteger(length) || length <= 0 || length > config.bodyLimitBytes) return undefined;
    const launch = readRequestBody(req).then((body) => {
      const text = body.toString('utf8');
      if (text.split('&').length > FORM_FIELD_LIMIT) throw tooManyFormFields();
      return serve(req, res, parseQuery(text, '&', '=', { maxKeys: 0 }), undefined, answerLaunch);
    });
    return handOverErrors(res, launch);
  };

  /**
   * Errors other than refusals go to the app's error handler. It answers them with the headers the
   * response already has; in the app a page route's errors come after the security headers, so
   * here they are set first.
   */
  function handOverErrors(res: ServerResponse, answered: Promise<undefined>): Promise<Handover | undefined> {
    return answered.catch((error: unknown) => {
      if (!res.headersSent) for (const [name, value] of Object.entries(pageHeaders)) res.setHeader(name, value);
      return { error };
    });
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    params: ParsedUrlQuery,
    lang: string | undefined,
    answer: (ex: LtiExchange, deps: LoginLaunchDeps) => Promise<void>,
  ): Promise<undefined> {
    const exchange = new DirectExchange(req, res, { params, lang, logger, pageHeaders });
    try {
      await answer(exchange, flow);
    } catch (error) {
      if (!(error instanceof LtiRefusal)) throw error;
      answerRefusal(exchange, error);
    }
    return undefined;
  }
}

/** An LtiExchange over Node's request and response: headers are gathered, then written at once. */
class DirectExchange implements LtiExchange {
  readonly method: string;
  readonly reference: string;
  readonly wantsJson = false;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #params: ParsedUrlQuery;
  readonly #lang: string | undefined;
  readonly #logger: Logger;
  readonly #headers: Record<string, string | string[]>;
  readonly #started = performance.now();
  #locale: Locale | undefined;
  #log: Logger | undefined;

  constructor(req: IncomingMessage, res: ServerResponse, at: { params: ParsedUrlQuery; lang: string | undefined; logger: Logger; pageHeaders: Readonly<Record<string, string>> }) {
    this.#req = req;
    this.#res = res;
    this.#params = at.params;
    this.#lang = at.lang;
    this.#logger = at.logger;
    this.method = req.method ?? 'GET';
    this.reference = requestIdOf(req.headers);
    this.#headers = { ...at.pageHeaders, 'X-Request-Id': this.reference };
  }

  param(name: string): string | undefined {
    const value = this.#params[name];
    return typeof value === 'string' ? value : undefined;
  }

  header(name: 'origin' | 'sec-fetch-site' | 'sec-fetch-dest'): string | undefined {
    const value = this.#req.headers[name];
    return typeof value === 'string' ? value : undefined;
  }

  cookie(name: string): string | undefined {
    return readCookie(this.#req.headers.cookie, name);
  }

  get locale(): Locale {
    return (this.#locale ??= localeOf(this.#lang, this.#req.headers['accept-language']));
  }

  get log(): Logger {
    return (this.#log ??= this.#logger.child({ requestId: this.reference }));
  }

  setHeader(name: string, value: string): void {
    this.#headers[name] = value;
  }

  csp(changes: CspChanges): void {
    this.#headers['Content-Security-Policy'] = adjustedCsp(String(this.#headers['Content-Security-Policy'] ?? ''), changes);
  }

  setCookie(cookie: string): void {
    const cookies = this.#headers['Set-Cookie'];
    this.#headers['Set-Cookie'] = cookies === undefined ? [cookie] : [...cookies, cookie];
  }

  page(status: number, markup: SafeHtml): void {
    this.#send(status, 'text/html; charset=utf-8', markup.value);
  }

  redirect(status: 302 | 303, location: string): void {
    // Locations are built as URLs (the platform's login URL, the tool's own paths): ASCII already.
    this.#headers['Location'] = location;
    this.#send(status, undefined, '');
  }

  json(status: number, body: unknown): void {
    this.#send(status, 'application/json; charset=utf-8', JSON.stringify(body));
  }

  empty(status: number): void {
    this.#send(status, undefined, '');
  }

  #send(status: number, type: string | undefined, body: string): void {
    if (type) this.#headers['Content-Type'] = type;
    this.#headers['Content-Length'] = String(Buffer.byteLength(body));
    this.#res.writeHead(status, this.#headers);
    this.#res.end(body);
    logRequestEnd(this.#logger, () => this.log, { method: this.#req.method, url: this.#req.url, statusCode: status, started: this.#started, aborted: false });
  }
}
