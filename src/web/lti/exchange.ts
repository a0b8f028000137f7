import type { Request, Response } from 'express';
import type { Logger } from '../../logger.js';
import type { SafeHtml } from '../html.js';
import { requestLocale, type Locale } from '../i18n.js';
import { sendPage } from '../layout.js';
import { adjustCsp, param, readCookie, type CspChanges } from './http.js';

/**
 * One LTI login or launch request and its answer, whichever layer carries it: the Express app
 * (`expressExchange`) or the direct route ahead of it (direct-launch.ts). The login and the launch
 * (login-launch.ts) are written once, against this.
 */
export interface LtiExchange {
  readonly method: string;
  /** A string parameter of the form body, else of the query; a repeated one is none. */
  param(name: string): string | undefined;
  header(name: 'origin' | 'sec-fetch-site' | 'sec-fetch-dest'): string | undefined;
  cookie(name: string): string | undefined;
  readonly locale: Locale;
  /** Lines logged here carry the request's id. */
  readonly log: Logger;
  /** The request's id: a refusal page shows it as its reference. */
  readonly reference: string;
  /** The client asked for JSON rather than a page (refusals answer it so). */
  readonly wantsJson: boolean;

  setHeader(name: 'Cache-Control' | 'Referrer-Policy' | 'Allow', value: string): void;
  /** Changes to the page's Content-Security-Policy. */
  csp(changes: CspChanges): void;
  /** A serialized Set-Cookie value. */
  setCookie(cookie: string): void;
  page(status: number, markup: SafeHtml): void;
  redirect(status: 302 | 303, location: string): void;
  json(status: number, body: unknown): void;
  empty(status: number): void;
}

export function expressExchange(req: Request, res: Response): LtiExchange {
  let locale: Locale | undefined;
  return {
    method: req.method,
    param: (name) => param(req, name),
    header: (name) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    },
    cookie: (name) => readCookie(req.headers.cookie, name),
    get locale() {
      return (locale ??= requestLocale(req));
    },
    get log() {
      return req.log;
    },
    reference: String(req.id ?? ''),
    get wantsJson() {
      return req.accepts(['html', 'json']) === 'json';
    },
    setHeader: (name, value) => res.setHeader(name, value),
    csp: (changes) => adjustCsp(res, changes),
    setCookie: (cookie) => res.append('Set-Cookie', cookie),
    page: (status, markup) => sendPage(res, status, markup),
    redirect: (status, location) => res.redirect(status, location),
    json: (status, body) => res.status(status).json(body),
    empty: (status) => res.status(status).end(),
  };
}
